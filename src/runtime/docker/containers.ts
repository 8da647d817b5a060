// Container lifecycle on Docker: create, start, wait, stop, destroy, inspect, list.
import type Docker from "dockerode";
import type { ContainerSpec, ContainerState, ContainerStats, ExitStatus } from "../driver.js";
import { call, callOrMissing, statusCode, toRuntimeError } from "./client.js";
import { toCreateOptions } from "./create-options.js";
import { toContainerState } from "./state.js";

/** How long wait() keeps retrying while the engine is unreachable (e.g. restarting). */
const WAIT_UNREACHABLE_LIMIT_MS = 5 * 60_000;
/** Inspect calls in flight at once when listing. */
const LIST_CONCURRENCY = 16;

export async function createContainer(docker: Docker, spec: ContainerSpec): Promise<string> {
  const container = await call(() => docker.createContainer(toCreateOptions(spec)));
  return container.id;
}

export async function startContainer(docker: Docker, id: string): Promise<void> {
  try {
    await docker.getContainer(id).start();
  } catch (err) {
    if (statusCode(err) === 304) return; // already running
    throw toRuntimeError(err);
  }
}

/** How many times (100 ms apart) a 137 exit re-reads the OOM flag: 2.5 s at most. */
const OOM_FLAG_POLLS = 25;

export async function waitContainer(docker: Docker, id: string, stopRequested?: () => boolean): Promise<ExitStatus> {
  const container = docker.getContainer(id);
  let unreachableSince: number | undefined;
  for (let attempt = 0; ; attempt++) {
    try {
      // "not-running" returns at once for a container that already stopped, so no exit is missed
      // between start and wait.
      const result = (await container.wait({ condition: "not-running" })) as { StatusCode: number };
      // The wait answer lacks the OOM flag; the stopped container's state has it.
      let oomKilled = (await callOrMissing(() => container.inspect()))?.State.OOMKilled ?? false;
      // A 137 may be an OOM kill that Docker records a moment after the exit: the cgroup's OOM
      // event and the task's exit reach it separately (seen on Docker 20.10 with cgroup v2,
      // later than 0.5 s on a loaded machine). A 137 from our own stop (SIGKILL past its
      // stopTimeout) is read once; any other pays this wait, since a wrong exit reason is worse.
      // (Docker can also lose the event outright when many containers churn at once; no wait
      // recovers that.)
      const lookAgain = result.StatusCode === 137 && !stopRequested?.();
      for (let i = 0; !oomKilled && lookAgain && i < OOM_FLAG_POLLS; i++) {
        await sleep(100);
        oomKilled = (await callOrMissing(() => container.inspect()))?.State.OOMKilled ?? false;
      }
      return { exitCode: result.StatusCode, oomKilled };
    } catch (err) {
      // An answer from Docker (404, 500) is final; a dropped connection (engine restart) is not.
      if (statusCode(err) !== undefined) throw toRuntimeError(err);
      unreachableSince ??= Date.now();
      if (Date.now() - unreachableSince > WAIT_UNREACHABLE_LIMIT_MS) throw toRuntimeError(err, `waiting for ${id}`);
      await sleep(Math.min(5_000, 100 * 2 ** attempt));
    }
  }
}

export async function stopContainer(docker: Docker, id: string, timeoutSeconds: number): Promise<void> {
  try {
    await docker.getContainer(id).stop({ t: Math.max(0, Math.ceil(timeoutSeconds)) });
  } catch (err) {
    const status = statusCode(err);
    if (status === 304 || status === 404) return; // already stopped, or gone
    throw toRuntimeError(err);
  }
}

export async function destroyContainer(docker: Docker, id: string): Promise<void> {
  try {
    await docker.getContainer(id).remove({ force: true, v: true });
  } catch (err) {
    if (statusCode(err) === 404) return;
    // Docker answers 409 while another removal of the same container is under way.
    if (statusCode(err) === 409 && /already in progress/i.test(String((err as Error).message))) return;
    throw toRuntimeError(err);
  }
}

export async function inspectContainer(docker: Docker, id: string): Promise<ContainerState | undefined> {
  const info = await callOrMissing(() => docker.getContainer(id).inspect());
  return info && toContainerState(info);
}

export async function containerStats(docker: Docker, id: string): Promise<ContainerStats | undefined> {
  // one-shot: Docker answers with one sample at once instead of waiting a second for a second one.
  return (await callOrMissing(
    () => docker.getContainer(id).stats({ stream: false, "one-shot": true } as { stream: false }) as Promise<unknown>,
  )) as ContainerStats | undefined;
}

export async function listContainers(docker: Docker, labelFilter: Record<string, string>): Promise<ContainerState[]> {
  const label = Object.entries(labelFilter).map(([k, v]) => `${k}=${v}`);
  const summaries = await call(() => docker.listContainers({ all: true, filters: { label } }));
  // The list summary lacks exit codes, OOM and health; inspect each (one may vanish meanwhile).
  const states: ContainerState[] = [];
  for (let i = 0; i < summaries.length; i += LIST_CONCURRENCY) {
    const batch = summaries.slice(i, i + LIST_CONCURRENCY);
    const found = await Promise.all(batch.map((s) => inspectContainer(docker, s.Id)));
    for (const state of found) if (state) states.push(state);
  }
  return states;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
