// Tags of a task set (TagResource and friends on arn:…:task-set/CLUSTER/SERVICE/ecs-svc/ID):
// the set lives in its service's document, so the tags are read and written there.
import type { Tag } from "@aws-sdk/client-ecs";
import { resourceNotFound } from "../../domain/errors.js";
import type { EcsState, StoredService } from "../../state/ecs-state.js";

/** "CLUSTER/SERVICE/ecs-svc/ID" → the service's document id and the set's id. */
function split(id: string): { service: string; set: string } {
  const parts = id.split("/");
  return { service: parts.slice(0, 2).join("/"), set: parts.slice(2).join("/") };
}

const setIn = (doc: StoredService, id: string) =>
  doc.service.status !== "INACTIVE" ? doc.taskSets?.find((s) => s.id === split(id).set && s.status !== "DRAINING") : undefined;

export const taskSetTaggable = {
  collection: (state: EcsState) => state.services,
  docId: (id: string) => split(id).service,
  exists: (doc: StoredService, id: string) => setIn(doc, id) !== undefined,
  tags: (doc: StoredService, id: string): Tag[] => setIn(doc, id)?.tags ?? [],
  withTags: (doc: StoredService, tags: Tag[], id: string): StoredService => ({
    ...doc,
    taskSets: doc.taskSets?.map((s) => (s.id === split(id).set ? { ...s, tags } : s)),
  }),
  notFound: () => resourceNotFound("The specified task set does not exist."),
};
