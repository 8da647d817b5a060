// What the data plane's tests with a real HAProxy share: Node HTTP and TCP servers standing
// for targets on 127.x addresses of their own, a small HTTP client without keep-alive, and
// configurations built by hand.
import { mkdtempSync } from "node:fs";
import { createServer, request, type IncomingHttpHeaders, type Server } from "node:http";
import { createServer as createTcpServer, type Server as TcpServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { PlaneHealthCheck, PlaneLoadBalancer, PlaneTarget, PlaneTargetGroup } from "../../src/domain/elbv2/data-plane.js";

/** A /24 of 127.x addresses no other test of this run uses: `.address(n)` is 127.a.b.n. */
export function addressBlock(): (n: number) => string {
  const a = 100 + Math.floor(Math.random() * 100);
  const b = Math.floor(Math.random() * 256);
  return (n) => `127.${a}.${b}.${n}`;
}

export const tempDir = (name: string) => mkdtempSync(join(tmpdir(), `berth-${name}-`));

export interface HttpTarget {
  address: string;
  port: number;
  /** Requests seen (health checks excluded). */
  requests: { url: string; headers: IncomingHttpHeaders }[];
  /** What the health path answers (a status code), or "hang" (no answer). */
  health: number | "hang";
  /** How long an ordinary request takes (ms). */
  delayMs: number;
  server: Server;
  close(): Promise<void>;
}

export async function httpTarget(address: string, port = 8080, name = address): Promise<HttpTarget> {
  const target: HttpTarget = {
    address,
    port,
    requests: [],
    health: 200,
    delayMs: 0,
    server: undefined as unknown as Server,
    close: async () => {},
  };
  const server = createServer((req, res) => {
    if (req.url === "/health") {
      if (target.health === "hang") return;
      res.writeHead(target.health).end("health\n");
      return;
    }
    target.requests.push({ url: req.url ?? "", headers: req.headers });
    setTimeout(() => res.writeHead(200, { "content-type": "text/plain" }).end(`${name} ${req.url}`), target.delayMs);
  });
  server.keepAliveTimeout = 1_000;
  await new Promise<void>((resolve) => server.listen(port, address, resolve));
  target.server = server;
  target.close = () =>
    new Promise((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  return target;
}

export async function tcpEcho(address: string, port: number): Promise<{ server: TcpServer; close(): Promise<void> }> {
  const server = createTcpServer((socket) => socket.pipe(socket));
  await new Promise<void>((resolve) => server.listen(port, address, resolve));
  return { server, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

export interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

export function get(url: string, headers: Record<string, string> = {}, timeoutMs = 5_000): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers, agent: false, timeout: timeoutMs }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (body += chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      res.on("error", reject);
    });
    req.on("timeout", () => req.destroy(new Error(`timeout: ${url}`)));
    req.on("error", reject);
    req.end();
  });
}

export const healthCheck = (over: Partial<PlaneHealthCheck> = {}): PlaneHealthCheck => ({
  enabled: true,
  protocol: "HTTP",
  port: "traffic-port",
  path: "/health",
  intervalSeconds: 1,
  timeoutSeconds: 1,
  healthyThreshold: 2,
  unhealthyThreshold: 2,
  httpCodes: "200",
  ...over,
});

export const planeTarget = (address: string, port = 8080, over: Partial<PlaneTarget> = {}): PlaneTarget => ({
  id: address,
  address,
  port,
  registeredAt: 0,
  ...over,
});

export const targetGroup = (id: string, targets: PlaneTarget[], over: Partial<PlaneTargetGroup> = {}): PlaneTargetGroup => ({
  id,
  protocol: "HTTP",
  targetType: "ip",
  healthCheck: healthCheck(),
  deregistrationDelaySeconds: 2,
  slowStartSeconds: 0,
  targets,
  ...over,
});

export const httpLoadBalancer = (
  id: string,
  address: string,
  source: string,
  listeners: PlaneLoadBalancer["listeners"],
): PlaneLoadBalancer => ({
  id,
  type: "application",
  address,
  interfaces: [{ zone: "us-east-1a", address: source }],
  idleTimeoutSeconds: 60,
  listeners,
});
