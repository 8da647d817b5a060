// The data plane's configuration as haproxy.cfg, pure. Per listener a frontend on the load
// balancer's loopback address; per (load balancer, target group) two backends: `b_…`, whose
// servers are health-checked, and its fail-open twin `a_…` without checks, used when no
// server of the first is up (ELB routes to every target when none is healthy, but not to
// targets still initial). A rule's
// match is recorded in a variable first so that the first matching rule by priority decides,
// whatever the kind of its action (HAProxy runs `http-request return` before `use_backend`).
// Servers are rendered apart from the rest: the engine changes them at run time, and
// reloads only when the rest (the structure) changes.
import { createHash } from "node:crypto";
import type { RedirectActionConfig } from "@aws-sdk/client-elastic-load-balancing-v2";
import type {
  DataPlaneConfig,
  PlaneAction,
  PlaneListener,
  PlaneLoadBalancer,
  PlaneRule,
  PlaneTarget,
  PlaneTargetGroup,
} from "../../domain/elbv2/data-plane.js";
import { conditionAcl, quoted } from "./conditions.js";

/** The weight of a server that takes traffic (0 while initial or draining). */
export const FULL_WEIGHT = 100;

export interface RenderedServer {
  backend: string;
  name: string;
  /** What `server`/`add server` take after the name, less the weight: changing them means replacing the server. */
  args: string;
  /** False in fail-open twins and when the group's checks are off. */
  checked: boolean;
  /**
   * A fail-open twin's checked sibling (its backend/name) when the group is checked: the twin
   * takes traffic only once the sibling's checks have judged the target, for ELB fails open to
   * unhealthy targets but sends nothing to one still initial (a group with none but initial
   * targets answers 503).
   */
  failOpenOf?: string;
  /** Which target group and target it stands for (its health key's parts). */
  targetGroupId: string;
  target: PlaneTarget;
  /** Health check settings in seconds, for telling initial from healthy. */
  riseMs: number;
}

export interface RenderedConfig {
  /** Everything but the servers: a change here needs a reload. */
  structure: string;
  servers: RenderedServer[];
  /** Listeners HAProxy cannot serve (UDP; HTTPS and TLS termination without certificates). */
  unsupported: string[];
}

export interface RenderOptions {
  /** The directory of the sockets and the server-state file. */
  dir: string;
  /** Longest drain: how long an old process may keep its connections after a reload. */
  hardStopAfterSeconds: number;
  /**
   * HAProxy's threads. It shares the host with the tasks it proxies to: a thread per core (its
   * default) makes it contend with them and with the clients, so it gets half the cores.
   */
  threads: number;
}

type PlaneForward = Extract<PlaneAction, { type: "forward" }>;

export const backendName = (lbId: string, tgId: string) => `b_${lbId}_${tgId}`;
export const twinName = (lbId: string, tgId: string) => `a_${lbId}_${tgId}`;
export const serverName = (t: { id: string; port: number }) => `s_${t.id.replace(/[^A-Za-z0-9._-]/g, "_")}_${t.port}`;

export function renderConfig(config: DataPlaneConfig, opts: RenderOptions): RenderedConfig {
  const groups = new Map(config.targetGroups.map((g) => [g.id, g]));
  const unsupported: string[] = [];
  const sections: string[] = [globalSection(opts)];
  const servers: RenderedServer[] = [];
  for (const lb of config.loadBalancers) {
    const used = new Set<string>();
    for (const listener of lb.listeners) {
      if (!isServed(listener)) {
        unsupported.push(`${lb.id}:${listener.port}/${listener.protocol}`);
        continue;
      }
      sections.push(frontend(lb, listener));
      for (const rule of listener.rules) if (rule.action.type === "forward") for (const g of rule.action.targetGroups) used.add(g.id);
    }
    for (const tgId of [...used].sort()) {
      const group = groups.get(tgId);
      if (!group) continue;
      sections.push(backend(lb, group, true), backend(lb, group, false));
      servers.push(...backendServers(lb, group, true), ...backendServers(lb, group, false));
    }
  }
  return { structure: sections.join("\n"), servers, unsupported };
}

