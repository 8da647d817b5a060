// Command-line flags, each with an environment variable, and their defaults.
import { homedir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";

export const DEFAULT_PORT = 4545;

export interface ServerConfig {
  host: string;
  port: number;
  dataDir: string;
  region: string;
  accountId: string;
  accessKeyId?: string;
  secretAccessKey?: string;
  /** Write the `berth` profile into ~/.aws (off with --no-profile). */
  writeProfile: boolean;
  /** `up`: the cluster the local agent joins. */
  cluster: string;
  /** Where published container ports listen. */
  publishAddress: string;
  /** `up` without the local agent (for a control plane that only agents elsewhere use). */
  agent: boolean;
}

export const SERVER_FLAGS = {
  host: { type: "string", env: "BERTH_HOST", help: "address to listen on", default: "127.0.0.1" },
  port: { type: "string", env: "BERTH_PORT", help: "port to listen on", default: String(DEFAULT_PORT) },
  "data-dir": { type: "string", env: "BERTH_DATA_DIR", help: "where state and credentials live", default: join(homedir(), ".berth") },
  region: { type: "string", env: "BERTH_REGION", help: "region of the printed profile", default: "us-east-1" },
  "account-id": { type: "string", env: "BERTH_ACCOUNT_ID", help: "12-digit account id", default: "000000000000" },
  "access-key-id": { type: "string", env: "BERTH_ACCESS_KEY_ID", help: "the account's access key (default: generated)" },
  "secret-access-key": { type: "string", env: "BERTH_SECRET_ACCESS_KEY", help: "the account's secret key (default: generated)" },
  "no-profile": { type: "boolean", env: "BERTH_NO_PROFILE", help: "do not write the berth profile into ~/.aws" },
  cluster: { type: "string", env: "BERTH_CLUSTER", help: "up: the cluster the local agent joins", default: "default" },
  "publish-address": { type: "string", env: "BERTH_PUBLISH_ADDRESS", help: "where container ports are published (0.0.0.0 for all)", default: "127.0.0.1" },
} as const;

export class UsageError extends Error {}

export function parseServerConfig(args: string[], env: NodeJS.ProcessEnv = process.env): ServerConfig {
  const { values } = parseArgs({
    args,
    options: Object.fromEntries(Object.entries(SERVER_FLAGS).map(([name, f]) => [name, { type: f.type }])),
    strict: true,
    allowPositionals: false,
  });
  const get = (name: keyof typeof SERVER_FLAGS): string | undefined => {
    const flag = SERVER_FLAGS[name];
    const value = values[name] ?? env[flag.env];
    return value === undefined ? ("default" in flag ? flag.default : undefined) : String(value);
  };
  const port = Number(get("port"));
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port must be 0..65535, not ${get("port")}`);
  const accountId = get("account-id")!;
  if (!/^\d{12}$/.test(accountId)) throw new UsageError(`--account-id must be 12 digits, not ${accountId}`);
  const accessKeyId = get("access-key-id");
  const secretAccessKey = get("secret-access-key");
  if ((accessKeyId === undefined) !== (secretAccessKey === undefined)) {
    throw new UsageError("--access-key-id and --secret-access-key go together");
  }
  const noProfile = values["no-profile"] === true || ["1", "true"].includes(env.BERTH_NO_PROFILE ?? "");
  return {
    host: get("host")!,
    port,
    dataDir: get("data-dir")!,
    region: get("region")!,
    accountId,
    accessKeyId,
    secretAccessKey,
    writeProfile: !noProfile,
    cluster: get("cluster")!,
    publishAddress: get("publish-address")!,
    agent: true,
  };
}

export function flagHelp(): string {
  return Object.entries(SERVER_FLAGS)
    .map(([name, f]) => {
      const dflt = "default" in f ? ` (default ${f.default})` : "";
      return `  --${name.padEnd(18)} ${f.help}${dflt}  [$${f.env}]`;
    })
    .join("\n");
}
