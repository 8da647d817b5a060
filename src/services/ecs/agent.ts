// The operations only agents call: registering a host, reporting task and container
// state, and finding the endpoint of the agent channel.
import type {
  DiscoverPollEndpointRequest,
  DiscoverPollEndpointResponse,
  RegisterContainerInstanceRequest,
  RegisterContainerInstanceResponse,
  SubmitAttachmentStateChangesRequest,
  SubmitAttachmentStateChangesResponse,
  SubmitContainerStateChangeRequest,
  SubmitContainerStateChangeResponse,
  SubmitTaskStateChangeRequest,
  SubmitTaskStateChangeResponse,
} from "@aws-sdk/client-ecs";
import { CHANNEL_PATH } from "../../wire/agent-channel.js";
import {
  FARGATE_HOST_ATTRIBUTE,
  containerInstanceArnOf,
  identityDocumentInstanceId,
  newContainerInstance,
  registeredResources,
  defaultAttributes,
} from "../../domain/container-instance.js";
import { idFromRef } from "../../domain/arn.js";
import { clientException, invalidParameter } from "../../domain/errors.js";
import { newResourceId } from "../../domain/ids.js";
import { validateTags } from "../../domain/tags.js";
import { applyTaskReport, type ContainerReport, type TaskReport } from "../../domain/task/lifecycle.js";
import type { EcsHandlers, RequestContext } from "./context.js";
import { clusterName } from "./lookup.js";
import { describeInstance } from "./container-instances.js";
import { inAskedCluster, taskIdOf } from "./tasks.js";

/**
 * The cluster an agent names. ECS creates none on the spot, not even `default`: it answers
 * "Cluster not found." (a ClientException: the operation has no ClusterNotFoundException),
 * and the agent creates `default` itself and registers again (src/agent/control-plane-client.ts).
 */
async function agentCluster(ctx: RequestContext, ref: string | undefined): Promise<string> {
  const name = clusterName(ctx, ref);
  const cluster = await ctx.state.clusters.get(ctx.scope, name);
  if (!cluster || cluster.status !== "ACTIVE") throw clientException("Cluster not found.");
  return name;
}

async function registerContainerInstance(
  ctx: RequestContext,
  input: RegisterContainerInstanceRequest,
): Promise<RegisterContainerInstanceResponse> {
  validateTags(input.tags ?? []);
  const fargateHost = (input.attributes ?? []).some((a) => a.name === FARGATE_HOST_ATTRIBUTE && a.value === "fargate");
  const cluster = fargateHost ? "" : await agentCluster(ctx, input.cluster);
  // Re-registration of a known instance keeps its identity (the agent restarted).
  const existingId = input.containerInstanceArn && idFromRef(input.containerInstanceArn);
  const id = existingId && (await ctx.state.instances.get(ctx.scope, existingId)) ? existingId : newResourceId();
  const ec2InstanceId = identityDocumentInstanceId(input.instanceIdentityDocument) ?? `i-${newResourceId().slice(0, 17)}`;
  const stored = await ctx.state.instances.write(ctx.scope, id, (cur) => {
    if (cur && cur.instance.status !== "INACTIVE") {
      return {
        ...cur,
        lastSeenAt: ctx.now,
        instance: {
          ...cur.instance,
          version: (cur.instance.version ?? 0) + 1,
          versionInfo: input.versionInfo ?? cur.instance.versionInfo,
          registeredResources: registeredResources(input.totalResources),
          attributes: defaultAttributes(
            input.instanceIdentityDocument,
            [...(cur.instance.attributes ?? []).filter((a) => !a.name!.startsWith("ecs.")), ...(input.attributes ?? [])],
            input.versionInfo ?? cur.instance.versionInfo,
          ),
        },
      };
    }
    const instance = newContainerInstance({ scope: ctx.scope, cluster, id, ec2InstanceId, request: input, now: ctx.now });
    if (fargateHost) instance.containerInstanceArn = containerInstanceArnOf(ctx.scope, "FARGATE", id);
    return { id, cluster, fargateHost, instance, lastSeenAt: ctx.now };
  });
  // A new host may be where a waiting service's tasks fit, or where a DAEMON belongs.
  if (!fargateHost) await ctx.scheduler.pokeCluster(ctx.scope, cluster);
  return { containerInstance: await describeInstance(ctx, stored!) };
}

async function discoverPollEndpoint(ctx: RequestContext, _input: DiscoverPollEndpointRequest): Promise<DiscoverPollEndpointResponse> {
  const endpoint = `${ctx.endpoint}${CHANNEL_PATH}`;
  return { endpoint, telemetryEndpoint: endpoint, serviceConnectEndpoint: endpoint };
}

