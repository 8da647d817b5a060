// Every command's options: defaults from berth's constants, a flag over its variables over the
// default, each bad value refused with a message naming where it came from, and a --help
// (and README.md) that lists every option.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { COMMANDS, commandUsage, DEFAULT_PORT, parseCommandLine, UsageError, type CommandName } from "../../src/cli/config.js";
import { describeOptions, type OptionTable } from "../../src/cli/options.js";
import { DEFAULT_CLUSTER } from "../../src/domain/cluster.js";
import { AGENT_TIMEOUT_MS } from "../../src/domain/container-instance.js";
import { HOST_LOST_AFTER_MS, STOPPED_TASK_RETENTION_MS } from "../../src/services/ecs/housekeeping.js";
import { packageRoot } from "../../src/paths.js";

test("server defaults come from the constants the rest of berth uses", () => {
  const o = parseCommandLine("server", [], {});
  assert.equal(o.port, DEFAULT_PORT);
  assert.equal(o.host, "127.0.0.1");
  assert.equal(o.dataDir, join(homedir(), ".berth"));
  assert.equal(o.accountId, "000000000000");
  assert.equal(o.agentTimeoutSeconds * 1000, AGENT_TIMEOUT_MS);
  assert.equal(o.hostLostSeconds * 1000, HOST_LOST_AFTER_MS);
  assert.equal(o.stoppedTaskRetentionSeconds * 1000, STOPPED_TASK_RETENTION_MS);
  assert.equal(o.sqliteSync, "NORMAL");
  assert.equal(o.documentCache, undefined, "the store's own default");
  assert.equal(o.noProfile, false);
  assert.equal(o.logLevel, "info");
  assert.equal(o.accessKeyId, undefined);
  assert.equal(parseCommandLine("up", [], {}).cluster, DEFAULT_CLUSTER);
});

test("a flag wins over its variable, which wins over the default; an empty variable is unset", () => {
  assert.equal(parseCommandLine("server", [], { BERTH_PORT: "5000" }).port, 5000);
  assert.equal(parseCommandLine("server", ["--port", "6000"], { BERTH_PORT: "5000" }).port, 6000);
  assert.equal(parseCommandLine("server", ["--port=0"], {}).port, 0);
  assert.equal(parseCommandLine("server", [], { BERTH_PORT: "" }).port, DEFAULT_PORT);
  assert.equal(parseCommandLine("server", [], { BERTH_AGENT_TIMEOUT_SECONDS: "2" }).agentTimeoutSeconds, 2);
  assert.equal(parseCommandLine("server", ["--log-level", "debug"], { BERTH_LOG_LEVEL: "error" }).logLevel, "debug");
  assert.equal(parseCommandLine("server", [], { BERTH_SQLITE_SYNC: "FULL", BERTH_DOCUMENT_CACHE: "0" }).sqliteSync, "FULL");
  assert.equal(parseCommandLine("server", [], { BERTH_DOCUMENT_CACHE: "0" }).documentCache, 0);
});

test("switches: the flag alone, or a variable that says true or false", () => {
  assert.equal(parseCommandLine("server", ["--no-profile"], {}).noProfile, true);
  for (const yes of ["1", "true", "TRUE", "yes"])
    assert.equal(parseCommandLine("server", [], { BERTH_NO_PROFILE: yes }).noProfile, true, yes);
  for (const no of ["0", "false", "no"]) assert.equal(parseCommandLine("server", [], { BERTH_NO_PROFILE: no }).noProfile, false, no);
  assert.equal(parseCommandLine("events", ["--json"], {}).json, true);
});

test("the data dir is --data-dir or $BERTH_DATA_DIR for every command; berth agent still reads $BERTH_AGENT_DATA_DIR first", () => {
  const agent = (args: string[], env: NodeJS.ProcessEnv) =>
    parseCommandLine("agent", ["--endpoint", "http://127.0.0.1:4545", ...args], env).dataDir;
  for (const command of ["up", "server", "events"] as const)
    assert.equal(parseCommandLine(command, [], { BERTH_DATA_DIR: "/d" }).dataDir, "/d");
  assert.equal(agent([], { BERTH_DATA_DIR: "/d" }), "/d");
  assert.equal(agent([], { BERTH_AGENT_DATA_DIR: "/a", BERTH_DATA_DIR: "/d" }), "/a");
  assert.equal(agent(["--data-dir", "/f"], { BERTH_AGENT_DATA_DIR: "/a", BERTH_DATA_DIR: "/d" }), "/f");
});

test("agent options: repeatable NAME=VALUE attributes, capacity, resources, its own variables", () => {
  const o = parseCommandLine(
    "agent",
    ["--endpoint", "http://h:1", "--attribute", "stack=prod", "--attribute", "gpu", "--attribute", "eq=a=b", "--cpu", "2048"],
    {
      BERTH_CAPACITY: "both",
      BERTH_MEMORY: "4096",
      AWS_REGION: "eu-west-1",
    },
  );
  assert.deepEqual(o.attribute, [{ name: "stack", value: "prod" }, { name: "gpu" }, { name: "eq", value: "a=b" }]);
  assert.equal(o.capacity, "both");
  assert.equal(o.cpu, 2048);
  assert.equal(o.memory, 4096);
  assert.equal(o.region, "eu-west-1");
  assert.equal(o.cluster, DEFAULT_CLUSTER);
  assert.deepEqual(parseCommandLine("agent", [], { BERTH_ENDPOINT: "https://berth.example:443" }).attribute, []);
});

