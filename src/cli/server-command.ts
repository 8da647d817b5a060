// `berth server` (the control plane alone) and `berth up` (the control plane and a local agent,
// in one process, logging to one stream).
import { mkdirSync } from "node:fs";
import { startControlPlane } from "./control-plane.js";
import { awsFiles, loadOrCreateCredentials, writeProfile, type Credentials } from "./credentials.js";
import { DEFAULT_INSTANCE_TYPE, parseCommandLine } from "./config.js";
import { createLogger } from "../log/logger.js";
import { ensureHaproxy } from "./docker-setup.js";

export const PROFILE = "berth";

export async function runServer(args: string[], mode: "server" | "up"): Promise<void> {
  const up = mode === "up" ? parseCommandLine("up", args) : undefined;
  const config = up ?? parseCommandLine("server", args);
  const log = createLogger({ level: config.logLevel });
  mkdirSync(config.dataDir, { recursive: true });
  if (config.loadBalancers === "on") ensureHaproxy(log);
  let credentials: Credentials;
  let created = false;
  if (config.accessKeyId && config.secretAccessKey) {
    credentials = { accessKeyId: config.accessKeyId, secretAccessKey: config.secretAccessKey };
  } else {
    ({ credentials, created } = loadOrCreateCredentials(config.dataDir));
  }
  const started = Date.now();
  const plane = await startControlPlane({
    host: config.host,
    port: config.port,
    dataDir: config.dataDir,
    accountId: config.accountId,
    credentials,
    hostPortBindIp: config.publishAddress,
    agentTimeoutMs: config.agentTimeoutSeconds * 1000,
    stoppedTaskRetentionMs: config.stoppedTaskRetentionSeconds * 1000,
    hostLostAfterMs: config.hostLostSeconds * 1000,
    store: { synchronous: config.sqliteSync, cacheDocuments: config.documentCache },
    loadBalancers: config.loadBalancers === "on",
    taskCredentialsLifetimeMs: config.taskCredentialsLifetimeSeconds * 1000,
    ...(config.stsEndpoint ? { stsEndpoint: config.stsEndpoint } : {}),
    log: log.child({ component: "control-plane" }),
  });
  const agents = up
    ? await (
        await import("./agent-command.js")
      )
        .startAgents({
          endpoint: plane.endpoint,
          region: config.region,
          credentials,
          cluster: up.cluster,
          dataDir: config.dataDir,
          availabilityZone: `${config.region}a`,
          instanceType: DEFAULT_INSTANCE_TYPE,
          attributes: [],
          capacity: "both",
          engineAuth: { type: up.engineAuthType, data: up.engineAuthData },
          securityGroups: up.securityGroups === "on",
          taskEndpointPort: up.taskEndpointPort,
          log: log.child({ component: "agent" }),
        })
        .catch(async (err: unknown) => {
          await plane.close();
          throw err;
        })
    : [];
  const network = await plane.defaultNetwork(config.region);
  if (!config.noProfile) {
    writeProfile(awsFiles(), PROFILE, credentials, plane.endpoint, config.region);
  }
  const lines = [
    `berth ${mode === "up" ? "is up" : "control plane is running"} (ready in ${Date.now() - started} ms)`,
    `  endpoint    ${plane.endpoint}`,
    `  account     ${config.accountId}   region ${config.region}   data ${config.dataDir}`,
    `  access key  ${credentials.accessKeyId}${created ? "   (new; secret below)" : ""}`,
  ];
  if (created) lines.push(`  secret key  ${credentials.secretAccessKey}`);
  // What awsvpc tasks and services need at hand: the default VPC's subnets and group (none once it was deleted).
  if (network) {
    lines.push(
      `  network     subnets ${network.subnetIds.join(",")}  security group ${network.securityGroupId}  (default VPC ${network.vpcId})`,
    );
  }
  if (!config.noProfile) {
    lines.push(`  profile     '${PROFILE}' written to ~/.aws/config and ~/.aws/credentials`);
    lines.push("", `Try:  aws --profile ${PROFILE} ecs list-clusters`);
  } else {
    lines.push("", `Try:  aws --endpoint-url ${plane.endpoint} --region ${config.region} ecs list-clusters`);
  }
  if (up) lines.push(`  agent       this host runs tasks of cluster '${up.cluster}' and berth's FARGATE capacity (Docker)`);
  console.log(lines.join("\n"));
  const stop = (signal: string) => {
    console.log(`\nberth: ${signal}, shutting down`);
    Promise.all(agents.map((a) => a.stop()))
      .then(() => plane.close())
      .then(
        () => process.exit(0),
        () => process.exit(1),
      );
  };
  process.once("SIGINT", () => stop("SIGINT"));
  process.once("SIGTERM", () => stop("SIGTERM"));
}
