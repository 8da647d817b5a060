// The HAProxy engine's rendering of listeners and rules, against a real HAProxy and Node
// targets on 127.x: rules by priority (path, host, method, header, query), fixed responses,
// redirects, the headers an ALB adds, and an NLB's TCP pass-through.
import assert from "node:assert/strict";
import { connect } from "node:net";
import { after, before, describe, test } from "node:test";
import type { DataPlaneConfig } from "../../src/domain/elbv2/data-plane.js";
import { HaproxyEngine } from "../../src/dataplane/haproxy/engine.js";
import { silentLog } from "../support/log.js";
import { waitFor } from "../support/wait.js";
import {
  addressBlock,
  get,
  healthCheck,
  httpLoadBalancer,
  httpTarget,
  planeTarget,
  tcpEcho,
  targetGroup,
  tempDir,
  type HttpTarget,
} from "./support.js";

describe("HAProxy engine: listeners and rules", () => {
  const at = addressBlock();
  const lb = at(1);
  const engine = new HaproxyEngine({ dir: tempDir("routing"), log: silentLog, pollMs: 100 });
  const targets: HttpTarget[] = [];
  let echo: Awaited<ReturnType<typeof tcpEcho>>;

  const config = (): DataPlaneConfig => ({
    loadBalancers: [
      httpLoadBalancer("lb1", lb, at(2), [
        {
          id: "l80",
          port: 8000,
          protocol: "HTTP",
          rules: [
            {
              priority: 1,
              conditions: [{ Field: "path-pattern", PathPatternConfig: { Values: ["/api/*"] } }],
              action: { type: "forward", targetGroups: [{ id: "api", weight: 1 }] },
            },
            {
              priority: 2,
              conditions: [{ Field: "host-header", HostHeaderConfig: { Values: ["*.example.COM"] } }],
              action: { type: "fixed-response", statusCode: 418, contentType: "text/plain", body: "teapot" },
            },
            {
              priority: 3,
              conditions: [
                { Field: "http-request-method", HttpRequestMethodConfig: { Values: ["DELETE"] } },
                { Field: "path-pattern", Values: ["/old?"] },
              ],
              action: { type: "fixed-response", statusCode: 405 },
            },
            {
              priority: 4,
              conditions: [{ Field: "path-pattern", Values: ["/old*"] }],
              action: { type: "redirect", redirect: { Path: "/new/#{path}", StatusCode: "HTTP_301" } },
            },
            {
              priority: 5,
              conditions: [{ Field: "http-header", HttpHeaderConfig: { HttpHeaderName: "X-Canary", Values: ["yes"] } }],
              action: { type: "forward", targetGroups: [{ id: "api", weight: 1 }] },
            },
            {
              priority: 6,
              conditions: [{ Field: "query-string", QueryStringConfig: { Values: [{ Key: "v", Value: "2*" }] } }],
              action: { type: "fixed-response", statusCode: 200, body: "v2" },
            },
            { priority: "default", conditions: [], action: { type: "forward", targetGroups: [{ id: "web", weight: 1 }] } },
          ],
        },
      ]),
      {
        id: "nlb1",
        type: "network",
        address: at(3),
        interfaces: [{ zone: "us-east-1a", address: at(4) }],
        idleTimeoutSeconds: 350,
        listeners: [
          {
            id: "l9",
            port: 9000,
            protocol: "TCP",
            rules: [{ priority: "default", conditions: [], action: { type: "forward", targetGroups: [{ id: "echo", weight: 1 }] } }],
          },
        ],
      },
    ],
    targetGroups: [
      targetGroup("web", [planeTarget(at(10))]),
      targetGroup("api", [planeTarget(at(11))]),
      targetGroup("echo", [planeTarget(at(12), 7000)], {
        protocol: "TCP",
        healthCheck: healthCheck({ protocol: "TCP", path: undefined, httpCodes: undefined }),
      }),
    ],
  });

  before(async () => {
    targets.push(await httpTarget(at(10), 8080, "web"), await httpTarget(at(11), 8080, "api"));
    echo = await tcpEcho(at(12), 7000);
    await engine.apply(config());
    await waitFor(() => [...engine.observations().values()].filter((o) => o.status === "healthy").length === 3, { message: "3 healthy" });
  });
  after(async () => {
    await engine.stop();
    for (const t of targets) await t.close();
    await echo.close();
  });

  test("rules by priority: path, host, method, redirect, header, query, then the default", async () => {
    assert.equal((await get(`http://${lb}:8000/api/x`)).body, "api /api/x");
    assert.equal((await get(`http://${lb}:8000/other`)).body, "web /other");
    const teapot = await get(`http://${lb}:8000/api/x`, { host: "shop.example.com" });
    assert.equal(teapot.body, "api /api/x", "priority 1 wins over 2");
    const fixed = await get(`http://${lb}:8000/x`, { host: "Shop.Example.com:8000" });
    assert.deepEqual([fixed.status, fixed.body, fixed.headers["content-type"]], [418, "teapot", "text/plain"]);
    const moved = await get(`http://${lb}:8000/old1?a=b`, { host: "site.test" });
    assert.deepEqual([moved.status, moved.headers.location], [301, "http://site.test:8000/new/old1?a=b"]);
    const bare = await get(`http://${lb}:8000/olden`, { host: "site.test" });
    assert.equal(bare.headers.location, "http://site.test:8000/new/olden");
    assert.equal((await get(`http://${lb}:8000/x`, { "x-canary": "YES" })).body, "api /x");
    assert.equal((await get(`http://${lb}:8000/x?a=1&v=2.1`)).body, "v2");
    assert.equal((await get(`http://${lb}:8000/x?v=3`)).body, "web /x?v=3");
  });

  test("HTTP listeners keep Host and add X-Forwarded-For/Proto/Port and X-Amzn-Trace-Id", async () => {
    const web = targets[0]!;
    web.requests.length = 0;
    await get(`http://${lb}:8000/h`, { host: "app.test", "x-forwarded-for": "10.9.9.9" });
    await get(`http://${lb}:8000/h2`, { "x-amzn-trace-id": "Root=1-67891233-abcdef012345678912345678" });
    const [first, second] = web.requests;
    assert.equal(first!.headers.host, "app.test");
    assert.equal(first!.headers["x-forwarded-for"], "10.9.9.9, 127.0.0.1");
    assert.equal(first!.headers["x-forwarded-proto"], "http");
    assert.equal(first!.headers["x-forwarded-port"], "8000");
    assert.match(String(first!.headers["x-amzn-trace-id"]), /^Root=1-[0-9a-f]{8}-[0-9a-f]{24}$/);
    assert.equal(second!.headers["x-amzn-trace-id"], "Root=1-67891233-abcdef012345678912345678");
  });

  test("an NLB's TCP listener passes bytes through", async () => {
    const socket = connect(9000, at(3));
    const echoed = await new Promise<string>((resolve, reject) => {
      let got = "";
      socket.on("data", (d) => {
        got += d.toString();
        if (got.length >= 5) resolve(got);
      });
      socket.on("error", reject);
      socket.write("hello");
    });
    socket.destroy();
    assert.equal(echoed, "hello");
  });
});
