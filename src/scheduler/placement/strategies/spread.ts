// spread: fewest tasks of the group first. "Service tasks are spread based on the tasks
// from that service. Standalone tasks are spread based on the tasks from the same task
// group" — both are the request's group here (service:<name> or family:<name>/custom).
import { scratch } from "../scratch.js";
import type { WorkingCluster } from "../state.js";
import type { Ranker } from "./ranker.js";

/** spread on instanceId (or host): tasks of the group on the instance itself. */
export function spreadInstances(cluster: WorkingCluster): Ranker {
  return { keys: cluster.groupCount };
}

/**
 * spread on attribute:<name>: tasks of the group across all instances sharing the
 * instance's value (e.g. per Availability Zone). Instances without the attribute form
 * one bucket of their own. Counts start from every ACTIVE instance and grow as tasks land;
 * a placement bumps the key of each instance in the chosen instance's bucket.
 */
export function spreadAttribute(cluster: WorkingCluster, attribute: string): Ranker {
  const bucketOf = scratch.int32(cluster.size);
  const members: number[][] = [];
  const bucketIds = new Map<string | undefined, number>();
  for (let i = 0; i < cluster.size; i++) {
    const attributes = cluster.instances[i]!.attributes;
    const value = Object.hasOwn(attributes, attribute) ? (attributes[attribute] ?? "") : undefined;
    let bucket = bucketIds.get(value);
    if (bucket === undefined) {
      bucketIds.set(value, (bucket = members.length));
      members.push([]);
    }
    bucketOf[i] = bucket;
    members[bucket]!.push(i);
  }
  const totals = new Float64Array(members.length);
  const groupCount = cluster.groupCount;
  for (let i = 0; i < cluster.size; i++) totals[bucketOf[i]!]! += groupCount[i]!;
  const keys = scratch.float64(cluster.size);
  for (let i = 0; i < cluster.size; i++) keys[i] = totals[bucketOf[i]!]!;
  return {
    keys,
    placed(i) {
      for (const j of members[bucketOf[i]!]!) keys[j]! += 1;
    },
  };
}