/** The configuration file: the structure with each backend's servers at its end. */
export function configText(rendered: RenderedConfig, weightOf: (server: RenderedServer) => number): string {
  const byBackend = new Map<string, string[]>();
  for (const s of rendered.servers) {
    byBackend.set(s.backend, [...(byBackend.get(s.backend) ?? []), `  server ${s.name} ${s.args} weight ${weightOf(s)}`]);
  }
  return (
    rendered.structure
      .split("\n")
      .map((line) => {
        const match = /^# servers of (\S+)$/.exec(line);
        return match ? (byBackend.get(match[1]!) ?? []).join("\n") : line;
      })
      .filter((line) => line !== "")
      .join("\n") + "\n"
  );
}

const isServed = (l: PlaneListener) => l.protocol === "HTTP" || l.protocol === "TCP" || l.protocol === "TLS";

function globalSection(opts: RenderOptions): string {
  return [
    "global",
    "  master-worker",
    `  nbthread ${opts.threads}`,
    `  stats socket ${opts.dir}/admin.sock mode 600 level admin expose-fd listeners`,
    `  server-state-file ${opts.dir}/server-state`,
    `  hard-stop-after ${Math.max(30, opts.hardStopAfterSeconds)}s`,
    "",
    "defaults",
    "  timeout connect 5s",
    "  timeout client 60s",
    "  timeout server 60s",
    "  timeout check 5s",
    "  load-server-state-from-file global",
    "",
  ].join("\n");
}

function frontend(lb: PlaneLoadBalancer, listener: PlaneListener): string {
  const http = listener.protocol === "HTTP";
  const lines = [
    `frontend f_${lb.id}_${listener.port}`,
    `  mode ${http ? "http" : "tcp"}`,
    `  bind ${lb.address}:${listener.port}`,
    `  timeout client ${lb.idleTimeoutSeconds}s`,
  ];
  if (http) {
    lines.push(
      `  timeout http-keep-alive ${lb.idleTimeoutSeconds}s`,
      // On a reload the old worker answers the next request of each idle keep-alive connection
      // (with Connection: close) instead of closing it under a client that is just sending one.
      "  option idle-close-on-response",
      '  http-request set-header X-Forwarded-For "%[req.hdr(X-Forwarded-For)], %[src]" if { req.hdr(X-Forwarded-For) -m found }',
      "  http-request set-header X-Forwarded-For %[src] unless { req.hdr(X-Forwarded-For) -m found }",
      "  http-request set-header X-Forwarded-Proto http",
      `  http-request set-header X-Forwarded-Port ${listener.port}`,
      '  http-request set-header X-Amzn-Trace-Id "Root=1-%[date,hex,bytes(8,8),lower]-%[uuid(4),regsub(-,,g),bytes(0,24)]" unless { req.hdr(X-Amzn-Trace-Id) -m found }',
    );
  }
  const directive = http ? "http-request" : "tcp-request content";
  const rules = listener.rules.map((rule, i) => ruleLines(lb, listener, rule, i, directive));
  // HAProxy runs request rules before choosing a backend, and response rules after, whatever
  // their order: written so.
  const kind = (line: string) => (line.startsWith("  use_backend") ? 1 : line.startsWith("  http-response") ? 2 : 0);
  for (const k of [0, 1, 2]) lines.push(...rules.flatMap((r) => r.filter((line) => kind(line) === k)));
  return lines.join("\n") + "\n";
}

