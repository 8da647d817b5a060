// How an agent reaches the control plane: the ECS API's agent operations through the AWS
// SDK, and the SigV4-signed long poll for its task assignments. The poll runs once per
// change of the host, so it keeps one signer (which keeps the day's signing key) and
// keep-alive connections: fetch and a signer per call cost the simulated agents of the
// benchmarks ~0.5 ms of CPU per task more, on the machine the control plane runs on.
import {
  DiscoverPollEndpointCommand,
  ECSClient,
  RegisterContainerInstanceCommand,
  SubmitTaskStateChangeCommand,
  type ContainerInstance,
  type RegisterContainerInstanceRequest,
  type SubmitTaskStateChangeRequest,
} from "@aws-sdk/client-ecs";
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";
import { Hash } from "@smithy/hash-node";
import { HttpRequest } from "@smithy/protocol-http";
import { SignatureV4 } from "@smithy/signature-v4";
import type { PollRequest, PollResponse } from "../api/agent-channel/protocol.js";
import { toAwsJson } from "../api/protocol/json.js";
import type { TaskReport } from "../domain/task/lifecycle.js";

export interface ControlPlaneConnection {
  endpoint: string;
  region: string;
  credentials?: { accessKeyId: string; secretAccessKey: string };
}

export class ControlPlaneClient {
  readonly ecs: ECSClient;
  private pollEndpoint?: string;
  private signer?: SignatureV4;
  private readonly connections = { http: new HttpAgent({ keepAlive: true }), https: new HttpsAgent({ keepAlive: true }) };

  constructor(private readonly conn: ControlPlaneConnection) {
    this.ecs = new ECSClient({
      endpoint: conn.endpoint,
      region: conn.region,
      ...(conn.credentials ? { credentials: conn.credentials } : {}),
      maxAttempts: 3,
    });
  }

  async register(request: RegisterContainerInstanceRequest): Promise<ContainerInstance> {
    const out = await this.ecs.send(new RegisterContainerInstanceCommand(request));
    return out.containerInstance!;
  }

  async discover(cluster: string, containerInstance: string): Promise<string> {
    const out = await this.ecs.send(new DiscoverPollEndpointCommand({ cluster, containerInstance }));
    this.pollEndpoint = out.endpoint!;
    return this.pollEndpoint;
  }

  async submitTaskStateChange(clusterArn: string, taskArn: string, report: TaskReport): Promise<void> {
    await this.ecs.send(new SubmitTaskStateChangeCommand(taskStateChangeRequest(clusterArn, taskArn, report)));
  }

  /**
   * One ECS call, signed and sent without the SDK's per-call machinery (~1 ms of CPU), for
   * callers that make thousands: the simulated agents of the benchmarks share their machine
   * with the control plane they measure. Resolves with the parsed answer; an AWS error
   * rejects with an Error named after its __type. No retries.
   */
  async call(operation: string, input: object): Promise<unknown> {
    const target = `AmazonEC2ContainerServiceV20141113.${operation}`;
    const { status, text } = await this.signedPost(new URL(this.conn.endpoint), toAwsJson(input), undefined, target);
    const answer = text ? (JSON.parse(text) as Record<string, unknown>) : {};
    if (status === 200) return answer;
    const error = new Error(String(answer.message ?? answer.Message ?? `${operation} failed (${status})`));
    error.name = String(answer.__type ?? "UnknownError").split("#").pop()!;
    throw error;
  }

  /** One long poll; resolves with the host's assignments once they change or the wait ends. */
  async poll(request: PollRequest, signal: AbortSignal): Promise<PollResponse> {
    if (!this.pollEndpoint) throw new Error("discover the poll endpoint first");
    const { status, text } = await this.signedPost(new URL(this.pollEndpoint), JSON.stringify(request), signal);
    if (status !== 200) throw new Error(`poll failed (${status}): ${text}`);
    return JSON.parse(text) as PollResponse;
  }

  private async signedPost(url: URL, body: string, signal?: AbortSignal, target?: string): Promise<{ status: number; text: string }> {
    this.signer ??= new SignatureV4({ service: "ecs", region: this.conn.region, credentials: this.ecs.config.credentials, sha256: Hash.bind(null, "sha256") });
    const signed = await this.signer.sign(
      new HttpRequest({
        method: "POST",
        protocol: url.protocol,
        hostname: url.hostname,
        port: Number(url.port),
        path: url.pathname || "/",
        headers: { host: url.host, "content-type": "application/x-amz-json-1.1", ...(target ? { "x-amz-target": target } : {}) },
        body,
      }),
    );
    const https = url.protocol === "https:";
    return new Promise((resolve, reject) => {
      const options = { method: "POST", headers: signed.headers, signal };
      const onResponse = (res: IncomingMessage) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => (text += chunk));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, text }));
        res.on("error", reject);
      };
      const req = https
        ? httpsRequest(url, { ...options, agent: this.connections.https }, onResponse)
        : httpRequest(url, { ...options, agent: this.connections.http }, onResponse);
      req.on("error", reject);
      req.end(body);
    });
  }

  /** Closes the kept-alive connections. */
  close(): void {
    this.connections.http.destroy();
    this.connections.https.destroy();
    this.ecs.destroy();
  }
}

/** The SubmitTaskStateChange request that reports `report` of one task. */
export function taskStateChangeRequest(clusterArn: string, taskArn: string, report: TaskReport): SubmitTaskStateChangeRequest {
  return {
    cluster: clusterArn,
    task: taskArn,
    status: report.status,
    reason: report.reason,
    containers: (report.containers ?? []).map((c) => ({
      containerName: c.containerName,
      status: c.status,
      runtimeId: c.runtimeId,
      exitCode: c.exitCode,
      reason: c.reason,
      imageDigest: c.imageDigest,
      networkBindings: c.networkBindings,
    })),
    pullStartedAt: report.pullStartedAt,
    pullStoppedAt: report.pullStoppedAt,
    executionStoppedAt: report.executionStoppedAt,
  };
}
