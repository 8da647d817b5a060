// Stickiness against a real HAProxy and Node targets on 127.x: target group stickiness of a
// weighted forward (AWSALBTG, surviving a blue/green shift of the weights), application
// cookie stickiness with targets added at run time, and an NLB's source IP affinity.
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import { connect, createServer as createTcpServer, type Server as TcpServer } from "node:net";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import type { DataPlaneConfig, PlaneTargetGroup } from "../../src/domain/elbv2/data-plane.js";
import { healthKey } from "../../src/domain/elbv2/target-health.js";
import { HaproxyEngine } from "../../src/dataplane/haproxy/engine.js";
import { haproxyCommand } from "../../src/dataplane/haproxy/socket.js";
import { silentLog } from "../support/log.js";
import { waitFor } from "../support/wait.js";
import {
  addressBlock,
  get,
  healthCheck,
  httpLoadBalancer,
  httpTarget,
  planeTarget,
  targetGroup,
  tempDir,
  type HttpTarget,
} from "./support.js";

const cookieOf = (setCookie: string[] | undefined, name: string) => (setCookie ?? []).find((c) => c.startsWith(`${name}=`))?.split(";")[0];

describe("HAProxy engine: target group stickiness of a forward", () => {
  const at = addressBlock();
  const lb = at(1);
  const engine = new HaproxyEngine({ dir: tempDir("tg-sticky"), log: silentLog, pollMs: 100 });
  const targets: HttpTarget[] = [];
  const url = `http://${lb}:8000/s`;

  const config = (blue: number, green: number, groups = ["blue", "green"]): DataPlaneConfig => ({
    loadBalancers: [
      httpLoadBalancer("lb", lb, at(2), [
        {
          id: "l",
          port: 8000,
          protocol: "HTTP",
          rules: [
            {
              priority: "default",
              conditions: [],
              action: {
                type: "forward",
                targetGroups: groups.map((id) => ({ id, weight: id === "blue" ? blue : green })),
                stickiness: { durationSeconds: 120 },
              },
            },
          ],
        },
      ]),
    ],
    targetGroups: groups.map((id) => targetGroup(id, [planeTarget(id === "blue" ? at(10) : at(11))])),
  });

  before(async () => {
    targets.push(await httpTarget(at(10), 8080, "blue"), await httpTarget(at(11), 8080, "green"));
    await engine.apply(config(50, 50));
    await waitFor(() => [...engine.observations().values()].filter((o) => o.status === "healthy").length === 2, { message: "2 healthy" });
  });
  after(async () => {
    await engine.stop();
    for (const t of targets) await t.close();
  });

  test("without the cookie both groups by weight; with it, always its group; the cookies as ALB sets them", async () => {
    const seen = new Map<string, string>();
    for (let i = 0; i < 40; i++) {
      const answer = await get(url);
      const group = answer.body.split(" ")[0]!;
      const cookie = cookieOf(answer.headers["set-cookie"], "AWSALBTG");
      assert.ok(cookie, "every response of a sticky rule sets AWSALBTG");
      if (!seen.has(group)) seen.set(group, cookie);
      else assert.equal(cookie, seen.get(group), "one value per group");
      const cors = (answer.headers["set-cookie"] ?? []).find((c) => c.startsWith("AWSALBTGCORS="));
      assert.match(String(cors), /^AWSALBTGCORS=[^;]+; Expires=\w{3}, \d{2} \w{3} \d{4} [\d:]{8} GMT; Path=\/; SameSite=None; Secure$/);
      assert.equal(cors?.split(";")[0]?.split("=")[1], cookie.split("=")[1], "the CORS twin holds the same value");
    }
    assert.deepEqual([...seen.keys()].sort(), ["blue", "green"], "50/50: both groups over 40 requests");
    for (const [group, cookie] of seen) {
      assert.doesNotMatch(cookie, /blue|green|lb/, "the value names nothing");
      for (let i = 0; i < 15; i++) assert.equal((await get(url, { cookie })).body.split(" ")[0], group);
      // A cross-origin request carries only the CORS cookie.
      const cors = cookie.replace(/^AWSALBTG=/, "AWSALBTGCORS=");
      for (let i = 0; i < 5; i++) assert.equal((await get(url, { cookie: `other=1; ${cors}` })).body.split(" ")[0], group);
    }
    const forged = new Set<string>();
    for (let i = 0; i < 30; i++) forged.add((await get(url, { cookie: "AWSALBTG=blue" })).body.split(" ")[0]!);
    assert.equal(forged.size, 2, "a cookie naming no group of the rule: weighted choice");
  });

  test("after a shift to 0/100 a client with the cookie keeps its group until it leaves the rule", async () => {
    const blueCookie = await waitFor(
      async () => {
        const answer = await get(url);
        return answer.body.startsWith("blue") ? cookieOf(answer.headers["set-cookie"], "AWSALBTG") : undefined;
      },
      { message: "a blue answer" },
    );
    await engine.apply(config(0, 100));
    for (let i = 0; i < 20; i++) assert.equal((await get(url)).body.split(" ")[0], "green", "no cookie: by the weights");
    for (let i = 0; i < 20; i++) assert.equal((await get(url, { cookie: blueCookie })).body.split(" ")[0], "blue", "cookie: its group");
    const refreshed = await get(url, { cookie: blueCookie });
    assert.equal(cookieOf(refreshed.headers["set-cookie"], "AWSALBTG"), blueCookie, "the cookie is set anew");
    await engine.apply(config(0, 100, ["green"]));
    for (let i = 0; i < 10; i++) assert.equal((await get(url, { cookie: blueCookie })).body.split(" ")[0], "green", "its group is gone");
  });
});

