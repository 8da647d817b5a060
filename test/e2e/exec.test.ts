// ECS Exec on real Docker: a task run with enableExecuteCommand on a real agent, sessions
// opened with ExecuteCommand through the SDK and driven with the Session Manager protocol by
// the test itself (no plugin can be installed here): a command's output and exit code, input
// reaching an interactive shell, `berth exec` as a child process, ECS's errors, and
// managedAgents as DescribeTasks shows them.
import {
  CreateClusterCommand,
  DescribeTasksCommand,
  ExecuteCommandCommand,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  StopTaskCommand,
  type ECSClient,
  type ExecuteCommandCommandInput,
  type Task,
} from "@aws-sdk/client-ecs";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { NODE_FLAGS } from "../../src/cli/node-flags.js";
import { NOT_ENABLED_MESSAGE } from "../../src/domain/exec.js";
import { packageRoot } from "../../src/paths.js";
import { startAgent, type AgentProcess } from "../support/agent-process.js";
import { newDataDir, startBerth, TEST_ACCESS_KEY, TEST_SECRET_KEY, type BerthProcess } from "../support/berth-process.js";
import { sdkClient } from "../support/clients.js";
import { TestDataChannel } from "../support/data-channel.js";
import { ensureBusyboxImage, removeClusterContainers } from "../support/images.js";
import { waitFor } from "../support/wait.js";

const CLUSTER = `exec-${process.pid}`;

/**
 * `berth exec` as a user runs it, with `input` on its stdin: a pipe, or with `terminal` a
 * pseudo-terminal that util-linux's `script` holds (and types `input` into).
 */
