// ECS's side of load balancing, on the stored state: which target groups a service may use
// (CreateService/UpdateService/CreateTaskSet), how its tasks look to their groups (for the
// scheduler), and registering RUNNING tasks and releasing drained ones (for its port).
import type { LoadBalancer, TaskDefinition } from "@aws-sdk/client-ecs";
import { elbIdOf, parseElbArn } from "../../domain/elbv2/arns.js";
import { forwardedTargetGroupArns } from "../../domain/elbv2/actions.js";
import type { StoredRule, StoredTargetGroup } from "../../domain/elbv2/documents.js";
import { healthKey, type TargetHealthBoard } from "../../domain/elbv2/target-health.js";
import { withTargetsRegistered } from "../../domain/elbv2/targets.js";
import { failureDescription } from "../../domain/elbv2/health-description.js";
import { targetGroupUser } from "../../domain/elbv2/usage.js";
import { invalidParameter } from "../../domain/errors.js";
import type { Scope } from "../../domain/scope.js";
import { heldForDraining, taskEndpoint, type TaskTarget } from "../../domain/task/load-balancing.js";
import type { TaskTargetsView } from "../../scheduler/service/index.js";
import type { EcsState, StoredTask } from "../../state/ecs-state.js";
import type { Transaction } from "../../state/store.js";

/**
 * ECS's checks of a service's (or task set's) load balancers against ELB: each target group
 * exists, a load balancer uses it, and its target type suits the task definition's network
 * mode (ip for awsvpc, instance for bridge and host). Classic load balancers are not served.
 */
export async function checkTargetGroups(
  ctx: { scope: Scope; state: EcsState },
  lbs: readonly LoadBalancer[],
  td: TaskDefinition,
): Promise<void> {
  if (lbs.length === 0) return;
  const rules = await ctx.state.elbv2.rules.list(ctx.scope);
  for (const lb of lbs) {
    // berth serves no Classic Load Balancer, so none by that name exists.
    if (lb.loadBalancerName) throw invalidParameter(`The load balancer ${lb.loadBalancerName} does not exist.`);
    await checkTargetGroup(ctx, rules, lb.targetGroupArn!, td);
  }
}

async function checkTargetGroup(ctx: { scope: Scope; state: EcsState }, rules: readonly StoredRule[], arn: string, td: TaskDefinition) {
  const mode = td.networkMode ?? "bridge";
  const parsed = parseElbArn(ctx.scope, arn);
  const group = parsed?.type === "targetgroup" ? await ctx.state.elbv2.targetGroups.get(ctx.scope, elbIdOf(arn)) : undefined;
  if (!group || group.targetGroup.TargetGroupArn !== arn)
    throw invalidParameter(`The target group with targetGroupArn ${arn} does not exist.`);
  if (targetGroupUser(rules, arn) === undefined) {
    throw invalidParameter(`The target group with targetGroupArn ${arn} does not have an associated load balancer.`);
  }
  const type = group.targetGroup.TargetType ?? "instance";
  if ((mode === "awsvpc") !== (type === "ip") || (type !== "ip" && type !== "instance")) {
    throw invalidParameter(
      `The provided target group ${arn} has target type ${type}, which is incompatible with the ${mode} network mode specified in the task definition.`,
    );
  }
}

/**
 * The blue/green resources of each load balancer's advancedConfiguration, against ELB (their
 * shape is checked before, in src/domain/deployment-strategy.ts): the alternate group passes
 * the primary's checks, and the production and test rules exist and each forward, with one
 * forward action whose weights ECS can move, to the service's two groups (one of them at least).
 */
export async function checkAdvancedConfigurations(
  ctx: { scope: Scope; state: EcsState },
  lbs: readonly LoadBalancer[],
  td: TaskDefinition,
): Promise<void> {
  const configured = lbs.filter((lb) => lb.advancedConfiguration);
  if (configured.length === 0) return;
  const rules = await ctx.state.elbv2.rules.list(ctx.scope);
  for (const lb of configured) {
    const advanced = lb.advancedConfiguration!;
    await checkTargetGroup(ctx, rules, advanced.alternateTargetGroupArn!, td);
    const groups = [lb.targetGroupArn!, advanced.alternateTargetGroupArn!];
    // Either group of the pair: after a blue/green deployment an NLB's listener forwards to the alternate alone.
    checkTrafficRule(ctx.scope, rules, "productionListenerRule", advanced.productionListenerRule!, groups);
    if (advanced.testListenerRule !== undefined) checkTrafficRule(ctx.scope, rules, "testListenerRule", advanced.testListenerRule, groups);
  }
}

/**
 * A production or test rule: an application load balancer's listener rule (its listener's
 * default rule included), or a network load balancer's listener, whose default actions are its
 * rule. Its single action forwards to the service's groups only.
 */
function checkTrafficRule(scope: Scope, rules: readonly StoredRule[], field: string, arn: string, groups: readonly string[]): void {
  const parsed = parseElbArn(scope, arn);
  if (parsed?.type === "listener" && parsed.path.startsWith("app/")) {
    throw invalidParameter(`${field} ${arn} is a listener of an Application Load Balancer: give one of its listener rules.`);
  }
  const rule =
    parsed?.type === "listener-rule"
      ? rules.find((r) => r.rule.RuleArn === arn)
      : parsed?.type === "listener"
        ? rules.find((r) => r.listenerArn === arn && r.rule.IsDefault)
        : undefined;
  if (!rule) throw invalidParameter(`The ${field} ${arn} does not exist.`);
  const actions = rule.rule.Actions ?? [];
  if (actions.length !== 1 || actions[0]!.Type !== "forward") {
    throw invalidParameter(`The ${field} ${arn} must have a single forward action to shift traffic between target groups.`);
  }
  const forwarded = forwardedTargetGroupArns(actions);
  const stray = forwarded.find((g) => !groups.includes(g));
  if (stray)
    throw invalidParameter(
      `The ${field} ${arn} forwards to target group ${stray}, which is neither the load balancer's targetGroupArn nor its alternateTargetGroupArn.`,
    );
  if (!forwarded.some((g) => groups.includes(g))) {
    throw invalidParameter(`The ${field} ${arn} does not forward to the target group ${groups.join(" or ")}.`);
  }
}

