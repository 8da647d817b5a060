// AddTags, RemoveTags and DescribeTags for every ELBv2 resource: load balancers, target groups,
// listeners and rules, each of which keeps its tags in its own document. A request that names
// any resource that does not exist, or would break a resource's tag rules, changes none.
import type {
  AddTagsInput,
  AddTagsOutput,
  DescribeTagsInput,
  DescribeTagsOutput,
  RemoveTagsInput,
  RemoveTagsOutput,
  Tag,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { elbIdOf, parseElbArn, type ParsedElbArn } from "../../domain/elbv2/arns.js";
import { withTagsAdded, withTagsRemoved } from "../../domain/elbv2/tags.js";
import type { Collection } from "../../state/store.js";
import type { Elbv2State } from "../../state/elbv2-state.js";
import type { Elbv2Context, Elbv2Handlers } from "./context.js";
import { Elbv2Error } from "./errors.js";

/** What tagging reads and writes of any of the four documents. */
interface Tagged {
  tags: Tag[];
}

interface TaggedKind {
  collection(state: Elbv2State): Collection<Tagged>;
  arnOf(doc: Tagged): string | undefined;
  notFound(): Elbv2Error;
}

const KINDS: Record<ParsedElbArn["type"], TaggedKind> = {
  loadbalancer: {
    collection: (s) => s.loadBalancers,
    arnOf: (d) => (d as { loadBalancer?: { LoadBalancerArn?: string } }).loadBalancer?.LoadBalancerArn,
    notFound: () => new Elbv2Error("LoadBalancerNotFoundException", "One or more load balancers not found"),
  },
  targetgroup: {
    collection: (s) => s.targetGroups,
    arnOf: (d) => (d as { targetGroup?: { TargetGroupArn?: string } }).targetGroup?.TargetGroupArn,
    notFound: () => new Elbv2Error("TargetGroupNotFoundException", "One or more target groups not found"),
  },
  listener: {
    collection: (s) => s.listeners,
    arnOf: (d) => (d as { listener?: { ListenerArn?: string } }).listener?.ListenerArn,
    notFound: () => new Elbv2Error("ListenerNotFoundException", "One or more listeners not found"),
  },
  "listener-rule": {
    collection: (s) => s.rules,
    arnOf: (d) => (d as { rule?: { RuleArn?: string } }).rule?.RuleArn,
    notFound: () => new Elbv2Error("RuleNotFoundException", "One or more rules not found"),
  },
};

const MAX_RESOURCES = 20;

/** Each ARN's kind of resource and document id; a malformed ARN, or too many, are ValidationErrors. */
function resourcesOf(ctx: Elbv2Context, arns: readonly string[]): { arn: string; id: string; kind: TaggedKind }[] {
  const unique = [...new Set(arns)];
  if (unique.length === 0) throw new Elbv2Error("ValidationError", "At least one resource ARN must be specified");
  if (unique.length > MAX_RESOURCES) throw new Elbv2Error("ValidationError", `At most ${MAX_RESOURCES} resource ARNs can be specified`);
  return unique.map((arn) => {
    const parsed = parseElbArn(ctx.scope, arn);
    if (!parsed) throw new Elbv2Error("ValidationError", `'${arn}' is not a valid Elastic Load Balancing resource ARN`);
    return { arn, id: elbIdOf(arn), kind: KINDS[parsed.type] };
  });
}

/** Applies `change` to the tags of every resource named, in one transaction: all or none. */
async function changeTags(ctx: Elbv2Context, arns: readonly string[], change: (tags: Tag[]) => Tag[]): Promise<void> {
  const resources = resourcesOf(ctx, arns);
  const { elbv2 } = ctx.state;
  await elbv2.transact((tx) => {
    for (const r of resources) {
      tx.write(r.kind.collection(elbv2), ctx.scope, r.id, (cur) => {
        if (!cur || r.kind.arnOf(cur) !== r.arn) throw r.kind.notFound();
        return { ...cur, tags: change(cur.tags) };
      });
    }
  });
}

async function addTags(ctx: Elbv2Context, input: AddTagsInput): Promise<AddTagsOutput> {
  await changeTags(ctx, input.ResourceArns!, (tags) => {
    const result = withTagsAdded(tags, input.Tags ?? []);
    if ("problem" in result) throw new Elbv2Error(result.problem.code, result.problem.message);
    return result.tags;
  });
  return {};
}

async function removeTags(ctx: Elbv2Context, input: RemoveTagsInput): Promise<RemoveTagsOutput> {
  await changeTags(ctx, input.ResourceArns!, (tags) => withTagsRemoved(tags, input.TagKeys ?? []));
  return {};
}

async function describeTags(ctx: Elbv2Context, input: DescribeTagsInput): Promise<DescribeTagsOutput> {
  const resources = resourcesOf(ctx, input.ResourceArns!);
  const docs = await Promise.all(resources.map((r) => r.kind.collection(ctx.state.elbv2).get(ctx.scope, r.id)));
  return {
    TagDescriptions: resources.map((r, i) => {
      const doc = docs[i];
      if (!doc || r.kind.arnOf(doc) !== r.arn) throw r.kind.notFound();
      return { ResourceArn: r.arn, Tags: doc.tags };
    }),
  };
}

export const tagsOperations: Elbv2Handlers = {
  AddTags: addTags,
  RemoveTags: removeTags,
  DescribeTags: describeTags,
};
