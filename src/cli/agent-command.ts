// `berth agent`: join this host to a running control plane, through the same code path
// `berth up` uses for its local agent.
import type { Attribute } from "@aws-sdk/client-ecs";
import { homedir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { Agent } from "../agent/agent.js";
import { ControlPlaneClient } from "../agent/control-plane-client.js";
import { DockerDriver } from "../runtime/docker/index.js";
import { ensureBusyboxImage } from "../runtime/docker/local-image.js";
import { UsageError } from "./config.js";
import { ensureDocker } from "./docker-setup.js";
import { parseEngineAuth } from "../agent/registry-auth.js";

export const PAUSE_IMAGE = "berth/pause:1";

export interface LocalAgentOptions {
  endpoint: string;
  region: string;
  credentials?: { accessKeyId: string; secretAccessKey: string };
  cluster: string;
  dataDir: string;
  availabilityZone: string;
  instanceType: string;
  attributes: Attribute[];
  capacity: "ec2" | "fargate" | "both";
  cpu?: number;
  memoryMiB?: number;
  log(message: string): void;
}

/** Starts the agents of this host: a container instance, berth's FARGATE capacity, or both. */
export async function startAgents(opts: LocalAgentOptions): Promise<Agent[]> {
  const driver = new DockerDriver();
  await ensureDocker(driver, opts.dataDir, opts.log);
  await ensureBusyboxImage(driver.docker, PAUSE_IMAGE, ["/bin/sleep", "2147483647"]);
  const registryAuth = parseEngineAuth(process.env.ECS_ENGINE_AUTH_TYPE, process.env.ECS_ENGINE_AUTH_DATA);
  const kinds = opts.capacity === "both" ? [false, true] : [opts.capacity === "fargate"];
  const agents: Agent[] = [];
  for (const fargate of kinds) {
    const agent = new Agent({
      client: new ControlPlaneClient({ endpoint: opts.endpoint, region: opts.region, credentials: opts.credentials }),
      driver,
      cluster: opts.cluster,
      fargate,
      stateDir: join(opts.dataDir, "agent"),
      availabilityZone: opts.availabilityZone,
      instanceType: opts.instanceType,
      attributes: opts.attributes,
      cpu: opts.cpu,
      memoryMiB: opts.memoryMiB,
      pauseImage: PAUSE_IMAGE,
      registryAuth,
      log: (m) => opts.log(`agent: ${m}`),
    });
    await agent.start();
    agents.push(agent);
  }
  return agents;
}

const FLAGS = {
  endpoint: { type: "string", env: "BERTH_ENDPOINT" },
  cluster: { type: "string", env: "BERTH_CLUSTER" },
  region: { type: "string", env: "AWS_REGION" },
  "access-key-id": { type: "string", env: "AWS_ACCESS_KEY_ID" },
  "secret-access-key": { type: "string", env: "AWS_SECRET_ACCESS_KEY" },
  "data-dir": { type: "string", env: "BERTH_AGENT_DATA_DIR" },
  "availability-zone": { type: "string", env: "BERTH_AVAILABILITY_ZONE" },
  "instance-type": { type: "string", env: "BERTH_INSTANCE_TYPE" },
  attribute: { type: "string", multiple: true },
  capacity: { type: "string", env: "BERTH_CAPACITY" },
  cpu: { type: "string", env: "BERTH_CPU" },
  memory: { type: "string", env: "BERTH_MEMORY" },
} as const;

export const AGENT_USAGE = `usage: berth agent --endpoint URL [flags]
  --endpoint URL            the control plane                          [$BERTH_ENDPOINT]
  --cluster NAME            cluster to join (default "default")        [$BERTH_CLUSTER]
  --region REGION           (default us-east-1)                        [$AWS_REGION]
  --access-key-id, --secret-access-key   credentials (default: the AWS SDK's usual chain)
  --data-dir DIR            agent state (default ~/.berth)             [$BERTH_AGENT_DATA_DIR]
  --availability-zone AZ    ecs.availability-zone (default us-east-1a)
  --instance-type TYPE      ecs.instance-type (default berth.local)
  --attribute NAME=VALUE    a custom attribute (repeatable)
  --capacity ec2|fargate|both   what this host offers (default ec2)
  --cpu UNITS, --memory MIB resources offered (default: the whole host)`;

export async function runAgentCommand(args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: FLAGS as never, strict: true }) as { values: Record<string, string | string[] | undefined> };
  const get = (name: keyof typeof FLAGS) => {
    const v = values[name];
    const env = "env" in FLAGS[name] ? process.env[(FLAGS[name] as { env: string }).env] : undefined;
    return (typeof v === "string" ? v : undefined) ?? env;
  };
  const endpoint = get("endpoint");
  if (!endpoint) throw new UsageError("--endpoint is required");
  const capacity = get("capacity") ?? "ec2";
  if (!["ec2", "fargate", "both"].includes(capacity)) throw new UsageError("--capacity is ec2, fargate or both");
  const key = get("access-key-id");
  const secret = get("secret-access-key");
  const attributes = ((values.attribute as string[] | undefined) ?? []).map((a) => {
    const eq = a.indexOf("=");
    return eq < 0 ? { name: a } : { name: a.slice(0, eq), value: a.slice(eq + 1) };
  });
  const number = (name: "cpu" | "memory") => {
    const v = get(name);
    if (v === undefined) return undefined;
    if (!/^\d+$/.test(v)) throw new UsageError(`--${name} must be a whole number`);
    return Number(v);
  };
  const agents = await startAgents({
    endpoint,
    region: get("region") ?? "us-east-1",
    credentials: key && secret ? { accessKeyId: key, secretAccessKey: secret } : undefined,
    cluster: get("cluster") ?? "default",
    dataDir: get("data-dir") ?? join(homedir(), ".berth"),
    availabilityZone: get("availability-zone") ?? "us-east-1a",
    instanceType: get("instance-type") ?? "berth.local",
    attributes,
    capacity: capacity as LocalAgentOptions["capacity"],
    cpu: number("cpu"),
    memoryMiB: number("memory"),
    log: (m) => console.log(m),
  });
  const stop = () => {
    void Promise.all(agents.map((a) => a.stop())).then(() => process.exit(0));
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}
