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

interface Taggable<T> {
  collection(state: EcsState): Collection<T>;
  /** The document that holds the resource `id` (the ARN's resource after its type), when it is not `id` itself. */
  docId?(id: string): string;
  exists(doc: T, id: string): boolean;
  tags(doc: T, id: string): Tag[];
  withTags(doc: T, tags: Tag[], id: string): T;
  notFound(): Error;
}

function taggable<T>(t: Taggable<T>): Taggable<unknown> {
  return t;
}

const TAGGABLE: Record<string, Taggable<unknown>> = {
  cluster: taggable({
    collection: (s) => s.clusters,
    exists: (c) => c.status === "ACTIVE",
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
  // task-set/CLUSTER/SERVICE/ecs-svc/ID: the set lives in its service's document.
  "task-set": taggable(taskSetTaggable),
};

function resolve(ctx: RequestContext, resourceArn: string): { kind: Taggable<unknown>; id: string } {
  const arn = parseArn(resourceArn);
  const slash = arn?.resource.indexOf("/") ?? -1;
  if (!arn || arn.service !== "ecs" || slash < 1) {
    throw invalidParameter(`The ARN '${resourceArn}' is not valid. Specify a valid ECS resource ARN.`);
  }
  const kind = TAGGABLE[arn.resource.slice(0, slash)];
  if (!kind) throw invalidParameter(`The resource type of '${resourceArn}' cannot be tagged.`);
  if (arn.region !== ctx.scope.region || arn.accountId !== ctx.scope.accountId) throw kind.notFound();
  return { kind, id: arn.resource.slice(slash + 1) };
}

async function retag(ctx: RequestContext, resourceArn: string, change: (tags: Tag[]) => Tag[]): Promise<void> {
  const { kind, id } = resolve(ctx, resourceArn);
  await kind.collection(ctx.state).write(ctx.scope, kind.docId?.(id) ?? id, (doc) => {
    if (doc === undefined || !kind.exists(doc, id)) throw kind.notFound();
    return kind.withTags(doc, change(kind.tags(doc, id)), id);
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
  const { kind, id } = resolve(ctx, input.resourceArn!);
  const doc = await kind.collection(ctx.state).get(ctx.scope, kind.docId?.(id) ?? id);
  if (doc === undefined || !kind.exists(doc, id)) throw kind.notFound();
  return { tags: kind.tags(doc, id) };
}

export const tagOperations = {
  TagResource: tagResource,
  UntagResource: untagResource,
  ListTagsForResource: listTagsForResource,
} satisfies EcsHandlers;
