// ECS as one of the services on berth's front door: its model, its handlers, the context
// they get, how its errors look, and the task event stream it serves beside its operations.
import type * as EcsSdk from "@aws-sdk/client-ecs";
import { modeledError, type ServiceErrors } from "../../aws/errors.js";
import { defineService, type AwsService, type Route } from "../../aws/service.js";
import { EcsError } from "../../domain/errors.js";
import type { RequestContext } from "./context.js";
import { EVENTS_PATH, type TaskEventHub } from "./events/task-events.js";
import { ecsOperations } from "./index.js";
import { findActiveCluster } from "./lookup.js";
import { ecsModel } from "./model.js";
import { unservedOperation } from "./unsupported.js";
import { ecsViolation } from "./violation.js";

/** What ECS handlers share across requests: the parts of a request context that are not the request's. */
export type EcsDeps = Omit<RequestContext, "scope" | "log" | "principalArn" | "now" | "endpoint"> & {
  /** Where the task event stream's subscribers are kept. */
  events: TaskEventHub;
};

/** An EcsError's status comes from the model: ServerException is the service's fault, the rest the caller's. */
export const ecsErrors: ServiceErrors = {
  describe: (err) => (err instanceof EcsError ? modeledError(ecsModel(), err.name, err.message) : undefined),
  internalErrorCode: "ServerException",
};

export function ecsService(deps: EcsDeps): AwsService {
  const { state, hosts, placementLock, options, scheduler } = deps;
  return defineService<typeof EcsSdk, RequestContext>({
    model: ecsModel(),
    handlers: ecsOperations,
    // Built field by field, every request alike: a spread of the shared part made each
    // context a slow object to build and to read (bench/RESULTS.md).
    context: (caller, at) => ({
      scope: caller.scope,
      log: caller.log,
      principalArn: caller.principal.arn,
      now: at,
      state,
      hosts,
      placementLock,
      endpoint: caller.endpoint,
      options,
      scheduler,
    }),
    errors: ecsErrors,
    violation: ecsViolation,
    notImplemented: unservedOperation,
    routes: [taskEventsRoute(deps)],
  });
}

/** GET /berth/v1/events[?cluster=…]: the scope's task changes, or one ACTIVE cluster's (ClusterNotFoundException otherwise). */
function taskEventsRoute(deps: EcsDeps): Route {
  return {
    method: "GET",
    path: EVENTS_PATH,
    async serve(caller, query, res) {
      const ref = query.get("cluster") ?? undefined;
      const cluster = ref === undefined ? undefined : (await findActiveCluster(deps.state, caller.scope, ref)).clusterName!;
      deps.events.open(caller.scope, cluster, res, caller.requestId);
    },
  };
}
