// How an agent reaches the control plane: the ECS API's agent operations through the AWS
// SDK, or signed by hand (`call`) where thousands are made, and the SigV4-signed channel
// that pushes its task assignments (AgentChannel). One signer is kept (it keeps the day's
// signing key) and keep-alive connections: fetch and a signer per call cost the simulated
// agents of the benchmarks CPU on the machine the control plane runs on (bench/RESULTS.md).
import {
  CreateClusterCommand,
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
import { WebSocket } from "ws";
import { AgentChannel, type ChannelHandlers } from "./channel.js";
import { toAwsJson } from "../wire/aws-json.js";
import { EXEC_PATH } from "../wire/agent-exec.js";
import type { TaskReport } from "../domain/task/lifecycle.js";
import { DEFAULT_CLUSTER } from "../domain/cluster.js";

/** ECS's answer to a registration in a cluster it does not know. */
const isClusterNotFound = (err: unknown): boolean =>
  err instanceof Error &&
  (err.name === "ClientException" || err.name === "ClusterNotFoundException") &&
  /cluster not found/i.test(err.message);

export interface ControlPlaneConnection {
  endpoint: string;
  region: string;
  credentials?: { accessKeyId: string; secretAccessKey: string };
}

export class ControlPlaneClient {
  readonly ecs: ECSClient;
  private channelEndpoint?: string;
  private signerKept?: SignatureV4;
  private readonly connections = { http: new HttpAgent({ keepAlive: true }), https: new HttpsAgent({ keepAlive: true }) };

  constructor(private readonly conn: ControlPlaneConnection) {
    this.ecs = new ECSClient({
      endpoint: conn.endpoint,
      region: conn.region,
      ...(conn.credentials ? { credentials: conn.credentials } : {}),
      maxAttempts: 3,
    });
  }

  /**
   * Registers the host. Like the ECS agent, it creates the `default` cluster when that is the
   * one it joins and the control plane does not know it, then registers again; any other
   * cluster must exist.
   */
  async register(request: RegisterContainerInstanceRequest): Promise<ContainerInstance> {
    try {
      return (await this.ecs.send(new RegisterContainerInstanceCommand(request))).containerInstance!;
    } catch (err) {
      const joinsDefault = (request.cluster ?? DEFAULT_CLUSTER) === DEFAULT_CLUSTER;
      if (!joinsDefault || !isClusterNotFound(err)) throw err;
      await this.ecs.send(new CreateClusterCommand({ clusterName: DEFAULT_CLUSTER }));
      return (await this.ecs.send(new RegisterContainerInstanceCommand(request))).containerInstance!;
    }
  }

  async discover(cluster: string, containerInstance: string): Promise<string> {
    const out = await this.ecs.send(new DiscoverPollEndpointCommand({ cluster, containerInstance }));
    this.channelEndpoint = out.endpoint!;
    return this.channelEndpoint;
  }

  async submitTaskStateChange(clusterArn: string, taskArn: string, report: TaskReport): Promise<void> {
    await this.ecs.send(new SubmitTaskStateChangeCommand(taskStateChangeRequest(clusterArn, taskArn, report)));
  }

  /**
   * One ECS call, signed and sent without the SDK's per-call machinery (its CPU per call), for
   * callers that make thousands: the simulated agents of the benchmarks share their machine
   * with the control plane they measure; and the channel's way for a call while it is down.
   * Resolves with the parsed answer; an AWS error rejects with an Error named after its
   * __type. No retries.
   */
  async call(operation: string, input: object): Promise<unknown> {
    const target = `AmazonEC2ContainerServiceV20141113.${operation}`;
    const { status, text } = await this.signedPost(new URL(this.conn.endpoint), toAwsJson(input), target);
    if (status !== 200) throw awsError(status, text, operation);
    return text ? (JSON.parse(text) as unknown) : {};
  }

  /** The channel of the host (not yet open: call start()); its ARN is asked for at every connection, as registering again may change it. */
  channel(containerInstanceArn: () => string, handlers: ChannelHandlers): AgentChannel {
    return new AgentChannel(
      { open: () => this.openSocket(containerInstanceArn()), call: (operation, input) => this.call(operation, input) },
      handlers,
    );
  }

  /** Opens the channel's WebSocket with a signed upgrade request; a refusal rejects with the AWS error. */
  private openSocket(containerInstanceArn: string): Promise<WebSocket> {
    if (!this.channelEndpoint) throw new Error("discover the channel endpoint first");
    const url = new URL(this.channelEndpoint);
    return this.signedSocket(url, url.pathname, { containerInstance: containerInstanceArn });
  }

  /** Opens the socket of an ECS Exec session (wire/agent-exec.ts), signed like the channel. */
  openExecSocket(query: Record<string, string>): Promise<WebSocket> {
    if (!this.channelEndpoint) throw new Error("discover the channel endpoint first");
    return this.signedSocket(new URL(this.channelEndpoint), EXEC_PATH, query);
  }

  private async signedSocket(url: URL, path: string, query: Record<string, string>): Promise<WebSocket> {
    const signed = await this.signer().sign(
      new HttpRequest({
        method: "GET",
        protocol: url.protocol,
        hostname: url.hostname,
        port: Number(url.port),
        path,
        query,
        headers: { host: url.host },
      }),
    );
    const scheme = url.protocol === "https:" ? "wss:" : "ws:";
    const socket = new WebSocket(`${scheme}//${url.host}${path}?${new URLSearchParams(query).toString()}`, {
      headers: signed.headers,
      perMessageDeflate: false,
    });
    return new Promise((resolve, reject) => {
      socket.once("open", () => resolve(socket));
      socket.once("error", reject);
      socket.once("unexpected-response", (_req, res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => (text += chunk));
        res.on("end", () => reject(awsError(res.statusCode ?? 0, text, "channel")));
        res.on("error", reject);
      });
    });
  }

  private signer(): SignatureV4 {
    return (this.signerKept ??= new SignatureV4({
      service: "ecs",
      region: this.conn.region,
      credentials: this.ecs.config.credentials,
      sha256: Hash.bind(null, "sha256"),
    }));
  }

  private async signedPost(url: URL, body: string, target: string): Promise<{ status: number; text: string }> {
    const signed = await this.signer().sign(
      new HttpRequest({
        method: "POST",
        protocol: url.protocol,
        hostname: url.hostname,
        port: Number(url.port),
        path: url.pathname || "/",
        headers: { host: url.host, "content-type": "application/x-amz-json-1.1", "x-amz-target": target },
        body,
      }),
    );
    const https = url.protocol === "https:";
    return new Promise((resolve, reject) => {
      const options = { method: "POST", headers: signed.headers };
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

/** An AWS error answer as an Error named after its __type. */
function awsError(status: number, text: string, what: string): Error {
  let answer: { message?: string; Message?: string; __type?: string } = {};
  try {
    answer = JSON.parse(text) as typeof answer;
  } catch {
    // not JSON: named by status below
  }
  const error = new Error(answer.message ?? answer.Message ?? `${what} failed (${status})`);
  error.name = (answer.__type ?? "UnknownError").split("#").pop()!;
  return error;
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
