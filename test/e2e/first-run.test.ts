// What a user meets on first start: generated credentials kept in the data dir, and a
// `berth` AWS profile that the CLI picks up, written beside the user's own profiles.
import { ListClustersCommand, ECSClient } from "@aws-sdk/client-ecs";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { newDataDir, startBerth } from "../support/berth-process.js";
import { availableClis } from "../support/clients.js";
import { packageRoot } from "../../src/paths.js";

function userEnv(home: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, HOME: home, AWS_PAGER: "" };
  for (const name of [
    "AWS_CONFIG_FILE",
    "AWS_SHARED_CREDENTIALS_FILE",
    "AWS_PROFILE",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_REGION",
    "AWS_DEFAULT_REGION",
  ]) {
    delete env[name];
  }
  return env;
}

test("first start creates credentials and a berth profile the AWS CLI uses", async () => {
  const home = mkdtempSync(join(tmpdir(), "berth-home-"));
  mkdirSync(join(home, ".aws"));
  writeFileSync(join(home, ".aws", "credentials"), "[default]\naws_access_key_id = AKIAMINE\naws_secret_access_key = mine\n");
  writeFileSync(join(home, ".aws", "config"), "[default]\nregion = ap-south-1\n");
  const dataDir = newDataDir();
  const env = userEnv(home);

  const first = await startBerth({ dataDir, fixedCredentials: false, env });
  const banner = first.output();
  assert.match(banner, /endpoint\s+http:\/\/127\.0\.0\.1:\d+/);
  assert.match(banner, /aws --profile berth ecs list-clusters/);
  const keyLine = /access key\s+(AKIA[A-Z0-9]{16})/.exec(banner);
  assert.ok(keyLine, banner);
  const saved = JSON.parse(readFileSync(join(dataDir, "credentials.json"), "utf8"));
  assert.equal(saved.accessKeyId, keyLine[1]);

  const credentials = readFileSync(join(home, ".aws", "credentials"), "utf8");
  assert.match(credentials, /\[default\]\naws_access_key_id = AKIAMINE/, "the user's own profile is kept");
  assert.match(credentials, new RegExp(`\\[berth\\]\\naws_access_key_id = ${saved.accessKeyId}`));
  const config = readFileSync(join(home, ".aws", "config"), "utf8");
  assert.match(config, /\[default\]\nregion = ap-south-1/);
  assert.match(config, new RegExp(`\\[profile berth\\]\\nregion = us-east-1\\nendpoint_url = ${first.endpoint}`));

  for (const cli of availableClis()) {
    // endpoint_url in a profile arrived in AWS CLI v2.13 and v1.29; older CLIs (Debian
    // bookworm ships 2.9) still take the profile's credentials with an explicit endpoint.
    const version = /aws-cli\/(\d+)\.(\d+)/.exec(cli.name)!;
    const [major, minor] = [Number(version[1]), Number(version[2])];
    const readsEndpoint = (major === 2 && minor >= 13) || (major === 1 && minor >= 29) || major > 2;
    const args = ["--profile", "berth", ...(readsEndpoint ? [] : ["--endpoint-url", first.endpoint]), "ecs", "list-clusters"];
    const r = spawnSync(cli.path, args, { env, encoding: "utf8", timeout: 60_000 });
    assert.equal(r.status, 0, `${cli.name}: ${r.stderr}`);
    assert.deepEqual(JSON.parse(r.stdout), { clusterArns: [] });
  }
  await first.stop();

  // A restart keeps the same account credentials and says nothing new about the secret.
  const second = await startBerth({ dataDir, fixedCredentials: false, env });
  assert.ok(second.output().includes(saved.accessKeyId));
  assert.ok(!second.output().includes(saved.secretAccessKey));
  const client = new ECSClient({ endpoint: second.endpoint, region: "us-east-1", credentials: saved });
  assert.deepEqual((await client.send(new ListClustersCommand({}))).clusterArns, []);
  assert.equal(await second.stop(), 0, "Ctrl-C/SIGTERM shuts down cleanly");
});

test("with stderr not a terminal, berth logs JSON lines (--log-level debug shows debug lines) beside its banner", async () => {
  const env = { ...process.env };
  delete env.BERTH_LOG_LEVEL;
  const quiet = await startBerth({ env });
  const loud = await startBerth({ env, extraArgs: ["--log-level", "debug"] });
  try {
    const jsonLines = (out: string) =>
      out
        .split("\n")
        .filter((l) => l.startsWith("{"))
        .map((l) => JSON.parse(l) as Record<string, unknown>);
    for (const berth of [quiet, loud]) {
      const lines = jsonLines(berth.output());
      assert.ok(lines.length > 0, berth.output());
      for (const line of lines) {
        assert.ok(["trace", "debug", "info", "warn", "error"].includes(line.level as string), JSON.stringify(line));
        assert.ok(!Number.isNaN(Date.parse(line.time as string)), JSON.stringify(line));
        assert.equal(typeof line.msg, "string", JSON.stringify(line));
      }
      assert.ok(
        lines.some((l) => l.msg === "listening" && l.endpoint === berth.endpoint && l.component === "control-plane"),
        berth.output(),
      );
      assert.match(berth.output(), /^berth control plane is running/m);
    }
    assert.ok(
      jsonLines(loud.output()).some((l) => l.level === "debug"),
      loud.output(),
    );
    assert.ok(!jsonLines(quiet.output()).some((l) => l.level === "debug"), quiet.output());
  } finally {
    await quiet.stop();
    await loud.stop();
  }
});

test("a bad option value stops berth at start: a message naming it, the usage, exit code 2", () => {
  const main = join(packageRoot, "dist/src/cli/main.js");
  const cases: [string[], NodeJS.ProcessEnv, RegExp][] = [
    [["server", "--port", "abc"], {}, /^berth: --port must be a whole number from 0 to 65535, not 'abc'$/m],
    [["server", "--log-level", "loud"], {}, /^berth: --log-level must be one of trace, debug, info, warn, error, silent, not 'loud'$/m],
    [
      ["server"],
      { BERTH_AGENT_TIMEOUT_SECONDS: "abc" },
      /^berth: BERTH_AGENT_TIMEOUT_SECONDS must be a whole number of at least 1, not 'abc'$/m,
    ],
    [["agent", "--capacity", "ec2"], {}, /^berth: --endpoint or \$BERTH_ENDPOINT is required$/m],
  ];
  for (const [args, extraEnv, message] of cases) {
    const r = spawnSync(process.execPath, [main, ...args, "--data-dir", newDataDir()], {
      env: { ...process.env, ...extraEnv },
      encoding: "utf8",
      timeout: 30_000,
    });
    assert.equal(r.status, 2, `${args.join(" ")}: ${r.stderr}`);
    assert.match(r.stderr, message);
    assert.match(r.stderr, new RegExp(`^usage: berth ${args[0]} `, "m"));
    assert.equal(r.stdout, "");
  }
});
