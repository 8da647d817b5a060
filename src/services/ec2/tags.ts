// CreateTags, DeleteTags and DescribeTags over every taggable resource berth's EC2 has: VPCs,
// subnets, security groups and their rules (tags kept on the stored documents) and network
// interfaces (tags kept beside them, since an interface is derived from its task). A call
// changes all the resources it names or none: every write is one transaction.
import type {
  CreateTagsRequest,
  DeleteTagsRequest,
  DescribeTagsRequest,
  DescribeTagsResult,
  Tag,
  TagDescription,
} from "@aws-sdk/client-ec2";
import { withoutTags, withTags } from "../../domain/ec2/tags.js";
import type { Transaction } from "../../state/store.js";
import { ec2Handler, filtered, notFound, paged } from "./common.js";
import type { Ec2Context, Ec2Handlers } from "./context.js";
import { Ec2Error } from "./errors.js";
import { interfaceTagsById } from "./network-interfaces.js";

type ResourceType = "vpc" | "subnet" | "security-group" | "security-group-rule" | "network-interface";

/** The type of resource an id names, by its prefix, or undefined for an id berth has no such resource for. */
function resourceTypeOf(id: string): ResourceType | undefined {
  if (/^vpc-[0-9a-f]+$/.test(id)) return "vpc";
  if (/^subnet-[0-9a-f]+$/.test(id)) return "subnet";
  if (/^sgr-[0-9a-f]+$/.test(id)) return "security-group-rule";
  if (/^sg-[0-9a-f]+$/.test(id)) return "security-group";
  if (/^eni-[0-9a-f]+$/.test(id)) return "network-interface";
  return undefined;
}

function missing(type: ResourceType, id: string): Ec2Error {
  switch (type) {
    case "vpc":
      return notFound("InvalidVpcID.NotFound", "vpc", [id]);
    case "subnet":
      return notFound("InvalidSubnetID.NotFound", "subnet", [id]);
    case "security-group":
      return new Ec2Error("InvalidGroup.NotFound", `The security group '${id}' does not exist`);
    case "security-group-rule":
      return new Ec2Error("InvalidSecurityGroupRuleId.NotFound", `The security group rule ID '${id}' does not exist`);
    case "network-interface":
      return notFound("InvalidNetworkInterfaceID.NotFound", "networkInterface", [id]);
  }
}

interface Target {
  id: string;
  type: ResourceType;
  /** For a rule: the group whose document holds it. */
  groupId?: string;
}

/** The resources `ids` name, each checked to exist (the first that does not is the call's error). */
async function targets(ctx: Ec2Context, ids: readonly string[]): Promise<Target[]> {
  const ruleGroups = new Map<string, string>();
  const interfaces = new Set((await ctx.interfaces.list(ctx.scope)).map((i) => i.networkInterfaceId));
  if (ids.some((id) => resourceTypeOf(id) === "security-group-rule"))
    for (const g of await ctx.state.securityGroups.list(ctx.scope))
      for (const r of g.rules) ruleGroups.set(r.SecurityGroupRuleId!, g.group.GroupId!);
  const found: Target[] = [];
  for (const id of new Set(ids)) {
    const type = resourceTypeOf(id);
    if (!type) throw new Ec2Error("InvalidID", `The ID '${id}' is not valid`);
    const exists =
      type === "vpc"
        ? (await ctx.state.vpcs.get(ctx.scope, id)) !== undefined
        : type === "subnet"
          ? (await ctx.state.subnets.get(ctx.scope, id)) !== undefined
          : type === "security-group"
            ? (await ctx.state.securityGroups.get(ctx.scope, id)) !== undefined
            : type === "security-group-rule"
              ? ruleGroups.has(id)
              : interfaces.has(id);
    if (!exists) throw missing(type, id);
    found.push({ id, type, groupId: ruleGroups.get(id) });
  }
  return found;
}

/** Rewrites each target's tags with `change` inside `tx`; a target gone meanwhile aborts the whole transaction. */
function retag(ctx: Ec2Context, tx: Transaction, t: Target, change: (tags: Tag[] | undefined) => Tag[]): void {
  const { state, scope } = ctx;
  const gone = () => {
    throw missing(t.type, t.id);
  };
  switch (t.type) {
    case "vpc":
      tx.write(state.vpcs, scope, t.id, (cur) => (cur ? { ...cur, vpc: { ...cur.vpc, Tags: change(cur.vpc.Tags) } } : gone()));
      return;
    case "subnet":
      tx.write(state.subnets, scope, t.id, (cur) => (cur ? { ...cur, subnet: { ...cur.subnet, Tags: change(cur.subnet.Tags) } } : gone()));
      return;
    case "security-group":
      tx.write(state.securityGroups, scope, t.id, (cur) =>
        cur ? { ...cur, group: { ...cur.group, Tags: change(cur.group.Tags) } } : gone(),
      );
      return;
    case "security-group-rule":
      tx.write(state.securityGroups, scope, t.groupId!, (cur) => {
        if (!cur?.rules.some((r) => r.SecurityGroupRuleId === t.id)) return gone();
        return { ...cur, rules: cur.rules.map((r) => (r.SecurityGroupRuleId === t.id ? { ...r, Tags: change(r.Tags) } : r)) };
      });
      return;
    case "network-interface":
      tx.write(state.interfaceTags, scope, t.id, (cur) => ({
        networkInterfaceId: t.id,
        tags: change(cur?.tags),
        createdAt: cur?.createdAt ?? ctx.now.getTime(),
      }));
      return;
  }
}

