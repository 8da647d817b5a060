// ECS Exec's rules: which container of a task a session goes to, whether it may start, the
// ExecuteCommandAgent ECS shows on each container of a task run with enableExecuteCommand,
// and how the command string becomes argv (the SSM agent in a container splits it as a shell
// would, then runs it without one: pipes and `;` need `sh -c '…'`, as on ECS).
import type { Container, ManagedAgent, Task } from "@aws-sdk/client-ecs";
import { EcsError, invalidParameter } from "./errors.js";

export const EXECUTE_COMMAND_AGENT = "ExecuteCommandAgent";

export const NOT_ENABLED_MESSAGE =
  "The execute command failed because execute command was not enabled when the task was run or the execute command agent isn’t running. Wait and try again or run a new task with execute command enabled and try again.";
export const INTERACTIVE_ONLY_MESSAGE = "Interactive is the only mode supported currently.";
export const TARGET_NOT_CONNECTED_MESSAGE = "The execute command failed due to an internal error. Try again later.";

/** ExecuteCommand's checks of the task and the container asked for; the container a session goes to. */
export function execTarget(task: Task, interactive: boolean, containerName: string | undefined): Container {
  if (!interactive) throw invalidParameter(INTERACTIVE_ONLY_MESSAGE);
  const containers = task.containers ?? [];
  let container: Container | undefined;
  if (containerName === undefined || containerName === "") {
    if (containers.length > 1) throw invalidParameter("The container name must be specified when the task has more than one container.");
    container = containers[0];
  } else {
    container = containers.find((c) => c.name === containerName);
    if (!container) throw invalidParameter(`The container ${containerName} does not exist in the task.`);
  }
  const agent = container?.managedAgents?.find((a) => a.name === EXECUTE_COMMAND_AGENT);
  if (!task.enableExecuteCommand || task.lastStatus !== "RUNNING" || task.desiredStatus !== "RUNNING" || agent?.lastStatus !== "RUNNING")
    throw invalidParameter(NOT_ENABLED_MESSAGE);
  return container!;
}

export const targetNotConnected = () => new EcsError("TargetNotConnectedException", TARGET_NOT_CONNECTED_MESSAGE);

/**
 * The containers with their ExecuteCommandAgent as ECS shows it: PENDING until the container
 * runs, RUNNING (since when it started) while it does, STOPPED after. berth's agent needs no
 * process in the container (it execs through the engine), so the container's state is the agent's.
 */
export function withExecuteCommandAgents(containers: readonly Container[], now: Date): Container[] {
  return containers.map((c) => {
    const current = c.managedAgents?.find((a) => a.name === EXECUTE_COMMAND_AGENT);
    const status = c.lastStatus === "RUNNING" ? "RUNNING" : c.lastStatus === "STOPPED" ? "STOPPED" : "PENDING";
    if (current?.lastStatus === status) return c;
    const agent: ManagedAgent = {
      name: EXECUTE_COMMAND_AGENT,
      lastStatus: status,
      ...(status === "RUNNING" ? { lastStartedAt: now } : current?.lastStartedAt ? { lastStartedAt: current.lastStartedAt } : {}),
    };
    const others = (c.managedAgents ?? []).filter((a) => a.name !== EXECUTE_COMMAND_AGENT);
    return { ...c, managedAgents: [...others, agent] };
  });
}

/**
 * Splits a command line as a POSIX shell splits words (the SSM agent uses shlex): blanks
 * separate words; '…' keeps everything; "…" keeps everything but a backslash, which escapes
 * the next character; a backslash outside quotes escapes the next character; a word starting
 * with # begins a comment. No expansion of any kind. Throws on an unclosed quote.
 */
export function splitCommand(line: string): string[] {
  const words: string[] = [];
  let word: string | undefined;
  let i = 0;
  const take = (s: string) => (word = (word ?? "") + s);
  while (i < line.length) {
    const ch = line[i]!;
    if (/\s/.test(ch)) {
      if (word !== undefined) words.push(word);
      word = undefined;
      i++;
    } else if (ch === "#" && word === undefined) {
      while (i < line.length && line[i] !== "\n") i++;
    } else if (ch === "\\") {
      if (i + 1 >= line.length) throw new CommandSyntaxError("EOF found after escape character");
      take(line[i + 1]!);
      i += 2;
    } else if (ch === "'") {
      const end = line.indexOf("'", i + 1);
      if (end < 0) throw new CommandSyntaxError("EOF found when expecting closing quote");
      take(line.slice(i + 1, end));
      i = end + 1;
    } else if (ch === '"') {
      i++;
      take("");
      for (;;) {
        if (i >= line.length) throw new CommandSyntaxError("EOF found when expecting closing quote");
        const c = line[i]!;
        if (c === '"') break;
        if (c === "\\" && i + 1 < line.length) {
          take(line[i + 1]!);
          i += 2;
        } else {
          take(c);
          i++;
        }
      }
      i++;
    } else {
      take(ch);
      i++;
    }
  }
  if (word !== undefined) words.push(word);
  return words;
}

export class CommandSyntaxError extends Error {}