/** An HTTP target that gives each new client its own session cookie `name` and answers with its own name. */
async function sessionTarget(address: string, cookieName: string, name: string) {
  let sessions = 0;
  const state = { healthy: true, requests: 0 };
  const server: Server = createServer((req, res) => {
    if (req.url === "/health") return void res.writeHead(state.healthy ? 200 : 500).end();
    state.requests++;
    const headers: Record<string, string> = { "content-type": "text/plain" };
    if (!(req.headers.cookie ?? "").includes(`${cookieName}=`)) headers["set-cookie"] = `${cookieName}=${name}-${++sessions}; Path=/`;
    res.writeHead(200, headers).end(name);
  });
  server.keepAliveTimeout = 1_000;
  await new Promise<void>((resolve) => server.listen(8080, address, resolve));
  const close = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  return { state, close };
}

const workerOf = async (dir: string) =>
  (await haproxyCommand(join(dir, "master.sock"), "show proc"))
    .split("\n")
    .find((l) => /worker/.test(l) && /^\d/.test(l))
    ?.split(/\s+/)[0];

describe("HAProxy engine: application cookie stickiness", () => {
  const at = addressBlock();
  const lb = at(1);
  const dir = tempDir("app-sticky");
  const engine = new HaproxyEngine({ dir, log: silentLog, pollMs: 100 });
  // Characters a cookie name may have that HAProxy's configuration would otherwise take.
  const cookieName = "sess#id'$x";
  const servers: Awaited<ReturnType<typeof sessionTarget>>[] = [];
  const url = `http://${lb}:8000/app`;

  const config = (count: number): DataPlaneConfig => ({
    loadBalancers: [
      httpLoadBalancer("lb", lb, at(2), [
        {
          id: "l",
          port: 8000,
          protocol: "HTTP",
          rules: [{ priority: "default", conditions: [], action: { type: "forward", targetGroups: [{ id: "app", weight: 1 }] } }],
        },
      ]),
    ],
    targetGroups: [
      targetGroup(
        "app",
        [10, 11, 12].slice(0, count).map((n) => planeTarget(at(n))),
        { stickiness: { type: "app_cookie", cookieName, durationSeconds: 120 } },
      ),
    ],
  });

  before(async () => {
    for (const n of [10, 11, 12]) servers.push(await sessionTarget(at(n), cookieName, `t${n}`));
  });
  after(async () => {
    await engine.stop();
    for (const s of servers) await s.close();
  });

  test("a client sending the application's cookie stays on the target that set it, targets added at run time too", async () => {
    await engine.apply(config(1));
    await waitFor(() => engine.observations().get(healthKey("app", at(10), 8080))?.status === "healthy", { message: "t10 healthy" });
    const worker = await workerOf(dir);
    await engine.apply(config(3));
    await waitFor(() => [...engine.observations().values()].filter((o) => o.status === "healthy").length === 3, { message: "3 healthy" });
    assert.equal(await workerOf(dir), worker, "targets added through the runtime API, no reload");

    const cookies = new Map<string, string>();
    for (let i = 0; i < 30 && cookies.size < 3; i++) {
      const answer = await get(url);
      const cookie = cookieOf(answer.headers["set-cookie"], cookieName);
      if (cookie && !cookies.has(answer.body)) cookies.set(answer.body, cookie);
    }
    assert.deepEqual([...cookies.keys()].sort(), ["t10", "t11", "t12"], "without the cookie, balanced over the three");
    for (const [target, cookie] of cookies) {
      for (let i = 0; i < 10; i++)
        assert.equal((await get(url, { cookie: `a=b; ${cookie}` })).body, target, `${cookie} stays on ${target}`);
    }
  });

  test("a client whose target turns unhealthy goes to another one, and stays there", async () => {
    const answer = await waitFor(
      async () => {
        const a = await get(url);
        return a.body === "t11" ? a : undefined;
      },
      { message: "an answer of t11" },
    );
    const cookie = cookieOf(answer.headers["set-cookie"], cookieName)!;
    servers[1]!.state.healthy = false;
    await waitFor(() => engine.observations().get(healthKey("app", at(11), 8080))?.status === "unhealthy", { message: "t11 unhealthy" });
    const moved = (await get(url, { cookie })).body;
    assert.notEqual(moved, "t11");
    for (let i = 0; i < 6; i++) assert.equal((await get(url, { cookie })).body, moved);
    servers[1]!.state.healthy = true;
  });
});