function ruleLines(lb: PlaneLoadBalancer, listener: PlaneListener, rule: PlaneRule, i: number, directive: string): string[] {
  const lines: string[] = [];
  const acls: string[] = [];
  rule.conditions.forEach((condition, j) => {
    const acl = conditionAcl(condition);
    if (!acl || acl.patterns.length === 0) return;
    lines.push(`  acl r${i}c${j} ${acl.fetch} ${acl.patterns.join(" ")}`);
    acls.push(`r${i}c${j}`);
  });
  const chosen = `{ var(txn.rule) -m int ${i} }`;
  lines.push(`  ${directive} set-var(txn.rule) int(${i}) if !{ var(txn.rule) -m found } ${acls.join(" ")}`.trimEnd());
  const action = rule.action;
  switch (action.type) {
    case "fixed-response": {
      const body = action.body ? ` content-type ${quoted(action.contentType ?? "text/plain")} string ${quoted(action.body)}` : "";
      lines.push(`  http-request return status ${action.statusCode}${body} if ${chosen}`);
      break;
    }
    case "redirect":
      lines.push(...redirectLines(listener, action.redirect, chosen));
      break;
    case "forward":
      lines.push(...forwardLines(lb, action, i, directive, listener.protocol === "HTTP"));
      break;
  }
  return lines;
}

/**
 * A forward: the target group is picked into txn.tg (its index in the action), then the
 * backend of that group is used (its fail-open twin when none of its servers is up). With
 * target group stickiness (HTTP), a request whose AWSALBTG (or AWSALBTGCORS) cookie names one
 * of the rule's groups goes to it whatever the weights, as ALB routes by weight only the
 * requests without the cookie; every response of the rule sets both cookies anew.
 */
function forwardLines(lb: PlaneLoadBalancer, action: PlaneForward, i: number, directive: string, http: boolean): string[] {
  const lines: string[] = [];
  const chosen = `{ var(txn.rule) -m int ${i} }`;
  const unpicked = "!{ var(txn.tg) -m found }";
  const sticky = http ? action.stickiness : undefined;
  if (sticky) {
    action.targetGroups.forEach((g, j) => {
      for (const cookie of GROUP_COOKIES) {
        lines.push(`  ${directive} set-var(txn.tg) int(${j}) if ${chosen} ${unpicked} { req.cook(${cookie}) -m str ${groupToken(g.id)} }`);
      }
    });
  }
  const positive = action.targetGroups.map((g, j) => ({ ...g, j })).filter((g) => g.weight > 0);
  const weighted = positive.length > 0 ? positive : [{ ...action.targetGroups[0]!, j: 0 }];
  const total = weighted.reduce((sum, g) => sum + Math.max(1, g.weight), 0);
  if (weighted.length > 1) lines.push(`  ${directive} set-var(txn.pick) rand(${total}) if ${chosen} ${unpicked}`);
  let upTo = 0;
  for (const g of weighted) {
    upTo += Math.max(1, g.weight);
    const share = weighted.length > 1 ? ` { var(txn.pick) -m int lt ${upTo} }` : "";
    lines.push(`  ${directive} set-var(txn.tg) int(${g.j}) if ${chosen} ${unpicked}${share}`);
  }
  // A group of weight 0 is still served: a sticky client may be picked into it by its cookie.
  const served = sticky ? action.targetGroups.map((g, j) => ({ ...g, j })) : weighted;
  for (const g of served) {
    const picked = `${chosen} { var(txn.tg) -m int ${g.j} }`;
    const main = backendName(lb.id, g.id);
    lines.push(`  use_backend ${main} if ${picked} { nbsrv(${main}) gt 0 }`);
    lines.push(`  use_backend ${twinName(lb.id, g.id)} if ${picked}`);
    if (!sticky) continue;
    const expires = `Expires=%[date(${sticky.durationSeconds}),http_date]; Path=/`;
    const token = groupToken(g.id);
    lines.push(
      `  http-response add-header Set-Cookie "AWSALBTG=${token}; ${expires}" if ${picked}`,
      `  http-response add-header Set-Cookie "AWSALBTGCORS=${token}; ${expires}; SameSite=None; Secure" if ${picked}`,
    );
  }
  return lines;
}

/** The cookies of target group stickiness: AWSALBTGCORS is the one cross-origin requests carry. */
const GROUP_COOKIES = ["AWSALBTG", "AWSALBTGCORS"];

