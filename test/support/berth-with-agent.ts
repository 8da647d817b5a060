// The world of most e2e files: the real berth binary, a cluster of the test's own, and the real
// `berth agent` registered in it on this host's Docker, with an ECS client of that berth.
import type { ECSClient } from "@aws-sdk/client-ecs";
import { CreateClusterCommand } from "@aws-sdk/client-ecs";
import { startAgent, type AgentProcess } from "./agent-process.js";
import { newDataDir, startBerth, type BerthProcess, type StartOptions } from "./berth-process.js";
import { sdkClient } from "./clients.js";
import { removeClusterContainers } from "./images.js";
import { freePort } from "./ports.js";

export interface BerthWithAgent {
  berth: BerthProcess;
  agent: AgentProcess;
  ecs: ECSClient;
  /** What the agent printed when it registered: its container instances' ARNs. */
  registered: string[];
  /** After berth was stopped or killed: starts it again on its data dir and port, with a new ECS client. */
  startBerthAgain(): Promise<void>;
  /** Stops the agent and berth (those the world holds then), and removes the test's cluster's containers. */
  close(): Promise<void>;
}

export interface BerthWithAgentOptions {
  /** Unique per run: containers on this host are told apart by their cluster label. */
  cluster: string;
  /** The agent's flags after `--cluster <cluster>`. */
  agentArgs?: string[];
  /** How many registrations to wait for (2 with `--capacity both`). */
  registrations?: number;
  berth?: StartOptions;
}

export async function berthWithAgent(opts: BerthWithAgentOptions): Promise<BerthWithAgent> {
  // A port of its own from the start, so that berth can be started again where clients find it.
  const start = { ...opts.berth, dataDir: opts.berth?.dataDir ?? newDataDir(), port: opts.berth?.port ?? (await freePort()) };
  const berth = await startBerth(start);
  const ecs = sdkClient(berth.endpoint);
  let agent: AgentProcess | undefined;
  try {
    await ecs.send(new CreateClusterCommand({ clusterName: opts.cluster }));
    agent = startAgent(berth.endpoint, {
      args: ["--cluster", opts.cluster, ...(opts.agentArgs ?? [])],
      ...(opts.registrations !== undefined ? { registrations: opts.registrations } : {}),
    });
    const registered = await agent.registered;
    const world: BerthWithAgent = {
      berth,
      agent,
      ecs,
      registered,
      startBerthAgain: async () => {
        world.ecs.destroy();
        world.berth = await startBerth(start);
        world.ecs = sdkClient(world.berth.endpoint);
      },
      // The ones the world holds then: a test that restarts berth or the agent puts the new one in.
      close: async () => {
        await world.agent.kill();
        world.ecs.destroy();
        await world.berth.stop();
        await removeClusterContainers(opts.cluster);
      },
    };
    return world;
  } catch (err) {
    await agent?.kill();
    await berth.stop();
    throw err;
  }
}
