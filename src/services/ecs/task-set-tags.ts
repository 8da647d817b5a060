// Tags of a task set (TagResource and friends on arn:…:task-set/CLUSTER/SERVICE/ecs-svc/ID):
// the set lives in its service's document, so the tags are read and written there.
import type { Tag } from "@aws-sdk/client-ecs";
import { invalidParameter } from "../../domain/errors.js";
import type { EcsState, StoredService } from "../../state/ecs-state.js";

/** "CLUSTER/SERVICE/ecs-svc/ID" → the cluster, the service's document id and the set's id. */
function split(path: string): { cluster: string; service: string; set: string } {
  const parts = path.split("/");
  if (parts.length < 2) throw invalidParameter("Long arn format must be used for tagging operations");
  if (parts.length !== 4 || parts.some((p) => !p)) {
    throw invalidParameter(`The ARN 'task-set/${path}' is not valid. Specify a valid ECS resource ARN.`);
  }
  return { cluster: parts[0]!, service: parts.slice(0, 2).join("/"), set: parts.slice(2).join("/") };
}

const setIn = (doc: StoredService, path: string) =>
  doc.service.status !== "INACTIVE" ? doc.taskSets?.find((s) => s.id === split(path).set && s.status !== "DRAINING") : undefined;

export const taskSetTaggable = {
  collection: (state: EcsState) => state.services,
  locate: (path: string) => {
    const { cluster, service } = split(path);
    return { cluster, id: service };
  },
  exists: (doc: StoredService, path: string) => setIn(doc, path) !== undefined,
  tags: (doc: StoredService, path: string): Tag[] => setIn(doc, path)?.tags ?? [],
  withTags: (doc: StoredService, tags: Tag[], path: string): StoredService => ({
    ...doc,
    taskSets: doc.taskSets?.map((s) => (s.id === split(path).set ? { ...s, tags } : s)),
  }),
  notFound: () => invalidParameter("The specified task set does not exist."),
};
