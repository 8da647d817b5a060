// `berth agent`: join this host to a running control plane, through the same code path
// `berth up` uses for its local agent.
import type { Attribute } from "@aws-sdk/client-ecs";
import { join } from "node:path";
import { Agent } from "../agent/agent.js";
import { ControlPlaneClient } from "../agent/control-plane-client.js";
import { DockerDriver } from "../runtime/docker/index.js";
import { DockerExec } from "../runtime/docker/exec.js";
import { ensureBusyboxImage } from "../runtime/docker/local-image.js";
import { parseCommandLine } from "./config.js";
import { ensureDocker, ensureNft } from "./docker-setup.js";
import { Firewall } from "../agent/firewall/firewall.js";
import { AwsLogs } from "../agent/awslogs/awslogs.js";
import { parseEngineAuth } from "../agent/registry-auth.js";
import { TaskCredentialsStore } from "../agent/task-credentials.js";
import { DEFAULT_TASK_ENDPOINT_PORT, TaskEndpoint } from "../agent/task-endpoint/index.js";
import { executionResourcesFor } from "../agent/execution-resources.js";
import { executionCredentials } from "../agent/execution-credentials.js";
import { createLogger, type Logger } from "../log/logger.js";

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
  /** Private registries' credentials, as ECS_ENGINE_AUTH_TYPE and ECS_ENGINE_AUTH_DATA give them. */
  engineAuth: { type?: string; data?: string };
  /** Enforce awsvpc tasks' security groups with nftables (--security-groups). */
  securityGroups: boolean;
  /** Where the task endpoint (169.254.170.2's target) listens on 127.0.0.1; 0: any free port. */
  taskEndpointPort?: number;
  log: Logger;
}

/** Starts the agents of this host: a container instance, berth's FARGATE capacity, or both. */
export async function startAgents(opts: LocalAgentOptions): Promise<Agent[]> {
  const driver = new DockerDriver();
  await ensureDocker(driver, opts.dataDir, opts.log);
  // Before registering: an agent that cannot enforce its tasks' groups must not take tasks.
  if (opts.securityGroups) ensureNft(opts.log);
  await ensureBusyboxImage(driver.docker, PAUSE_IMAGE, ["/bin/sleep", "2147483647"]);
  const registryAuth = parseEngineAuth(opts.engineAuth.type, opts.engineAuth.data);
  const credentials = new TaskCredentialsStore();
  // Secrets, parameters and logs are signed with the task's execution role, as ECS does; the
  // agent's own credentials without one.
  const onTaskBehalf = executionCredentials({
    region: opts.region,
    ...(opts.credentials ? { agentCredentials: opts.credentials } : {}),
    executionRole: (taskArn) => credentials.executionRole(taskArn),
  });
  // Secrets and parameters are read from berth's own APIs on the control plane's endpoint.
  const executionResources = executionResourcesFor({ endpoint: opts.endpoint, region: opts.region, credentials: onTaskBehalf });
  const kinds = opts.capacity === "both" ? [false, true] : [opts.capacity === "fargate"];
  const tagsClient = new ControlPlaneClient({ endpoint: opts.endpoint, region: opts.region, credentials: opts.credentials });
  // One store and one endpoint for this process's agents: containers reach one 169.254.170.2.
  const taskEndpoint = await TaskEndpoint.start({
    port: opts.taskEndpointPort ?? DEFAULT_TASK_ENDPOINT_PORT,
    stateDir: join(opts.dataDir, "agent"),
    credentials,
    driver,
    // taskWithTags: ECS's tags of the task and its instance, asked with the agent's own credentials.
    tags: (resourceArn) => tagsClient.call("ListTagsForResource", { resourceArn }).then(tagMap),
    log: opts.log,
  });
  // One shipper for the host's agents: positions are per container, whichever agent runs it.
  const awslogs = new AwsLogs({
    endpoint: opts.endpoint,
    region: opts.region,
    credentials: onTaskBehalf,
    driver,
    stateDir: join(opts.dataDir, "agent"),
    log: opts.log,
  });
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
      exec: new DockerExec(driver.docker),
      credentials,
      executionResources,
      awslogs,
      ...(opts.securityGroups ? { firewall: new Firewall({ log: opts.log }) } : {}),
      taskEndpoint,
      log: opts.log,
    });
    await agent.start();
    agents.push(agent);
  }
  return agents;
}

export async function runAgentCommand(args: string[]): Promise<void> {
  const options = parseCommandLine("agent", args);
  const agents = await startAgents({
    endpoint: options.endpoint,
    region: options.region,
    credentials:
      options.accessKeyId && options.secretAccessKey
        ? { accessKeyId: options.accessKeyId, secretAccessKey: options.secretAccessKey }
        : undefined,
    cluster: options.cluster,
    dataDir: options.dataDir,
    availabilityZone: options.availabilityZone,
    instanceType: options.instanceType,
    attributes: options.attribute,
    capacity: options.capacity,
    cpu: options.cpu,
    memoryMiB: options.memory,
    engineAuth: { type: options.engineAuthType, data: options.engineAuthData },
    securityGroups: options.securityGroups === "on",
    taskEndpointPort: options.taskEndpointPort,
    log: createLogger({ level: options.logLevel }).child({ component: "agent" }),
  });
  // What the agent joined as, for its user (and for the tests that start it) on stdout.
  for (const agent of agents) console.log(`${agent.role} registered: ${agent.containerInstanceArn}`);
  const stop = () => {
    void Promise.all(agents.map((a) => a.stop())).then(() => process.exit(0));
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

function tagMap(output: unknown): Record<string, string> {
  const tags = (output as { tags?: { key?: string; value?: string }[] }).tags ?? [];
  return Object.fromEntries(tags.map((t) => [t.key ?? "", t.value ?? ""]));
}
