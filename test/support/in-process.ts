// Calls berth in-process, with no port: an HTTP handler for the AWS SDK that hands each
// signed request to the front door's plain (req, res) function and reads back what it
// wrote, and a whole control plane built in the test's process to hand them to. Handler
// tests (test/api/) then run at function-call speed with the real SDK's serialisation,
// signing and error parsing, beside the e2e suites that start the binary.
import { EC2Client } from "@aws-sdk/client-ec2";
import { ECSClient } from "@aws-sdk/client-ecs";
import { ElasticLoadBalancingV2Client } from "@aws-sdk/client-elastic-load-balancing-v2";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { STSClient } from "@aws-sdk/client-sts";
import { HttpResponse, type HttpHandler, type HttpRequest } from "@smithy/protocol-http";
import { mkdtempSync, rmSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { buildControlPlane, type ControlPlane } from "../../src/cli/control-plane.js";
import { AGENT_TIMEOUT_MS } from "../../src/domain/container-instance.js";
import { HOST_LOST_AFTER_MS, STOPPED_TASK_RETENTION_MS } from "../../src/services/ecs/housekeeping.js";
import { TEST_ACCESS_KEY, TEST_ACCOUNT, TEST_SECRET_KEY } from "./berth-process.js";
import { silentLog } from "./log.js";

export type RequestListener = (req: IncomingMessage, res: ServerResponse) => void;

/** What a handler wrote: enough of ServerResponse for the front door's replies. */
class RecordedResponse {
  statusCode = 200;
  headers: Record<string, string> = {};
  headersSent = false;
  destroyed = false;
  private readonly chunks: Buffer[] = [];
  private finish!: () => void;
  readonly finished = new Promise<void>((resolve) => (this.finish = resolve));

  writeHead(status: number, headers: Record<string, string | number> = {}): this {
    this.statusCode = status;
    for (const [k, v] of Object.entries(headers)) this.headers[k.toLowerCase()] = String(v);
    this.headersSent = true;
    return this;
  }

  write(chunk: string | Buffer): boolean {
    this.chunks.push(Buffer.from(chunk));
    return true;
  }

  end(chunk?: string | Buffer): this {
    if (chunk !== undefined) this.write(chunk);
    this.headersSent = true;
    this.finish();
    return this;
  }

  body(): Buffer {
    return Buffer.concat(this.chunks);
  }
}

function bodyOf(request: HttpRequest): Buffer {
  const body: unknown = request.body;
  if (body === undefined || body === null) return Buffer.alloc(0);
  if (typeof body === "string") return Buffer.from(body);
  // The bytes as they are: Buffer.from(view) would ask the SDK's string-backed views for valueOf().
  if (body instanceof Uint8Array) return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  throw new Error("in-process calls take string or byte bodies, not streams");
}

/** An SDK request handler (`requestHandler` in a client's configuration) that calls `listener` directly. */
export function inProcessHandler(listener: RequestListener): HttpHandler {
  return {
    metadata: { handlerProtocol: "http/1.1" },
    async handle(request: HttpRequest) {
      const query = new URLSearchParams();
      for (const [k, v] of Object.entries(request.query ?? {})) for (const one of [v ?? ""].flat()) query.append(k, one ?? "");
      const req = Readable.from([bodyOf(request)]) as unknown as IncomingMessage;
      Object.assign(req, {
        method: request.method,
        url: request.path + (query.size ? `?${query.toString()}` : ""),
        headers: Object.fromEntries(Object.entries(request.headers).map(([k, v]) => [k.toLowerCase(), v])),
      });
      const res = new RecordedResponse();
      listener(req, res as unknown as ServerResponse);
      await res.finished;
      return { response: new HttpResponse({ statusCode: res.statusCode, headers: res.headers, body: Readable.from([res.body()]) }) };
    },
    updateHttpClientConfig() {},
    httpHandlerConfigs: () => ({}),
  };
}

/** A whole control plane (store, services, scheduler) in this process, with SDK clients that reach it without a port. */
export interface InProcessBerth {
  ecs: ECSClient;
  ec2: EC2Client;
  elb: ElasticLoadBalancingV2Client;
  sts: STSClient;
  secrets: SecretsManagerClient;
  /** The control plane itself: its default VPCs (defaultNetwork) and its stored state. */
  plane: ControlPlane;
  /** Other clients of this berth, e.g. in another region or with other credentials. */
  ecsClient(opts?: ClientOptions): ECSClient;
  ec2Client(opts?: ClientOptions): EC2Client;
  elbClient(opts?: ClientOptions): ElasticLoadBalancingV2Client;
  stsClient(opts?: ClientOptions): STSClient;
  secretsClient(opts?: ClientOptions): SecretsManagerClient;
  /** Where the control plane keeps its state (the SQLite file, the sealing key). */
  dataDir: string;
  close(): Promise<void>;
}

export interface ClientOptions {
  region?: string;
  accessKeyId?: string;
  secretAccessKey?: string;
}

const IN_PROCESS_ENDPOINT = "http://berth.in-process";

/** The options a test's control plane is built with: the test account, berth's defaults, no log. */
export function testPlaneOptions(dataDir: string) {
  return {
    dataDir,
    accountId: TEST_ACCOUNT,
    credentials: { accessKeyId: TEST_ACCESS_KEY, secretAccessKey: TEST_SECRET_KEY },
    hostPortBindIp: "127.0.0.1",
    agentTimeoutMs: AGENT_TIMEOUT_MS,
    stoppedTaskRetentionMs: STOPPED_TASK_RETENTION_MS,
    hostLostAfterMs: HOST_LOST_AFTER_MS,
    store: { synchronous: "NORMAL" as const },
    loadBalancers: false,
    log: silentLog,
  };
}

export function inProcessBerth(): InProcessBerth {
  const dataDir = mkdtempSync(join(tmpdir(), "berth-in-process-"));
  const plane = buildControlPlane(testPlaneOptions(dataDir));
  plane.start();
  const requestHandler = inProcessHandler(plane.handle);
  const config = (opts: ClientOptions = {}) => ({
    endpoint: IN_PROCESS_ENDPOINT,
    region: opts.region ?? "us-east-1",
    credentials: { accessKeyId: opts.accessKeyId ?? TEST_ACCESS_KEY, secretAccessKey: opts.secretAccessKey ?? TEST_SECRET_KEY },
    maxAttempts: 1,
    requestHandler,
  });
  return {
    ecs: new ECSClient(config()),
    ec2: new EC2Client(config()),
    elb: new ElasticLoadBalancingV2Client(config()),
    sts: new STSClient(config()),
    secrets: new SecretsManagerClient(config()),
    plane,
    ecsClient: (opts) => new ECSClient(config(opts)),
    ec2Client: (opts) => new EC2Client(config(opts)),
    elbClient: (opts) => new ElasticLoadBalancingV2Client(config(opts)),
    stsClient: (opts) => new STSClient(config(opts)),
    secretsClient: (opts) => new SecretsManagerClient(config(opts)),
    dataDir,
    async close() {
      await plane.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
