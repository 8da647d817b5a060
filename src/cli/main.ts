#!/usr/bin/env node
// The berth command line; the only place that wires the parts together.
// The AWS SDK warns on every client that Node 20 support ends in 2027; berth's users need not hear it.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
import { COMMANDS, commandUsage, mainUsage, UsageError, type CommandName } from "./config.js";
import { runServer } from "./server-command.js";

const isCommand = (name: string | undefined): name is CommandName => name !== undefined && Object.hasOwn(COMMANDS, name);

async function main(command: string | undefined, rest: string[]): Promise<void> {
  // berth's own flags only: what follows `--` (berth exec's command) is not berth's to read.
  const own = rest.includes("--") ? rest.slice(0, rest.indexOf("--")) : rest;
  if (isCommand(command) && (own.includes("--help") || own.includes("-h"))) return console.log(commandUsage(command));
  switch (command) {
    case "up":
      return runServer(rest, "up");
    case "server":
      return runServer(rest, "server");
    case "agent": {
      // Loaded on demand: the control plane alone never needs the agent or Docker's client.
      const { runAgentCommand } = await import("./agent-command.js");
      return runAgentCommand(rest);
    }
    case "events": {
      const { runEventsCommand } = await import("./events-command.js");
      return runEventsCommand(rest);
    }
    case "exec": {
      const { runExecCommand } = await import("./exec-command.js");
      return runExecCommand(rest);
    }
    case "logs": {
      const { runLogsCommand } = await import("./logs-command.js");
      return runLogsCommand(rest);
    }
    case undefined:
    case "help":
    case "--help":
    case "-h":
      console.log(mainUsage());
      return;
    default:
      throw new UsageError(`unknown command '${command}'`);
  }
}

const [command, ...rest] = process.argv.slice(2);
main(command, rest).catch((err: unknown) => {
  if (err instanceof UsageError) {
    console.error(`berth: ${err.message}\n\n${isCommand(command) ? commandUsage(command) : mainUsage()}`);
    process.exit(2);
  }
  console.error(`berth: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
