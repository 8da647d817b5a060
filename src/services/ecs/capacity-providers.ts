import type {
  CapacityProvider,
  CreateCapacityProviderRequest,
  CreateCapacityProviderResponse,
  DeleteCapacityProviderRequest,
  DeleteCapacityProviderResponse,
  DescribeCapacityProvidersRequest,
  DescribeCapacityProvidersResponse,
  Failure,
  UpdateCapacityProviderRequest,
  UpdateCapacityProviderResponse,
} from "@aws-sdk/client-ecs";
import { capacityProviderArn, nameFromRef } from "../../domain/arn.js";
import {
  BUILT_IN_CAPACITY_PROVIDERS,
  assertAutoScalingGroupUnused,
  associatedCluster,
  builtInCapacityProviders,
  deleted,
  deleteFailed,
  newCapacityProvider,
  withAsgDefaults,
  withScalingNote,
} from "../../domain/capacity-provider.js";
import { clientException, invalidParameter } from "../../domain/errors.js";
import { paginate } from "../../domain/pagination.js";
import { validateTags } from "../../domain/tags.js";
import type { EcsHandlers, RequestContext } from "./context.js";
import { activeCluster, capacityProvider } from "./lookup.js";

async function createCapacityProvider(ctx: RequestContext, input: CreateCapacityProviderRequest): Promise<CreateCapacityProviderResponse> {
  validateTags(input.tags ?? []);
  const fresh = newCapacityProvider(ctx.scope, input);
  assertAutoScalingGroupUnused(fresh, await ctx.state.capacityProviders.list(ctx.scope));
  const created = await ctx.state.capacityProviders.write(ctx.scope, fresh.name!, (current) => {
    if (current && current.status !== "INACTIVE") {
      throw clientException(
        "The specified capacity provider already exists. To change the configuration of an existing capacity provider, update the capacity provider.",
      );
    }
    return fresh;
  });
  return { capacityProvider: created };
}

function view(cp: CapacityProvider, withTags: boolean): CapacityProvider {
  return { ...cp, tags: withTags ? (cp.tags ?? []) : [] };
}

async function describeCapacityProviders(
  ctx: RequestContext,
  input: DescribeCapacityProvidersRequest,
): Promise<DescribeCapacityProvidersResponse> {
  const withTags = input.include?.includes("TAGS") ?? false;
  if ((input.capacityProviders?.length ?? 0) > 100) {
    throw invalidParameter("The capacityProviders parameter can contain at most 100 items.");
  }
  // With a cluster, only the providers associated with it.
  const associated = input.cluster ? ((await activeCluster(ctx, input.cluster)).capacityProviders ?? []) : undefined;
  const failures: Failure[] = [];
  let found: CapacityProvider[];
  if (input.capacityProviders?.length) {
    found = [];
    for (const ref of input.capacityProviders) {
      const cp = await capacityProvider(ctx, ref);
      if (cp) found.push(cp);
      else failures.push({ arn: ref.startsWith("arn:") ? ref : capacityProviderArn(ctx.scope, ref), reason: "MISSING" });
    }
  } else {
    const own = await ctx.state.capacityProviders.list(ctx.scope, { status: "ACTIVE" });
    found = [...own.sort((a, b) => a.name!.localeCompare(b.name!)), ...builtInCapacityProviders(ctx.scope)];
  }
  if (associated) found = found.filter((cp) => associated.includes(cp.name!));
  const page = paginate(found, (cp) => cp.name!, { ...input, defaultMax: 10, limit: 10 });
  return { capacityProviders: page.items.map((cp) => view(cp, withTags)), failures, nextToken: page.nextToken };
}

function ownName(ctx: RequestContext, ref: string): string {
  const name = nameFromRef(ctx.scope, ref, "capacity-provider") ?? ref;
  if ((BUILT_IN_CAPACITY_PROVIDERS as readonly string[]).includes(name)) {
    throw invalidParameter(`The specified capacity provider '${name}' is reserved and cannot be modified.`);
  }
  return name;
}

const notFound = () => clientException("The specified capacity provider does not exist. Specify a valid name or ARN and try again.");

async function updateCapacityProvider(ctx: RequestContext, input: UpdateCapacityProviderRequest): Promise<UpdateCapacityProviderResponse> {
  const name = ownName(ctx, input.name!);
  const updated = await ctx.state.capacityProviders.write(ctx.scope, name, (current) => {
    if (!current || current.status !== "ACTIVE") throw notFound();
    const { updateStatusReason: _reason, ...rest } = current;
    const next: CapacityProvider = { ...rest, updateStatus: "UPDATE_COMPLETE" };
    if (input.autoScalingGroupProvider) {
      if (!current.autoScalingGroupProvider) throw invalidParameter("This capacity provider has no Auto Scaling group provider.");
      const change = input.autoScalingGroupProvider;
      next.autoScalingGroupProvider = withAsgDefaults({
        ...current.autoScalingGroupProvider,
        managedScaling: { ...current.autoScalingGroupProvider.managedScaling, ...change.managedScaling },
        managedTerminationProtection: change.managedTerminationProtection ?? current.autoScalingGroupProvider.managedTerminationProtection,
        managedDraining: change.managedDraining ?? current.autoScalingGroupProvider.managedDraining,
      });
    }
    if (input.managedInstancesProvider) {
      next.managedInstancesProvider = {
        ...current.managedInstancesProvider,
        ...input.managedInstancesProvider,
      } as CapacityProvider["managedInstancesProvider"];
    }
    return withScalingNote(next);
  });
  // ECS answers while the update is in progress; berth applies it at once, so the next
  // DescribeCapacityProviders already shows UPDATE_COMPLETE.
  return { capacityProvider: { ...updated!, updateStatus: "UPDATE_IN_PROGRESS" } };
}

async function deleteCapacityProvider(ctx: RequestContext, input: DeleteCapacityProviderRequest): Promise<DeleteCapacityProviderResponse> {
  const name = ownName(ctx, input.capacityProvider!);
  const blocker = associatedCluster(name, await ctx.state.clusters.list(ctx.scope, { status: "ACTIVE" }));
  const result = await ctx.state.capacityProviders.write(ctx.scope, name, (current) => {
    if (!current || current.status !== "ACTIVE") throw notFound();
    return blocker ? deleteFailed(current, blocker.clusterName!) : deleted(current);
  });
  // Like ECS: a provider still associated with a cluster is not deleted, and the answer says
  // why (updateStatus DELETE_FAILED). Otherwise ECS answers ACTIVE / DELETE_IN_PROGRESS; berth
  // finishes at once, so the next DescribeCapacityProviders shows INACTIVE / DELETE_COMPLETE.
  if (blocker) return { capacityProvider: result };
  return { capacityProvider: { ...result!, status: "ACTIVE", updateStatus: "DELETE_IN_PROGRESS" } };
}

export const capacityProviderOperations = {
  CreateCapacityProvider: createCapacityProvider,
  DescribeCapacityProviders: describeCapacityProviders,
  UpdateCapacityProvider: updateCapacityProvider,
  DeleteCapacityProvider: deleteCapacityProvider,
} satisfies EcsHandlers;
