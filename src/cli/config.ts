// Every option of every berth command, declared once: its flag, its environment variables,
// its type and range, its default (from the constant the rest of berth uses) and its help.
// `berth <command> --help` prints these tables; README.md shows the same.
//
// The data dir is one thing everywhere: where this host's berth keeps its state (the control
// plane's database and credentials, the agent's registrations under agent/), --data-dir or
// $BERTH_DATA_DIR. `berth agent` still reads its older $BERTH_AGENT_DATA_DIR first.
import { homedir } from "node:os";
import { join } from "node:path";
import { DEFAULT_CLUSTER } from "../domain/cluster.js";
import { AGENT_TIMEOUT_MS } from "../domain/container-instance.js";
import { DEFAULT_TASK_CREDENTIALS_LIFETIME_MS } from "../domain/task-credentials.js";
import { DEFAULT_LOG_LEVEL, LOG_LEVELS } from "../log/logger.js";
import { HOST_LOST_AFTER_MS, STOPPED_TASK_RETENTION_MS } from "../services/ecs/housekeeping.js";
import {
  describeOptions,
  flagSwitch,
  integer,
  InvalidValue,
  keyValues,
  oneOf,
  parseOptions,
  text,
  UsageError,
  type OptionTable,
  type Values,
} from "./options.js";

export { UsageError } from "./options.js";

export const DEFAULT_PORT = 4545;
export const LOOPBACK = "127.0.0.1";
export const DEFAULT_REGION = "us-east-1";
export const DEFAULT_ACCOUNT_ID = "000000000000";
export const DEFAULT_INSTANCE_TYPE = "berth.local";
const DEFAULT_DATA_DIR = join(homedir(), ".berth");
const SECOND_MS = 1000;

const dataDir = (env: readonly string[]) =>
  text({
    flag: "data-dir",
    env,
    placeholder: "DIR",
    help: "where berth keeps its state",
    default: DEFAULT_DATA_DIR,
    defaultText: "~/.berth",
  });
const logLevel = oneOf(LOG_LEVELS, {
  flag: "log-level",
  env: ["BERTH_LOG_LEVEL"],
  placeholder: "LEVEL",
  help: `what is logged (stderr): ${LOG_LEVELS.join(", ")}`,
  default: DEFAULT_LOG_LEVEL,
});
const httpUrl = (value: string) => {
  if (!/^https?:\/\/[^/\s]+/.test(value) || !URL.canParse(value)) throw new InvalidValue("must be an http:// or https:// URL");
};
const jsonObject = (value: string) => {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    throw new InvalidValue("must be a JSON object");
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) throw new InvalidValue("must be a JSON object");
};
// Private registries, named as the ECS agent names them; no flags, to keep passwords out of `ps`.
const registryAuth = {
  engineAuthType: oneOf(["docker", "dockercfg"], {
    env: ["ECS_ENGINE_AUTH_TYPE"],
    help: "the form of $ECS_ENGINE_AUTH_DATA: docker or dockercfg",
  }),
  engineAuthData: text({
    env: ["ECS_ENGINE_AUTH_DATA"],
    help: "private registries' credentials, as for the ECS agent (JSON)",
    secret: true,
    check: jsonObject,
  }),
} as const;

// The agent's enforcement of security groups (nftables); off, no rule is made at all.
const securityGroups = oneOf(["on", "off"], {
  flag: "security-groups",
  env: ["BERTH_SECURITY_GROUPS"],
  help: "enforce awsvpc tasks' security groups with nftables",
  default: "on",
});

// The agent's task endpoint (credentials and task metadata at 169.254.170.2), as the ECS agent's.
const taskEndpointPort = integer({
  flag: "task-endpoint-port",
  env: ["BERTH_TASK_ENDPOINT_PORT"],
  min: 0,
  max: 65535,
  help: "127.0.0.1 port of the task endpoint (169.254.170.2); 0: any free one",
  default: 51679,
});

