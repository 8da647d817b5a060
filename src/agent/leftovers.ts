// What a restarted agent finds in the engine that no task of its own accounts for: containers
// it created (labelled with its container instance) for tasks the control plane no longer
// assigns to it — stopped while it was away, or finished before it went down, their removal
// timer lost with the old process. Containers of other agents sharing the engine are left alone.
import type { ContainerState, RuntimeDriver } from "../runtime/driver.js";
import type { Logger } from "../log/logger.js";
import { LABEL } from "./task-runner/index.js";

/** Containers created by one of `owners` for a task not in `assigned`. Pure. */
export function leftoverContainers(existing: readonly ContainerState[], owners: ReadonlySet<string>, assigned: ReadonlySet<string>) {
  return existing.filter((c) => {
    const owner = c.labels[LABEL.owner];
    const taskArn = c.labels[LABEL.taskArn];
    return owner !== undefined && owners.has(owner) && taskArn !== undefined && !assigned.has(taskArn);
  });
}

/** How long a leftover that still runs gets to stop before it is killed: its task is STOPPED already. */
const LEFTOVER_STOP_SECONDS = 10;

/** Stops (if running) and removes each leftover; one that cannot be removed is logged and left. */
export async function removeLeftovers(driver: RuntimeDriver, leftovers: readonly ContainerState[], log: Logger): Promise<void> {
  await Promise.all(
    leftovers.map(async (c) => {
      try {
        if (c.status === "running") await driver.stop(c.id, LEFTOVER_STOP_SECONDS);
        await driver.destroy(c.id);
        log.info("removed a leftover container", { container: c.name, taskArn: c.labels[LABEL.taskArn] });
      } catch (err) {
        log.warn("could not remove a leftover container", { container: c.name, err });
      }
    }),
  );
}
