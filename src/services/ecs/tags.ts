// TagResource, UntagResource and ListTagsForResource over every taggable resource. Each
// resource type says where its tags live; adding a type is one entry in TAGGABLE.
import type {
  ListTagsForResourceRequest,
  ListTagsForResourceResponse,
  Tag,
  TagResourceRequest,
  TagResourceResponse,
  UntagResourceRequest,
  UntagResourceResponse,
} from "@aws-sdk/client-ecs";
import { parseArn } from "../../domain/arn.js";
import { clusterNotFound, invalidParameter, resourceNotFound } from "../../domain/errors.js";
import { mergeTags, removeTags, validateTagKeys, validateTags } from "../../domain/tags.js";
import type { Collection } from "../../state/store.js";
import type { EcsState } from "../../state/ecs-state.js";
import type { EcsHandlers, RequestContext } from "./context.js";
import { taskSetTaggable } from "./task-set-tags.js";

/** Where one resource type's tags live, and what ECS answers when the resource is not there. */
interface Taggable<T> {
  collection(state: EcsState): Collection<T>;
  /**
   * For resources that live in a cluster: the document's id and the cluster the ARN's path
   * (what follows "<type>/") names; throws ECS's error for a path of the wrong shape. The
   * cluster must be ACTIVE (else ClusterNotFoundException). Absent: the path is the id.
   */
  locate?(path: string): { id: string; cluster: string };
  /** Whether `doc` is the resource the path names and is still there to be tagged. */
  exists(doc: T, path: string): boolean;
  /**
   * ECS's refusal of a resource that is still stored but finished: a deleted (INACTIVE)
   * cluster refuses every tag operation, a stopped task refuses changes (`change`) only.
   */
  refuse?(doc: T, change: boolean): Error | undefined;
  tags(doc: T, path: string): Tag[];
  withTags(doc: T, tags: Tag[], path: string): T;
  notFound(): Error;
}

/** What ECS answers for a deleted cluster, or a resource of one, that is still known. */
const clusterInactive = () => invalidParameter("The specified cluster is inactive. Specify an active cluster and try again.");

function taggable<T>(t: Taggable<T>): Taggable<unknown> {
  return t;
}

/**
 * "<cluster>/<id>", the path of the long ARNs of services, tasks and container instances
 * (`segments` 2), or "<cluster>/<service>/<id>" (3) for task sets: the cluster, and the rest
 * of the path as the id. ECS tags these by their long ARN only: the old short form
 * ("service/<name>", "task/<id>") is refused.
 */
function inCluster(path: string, type: string, segments = 2): { cluster: string; id: string } {
  if (!path.includes("/")) throw invalidParameter("Long arn format must be used for tagging operations");
  const parts = path.split("/");
  if (parts.length !== segments || parts.some((p) => !p)) {
    throw invalidParameter(`The ARN '${type}/${path}' is not valid. Specify a valid ECS resource ARN.`);
  }
  return { cluster: parts[0]!, id: parts.slice(1).join("/") };
}

const TAGGABLE: Record<string, Taggable<unknown>> = {
  cluster: taggable({
    collection: (s) => s.clusters,
    exists: () => true,
    refuse: (c) => (c.status === "ACTIVE" ? undefined : clusterInactive()),
    tags: (c) => c.tags ?? [],
    withTags: (c, tags) => ({ ...c, tags }),
    notFound: () => clusterNotFound(),
  }),
  "task-definition": taggable({
    collection: (s) => s.taskDefinitions,
    exists: (td) => td.taskDefinition.status !== "DELETE_IN_PROGRESS",
    tags: (td) => td.tags,
    withTags: (td, tags) => ({ ...td, tags }),
    notFound: () => resourceNotFound("The specified task definition does not exist."),
  }),
  "capacity-provider": taggable({
    collection: (s) => s.capacityProviders,
    exists: (cp) => cp.status === "ACTIVE",
    tags: (cp) => cp.tags ?? [],
    withTags: (cp, tags) => ({ ...cp, tags }),
    notFound: () => resourceNotFound("The specified capacity provider does not exist."),
  }),
  service: taggable({
    collection: (s) => s.services,
    // Services are stored as "<cluster>/<name>", the long ARN's path.
    locate: (path) => {
      const { cluster, id } = inCluster(path, "service");
      return { cluster, id: `${cluster}/${id}` };
    },
    exists: (s) => s.service.status !== "INACTIVE",
    tags: (s) => s.service.tags ?? [],
    withTags: (s, tags) => ({ ...s, service: { ...s.service, tags } }),
    notFound: () => invalidParameter("The specified service does not exist."),
  }),
  task: taggable({
    collection: (s) => s.tasks,
    locate: (path) => inCluster(path, "task"),
    // Stopped tasks stay readable while retained; their tags can be listed, not changed.
    exists: (t, path) => t.cluster === path.split("/")[0],
    refuse: (t, change) =>
      change && t.task.lastStatus === "STOPPED"
        ? invalidParameter("The specified task is stopped. Specify a running task and try again.")
        : undefined,
    tags: (t) => t.task.tags ?? [],
    withTags: (t, tags) => ({ ...t, task: { ...t.task, tags } }),
    notFound: () => invalidParameter("The specified task does not exist."),
  }),
  "container-instance": taggable({
    collection: (s) => s.instances,
    locate: (path) => inCluster(path, "container-instance"),
    exists: (i, path) => !i.fargateHost && i.cluster === path.split("/")[0] && i.instance.status !== "INACTIVE",
    tags: (i) => i.instance.tags ?? [],
    withTags: (i, tags) => ({ ...i, instance: { ...i.instance, tags } }),
    notFound: () => invalidParameter("The specified container instance does not exist."),
  }),
  // task-set/CLUSTER/SERVICE/ecs-svc/ID: the set lives in its service's document.
  "task-set": taggable(taskSetTaggable),
};