// The load balancers' data plane (HAProxy); off, ELBv2's API still answers but nothing listens.
const loadBalancers = oneOf(["on", "off"], {
  flag: "load-balancers",
  env: ["BERTH_LOAD_BALANCERS"],
  help: "serve load balancers' listeners with HAProxy",
  default: "on",
});

const SERVER_OPTIONS = {
  host: text({ flag: "host", env: ["BERTH_HOST"], placeholder: "ADDRESS", help: "address to listen on", default: LOOPBACK }),
  port: integer({
    flag: "port",
    env: ["BERTH_PORT"],
    min: 0,
    max: 65535,
    help: "port to listen on; 0: any free one",
    default: DEFAULT_PORT,
  }),
  dataDir: dataDir(["BERTH_DATA_DIR"]),
  region: text({
    flag: "region",
    env: ["BERTH_REGION"],
    placeholder: "REGION",
    help: "region of the written profile",
    default: DEFAULT_REGION,
  }),
  accountId: text({
    flag: "account-id",
    env: ["BERTH_ACCOUNT_ID"],
    placeholder: "ID",
    help: "the account's 12-digit id",
    default: DEFAULT_ACCOUNT_ID,
    check: (value) => {
      if (!/^\d{12}$/.test(value)) throw new InvalidValue("must be 12 digits");
    },
  }),
  accessKeyId: text({
    flag: "access-key-id",
    env: ["BERTH_ACCESS_KEY_ID"],
    placeholder: "KEY",
    help: "the account's access key",
    defaultText: "generated once",
  }),
  secretAccessKey: text({
    flag: "secret-access-key",
    env: ["BERTH_SECRET_ACCESS_KEY"],
    placeholder: "SECRET",
    secret: true,
    help: "the account's secret key",
  }),
  noProfile: flagSwitch({ flag: "no-profile", env: ["BERTH_NO_PROFILE"], help: "do not write the berth profile into ~/.aws" }),
  publishAddress: text({
    flag: "publish-address",
    env: ["BERTH_PUBLISH_ADDRESS"],
    placeholder: "ADDRESS",
    help: "where container ports are published; 0.0.0.0: all",
    default: LOOPBACK,
  }),
  agentTimeoutSeconds: integer({
    flag: "agent-timeout-seconds",
    env: ["BERTH_AGENT_TIMEOUT_SECONDS"],
    min: 1,
    help: "an agent silent this long shows agentConnected: false",
    default: AGENT_TIMEOUT_MS / SECOND_MS,
  }),
  hostLostSeconds: integer({
    flag: "host-lost-seconds",
    env: ["BERTH_HOST_LOST_SECONDS"],
    min: 1,
    help: "an agent silent this long: its host is taken for terminated",
    default: HOST_LOST_AFTER_MS / SECOND_MS,
  }),
  stoppedTaskRetentionSeconds: integer({
    flag: "stopped-task-retention-seconds",
    env: ["BERTH_STOPPED_TASK_RETENTION_SECONDS"],
    min: 1,
    help: "how long STOPPED tasks stay describable",
    default: STOPPED_TASK_RETENTION_MS / SECOND_MS,
  }),
  taskCredentialsLifetimeSeconds: integer({
    flag: "task-credentials-seconds",
    env: ["BERTH_TASK_CREDENTIALS_SECONDS"],
    min: 1,
    max: 43_200,
    help: "how long tasks' role credentials last (refreshed at half)",
    default: DEFAULT_TASK_CREDENTIALS_LIFETIME_MS / SECOND_MS,
  }),
  stsEndpoint: text({
    flag: "sts-endpoint",
    env: ["BERTH_STS_ENDPOINT"],
    placeholder: "URL",
    help: "assume tasks' task roles with this STS's AssumeRole (federated mode)",
    check: httpUrl,
  }),
  sqliteSync: oneOf(["NORMAL", "FULL"], {
    flag: "sqlite-sync",
    env: ["BERTH_SQLITE_SYNC"],
    help: "FULL: an fsync a write, to survive power loss",
    default: "NORMAL",
  }),
  documentCache: integer({
    flag: "document-cache",
    env: ["BERTH_DOCUMENT_CACHE"],
    min: 0,
    help: "decoded documents kept in memory",
    defaultText: "the store's own",
  }),
  loadBalancers,
  logLevel,
} as const;