/**
 * What the target group stickiness cookies hold: a digest of the group's id, so that berth
 * finds the group back (by comparing with its rules' groups) and the client learns nothing.
 */
export const groupToken = (targetGroupId: string) =>
  createHash("sha256").update(`berth target group ${targetGroupId}`).digest("base64url").slice(0, 22);

/** ALB's redirect with its #{protocol}, #{host}, #{port}, #{path} and #{query} resolved per request. */
function redirectLines(listener: PlaneListener, r: RedirectActionConfig, chosen: string): string[] {
  const resolve = (template: string) =>
    template
      .replace(/%/g, "%%")
      .replace(/#\{protocol\}/g, listener.protocol.toLowerCase())
      .replace(/#\{host\}/g, "%[req.hdr(host),field(1,:)]")
      .replace(/#\{port\}/g, String(listener.port))
      .replace(/#\{path\}/g, "%[path,regsub(^/,)]")
      .replace(/#\{query\}/g, "%[query]");
  const protocol = (r.Protocol ?? "#{protocol}").replace("HTTPS", "https").replace("HTTP", "http");
  const resolvedProtocol = protocol === "#{protocol}" ? listener.protocol.toLowerCase() : protocol;
  const port = r.Port ?? "#{port}";
  const resolvedPort = port === "#{port}" ? String(listener.port) : port;
  const defaultPort = (resolvedProtocol === "https" && resolvedPort === "443") || (resolvedProtocol === "http" && resolvedPort === "80");
  const base = `${resolvedProtocol}://${resolve(r.Host ?? "#{host}")}${defaultPort ? "" : `:${resolve(port)}`}${resolve(r.Path ?? "/#{path}")}`;
  const query = resolve(r.Query ?? "#{query}");
  const code = r.StatusCode === "HTTP_301" ? 301 : 302;
  const redirect = (location: string, condition: string) =>
    `  http-request redirect location ${quoted(location)} code ${code} if ${condition}`;
  if (query === "") return [redirect(base, chosen)];
  if (query !== "%[query]") return [redirect(`${base}?${query}`, chosen)];
  // The request's own query string, and no "?" when it has none.
  return [redirect(`${base}?${query}`, `${chosen} { query -m len gt 0 }`), redirect(base, chosen)];
}

function backend(lb: PlaneLoadBalancer, group: PlaneTargetGroup, checked: boolean): string {
  const http = isHttp(group);
  const name = checked ? backendName(lb.id, group.id) : twinName(lb.id, group.id);
  const httpMode = http && lb.type === "application";
  const lines = [
    `backend ${name}`,
    `  mode ${httpMode ? "http" : "tcp"}`,
    "  balance roundrobin",
    `  timeout server ${lb.idleTimeoutSeconds}s`,
    "  retries 3",
    "  option redispatch 1",
  ];
  lines.push(...stickinessLines(group, httpMode));
  const hc = group.healthCheck;
  if (checked && hc.enabled) {
    lines.push(`  timeout check ${hc.timeoutSeconds}s`);
    if (hc.protocol !== "TCP") {
      lines.push(
        "  option httpchk",
        `  http-check send meth GET uri ${quoted(hc.path ?? "/")} ver HTTP/1.1 hdr Host ${lb.address} hdr User-Agent ELB-HealthChecker/2.0`,
        `  http-check expect rstatus ${quoted(matcherRegex(hc.httpCodes ?? "200"))}`,
      );
    }
  }
  lines.push(`# servers of ${name}`);
  return lines.join("\n") + "\n";
}

const isHttp = (group: PlaneTargetGroup) => group.protocol === "HTTP" || group.protocol === "HTTPS";

/**
 * A backend's stickiness. lb_cookie: HAProxy's own cookie naming the server. app_cookie: a
 * table from the application's cookie (as a target sets it) to that target, read on each
 * request carrying it. source_ip: a table from the client's address to its target. A tabled
 * target that is down or gone is passed over: the request is balanced, and the table learns
 * the new target. Tables, unlike `cookie`, take servers added at run time.
 */
function stickinessLines(group: PlaneTargetGroup, http: boolean): string[] {
  const sticky = group.stickiness;
  if (sticky?.type === "lb_cookie" && http) {
    return [
      `  cookie AWSALB insert indirect nocache maxlife ${sticky.durationSeconds}s`,
      // HAProxy 2.6 refuses `cookie` on a server added at run time: a sticky group's targets change by reload.
      `  # sticky servers: ${group.targets.map(serverName).join(" ")}`,
    ];
  }
  if (sticky?.type === "app_cookie" && http) {
    const cookie = cookieArg(sticky.cookieName);
    return [
      `  stick-table type string len 256 size 100k expire ${sticky.durationSeconds}s`,
      `  stick match "req.cook(${cookie})"`,
      // A client balanced anew (its target gone or down) stays on the new one, as ALB's cookie would move.
      `  stick store-request "req.cook(${cookie})"`,
      `  stick store-response "res.cook(${cookie})"`,
    ];
  }
  // ELB gives source IP affinity no duration: a client keeps its target while it comes back within a day.
  if (sticky?.type === "source_ip" && !http) return ["  stick-table type ip size 100k expire 24h", "  stick on src"];
  return [];
}

/**
 * A cookie name (letters, digits and !#$%&'*+-.^_`|~) for a sample fetch in double quotes:
 * $ escaped for the line parser, ' for the argument parser (its backslash for the line's).
 */
const cookieArg = (name: string) => name.replace(/\$/g, "\\$").replace(/'/g, "\\\\'");

function backendServers(lb: PlaneLoadBalancer, group: PlaneTargetGroup, checked: boolean): RenderedServer[] {
  const name = checked ? backendName(lb.id, group.id) : twinName(lb.id, group.id);
  const hc = group.healthCheck;
  const withChecks = checked && hc.enabled;
  return group.targets.map((target) => {
    const args = [`${target.address}:${target.port}`];
    if (withChecks) {
      args.push(`check inter ${hc.intervalSeconds}s rise ${hc.healthyThreshold} fall ${hc.unhealthyThreshold}`);
      if (hc.port !== "traffic-port") args.push(`port ${hc.port}`);
      if (hc.protocol === "HTTPS") args.push("check-ssl");
    }
    if (group.protocol === "HTTPS" || group.protocol === "TLS") args.push("ssl verify none");
    const source = group.targetType === "ip" ? sourceFor(lb, target) : undefined;
    if (source) args.push(`source ${source}`);
    if (group.slowStartSeconds > 0) args.push(`slowstart ${group.slowStartSeconds}s`);
    if (group.stickiness?.type === "lb_cookie" && isHttp(group)) args.push(`cookie ${serverName(target)}`);
    return {
      backend: name,
      name: serverName(target),
      args: args.join(" "),
      checked: withChecks,
      targetGroupId: group.id,
      target,
      riseMs: hc.healthyThreshold * hc.intervalSeconds * 1000,
      ...(!checked && hc.enabled ? { failOpenOf: `${backendName(lb.id, group.id)}/${serverName(target)}` } : {}),
    };
  });
}

/** The load balancer's interface in the target's zone, else its first: where its connections to the target come from. */
export function sourceFor(lb: PlaneLoadBalancer, target: PlaneTarget): string | undefined {
  return (lb.interfaces.find((i) => i.zone === target.zone) ?? lb.interfaces[0])?.address;
}

/** ELB's matcher ("200", "200,202", "200-299") as a regular expression on the status code. */
export function matcherRegex(httpCodes: string): string {
  const codes = new Set<number>();
  for (const part of httpCodes.split(",")) {
    const [from, to] = part.trim().split("-").map(Number);
    if (from === undefined || Number.isNaN(from)) continue;
    for (let code = from; code <= (to ?? from); code++) codes.add(code);
  }
  return `^(${[...codes].join("|")})$`;
}