/** Drops the tag sets of interfaces that are gone (their ids never come back). */
async function forgetGoneInterfaces(ctx: Ec2Context): Promise<void> {
  const live = new Set((await ctx.interfaces.list(ctx.scope)).map((i) => i.networkInterfaceId));
  for (const t of await ctx.state.interfaceTags.list(ctx.scope))
    if (!live.has(t.networkInterfaceId)) await ctx.state.interfaceTags.remove(ctx.scope, t.networkInterfaceId);
}

async function createTags(ctx: Ec2Context, input: CreateTagsRequest): Promise<object> {
  const found = await targets(ctx, input.Resources ?? []);
  const tags = input.Tags ?? [];
  await ctx.state.transact((tx) => {
    for (const t of found) retag(ctx, tx, t, (cur) => withTags(cur, tags));
  });
  await forgetGoneInterfaces(ctx);
  return {};
}

async function deleteTags(ctx: Ec2Context, input: DeleteTagsRequest): Promise<object> {
  const reserved = (input.Tags ?? []).find((t) => (t.Key ?? "").toLowerCase().startsWith("aws:"));
  if (reserved)
    throw new Ec2Error("InvalidParameterValue", `Tag keys starting with 'aws:' are reserved for internal use: '${reserved.Key}'`);
  const found = await targets(ctx, input.Resources ?? []);
  // Without Tags, every tag of the resources goes.
  const change = (cur: Tag[] | undefined) => (input.Tags === undefined ? [] : withoutTags(cur, input.Tags));
  await ctx.state.transact((tx) => {
    for (const t of found) retag(ctx, tx, t, change);
  });
  await forgetGoneInterfaces(ctx);
  return {};
}

/** Every tag of the scope's resources, one description per resource and key. */
async function allTags(ctx: Ec2Context): Promise<TagDescription[]> {
  const [vpcs, subnets, groups, interfaces, interfaceTags] = await Promise.all([
    ctx.state.vpcs.list(ctx.scope),
    ctx.state.subnets.list(ctx.scope),
    ctx.state.securityGroups.list(ctx.scope),
    ctx.interfaces.list(ctx.scope),
    interfaceTagsById(ctx),
  ]);
  const out: TagDescription[] = [];
  const add = (ResourceId: string, ResourceType: ResourceType, tags: readonly Tag[] | undefined) => {
    for (const t of tags ?? []) out.push({ Key: t.Key, ResourceId, ResourceType, Value: t.Value ?? "" });
  };
  for (const v of vpcs) add(v.vpc.VpcId!, "vpc", v.vpc.Tags);
  for (const s of subnets) add(s.subnet.SubnetId!, "subnet", s.subnet.Tags);
  for (const g of groups) {
    add(g.group.GroupId!, "security-group", g.group.Tags);
    for (const r of g.rules) add(r.SecurityGroupRuleId!, "security-group-rule", r.Tags);
  }
  for (const i of interfaces) add(i.networkInterfaceId, "network-interface", interfaceTags.get(i.networkInterfaceId));
  return out;
}

const tagFields = {
  "resource-id": (t: TagDescription) => t.ResourceId,
  "resource-type": (t: TagDescription) => t.ResourceType,
  key: (t: TagDescription) => t.Key,
  value: (t: TagDescription) => t.Value,
};

async function describeTags(ctx: Ec2Context, input: DescribeTagsRequest): Promise<DescribeTagsResult> {
  // tag:<key> keeps the descriptions of that key whose value matches.
  const matching = filtered(await allTags(ctx), input.Filters, tagFields, (t) => [{ Key: t.Key, Value: t.Value }]);
  const page = paged(matching, (t) => `${t.ResourceId}\u0000${t.Key}`, input);
  return { Tags: page.items, NextToken: page.nextToken };
}

export const tagsOperations = {
  CreateTags: ec2Handler(createTags),
  DeleteTags: ec2Handler(deleteTags),
  DescribeTags: ec2Handler(describeTags),
} satisfies Ec2Handlers;
