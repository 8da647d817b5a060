// The worker thread behind AgentFleet: hosts the simulated agents and stops some on request.
import { parentPort, workerData } from "node:worker_threads";
import { SimulatedAgent } from "../test/support/simulated-agent.js";
import type { FleetCommand, FleetMessage, FleetSetup } from "./agent-fleet.js";

const setup = workerData as FleetSetup;
const agents: SimulatedAgent[] = [];
const send = (m: FleetMessage) => parentPort!.postMessage(m);

for (let i = 0; i < setup.count; i += 50) {
  const batch = Array.from({ length: Math.min(50, setup.count - i) }, (_, j) =>
    new SimulatedAgent(setup.endpoint, {
      cluster: setup.cluster,
      az: setup.zones[(i + j) % setup.zones.length],
      cpu: setup.cpu,
      memory: setup.memory,
    }).start(),
  );
  agents.push(...(await Promise.all(batch)));
}
send({ type: "ready", arns: agents.map((a) => a.arn) });

parentPort!.on("message", (command: FleetCommand) => {
  const gone = agents.splice(0, command.type === "vanish" ? command.count : agents.length);
  void Promise.all(gone.map((a) => a.stop())).then(() => send({ type: "vanished", arns: gone.map((a) => a.arn) }));
});