test("a bad value is a UsageError naming the flag or variable it came from", () => {
  const cases: [CommandName, string[], NodeJS.ProcessEnv, string][] = [
    ["server", ["--port", "abc"], {}, "--port must be a whole number from 0 to 65535, not 'abc'"],
    ["server", ["--port", "65536"], {}, "--port must be a whole number from 0 to 65535, not '65536'"],
    ["server", ["--port", "1.5"], {}, "--port must be a whole number from 0 to 65535, not '1.5'"],
    ["server", [], { BERTH_PORT: "http" }, "BERTH_PORT must be a whole number from 0 to 65535, not 'http'"],
    ["server", [], { BERTH_AGENT_TIMEOUT_SECONDS: "abc" }, "BERTH_AGENT_TIMEOUT_SECONDS must be a whole number of at least 1, not 'abc'"],
    ["server", [], { BERTH_HOST_LOST_SECONDS: "0" }, "BERTH_HOST_LOST_SECONDS must be a whole number of at least 1, not '0'"],
    [
      "server",
      [],
      { BERTH_STOPPED_TASK_RETENTION_SECONDS: "1h" },
      "BERTH_STOPPED_TASK_RETENTION_SECONDS must be a whole number of at least 1, not '1h'",
    ],
    ["server", [], { BERTH_DOCUMENT_CACHE: "-1" }, "BERTH_DOCUMENT_CACHE must be a whole number of at least 0, not '-1'"],
    ["server", ["--log-level", "loud"], {}, "--log-level must be one of trace, debug, info, warn, error, silent, not 'loud'"],
    ["server", [], { BERTH_SQLITE_SYNC: "full" }, "BERTH_SQLITE_SYNC must be one of NORMAL, FULL, not 'full'"],
    ["server", ["--account-id", "12345"], {}, "--account-id must be 12 digits, not '12345'"],
    ["server", [], { BERTH_NO_PROFILE: "maybe" }, "BERTH_NO_PROFILE must be true or false (1 or 0), not 'maybe'"],
    ["server", ["--access-key-id", "AKIA"], {}, "--access-key-id and --secret-access-key go together"],
    ["server", ["--cluster", "c"], {}, "Unknown option '--cluster'"],
    ["server", ["extra"], {}, "Unexpected argument 'extra'"],
    ["server", ["--port"], {}, "Option '--port <value>' argument missing"],
    ["agent", [], {}, "--endpoint or $BERTH_ENDPOINT is required"],
    ["agent", ["--endpoint", "127.0.0.1:4545"], {}, "--endpoint must be an http:// or https:// URL, not '127.0.0.1:4545'"],
    ["agent", ["--endpoint", "http://h", "--capacity", "spot"], {}, "--capacity must be one of ec2, fargate, both, not 'spot'"],
    ["agent", ["--endpoint", "http://h", "--cpu", "0"], {}, "--cpu must be a whole number of at least 1, not '0'"],
    ["agent", ["--endpoint", "http://h", "--attribute", "=x"], {}, "--attribute must be NAME=VALUE or NAME, not '=x'"],
    [
      "agent",
      ["--endpoint", "http://h"],
      { ECS_ENGINE_AUTH_TYPE: "basic" },
      "ECS_ENGINE_AUTH_TYPE must be one of docker, dockercfg, not 'basic'",
    ],
    ["events", ["--endpoint", "localhost"], {}, "--endpoint must be an http:// or https:// URL, not 'localhost'"],
  ];
  for (const [command, args, env, message] of cases) {
    assert.throws(
      () => parseCommandLine(command, args, env),
      (err: unknown) => err instanceof UsageError && err.message.startsWith(message),
      `${command} ${args.join(" ")} ${JSON.stringify(env)}: ${message}`,
    );
  }
});

test("an error about a credential does not repeat it", () => {
  const secret = '{"registry:5000":["s3cret"]';
  assert.throws(
    () => parseCommandLine("agent", ["--endpoint", "http://h"], { ECS_ENGINE_AUTH_TYPE: "docker", ECS_ENGINE_AUTH_DATA: secret }),
    (err: unknown) => err instanceof UsageError && err.message === "ECS_ENGINE_AUTH_DATA must be a JSON object",
  );
});

test("--help lists every option of a command: its flag, its variables, its default", () => {
  for (const command of Object.keys(COMMANDS) as CommandName[]) {
    const usage = commandUsage(command);
    const options: OptionTable = COMMANDS[command].options;
    for (const option of Object.values(options)) {
      if (option.flag) assert.match(usage, new RegExp(`^  --${option.flag}\\b`, "m"), `${command}: --${option.flag}`);
      for (const name of option.kind === "single" ? (option.env ?? []) : []) assert.ok(usage.includes(`$${name}`), `${command}: $${name}`);
      if (option.kind === "single" && typeof option.default === "number")
        assert.ok(usage.includes(`(default ${option.default})`), `${command}: --${option.flag} default`);
    }
  }
  assert.match(commandUsage("server"), /--port N +port to listen on; 0: any free one \(default 4545\) +\[\$BERTH_PORT\]/);
});

test("README.md shows the options of berth up and berth agent as --help does", () => {
  const readme = readFileSync(join(packageRoot, "README.md"), "utf8");
  for (const command of ["up", "agent"] as const) {
    for (const line of describeOptions(COMMANDS[command].options).split("\n"))
      assert.ok(readme.includes(line), `README.md lacks, for berth ${command}:\n${line}`);
  }
});
