// Elastic Load Balancing (v2) on berth's front door: load balancers, listeners and their
// rules, target groups and their targets. A data plane (src/dataplane) moves the traffic the
// way these documents say; ECS registers a service's tasks in its target groups.
import type * as Elbv2Sdk from "@aws-sdk/client-elastic-load-balancing-v2";
import { defineService, type AwsService } from "../../aws/service.js";
import { accountLimitsOperations } from "./account-limits.js";
import type { Elbv2Context, Elbv2Deps, Elbv2Handlers } from "./context.js";
import { Elbv2Error, elbv2Errors } from "./errors.js";
import { listenersOperations } from "./listeners.js";
import { loadBalancersOperations } from "./load-balancers.js";
import { elbv2Model } from "./model.js";
import { rulesOperations } from "./rules.js";
import { tagsOperations } from "./tags.js";
import { targetGroupsOperations } from "./target-groups.js";
import { targetsOperations } from "./targets.js";

export const elbv2Operations: Elbv2Handlers = {
  ...loadBalancersOperations,
  ...listenersOperations,
  ...rulesOperations,
  ...targetGroupsOperations,
  ...targetsOperations,
  ...tagsOperations,
  ...accountLimitsOperations,
};

export function elbv2Service(deps: Elbv2Deps): AwsService {
  return defineService<typeof Elbv2Sdk, Elbv2Context>({
    model: elbv2Model(),
    handlers: elbv2Operations,
    context: (caller, now) => ({
      scope: caller.scope,
      log: caller.log,
      now,
      state: deps.state,
      health: deps.health,
      placementLock: deps.placementLock,
      hostPortBindIp: deps.hostPortBindIp,
    }),
    errors: elbv2Errors,
    violation: (message) => new Elbv2Error("ValidationError", message),
    notImplemented: (operation) =>
      new Elbv2Error("NotImplemented", `${operation} is part of the Elastic Load Balancing API but is not implemented by berth.`),
  });
}
