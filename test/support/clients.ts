// Real clients pointed at a berth: the AWS SDK for JavaScript v3 and the AWS CLI.
import { EC2Client } from "@aws-sdk/client-ec2";
import { ElasticLoadBalancingV2Client } from "@aws-sdk/client-elastic-load-balancing-v2";
import { ECSClient } from "@aws-sdk/client-ecs";
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { TEST_ACCESS_KEY, TEST_SECRET_KEY } from "./berth-process.js";

export interface ClientOptions {
  region?: string;
  accessKeyId?: string;
  secretAccessKey?: string;
}

/** What every SDK client of a berth is built with: its endpoint, the test account's keys, no retries. */
function clientConfig(endpoint: string, opts: ClientOptions) {
  return {
    endpoint,
    region: opts.region ?? "us-east-1",
    credentials: {
      accessKeyId: opts.accessKeyId ?? TEST_ACCESS_KEY,
      secretAccessKey: opts.secretAccessKey ?? TEST_SECRET_KEY,
    },
    maxAttempts: 1,
  };
}

export function sdkClient(endpoint: string, opts: ClientOptions = {}): ECSClient {
  return new ECSClient(clientConfig(endpoint, opts));
}

/** The EC2 client of a berth (its EC2 API shares the ECS endpoint). */
export function ec2SdkClient(endpoint: string, opts: ClientOptions = {}): EC2Client {
  return new EC2Client(clientConfig(endpoint, opts));
}

/** The ELBv2 client of a berth (its ELBv2 API shares the ECS endpoint). */
export function elbSdkClient(endpoint: string, opts: ClientOptions = {}): ElasticLoadBalancingV2Client {
  return new ElasticLoadBalancingV2Client(clientConfig(endpoint, opts));
}

export interface AwsCli {
  /** e.g. "aws-cli/2.9.19 …" */
  name: string;
  path: string;
}

/** Every AWS CLI on this machine: Debian's v2 at /usr/bin/aws and whatever `aws` is on PATH. */
export function availableClis(): AwsCli[] {
  const paths = new Set<string>();
  if (existsSync("/usr/bin/aws")) paths.add("/usr/bin/aws");
  const which = spawnSync("sh", ["-c", "command -v aws"], { encoding: "utf8" });
  if (which.status === 0 && which.stdout.trim()) paths.add(which.stdout.trim());
  return [...paths].map((path) => {
    const v = spawnSync(path, ["--version"], { encoding: "utf8" });
    return { path, name: (v.stdout || v.stderr).trim().split(" ")[0] ?? path };
  });
}

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
  json: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- CLI output is untyped JSON
}

export function runCli(
  cli: AwsCli,
  endpoint: string,
  args: string[],
  opts: { region?: string; accessKeyId?: string; secretAccessKey?: string; env?: NodeJS.ProcessEnv } = {},
): CliResult {
  const r = spawnSync(cli.path, ["--endpoint-url", endpoint, "--region", opts.region ?? "us-east-1", "--output", "json", ...args], {
    encoding: "utf8",
    env: {
      ...process.env,
      AWS_ACCESS_KEY_ID: opts.accessKeyId ?? TEST_ACCESS_KEY,
      AWS_SECRET_ACCESS_KEY: opts.secretAccessKey ?? TEST_SECRET_KEY,
      AWS_CONFIG_FILE: "/dev/null",
      AWS_SHARED_CREDENTIALS_FILE: "/dev/null",
      AWS_PAGER: "",
      AWS_MAX_ATTEMPTS: "1",
      ...opts.env,
    },
    timeout: 60_000,
  });
  let json: unknown;
  try {
    json = r.stdout.trim() ? JSON.parse(r.stdout) : undefined;
  } catch {
    json = undefined;
  }
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, json };
}
