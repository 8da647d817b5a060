// CreateLoadBalancer, DescribeLoadBalancers and DeleteLoadBalancer. A load balancer is stored
// active at once (berth provisions nothing), with an interface in each subnet; deleting it
// takes its listeners and their rules with it. Its settings (attributes, groups, subnets) are
// changed by the handlers of load-balancer-settings.ts.
import type {
  CreateLoadBalancerInput,
  CreateLoadBalancerOutput,
  DeleteLoadBalancerInput,
  DeleteLoadBalancerOutput,
  DescribeLoadBalancersInput,
  DescribeLoadBalancersOutput,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import type { StoredLoadBalancer } from "../../domain/elbv2/documents.js";
import { elbIdOf } from "../../domain/elbv2/arns.js";
import { loadBalancerAttribute } from "../../domain/elbv2/attributes.js";
import { ELB_LIMITS } from "../../domain/elbv2/limits.js";
import { describedLoadBalancer, loadBalancerNameProblem, newLoadBalancer, pickLoopback } from "../../domain/elbv2/load-balancer.js";
import { duplicateTagKeys, MAX_TAGS } from "../../domain/elbv2/tags.js";
import { scopeKey } from "../../domain/scope.js";
import type { Elbv2Context, Elbv2Handlers } from "./context.js";
import { Elbv2Error } from "./errors.js";
import { allocateInterfaces, planSecurityGroups, planSubnets } from "./lb-network.js";
import { loadBalancerSettingsOperations } from "./load-balancer-settings.js";
import { findLoadBalancer, loadBalancerIdOf, loadBalancerNotFound } from "./lookup.js";
import { requestedPage } from "./paging.js";
import { routingChange, rulesOfLoadBalancer } from "./routing.js";

const invalidConfig = (message: string) => new Elbv2Error("InvalidConfigurationRequestException", message);

/** Checks of CreateLoadBalancer's input that need no state. */
function checkCreateInput(input: CreateLoadBalancerInput): void {
  const nameProblem = loadBalancerNameProblem(input.Name!);
  if (nameProblem) throw new Elbv2Error("ValidationError", nameProblem);
  if (input.Type === "gateway") throw invalidConfig("berth serves application and network load balancers, not gateway load balancers");
  if (input.IpAddressType && input.IpAddressType !== "ipv4") {
    throw invalidConfig(`berth serves IPv4 only: IP address type '${input.IpAddressType}' is not supported`);
  }
  if (input.CustomerOwnedIpv4Pool || input.IpamPools) throw invalidConfig("berth serves no customer-owned or IPAM address pools");
  const tags = input.Tags ?? [];
  const duplicate = duplicateTagKeys(tags);
  if (duplicate) throw new Elbv2Error(duplicate.code, duplicate.message);
  if (tags.length > MAX_TAGS)
    throw new Elbv2Error("TooManyTagsException", `The quota for the number of tags per resource (${MAX_TAGS}) has been reached`);
}

async function createLoadBalancer(ctx: Elbv2Context, input: CreateLoadBalancerInput): Promise<CreateLoadBalancerOutput> {
  checkCreateInput(input);
  const type = input.Type === "network" ? "network" : "application";
  const scheme = input.Scheme === "internal" ? "internal" : "internet-facing";
  const plan = await planSubnets(ctx, type, input);
  const securityGroups = await planSecurityGroups(ctx, type, plan.vpc, input.SecurityGroups);
  // Under the placement lock: the name's uniqueness, the quota and the addresses hold until written.
  const made = await ctx.placementLock.run(scopeKey(ctx.scope), async () => {
    const all = await ctx.state.elbv2.loadBalancers.list(ctx.scope);
    const same = all.find((lb) => lb.loadBalancer.LoadBalancerName === input.Name);
    if (same) {
      const settings = same.loadBalancer;
      const sameSubnets =
        (settings.AvailabilityZones ?? [])
          .map((z) => z.SubnetId)
          .sort()
          .join() ===
        plan.subnets
          .map((s) => s.subnetId)
          .sort()
          .join();
      const sameGroups = (settings.SecurityGroups ?? []).join() === securityGroups.join();
      if (settings.Type === type && settings.Scheme === scheme && sameSubnets && sameGroups) return same;
      throw new Elbv2Error(
        "DuplicateLoadBalancerNameException",
        `A load balancer with the same name '${input.Name}' exists, but with different settings`,
      );
    }
    const limit = type === "network" ? ELB_LIMITS["network-load-balancers"] : ELB_LIMITS["application-load-balancers"];
    if (all.filter((lb) => lb.loadBalancer.Type === type).length >= limit) {
      throw new Elbv2Error(
        "TooManyLoadBalancersException",
        `The maximum number of load balancers of type '${type}' (${limit}) has been reached`,
      );
    }
    const doc = newLoadBalancer({
      scope: ctx.scope,
      name: input.Name!,
      type,
      scheme,
      vpcId: plan.vpc.vpc.VpcId!,
      securityGroups,
      interfaces: await allocateInterfaces(ctx, plan),
      loopbackAddress: pickLoopback(new Set(all.map((lb) => lb.loopbackAddress))),
      tags: input.Tags ?? [],
      now: ctx.now,
    });
    await ctx.state.elbv2.loadBalancers.putMany(ctx.scope, [{ id: elbIdOf(doc.loadBalancer.LoadBalancerArn!), doc }]);
    return doc;
  });
  ctx.log.info("load balancer created", { loadBalancerArn: made.loadBalancer.LoadBalancerArn });
  return { LoadBalancers: [describedLoadBalancer(made)] };
}

const byCreation = (a: StoredLoadBalancer, b: StoredLoadBalancer) =>
  a.createdAt - b.createdAt || (a.loadBalancer.LoadBalancerArn! < b.loadBalancer.LoadBalancerArn! ? -1 : 1);

async function describeLoadBalancers(ctx: Elbv2Context, input: DescribeLoadBalancersInput): Promise<DescribeLoadBalancersOutput> {
  if (input.LoadBalancerArns?.length && input.Names?.length) {
    throw new Elbv2Error("ValidationError", "Load balancer names and load balancer ARNs cannot be specified at the same time");
  }
  let chosen = (await ctx.state.elbv2.loadBalancers.list(ctx.scope)).sort(byCreation);
  if (input.Names?.length) {
    const names = new Set(input.Names);
    const missing = [...names].filter((n) => !chosen.some((lb) => lb.loadBalancer.LoadBalancerName === n));
    if (missing.length) throw loadBalancerNotFound(`Load balancers '[${missing.join(", ")}]' not found`);
    chosen = chosen.filter((lb) => names.has(lb.loadBalancer.LoadBalancerName!));
  } else if (input.LoadBalancerArns?.length) {
    const arns = new Set(input.LoadBalancerArns);
    for (const arn of arns) loadBalancerIdOf(ctx, arn); // a malformed ARN is a ValidationError
    const missing = [...arns].filter((a) => !chosen.some((lb) => lb.loadBalancer.LoadBalancerArn === a));
    if (missing.length) throw loadBalancerNotFound(`Load balancers '[${missing.join(", ")}]' not found`);
    chosen = chosen.filter((lb) => arns.has(lb.loadBalancer.LoadBalancerArn!));
  }
  const page = requestedPage(chosen, (lb) => lb.loadBalancer.LoadBalancerArn!, input, 400);
  return { LoadBalancers: page.items.map(describedLoadBalancer), NextMarker: page.NextMarker };
}

/** As on AWS, deleting a load balancer that does not exist (or no longer does) succeeds. */
async function deleteLoadBalancer(ctx: Elbv2Context, input: DeleteLoadBalancerInput): Promise<DeleteLoadBalancerOutput> {
  const arn = input.LoadBalancerArn!;
  // Under the routing lock: the listeners and rules read here are all there are when they go.
  return routingChange(ctx, async () => {
    const doc = await findLoadBalancer(ctx, arn);
    if (!doc) return {};
    const id = elbIdOf(arn);
    const { elbv2 } = ctx.state;
    const rules = await rulesOfLoadBalancer(ctx, arn);
    const listeners = await elbv2.listeners.list(ctx.scope, { parent: id });
    await elbv2.transact((tx) => {
      tx.write(elbv2.loadBalancers, ctx.scope, id, (cur) => {
        if (cur && loadBalancerAttribute(cur.attributes, "deletion_protection.enabled") === "true") {
          throw new Elbv2Error(
            "OperationNotPermittedException",
            `Load balancer '${arn}' cannot be deleted because deletion protection is enabled`,
          );
        }
        return undefined;
      });
      for (const r of rules) tx.remove(elbv2.rules, ctx.scope, elbIdOf(r.rule.RuleArn!));
      for (const l of listeners) tx.remove(elbv2.listeners, ctx.scope, elbIdOf(l.listener.ListenerArn!));
      tx.remove(elbv2.loadBalancers, ctx.scope, id);
    });
    ctx.log.info("load balancer deleted", { loadBalancerArn: arn });
    return {};
  });
}

export const loadBalancersOperations: Elbv2Handlers = {
  CreateLoadBalancer: createLoadBalancer,
  DescribeLoadBalancers: describeLoadBalancers,
  DeleteLoadBalancer: deleteLoadBalancer,
  ...loadBalancerSettingsOperations,
};
