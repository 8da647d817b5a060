// How an agent reaches the control plane: the ECS API's agent operations through the AWS
// SDK, and the SigV4-signed long poll for its task assignments.
import {
  DiscoverPollEndpointCommand,
  ECSClient,
  RegisterContainerInstanceCommand,
  SubmitTaskStateChangeCommand,
  type ContainerInstance,
  type RegisterContainerInstanceRequest,
} from "@aws-sdk/client-ecs";
import { Hash } from "@smithy/hash-node";
import { HttpRequest } from "@smithy/protocol-http";
import { SignatureV4 } from "@smithy/signature-v4";
import type { PollRequest, PollResponse } from "../api/agent-channel/protocol.js";
import type { TaskReport } from "../domain/task/lifecycle.js";

export interface ControlPlaneConnection {
  endpoint: string;
  region: string;
  credentials?: { accessKeyId: string; secretAccessKey: string };
}

export class ControlPlaneClient {
  readonly ecs: ECSClient;
  private pollEndpoint?: string;

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
    await this.ecs.send(
      new SubmitTaskStateChangeCommand({
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
      }),
    );
  }

  /** One long poll; resolves with the host's assignments once they change or the wait ends. */
  async poll(request: PollRequest, signal: AbortSignal): Promise<PollResponse> {
    if (!this.pollEndpoint) throw new Error("discover the poll endpoint first");
    const url = new URL(this.pollEndpoint);
    const body = JSON.stringify(request);
    const credentials = await this.ecs.config.credentials();
    const signer = new SignatureV4({ service: "ecs", region: this.conn.region, credentials, sha256: Hash.bind(null, "sha256") });
    const signed = await signer.sign(
      new HttpRequest({
        method: "POST",
        protocol: url.protocol,
        hostname: url.hostname,
        port: Number(url.port),
        path: url.pathname,
        headers: { host: url.host, "content-type": "application/x-amz-json-1.1" },
        body,
      }),
    );
    const res = await fetch(url, { method: "POST", headers: signed.headers as Record<string, string>, body, signal });
    const text = await res.text();
    if (!res.ok) throw new Error(`poll failed (${res.status}): ${text}`);
    return JSON.parse(text, (_k, v) => v) as PollResponse;
  }
}
