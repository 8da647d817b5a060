// Service history operations: ListServiceDeployments, DescribeServiceDeployments,
// DescribeServiceRevisions, StopServiceDeployment and ContinueServiceDeployment. The history
// lives in the service's document (src/domain/service-history.ts); a rollback is a new
// deployment written under the same lock as the scheduler's writes, then the scheduler is poked;
// so is a PAUSE hook continued.
import type {
  ContinueServiceDeploymentRequest,
  ContinueServiceDeploymentResponse,
  DescribeServiceDeploymentsRequest,
  DescribeServiceDeploymentsResponse,
  DescribeServiceRevisionsRequest,
  DescribeServiceRevisionsResponse,
  Failure,
  ListServiceDeploymentsRequest,
  ListServiceDeploymentsResponse,
  StopServiceDeploymentRequest,
  StopServiceDeploymentResponse,
} from "@aws-sdk/client-ecs";
import { EcsError, invalidParameter } from "../../domain/errors.js";
import { paginate } from "../../domain/pagination.js";
import { scopeKey } from "../../domain/scope.js";
import { resolveHook } from "../../domain/lifecycle-hooks.js";
import { followDeployments, isOngoing, type StoredServiceDeployment } from "../../domain/service-history.js";
import { briefView, deploymentView, parseHistoryArn, revisionView, type ServiceRef } from "../../domain/service-history-view.js";
import { failureThreshold } from "../../scheduler/service/index.js";
import type { StoredService } from "../../state/ecs-state.js";
import type { EcsHandlers, RequestContext } from "./context.js";
import { rollBack } from "./deployment-rollback.js";
import { activeCluster } from "./lookup.js";
import { findService, serviceId } from "./services.js";

const MAX_DESCRIBE = 20;
const deploymentNotFound = () => new EcsError("ServiceDeploymentNotFoundException", "The service deployment does not exist.");

async function listServiceDeployments(ctx: RequestContext, input: ListServiceDeploymentsRequest): Promise<ListServiceDeploymentsResponse> {
  const cluster = (await activeCluster(ctx, input.cluster)).clusterName!;
  const stored = await findService(ctx, input.cluster, input.service!);
  if (!stored) throw new EcsError("ServiceNotFoundException", "Service not found.");
  const { before, after } = input.createdAt ?? {};
  const matching = (stored.history?.deployments ?? []).filter(
    (e) =>
      (!input.status?.length || input.status.includes(e.status)) &&
      (!before || e.createdAt.getTime() < before.getTime()) &&
      (!after || e.createdAt.getTime() > after.getTime()),
  );
  // Newest first, as the history keeps them.
  const page = paginate(matching, (e) => e.id, { ...input, defaultMax: 20, limit: 100 });
  const ref: ServiceRef = { scope: ctx.scope, cluster, service: stored.service.serviceName! };
  return { serviceDeployments: page.items.map((e) => briefView(ref, e)), ...(page.nextToken ? { nextToken: page.nextToken } : {}) };
}

/**
 * What each ARN names, read from its service's document (one read per service), in the
 * order asked; what is not there is a MISSING failure, as Describe* calls answer.
 */
async function describeEach<T>(
  ctx: RequestContext,
  arns: readonly string[],
  type: "service-deployment" | "service-revision",
  view: (stored: StoredService, ref: ServiceRef, id: string) => T | undefined,
): Promise<{ found: T[]; failures: Failure[] }> {
  if (arns.length < 1 || arns.length > MAX_DESCRIBE) {
    throw invalidParameter(
      `${type === "service-deployment" ? "serviceDeploymentArns" : "serviceRevisionArns"} must contain between 1 and 20 items.`,
    );
  }
  const services = new Map<string, Promise<StoredService | undefined>>();
  const found: T[] = [];
  const failures: Failure[] = [];
  for (const arn of arns) {
    const parsed = parseHistoryArn(ctx.scope, arn, type);
    const id = parsed && serviceId(parsed.cluster, parsed.service);
    if (id && !services.has(id)) services.set(id, ctx.state.services.get(ctx.scope, id));
    const stored = id ? await services.get(id) : undefined;
    const item =
      parsed && stored ? view(stored, { scope: ctx.scope, cluster: parsed.cluster, service: parsed.service }, parsed.id) : undefined;
    if (item) found.push(item);
    else failures.push({ arn, reason: "MISSING" });
  }
  return { found, failures };
}

function threshold(e: StoredServiceDeployment): number {
  return failureThreshold(e.target.requested, e.deploymentConfiguration.deploymentCircuitBreaker);
}

async function describeServiceDeployments(
  ctx: RequestContext,
  input: DescribeServiceDeploymentsRequest,
): Promise<DescribeServiceDeploymentsResponse> {
  const { found, failures } = await describeEach(ctx, input.serviceDeploymentArns ?? [], "service-deployment", (stored, ref, id) => {
    const entry = stored.history?.deployments.find((e) => e.id === id);
    return entry && deploymentView(ref, entry, threshold(entry));
  });
  return { serviceDeployments: found, failures };
}

async function describeServiceRevisions(
  ctx: RequestContext,
  input: DescribeServiceRevisionsRequest,
): Promise<DescribeServiceRevisionsResponse> {
  const { found, failures } = await describeEach(ctx, input.serviceRevisionArns ?? [], "service-revision", (stored, ref, id) => {
    const revision = stored.history?.revisions.find((r) => r.id === id);
    return revision && revisionView(ref, revision);
  });
  return { serviceRevisions: found, failures };
}