/** The health keys a task's view was made of, so a change of one pokes its service. */
export type HealthKeys = string[];

/**
 * How a service task looks to its target groups: undefined for a task of a service without
 * load balancers that was never registered.
 */
export function targetsView(
  doc: StoredTask,
  loadBalanced: boolean,
  groups: ReadonlyMap<string, StoredTargetGroup>,
  board: TargetHealthBoard | undefined,
  keys: HealthKeys,
): TaskTargetsView | undefined {
  const lb = doc.loadBalancing;
  if (lb?.deregisteredAt !== undefined) {
    return { registered: false, health: "initial", ...(heldForDraining(doc) ? { drainUntil: new Date(lb.drainUntil!) } : {}) };
  }
  if (!lb) return loadBalanced ? { registered: false, health: "initial" } : undefined;
  let health: TaskTargetsView["health"] = "healthy";
  let unhealthyIn: TaskTargetsView["unhealthyIn"];
  for (const target of lb.targets) {
    const group = groups.get(elbIdOf(target.targetGroupArn));
    // A group deleted meanwhile, or one that checks nothing, holds nothing back.
    if (!group || group.targetGroup.HealthCheckEnabled === false) continue;
    const key = healthKey(elbIdOf(target.targetGroupArn), target.id, target.port);
    keys.push(key);
    const observed = board?.get(key);
    if (observed?.status === "unhealthy") {
      health = "unhealthy";
      unhealthyIn ??= {
        targetGroupArn: target.targetGroupArn,
        targetGroupName: group.targetGroup.TargetGroupName!,
        port: target.port,
        ...(target.id.startsWith("i-") ? { instanceId: target.id } : {}),
        reason: failureDescription(observed.failure),
      };
    } else if (observed?.status !== "healthy" && health === "healthy") health = "initial";
  }
  return { registered: true, health, ...(unhealthyIn ? { unhealthyIn } : {}) };
}

/** The target groups the tasks are registered in, by id. */
export async function groupsOf(state: EcsState, scope: Scope, docs: readonly StoredTask[]): Promise<Map<string, StoredTargetGroup>> {
  const ids = new Set(docs.flatMap((d) => (d.loadBalancing?.deregisteredAt === undefined ? (d.loadBalancing?.targets ?? []) : [])));
  return state.elbv2.targetGroups.getMany(scope, [...new Set([...ids].map((t) => elbIdOf(t.targetGroupArn)))]);
}

/** One task to register, with the targets it becomes (computed before the transaction). */
export interface Registration {
  taskId: string;
  targets: (TaskTarget & { address: string; availabilityZone?: string })[];
}

/** The targets task `doc` becomes for `lbs`; undefined while one of its ports is not bound yet. */
export function registrationOf(
  doc: StoredTask,
  lbs: readonly LoadBalancer[],
  where: { ec2InstanceId?: string; hostPortBindIp: string },
): Registration | undefined {
  const targets: Registration["targets"] = [];
  for (const lb of lbs) {
    if (!lb.targetGroupArn) continue;
    const endpoint = taskEndpoint(doc.task, lb, { ...where, ipv4Address: doc.network?.ipv4Address });
    if (!endpoint) return undefined;
    targets.push({
      targetGroupArn: lb.targetGroupArn,
      id: endpoint.id,
      port: endpoint.port,
      address: endpoint.address,
      ...(doc.task.availabilityZone ? { availabilityZone: doc.task.availabilityZone } : {}),
    });
  }
  return { taskId: elbIdOf(doc.task.taskArn!), targets };
}

/**
 * Registers the task in its groups inside `tx`, if it is still RUNNING and not registered;
 * returns the target group ARNs it was registered in.
 */
export function registerInTransaction(tx: Transaction, state: EcsState, scope: Scope, reg: Registration, now: Date): string[] {
  let fresh = false;
  tx.write(state.tasks, scope, reg.taskId, (cur) => {
    if (!cur || cur.loadBalancing || cur.task.lastStatus !== "RUNNING" || cur.task.desiredStatus === "STOPPED") return undefined;
    fresh = true;
    return { ...cur, loadBalancing: { targets: reg.targets.map(({ targetGroupArn, id, port }) => ({ targetGroupArn, id, port })) } };
  });
  if (!fresh) return [];
  const registered: string[] = [];
  for (const t of reg.targets) {
    tx.write(state.elbv2.targetGroups, scope, elbIdOf(t.targetGroupArn), (cur) => {
      if (!cur) return undefined;
      registered.push(t.targetGroupArn);
      return withTargetsRegistered(cur, [
        {
          id: t.id,
          port: t.port,
          address: t.address,
          registeredAt: now.getTime(),
          ...(t.availabilityZone ? { availabilityZone: t.availabilityZone } : {}),
        },
      ]);
    });
  }
  return registered;
}