const UP_OPTIONS = {
  ...SERVER_OPTIONS,
  cluster: text({
    flag: "cluster",
    env: ["BERTH_CLUSTER"],
    placeholder: "NAME",
    help: "the cluster this host's agent joins",
    default: DEFAULT_CLUSTER,
    defaultText: `"${DEFAULT_CLUSTER}"`,
  }),
  securityGroups,
  taskEndpointPort,
  ...registryAuth,
} as const;

/** How a client of the control plane signs its calls: region and key pair (`whenAbsent` says where the key comes from otherwise). */
function signing(whenAbsent: string) {
  return {
    region: text({ flag: "region", env: ["AWS_REGION"], placeholder: "REGION", help: "region to sign for", default: DEFAULT_REGION }),
    accessKeyId: text({
      flag: "access-key-id",
      env: ["AWS_ACCESS_KEY_ID"],
      placeholder: "KEY",
      help: "credentials",
      defaultText: whenAbsent,
    }),
    secretAccessKey: text({
      flag: "secret-access-key",
      env: ["AWS_SECRET_ACCESS_KEY"],
      placeholder: "SECRET",
      secret: true,
      help: "the access key's secret",
    }),
  };
}

const AGENT_OPTIONS = {
  endpoint: text({
    flag: "endpoint",
    env: ["BERTH_ENDPOINT"],
    placeholder: "URL",
    help: "the control plane",
    required: true,
    check: httpUrl,
  }),
  cluster: text({
    flag: "cluster",
    env: ["BERTH_CLUSTER"],
    placeholder: "NAME",
    help: "cluster to join",
    default: DEFAULT_CLUSTER,
    defaultText: `"${DEFAULT_CLUSTER}"`,
  }),
  ...signing("the AWS SDK's usual chain"),
  dataDir: dataDir(["BERTH_AGENT_DATA_DIR", "BERTH_DATA_DIR"]),
  availabilityZone: text({
    flag: "availability-zone",
    env: ["BERTH_AVAILABILITY_ZONE"],
    placeholder: "AZ",
    help: "ecs.availability-zone",
    default: `${DEFAULT_REGION}a`,
  }),
  instanceType: text({
    flag: "instance-type",
    env: ["BERTH_INSTANCE_TYPE"],
    placeholder: "TYPE",
    help: "ecs.instance-type",
    default: DEFAULT_INSTANCE_TYPE,
  }),
  attribute: keyValues({ flag: "attribute", help: "a custom attribute (repeatable)" }),
  capacity: oneOf(["ec2", "fargate", "both"], { flag: "capacity", env: ["BERTH_CAPACITY"], help: "what this host offers", default: "ec2" }),
  cpu: integer({ flag: "cpu", env: ["BERTH_CPU"], min: 1, placeholder: "UNITS", help: "CPU units offered", defaultText: "the whole host" }),
  memory: integer({
    flag: "memory",
    env: ["BERTH_MEMORY"],
    min: 1,
    placeholder: "MIB",
    help: "memory offered",
    defaultText: "the whole host",
  }),
  securityGroups,
  taskEndpointPort,
  logLevel,
  ...registryAuth,
} as const;