function berthExec(
  endpoint: string,
  args: string[],
  input = "",
  terminal = false,
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const argv = [...NODE_FLAGS, join(packageRoot, "dist/src/cli/main.js"), "exec", ...args];
  const [file, fileArgs] = terminal
    ? [
        "script",
        [
          "-qec",
          `stty cols 91 rows 33; exec ${[process.execPath, ...argv].map((a) => `'${a.replaceAll("'", `'\\''`)}'`).join(" ")}`,
          "/dev/null",
        ],
      ]
    : [process.execPath, argv];
  const child = spawn(file, fileArgs, {
    env: { ...process.env, BERTH_ENDPOINT: endpoint, AWS_ACCESS_KEY_ID: TEST_ACCESS_KEY, AWS_SECRET_ACCESS_KEY: TEST_SECRET_KEY },
    stdio: ["pipe", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  child.stdin.end(input);
  return new Promise((resolve) => child.once("close", (status) => resolve({ status, stdout, stderr })));
}

describe("ECS Exec on real containers", () => {
  const dataDir = newDataDir();
  let berth: BerthProcess;
  let agent: AgentProcess;
  let ecs: ECSClient;
  let task: Task;
  let pair: Task;
  let plain: Task;

  const run = async (family: string, enableExecuteCommand: boolean): Promise<Task> => {
    const arn = (await ecs.send(new RunTaskCommand({ cluster: CLUSTER, taskDefinition: family, enableExecuteCommand }))).tasks![0]!
      .taskArn!;
    return waitFor(async () => (await ecs.send(new DescribeTasksCommand({ cluster: CLUSTER, tasks: [arn] }))).tasks![0]!, {
      until: (t) => t.lastStatus === "RUNNING",
      message: `${family} RUNNING`,
      timeoutMs: 60_000,
    });
  };
  const execute = (input: Partial<ExecuteCommandCommandInput>) =>
    ecs.send(new ExecuteCommandCommand({ cluster: CLUSTER, task: task.taskArn!, interactive: true, command: "sh", ...input }));

  before(async () => {
    const image = await ensureBusyboxImage();
    berth = await startBerth({ dataDir });
    ecs = sdkClient(berth.endpoint);
    await ecs.send(new CreateClusterCommand({ clusterName: CLUSTER }));
    agent = startAgent(berth.endpoint, { args: ["--cluster", CLUSTER] });
    await agent.registered;
    const sleeper = (name: string) => ({ name, image, memory: 16, stopTimeout: 2, command: ["sleep", "3600"] });
    await ecs.send(new RegisterTaskDefinitionCommand({ family: "exec-one", containerDefinitions: [sleeper("app")] }));
    await ecs.send(new RegisterTaskDefinitionCommand({ family: "exec-two", containerDefinitions: [sleeper("app"), sleeper("side")] }));
    [task, pair, plain] = await Promise.all([run("exec-one", true), run("exec-two", true), run("exec-one", false)]);
  });
  after(async () => {
    await agent?.kill();
    await berth?.stop();
    await removeClusterContainers(CLUSTER);
  });

  test("DescribeTasks shows execute command enabled and a RUNNING ExecuteCommandAgent on each container", () => {
    assert.equal(task.enableExecuteCommand, true);
    for (const c of [...task.containers!, ...pair.containers!]) {
      const [managed] = c.managedAgents!;
      assert.equal(managed!.name, "ExecuteCommandAgent");
      assert.equal(managed!.lastStatus, "RUNNING");
      assert.ok(managed!.lastStartedAt instanceof Date);
    }
    assert.equal(plain.enableExecuteCommand, false);
    assert.equal(plain.containers![0]!.managedAgents, undefined);
  });

  test("a command's output and exit code come back over the data channel", async () => {
    const out = await execute({ command: "sh -c 'echo hi; exit 3'" });
    assert.equal(out.containerName, "app");
    assert.equal(out.containerArn, task.containers![0]!.containerArn);
    assert.equal(out.interactive, true);
    assert.match(out.session!.sessionId!, /^ecs-execute-command-[0-9a-f]{17}$/);
    assert.ok(out.session!.streamUrl!.startsWith(`${berth.endpoint.replace("http:", "ws:")}/v1/data-channel/${out.session!.sessionId}?`));
    const channel = new TestDataChannel(out.session!.streamUrl!, out.session!.tokenValue!);
    const closed = await channel.closed;
    assert.equal(channel.handshake?.sessionType, "InteractiveCommands");
    assert.deepEqual(channel.payloadTypes.slice(0, 2), [5, 7]); // HandshakeRequest, HandshakeComplete
    assert.equal(channel.stdout, "hi\r\n"); // on a terminal, as ECS runs it
    assert.equal(closed.ExitCode, 3);
    assert.equal(closed.SessionId, out.session!.sessionId);
    assert.equal(await channel.ended, 1000);
    // The token was good for one connection: the session is gone once used.
    const again = new TestDataChannel(out.session!.streamUrl!, out.session!.tokenValue!);
    assert.equal(await again.ended, 1006);
    assert.match(String(again.error), /400/);
  });

  test("a wrong token is turned away", async () => {
    const out = await execute({ command: "true" });
    const wrong = new TestDataChannel(out.session!.streamUrl!, `${out.session!.tokenValue!}x`);
    assert.equal(await wrong.ended, 1008);
  });

  test("input reaches an interactive shell in the container named", async () => {
    const out = await ecs.send(
      new ExecuteCommandCommand({ cluster: CLUSTER, task: pair.taskArn!, container: "side", interactive: true, command: "sh" }),
    );
    assert.equal(out.containerName, "side");
    const channel = new TestDataChannel(out.session!.streamUrl!, out.session!.tokenValue!);
    await channel.resize(100, 30);
    await channel.type("echo $((40+2)) $(stty size)\n");
    await waitFor(() => channel.stdout, { until: (s) => /42 30 100/.test(s), message: "the shell's answer", timeoutMs: 20_000 });
    await channel.type("exit 5\n");
    assert.equal((await channel.closed).ExitCode, 5);
  });

  test("without a terminal, stdout and stderr stay apart and the end of input reaches the command", async () => {
    const out = await execute({ command: "sh -c 'cat; echo done >&2'" });
    const channel = new TestDataChannel(out.session!.streamUrl!, out.session!.tokenValue!, { terminal: false });
    await channel.type("line one\n");
    await channel.endInput();
    const closed = await channel.closed;
    assert.equal(channel.handshake?.sessionType, "NonInteractiveCommands");
    assert.equal(channel.stdout, "line one\n");
    assert.equal(channel.stderr, "done\n");
    assert.equal(closed.ExitCode, 0);
    assert.ok(channel.acknowledged.has(1), "the input message was acknowledged");
  });

  test("berth exec prints the output and exits with the command's status", async () => {
    const id = task.taskArn!.split("/").pop()!;
    const r = await berthExec(berth.endpoint, [id, "--cluster", CLUSTER, "--", "sh", "-c", "echo out; echo err >&2; exit 4"]);
    assert.equal(r.status, 4, r.stderr);
    assert.equal(r.stdout, "out\n");
    assert.equal(r.stderr, "err\n");
    const cat = await berthExec(berth.endpoint, [id, "--cluster", CLUSTER, "--", "cat"], "piped in\n");
    assert.equal(cat.status, 0, cat.stderr);
    assert.equal(cat.stdout, "piped in\n");
    const missing = await berthExec(berth.endpoint, [id, "--cluster", CLUSTER, "--", "/no/such/binary"]);
    assert.notEqual(missing.status, 0);
    // On a terminal (91 columns, 33 rows): input reaches a shell on a terminal of that size.
    const shell = await berthExec(berth.endpoint, [id, "--cluster", CLUSTER, "--", "sh"], "echo $((40+2)) $(stty size)\nexit 7\n", true);
    assert.equal(shell.status, 7, shell.stdout + shell.stderr);
    assert.match(shell.stdout, /\b42 33 91\b/);
    const refused = await berthExec(berth.endpoint, [plain.taskArn!, "--cluster", CLUSTER, "--", "true"]);
    assert.equal(refused.status, 1);
    assert.match(refused.stderr, /execute command was not enabled/);
  });

  test("ECS's errors: exec not enabled, not interactive, container missing or not named", async () => {
    await assert.rejects(execute({ task: plain.taskArn! }), { name: "InvalidParameterException", message: NOT_ENABLED_MESSAGE });
    await assert.rejects(execute({ interactive: false }), {
      name: "InvalidParameterException",
      message: "Interactive is the only mode supported currently.",
    });
    await assert.rejects(execute({ container: "nope" }), { name: "InvalidParameterException", message: /nope/ });
    await assert.rejects(execute({ task: pair.taskArn! }), { name: "InvalidParameterException", message: /more than one container/ });
    await assert.rejects(execute({ task: "0123456789abcdef0123456789abcdef" }), { name: "InvalidParameterException" });
  });

  test("a stopped task cannot be exec'd into", async () => {
    const victim = await run("exec-one", true);
    await ecs.send(new StopTaskCommand({ cluster: CLUSTER, task: victim.taskArn! }));
    const stopped = await waitFor(
      async () => (await ecs.send(new DescribeTasksCommand({ cluster: CLUSTER, tasks: [victim.taskArn!] }))).tasks![0]!,
      {
        until: (t) => t.lastStatus === "STOPPED",
        message: "the task STOPPED",
        timeoutMs: 30_000,
      },
    );
    assert.equal(stopped.containers![0]!.managedAgents![0]!.lastStatus, "STOPPED");
    await assert.rejects(execute({ task: victim.taskArn! }), { name: "InvalidParameterException", message: NOT_ENABLED_MESSAGE });
  });

  test("with the host's agent gone, ExecuteCommand answers TargetNotConnectedException", async () => {
    await agent.kill("SIGKILL");
    await waitFor(
      () =>
        execute({}).then(
          () => "answered",
          (err: Error) => err.name,
        ),
      {
        until: (name) => name === "TargetNotConnectedException",
        message: "TargetNotConnectedException",
        timeoutMs: 30_000,
      },
    );
  });
});