/** The service deployment an ARN names, with its service's id; ServiceDeploymentNotFoundException otherwise. */
async function findDeployment(ctx: RequestContext, arn: string) {
  const parsed = parseHistoryArn(ctx.scope, arn, "service-deployment");
  if (!parsed) throw deploymentNotFound();
  const id = serviceId(parsed.cluster, parsed.service);
  const stored = await ctx.state.services.get(ctx.scope, id);
  const entry = stored?.history?.deployments.find((e) => e.id === parsed.id);
  if (!stored || !entry) throw deploymentNotFound();
  return { id, entryId: entry.id };
}

async function stopServiceDeployment(ctx: RequestContext, input: StopServiceDeploymentRequest): Promise<StopServiceDeploymentResponse> {
  if (input.stopType === "ABORT") throw invalidParameter("The stop type ABORT is not supported. The valid value is ROLLBACK.");
  const arn = input.serviceDeploymentArn!;
  const { id, entryId } = await findDeployment(ctx, arn);
  await ctx.placementLock.run(scopeKey(ctx.scope), () =>
    ctx.state.services.write(ctx.scope, id, (cur) => {
      const entry = cur?.history?.deployments.find((e) => e.id === entryId);
      if (!cur || !cur.history || !entry) throw deploymentNotFound();
      if (!isOngoing(entry.status)) {
        throw new EcsError("ConflictException", `The service deployment ${arn} is ${entry.status} and cannot be stopped.`);
      }
      // Already stopping or rolling back: it carries on, as ECS's does.
      if (entry.status !== "PENDING" && entry.status !== "IN_PROGRESS") return undefined;
      if (cur.service.status !== "ACTIVE") throw new EcsError("ServiceNotActiveException", "Service was not ACTIVE.");
      const next = rollBack(cur, entry, ctx.now);
      if (!next) throw invalidParameter(`The service deployment ${arn} has no previous service revision to roll back to.`);
      return next;
    }),
  );
  ctx.scheduler.poke(ctx.scope, id);
  return { serviceDeploymentArn: arn };
}

/**
 * Acts on a PAUSE hook the deployment awaits: CONTINUE lets the reconciler take it on to its
 * next stage (the hook SUCCEEDED), ROLLBACK rolls it back as StopServiceDeployment does (the
 * hook FAILED). Only an IN_PROGRESS service deployment's hook AWAITING_ACTION can be acted on.
 */
async function continueServiceDeployment(
  ctx: RequestContext,
  input: ContinueServiceDeploymentRequest,
): Promise<ContinueServiceDeploymentResponse> {
  const arn = input.serviceDeploymentArn!;
  const hookId = input.hookId!;
  const action = input.action ?? "CONTINUE";
  const { id, entryId } = await findDeployment(ctx, arn);
  await ctx.placementLock.run(scopeKey(ctx.scope), () =>
    ctx.state.services.write(ctx.scope, id, (cur) => {
      const entry = cur?.history?.deployments.find((e) => e.id === entryId);
      if (!cur || !cur.history || !entry) throw deploymentNotFound();
      const record = cur.deployments.find((d) => d.id === entry.deploymentId);
      const hook = record?.lifecycle?.hooks.find((h) => h.hookId === hookId);
      if (!record?.lifecycle || !hook)
        throw invalidParameter(`The lifecycle hook ${hookId} does not exist for the service deployment ${arn}.`);
      if (entry.status !== "IN_PROGRESS") {
        throw invalidParameter(
          `The service deployment ${arn} is ${entry.status}. Only an IN_PROGRESS service deployment can be continued.`,
        );
      }
      if (hook.status !== "AWAITING_ACTION") throw invalidParameter(`The lifecycle hook ${hookId} is not awaiting an action.`);
      const resolved = {
        ...record,
        lifecycle: resolveHook(record.lifecycle, hookId, action === "CONTINUE" ? "SUCCEEDED" : "FAILED"),
        updatedAt: ctx.now,
      };
      const deployments = cur.deployments.map((d) => (d.id === record.id ? resolved : d));
      const next = { ...cur, deployments, history: followDeployments(cur.history, deployments, ctx.now) };
      if (action === "CONTINUE") return next;
      if (cur.service.status !== "ACTIVE") throw new EcsError("ServiceNotActiveException", "Service was not ACTIVE.");
      const rolledBack = rollBack(
        next,
        next.history.deployments.find((e) => e.id === entryId)!,
        ctx.now,
      );
      if (!rolledBack) throw invalidParameter(`The service deployment ${arn} has no previous service revision to roll back to.`);
      return rolledBack;
    }),
  );
  ctx.scheduler.poke(ctx.scope, id);
  return { serviceDeploymentArn: arn };
}

export const serviceDeploymentOperations = {
  ListServiceDeployments: listServiceDeployments,
  DescribeServiceDeployments: describeServiceDeployments,
  DescribeServiceRevisions: describeServiceRevisions,
  StopServiceDeployment: stopServiceDeployment,
  ContinueServiceDeployment: continueServiceDeployment,
} satisfies EcsHandlers;
