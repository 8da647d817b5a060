#!/usr/bin/env node
// The berth command line; the only place that wires the parts together.
// The AWS SDK warns on every client that Node 20 support ends in 2027; berth's users need not hear it.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
import { flagHelp, UsageError } from "./config.js";
import { runServer } from "./server-command.js";

const USAGE = `usage: berth <command> [flags]

commands:
  up        run berth: the control plane and a local agent
  server    run the control plane alone
  agent     join this host to a running control plane (berth agent --help)
  events    follow task state changes as they happen (berth events --help)
  help      show this

flags of up and server:
${flagHelp()}
`;

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  switch (command) {
    case "up":
      return runServer(rest, "up");
    case "server":
      return runServer(rest, "server");
    case "agent": {
      // Loaded on demand: the control plane alone never needs the agent or Docker's client.
      const { AGENT_USAGE, runAgentCommand } = await import("./agent-command.js");
      if (rest.includes("--help")) return console.log(AGENT_USAGE);
      return runAgentCommand(rest);
    }
    case "events": {
      const { EVENTS_USAGE, runEventsCommand } = await import("./events-command.js");
      if (rest.includes("--help")) return console.log(EVENTS_USAGE);
      return runEventsCommand(rest);
    }
    case undefined:
    case "help":
    case "--help":
    case "-h":
      console.log(USAGE);
      return;
    default:
      throw new UsageError(`unknown command '${command}'`);
  }
}

main(process.argv.slice(2)).catch((err: unknown) => {
  if (err instanceof UsageError || (err as { code?: string }).code?.startsWith("ERR_PARSE_ARGS")) {
    console.error(`berth: ${(err as Error).message}\n\n${USAGE}`);
    process.exit(2);
  }
  console.error(`berth: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