async function report(ctx: RequestContext, clusterRef: string | undefined, taskRef: string | undefined, change: TaskReport) {
  if (!taskRef) throw invalidParameter("task is required.");
  const ref: string = taskRef;
  const notFound = () => invalidParameter(`The referenced task was not found: ${ref}`);
  const id = taskIdOf(ref);
  if (id === undefined) throw notFound();
  let found = false;
  // The task is looked up by the write itself: one read of it per report, not two.
  const updated = await ctx.state.tasks.write(
    ctx.scope,
    id,
    (cur) => {
      if (!cur || !inAskedCluster(ctx, clusterRef, ref, cur)) return undefined;
      found = true;
      const task = applyTaskReport(cur.task, cur.taskDefinition, change, ctx.now);
      return task === cur.task ? undefined : { ...cur, task };
    },
    { grouped: true },
  ); // every agent reports every task: these share commits under load
  if (!found) throw notFound();
  // A stop decided here (an essential container exited) must reach the agent.
  if (updated?.task.desiredStatus === "STOPPED") ctx.hosts.bump(ctx.scope, updated.hostId, id);
  // The service that owns the task may have something to do about it.
  if (updated?.task.group?.startsWith("service:")) ctx.scheduler.poke(ctx.scope, `${updated.cluster}/${updated.task.group.slice(8)}`);
  return { acknowledgment: "ACK" };
}

const asStatus = (s: string | undefined) =>
  s === "PENDING" || s === "RUNNING" || s === "STOPPED" ? s : s === undefined ? undefined : badStatus(s);

function badStatus(s: string): never {
  throw invalidParameter(`Invalid status '${s}'. Valid values: PENDING, RUNNING, STOPPED.`);
}

async function submitTaskStateChange(ctx: RequestContext, input: SubmitTaskStateChangeRequest): Promise<SubmitTaskStateChangeResponse> {
  const containers: ContainerReport[] = (input.containers ?? []).map((c) => ({
    containerName: c.containerName!,
    status: asStatus(c.status),
    runtimeId: c.runtimeId,
    exitCode: c.exitCode,
    reason: c.reason,
    imageDigest: c.imageDigest,
    networkBindings: c.networkBindings,
  }));
  return report(ctx, input.cluster, input.task, {
    status: asStatus(input.status),
    reason: input.reason,
    containers,
    pullStartedAt: input.pullStartedAt,
    pullStoppedAt: input.pullStoppedAt,
    executionStoppedAt: input.executionStoppedAt,
  });
}

async function submitContainerStateChange(
  ctx: RequestContext,
  input: SubmitContainerStateChangeRequest,
): Promise<SubmitContainerStateChangeResponse> {
  if (!input.containerName) throw invalidParameter("containerName is required.");
  return report(ctx, input.cluster, input.task, {
    containers: [
      {
        containerName: input.containerName,
        status: asStatus(input.status),
        runtimeId: input.runtimeId,
        exitCode: input.exitCode,
        reason: input.reason,
        networkBindings: input.networkBindings,
      },
    ],
  });
}

async function submitAttachmentStateChanges(
  ctx: RequestContext,
  input: SubmitAttachmentStateChangesRequest,
): Promise<SubmitAttachmentStateChangesResponse> {
  // Find every attachment's task first (one read), so an unknown one changes nothing.
  const live = await ctx.state.tasks.list(ctx.scope, { status: "LIVE" });
  const owners = (input.attachments ?? []).map((change) => {
    const owner = live.find((t) => t.task.attachments?.some((a) => change.attachmentArn!.endsWith(a.id!)));
    if (!owner) throw invalidParameter(`No attachment ${change.attachmentArn}.`);
    return { change, owner };
  });
  for (const { change, owner } of owners) {
    await ctx.state.tasks.write(ctx.scope, idFromRef(owner.task.taskArn!), (cur) =>
      cur
        ? {
            ...cur,
            task: {
              ...cur.task,
              version: cur.task.version! + 1,
              attachments: cur.task.attachments!.map((a) => (change.attachmentArn!.endsWith(a.id!) ? { ...a, status: change.status } : a)),
            },
          }
        : undefined,
    );
  }
  return { acknowledgment: "ACK" };
}

export const agentOperations = {
  RegisterContainerInstance: registerContainerInstance,
  DiscoverPollEndpoint: discoverPollEndpoint,
  SubmitTaskStateChange: submitTaskStateChange,
  SubmitContainerStateChange: submitContainerStateChange,
  SubmitAttachmentStateChanges: submitAttachmentStateChanges,
} satisfies EcsHandlers;
