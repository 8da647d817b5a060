// Placement: filters (feasibility) then strategies (rank), as ECS documents it —
// 1. instances that satisfy CPU, memory and ports; 2. the placement constraints;
// 3. the strategies; 4. pick. Pure: the caller passes the instances and the rng.
//
// Each placed task is reserved in a working copy before the next is placed, so one
// request never over-commits an instance. Only the chosen instance changes between
// picks, so only its verdict is re-checked; a pick is one pass over the feasible set.
import type { Filter } from "./filters/filter.js";
import { type Strategy, compileRequest } from "./request.js";
import { scratch } from "./scratch.js";
import { WorkingCluster } from "./state.js";
import { binpack } from "./strategies/binpack.js";
import { pickUniform } from "./strategies/random.js";
import type { Ranker } from "./strategies/ranker.js";
import { spreadAttribute, spreadInstances } from "./strategies/spread.js";
import { FailureReason, type InstanceView, type PlacementFailureReason, type PlacementRequest, type PlacementResult } from "./types.js";

/**
 * Places up to `request.count` tasks. Only ACTIVE instances are candidates (DRAINING ones
 * take no new tasks); with none at all the result says `noContainerInstances`. When a task
 * cannot be placed, placement stops and `failures` explains every ACTIVE instance.
 * With no strategy the pick is random, as for RunTask; services pass their own defaults.
 */
export function place(instances: readonly InstanceView[], request: PlacementRequest, rng: () => number): PlacementResult {
  const { filters, strategies } = compileRequest(request);
  scratch.startOver();
  const activeAt: number[] = []; // where each ACTIVE instance sits in `instances`
  for (let i = 0; i < instances.length; i++) if (instances[i]!.status === "ACTIVE") activeAt.push(i);
  const active = activeAt.map((i) => instances[i]!);
  if (active.length === 0) return { placements: [], placedAt: [], failures: [], noContainerInstances: true };

  const cluster = new WorkingCluster(active, request.needs);
  const rankers = strategies.map((strategy) => rankerFor(cluster, strategy));
  const dynamicFilters = filters.filter((filter) => filter.dynamic);
  const n = cluster.size;

  const reasons = new Array<PlacementFailureReason | undefined>(n);
  const feasible = scratch.int32(n);
  const slot = scratch.int32(n); // where instance i sits in `feasible`
  let feasibleCount = 0;
  for (let i = 0; i < n; i++) {
    const reason = firstRefusal(filters, cluster, i);
    if (reason) reasons[i] = reason;
    else feasible[(slot[i] = feasibleCount++)] = i;
  }

  const placements: string[] = [];
  const placedAt: number[] = [];
  const tied = scratch.int32(n);
  const keys = rankers.map((ranker) => ranker.keys);
  const best = new Float64Array(rankers.length);
  while (placements.length < request.count && feasibleCount > 0) {
    const i =
      rankers.length === 0
        ? pickUniform(feasible, feasibleCount, rng)
        : pickUniform(tied, rankFeasible(feasible, feasibleCount, keys, best, tied), rng);
    placements.push(active[i]!.arn);
    placedAt.push(activeAt[i]!);
    cluster.commit(i);
    for (const ranker of rankers) ranker.placed?.(i);
    const reason = firstRefusal(dynamicFilters, cluster, i);
    if (reason) {
      reasons[i] = reason;
      const last = feasible[--feasibleCount]!;
      feasible[slot[i]!] = last;
      slot[last] = slot[i]!;
    }
  }

  const failures = placements.length < request.count ? active.map((instance, i) => ({ arn: instance.arn, reason: reasons[i]! })) : [];
  return { placements, placedAt, failures, noContainerInstances: false };
}

/**
 * Why `instance` cannot take one task of `request` right now, or undefined if it can —
 * for StartTask, where the caller names the instances. A non-ACTIVE instance is INACTIVE.
 */
export function checkInstance(instance: InstanceView, request: PlacementRequest): PlacementFailureReason | undefined {
  if (instance.status !== "ACTIVE") return FailureReason.inactive;
  scratch.startOver();
  return firstRefusal(compileRequest(request).filters, new WorkingCluster([instance], request.needs), 0);
}

function firstRefusal(filters: readonly Filter[], cluster: WorkingCluster, i: number): PlacementFailureReason | undefined {
  for (const filter of filters) if (!filter.admits(cluster, i)) return filter.reason;
  return undefined;
}

function rankerFor(cluster: WorkingCluster, strategy: Strategy): Ranker {
  switch (strategy.type) {
    case "binpack":
      return binpack(cluster, strategy.field);
    case "spreadInstances":
      return spreadInstances(cluster);
    case "spreadAttribute":
      return spreadAttribute(cluster, strategy.attribute);
  }
}

/**
 * Fills `tied` with the feasible instances whose keys are lexicographically smallest and
 * returns how many there are. `best` is scratch space for the current best keys.
 */
function rankFeasible(
  feasible: Int32Array,
  feasibleCount: number,
  keys: readonly Float64Array[],
  best: Float64Array,
  tied: Int32Array,
): number {
  const depth = keys.length;
  const first = keys[0]!;
  let best0 = Infinity;
  let tiedCount = 0;
  for (let f = 0; f < feasibleCount; f++) {
    const i = feasible[f]!;
    const k0 = first[i]!;
    if (k0 > best0) continue;
    let r = 1;
    if (k0 === best0 && tiedCount > 0) {
      let key = 0;
      for (; r < depth; r++) {
        key = keys[r]![i]!;
        if (key !== best[r]) break;
      }
      if (r === depth) {
        tied[tiedCount++] = i;
        continue;
      }
      if (key > best[r]!) continue;
    }
    best0 = best[0] = k0;
    for (; r < depth; r++) best[r] = keys[r]![i]!;
    tied[0] = i;
    tiedCount = 1;
  }
  return tiedCount;
}
