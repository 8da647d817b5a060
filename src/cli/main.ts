#!/usr/bin/env node
// The berth command line; the only place that wires the parts together.
import { flagHelp, UsageError } from "./config.js";
import { runServer } from "./server-command.js";

const USAGE = `usage: berth <command> [flags]

commands:
  up        run berth: the control plane and a local agent
  server    run the control plane alone
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