interface Resolved {
  kind: Taggable<unknown>;
  id: string;
  path: string;
}

async function resolve(ctx: RequestContext, resourceArn: string): Promise<Resolved> {
  const arn = parseArn(resourceArn);
  const slash = arn?.resource.indexOf("/") ?? -1;
  if (!arn || arn.service !== "ecs" || slash < 1) {
    throw invalidParameter(`The ARN '${resourceArn}' is not valid. Specify a valid ECS resource ARN.`);
  }
  const kind = TAGGABLE[arn.resource.slice(0, slash)];
  if (!kind) throw invalidParameter(`The resource type of '${resourceArn}' cannot be tagged.`);
  const path = arn.resource.slice(slash + 1);
  const located = kind.locate?.(path);
  const elsewhere = arn.region !== ctx.scope.region || arn.accountId !== ctx.scope.accountId;
  if (located) {
    // A resource of a cluster that is not there (here) is ECS's ClusterNotFoundException.
    const cluster = elsewhere ? undefined : await ctx.state.clusters.get(ctx.scope, located.cluster);
    if (!cluster) throw clusterNotFound();
    if (cluster.status !== "ACTIVE") throw clusterInactive();
    return { kind, id: located.id, path };
  }
  if (elsewhere) throw kind.notFound();
  return { kind, id: path, path };
}

async function retag(ctx: RequestContext, resourceArn: string, change: (tags: Tag[]) => Tag[]): Promise<void> {
  const { kind, id, path } = await resolve(ctx, resourceArn);
  // The same read-modify-write every other change of the document goes through (a task's
  // status reports included), so neither can lose the other's change.
  await kind.collection(ctx.state).write(ctx.scope, id, (doc) => {
    if (doc === undefined || !kind.exists(doc, path)) throw kind.notFound();
    const refusal = kind.refuse?.(doc, true);
    if (refusal) throw refusal;
    return kind.withTags(doc, change(kind.tags(doc, path)), path);
  });
}

async function tagResource(ctx: RequestContext, input: TagResourceRequest): Promise<TagResourceResponse> {
  validateTags(input.tags!);
  await retag(ctx, input.resourceArn!, (tags) => mergeTags(tags, input.tags!));
  return {};
}

async function untagResource(ctx: RequestContext, input: UntagResourceRequest): Promise<UntagResourceResponse> {
  validateTagKeys(input.tagKeys!);
  await retag(ctx, input.resourceArn!, (tags) => removeTags(tags, input.tagKeys!));
  return {};
}

async function listTagsForResource(ctx: RequestContext, input: ListTagsForResourceRequest): Promise<ListTagsForResourceResponse> {
  const { kind, id, path } = await resolve(ctx, input.resourceArn!);
  const doc = await kind.collection(ctx.state).get(ctx.scope, id);
  if (doc === undefined || !kind.exists(doc, path)) throw kind.notFound();
  const refusal = kind.refuse?.(doc, false);
  if (refusal) throw refusal;
  return { tags: kind.tags(doc, path) };
}

export const tagOperations = {
  TagResource: tagResource,
  UntagResource: untagResource,
  ListTagsForResource: listTagsForResource,
} satisfies EcsHandlers;
