// `berth exec <task> [flags] -- <command...>`: ECS Exec without the Session Manager plugin.
// Calls ExecuteCommand, then speaks the plugin's protocol on the stream it names: with a
// terminal on stdin, the command gets one (raw input, resizes); without, it runs without one,
// its stdout and stderr go to ours and the end of our input closes its stdin. Exits with the
// command's exit status (255 when the session ended without one).
import { ECSClient, ExecuteCommandCommand } from "@aws-sdk/client-ecs";
import { runExecClient } from "../services/ecs/exec/client.js";
import { COMMANDS, parseCommandLine, UsageError } from "./config.js";
import { findCredentials } from "./events-command.js";

/** The task (the one word that is not a flag or a flag's value) and the flags, from what comes before `--`. */
export function splitExecArgs(args: readonly string[]): { task: string; flags: string[]; command: string[] } {
  const dash = args.indexOf("--");
  if (dash < 0 || dash === args.length - 1) throw new UsageError("give the command after --");
  const takesValue = new Set(Object.values(COMMANDS.exec.options).map((o) => `--${o.flag}`));
  const flags: string[] = [];
  const positional: string[] = [];
  const before = args.slice(0, dash);
  for (let i = 0; i < before.length; i++) {
    const arg = before[i]!;
    if (takesValue.has(arg) && i + 1 < before.length) flags.push(arg, before[++i]!);
    else if (arg.startsWith("-")) flags.push(arg);
    else positional.push(arg);
  }
  if (positional.length !== 1) throw new UsageError("give one task (its id or ARN)");
  return { task: positional[0]!, flags, command: args.slice(dash + 1) };
}

/** argv as one command line that ECS Exec splits back into the same words. */
export function commandLine(argv: readonly string[]): string {
  return argv.map((w) => (/^[A-Za-z0-9_./:=@%+,-]+$/.test(w) ? w : `'${w.replaceAll("'", `'\\''`)}'`)).join(" ");
}

export async function runExecCommand(args: string[]): Promise<void> {
  const { task, flags, command } = splitExecArgs(args);
  const values = parseCommandLine("exec", flags);
  const { endpoint, region } = values;
  const credentials = await findCredentials(values.accessKeyId, values.secretAccessKey, values.dataDir, region);
  const ecs = new ECSClient({ endpoint, region, credentials });
  const out = await ecs.send(
    new ExecuteCommandCommand({
      cluster: values.cluster,
      task,
      container: values.container,
      command: commandLine(command),
      interactive: true,
    }),
  );
  ecs.destroy();
  const terminal = Boolean(process.stdin.isTTY && process.stdout.isTTY);
  if (terminal) process.stdin.setRawMode(true);
  try {
    const outcome = await runExecClient({
      streamUrl: out.session!.streamUrl!,
      tokenValue: out.session!.tokenValue!,
      terminal,
      stdin: process.stdin,
      stdout: process.stdout,
      stderr: process.stderr,
      size: () => (process.stdout.columns ? { cols: process.stdout.columns, rows: process.stdout.rows } : undefined),
      onResize: (listener) => process.stdout.on("resize", listener),
    });
    if (outcome.output) process.stderr.write(`${outcome.output}\n`);
    process.exitCode = outcome.exitCode ?? 255;
  } finally {
    if (terminal) process.stdin.setRawMode(false);
    process.stdin.destroy();
  }
}