describe("HAProxy engine: source IP stickiness (NLB)", () => {
  const at = addressBlock();
  const nlb = at(1);
  const engine = new HaproxyEngine({ dir: tempDir("ip-sticky"), log: silentLog, pollMs: 100 });
  const servers: TcpServer[] = [];

  const group = (sticky: boolean): PlaneTargetGroup =>
    targetGroup(
      "tcp",
      [10, 11, 12].map((n) => planeTarget(at(n), 7000)),
      {
        protocol: "TCP",
        healthCheck: healthCheck({ protocol: "TCP", path: undefined, httpCodes: undefined }),
        ...(sticky ? { stickiness: { type: "source_ip" as const } } : {}),
      },
    );
  const config = (sticky: boolean): DataPlaneConfig => ({
    loadBalancers: [
      {
        id: "nlb",
        type: "network",
        address: nlb,
        interfaces: [{ zone: "us-east-1a", address: at(2) }],
        idleTimeoutSeconds: 350,
        listeners: [
          {
            id: "l",
            port: 9000,
            protocol: "TCP",
            rules: [{ priority: "default", conditions: [], action: { type: "forward", targetGroups: [{ id: "tcp", weight: 1 }] } }],
          },
        ],
      },
    ],
    targetGroups: [group(sticky)],
  });

  /** The name of the target a connection from `source` reaches. */
  const reach = (source: string) =>
    new Promise<string>((resolve, reject) => {
      const socket = connect({ port: 9000, host: nlb, localAddress: source });
      let got = "";
      socket.on("data", (d) => (got += d.toString()));
      socket.on("end", () => resolve(got));
      socket.on("error", reject);
    });

  before(async () => {
    for (const n of [10, 11, 12]) {
      const server = createTcpServer((socket) => socket.end(`t${n}`));
      await new Promise<void>((resolve) => server.listen(7000, at(n), resolve));
      servers.push(server);
    }
  });
  after(async () => {
    await engine.stop();
    for (const s of servers) await new Promise((resolve) => s.close(resolve));
  });

  test("without stickiness connections are balanced; with it, one client address reaches one target", async () => {
    await engine.apply(config(false));
    await waitFor(() => [...engine.observations().values()].filter((o) => o.status === "healthy").length === 3, { message: "3 healthy" });
    const balanced = new Set<string>();
    for (let i = 0; i < 6; i++) balanced.add(await reach(at(50)));
    assert.equal(balanced.size, 3, "round robin without stickiness");

    await engine.apply(config(true));
    await waitFor(() => [...engine.observations().values()].filter((o) => o.status === "healthy").length === 3, { message: "3 healthy" });
    for (const source of [at(50), at(51), at(52)]) {
      const first = await reach(source);
      for (let i = 0; i < 8; i++) assert.equal(await reach(source), first, `${source} stays on ${first}`);
    }
  });
});