const EVENTS_OPTIONS = {
  endpoint: text({
    flag: "endpoint",
    env: ["BERTH_ENDPOINT"],
    placeholder: "URL",
    help: "the control plane",
    default: `http://${LOOPBACK}:${DEFAULT_PORT}`,
    check: httpUrl,
  }),
  cluster: text({ flag: "cluster", placeholder: "NAME", help: "only this cluster's tasks", defaultText: "every cluster" }),
  ...signing("<data-dir>/credentials.json, then the AWS SDK's chain"),
  dataDir: dataDir(["BERTH_DATA_DIR"]),
  json: flagSwitch({ flag: "json", help: "print each event as it arrives, one JSON document a line" }),
} as const;

const EXEC_OPTIONS = {
  endpoint: EVENTS_OPTIONS.endpoint,
  cluster: text({ flag: "cluster", env: ["BERTH_CLUSTER"], placeholder: "NAME", help: "the task's cluster", defaultText: '"default"' }),
  container: text({ flag: "container", placeholder: "NAME", help: "the container to run in; needed when the task has several" }),
  ...signing("<data-dir>/credentials.json, then the AWS SDK's chain"),
  dataDir: dataDir(["BERTH_DATA_DIR"]),
} as const;

const LOGS_OPTIONS = {
  endpoint: EVENTS_OPTIONS.endpoint,
  cluster: text({
    flag: "cluster",
    env: ["BERTH_CLUSTER"],
    placeholder: "NAME",
    help: "the task's or service's cluster",
    defaultText: '"default"',
  }),
  follow: flagSwitch({ flag: "follow", help: "keep printing new events as they arrive" }),
  ...signing("<data-dir>/credentials.json, then the AWS SDK's chain"),
  dataDir: dataDir(["BERTH_DATA_DIR"]),
} as const;

export const COMMANDS = {
  up: { synopsis: "berth up [flags]", summary: "run berth: the control plane and a local agent", options: UP_OPTIONS },
  server: { synopsis: "berth server [flags]", summary: "run the control plane alone", options: SERVER_OPTIONS },
  agent: { synopsis: "berth agent --endpoint URL [flags]", summary: "join this host to a running control plane", options: AGENT_OPTIONS },
  events: { synopsis: "berth events [flags]", summary: "follow task state changes as they happen", options: EVENTS_OPTIONS },
  exec: {
    synopsis: "berth exec <task> [flags] -- <command> [args...]",
    summary: "run a command in a task's container (ECS Exec), exit with its status",
    options: EXEC_OPTIONS,
  },
  logs: {
    synopsis: "berth logs <task id or ARN | service name> [flags]",
    summary: "print what a task's (or a service's running tasks') containers logged with awslogs",
    options: LOGS_OPTIONS,
  },
} as const satisfies Record<string, { synopsis: string; summary: string; options: OptionTable }>;

export type CommandName = keyof typeof COMMANDS;
export type CommandOptions<C extends CommandName> = Values<(typeof COMMANDS)[C]["options"]>;

/** A command's options from its arguments and the environment; a UsageError says what is wrong. */
export function parseCommandLine<C extends CommandName>(
  command: C,
  args: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): CommandOptions<C> {
  const values = parseOptions(COMMANDS[command].options, args, env) as CommandOptions<C>;
  const { accessKeyId, secretAccessKey } = values as { accessKeyId?: string; secretAccessKey?: string };
  if ((accessKeyId === undefined) !== (secretAccessKey === undefined))
    throw new UsageError("--access-key-id and --secret-access-key go together");
  return values;
}

export function commandUsage(command: CommandName): string {
  const { synopsis, summary, options } = COMMANDS[command];
  return `usage: ${synopsis}\n${summary}\n\n${describeOptions(options)}\n`;
}

export function mainUsage(): string {
  const commands = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(8)}  ${c.summary}`);
  return [
    "usage: berth <command> [flags]",
    "",
    "commands:",
    ...commands,
    `  ${"help".padEnd(8)}  show this`,
    "",
    "berth <command> --help lists the flags of a command.",
    "",
  ].join("\n");
}
