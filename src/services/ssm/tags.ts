// AddTagsToResource, RemoveTagsFromResource, ListTagsForResource for parameters (the only
// taggable SSM resource berth serves), named by name or ARN.
import type {
  AddTagsToResourceRequest,
  AddTagsToResourceResult,
  ListTagsForResourceRequest,
  ListTagsForResourceResult,
  RemoveTagsFromResourceRequest,
  RemoveTagsFromResourceResult,
  ResourceTypeForTagging,
  Tag,
} from "@aws-sdk/client-ssm";
import { SsmError } from "../../domain/ssm/errors.js";
import { MAX_TAGS, type StoredParameter } from "../../domain/ssm/parameter.js";
import type { SsmContext, SsmHandlers } from "./context.js";
import { tryFindParameter } from "./views.js";

async function taggedParameter(ctx: SsmContext, type: ResourceTypeForTagging, id: string): Promise<StoredParameter> {
  if (type !== "Parameter") {
    throw new SsmError("InvalidResourceType", `The resource type ${type} is not valid: berth serves the tags of parameters only.`);
  }
  const found = await tryFindParameter(ctx, id);
  if (!found || found.ref.selector)
    throw new SsmError("InvalidResourceId", "The resource ID is not valid. Verify that you entered the correct ID and try again.");
  return found.parameter;
}

async function writeTags(ctx: SsmContext, p: StoredParameter, change: (tags: Tag[]) => Tag[]): Promise<void> {
  await ctx.state.parameters.write(ctx.scope, p.name, (current) => {
    if (!current)
      throw new SsmError("InvalidResourceId", "The resource ID is not valid. Verify that you entered the correct ID and try again.");
    const tags = change(current.tags);
    if (tags.length > MAX_TAGS) throw new SsmError("TooManyTagsError", `A parameter can have at most ${MAX_TAGS} tags.`);
    return { ...current, tags };
  });
}

async function addTagsToResource(ctx: SsmContext, input: AddTagsToResourceRequest): Promise<AddTagsToResourceResult> {
  const parameter = await taggedParameter(ctx, input.ResourceType!, input.ResourceId!);
  const added = input.Tags!;
  await writeTags(ctx, parameter, (tags) => [...tags.filter((t) => !added.some((a) => a.Key === t.Key)), ...added]);
  return {};
}

async function removeTagsFromResource(ctx: SsmContext, input: RemoveTagsFromResourceRequest): Promise<RemoveTagsFromResourceResult> {
  const parameter = await taggedParameter(ctx, input.ResourceType!, input.ResourceId!);
  await writeTags(ctx, parameter, (tags) => tags.filter((t) => !input.TagKeys!.includes(t.Key!)));
  return {};
}

async function listTagsForResource(ctx: SsmContext, input: ListTagsForResourceRequest): Promise<ListTagsForResourceResult> {
  const parameter = await taggedParameter(ctx, input.ResourceType!, input.ResourceId!);
  return { TagList: parameter.tags };
}

export const tagOperations = {
  AddTagsToResource: addTagsToResource,
  RemoveTagsFromResource: removeTagsFromResource,
  ListTagsForResource: listTagsForResource,
} satisfies SsmHandlers;
