// What DescribeTargetHealth answers of one target: ELB's state, reason and description from
// the stored registration (draining, or not registered at all), whether any load balancer
// uses the group (a group nobody forwards to checks nothing), and what the data plane's
// health checks have observed.
import type { TargetHealth, TargetHealthDescription } from "@aws-sdk/client-elastic-load-balancing-v2";
import type { StoredTarget } from "./documents.js";
import type { HealthCheckFailure, ObservedHealth } from "./target-health.js";

export interface HealthQuestion {
  /** The target as asked (or as registered when the caller named none). */
  target: { id: string; port: number; availabilityZone?: string };
  /** Its registration; undefined when it is not registered (or its drain has ended). */
  registered: StoredTarget | undefined;
  /** Whether a listener or rule of any load balancer forwards to the group. */
  inUse: boolean;
  /** The group's health check: enabled, and its port ("traffic-port" or a number). */
  healthCheck: { enabled: boolean; port: string };
  observed: ObservedHealth | undefined;
  now: number;
}

/** A registration whose drain has ended is gone, whether or not the document has been cleaned up yet. */
export const isLive = (target: StoredTarget, now: number) => !target.draining || target.draining.until > now;

export function targetHealthDescription(q: HealthQuestion): TargetHealthDescription {
  const registered = q.registered && isLive(q.registered, q.now) ? q.registered : undefined;
  const zone = registered?.availabilityZone ?? q.target.availabilityZone;
  return {
    Target: { Id: q.target.id, Port: q.target.port, ...(zone !== undefined ? { AvailabilityZone: zone } : {}) },
    HealthCheckPort: q.healthCheck.port === "traffic-port" ? String(q.target.port) : q.healthCheck.port,
    TargetHealth: targetHealth({ ...q, registered }),
  };
}

function targetHealth(q: HealthQuestion): TargetHealth {
  if (!q.registered) return state("unused", "Target.NotRegistered", "Target is not registered to the target group");
  if (q.registered.draining) return state("draining", "Target.DeregistrationInProgress", "Target deregistration is in progress");
  if (!q.inUse) return state("unused", "Target.NotInUse", "Target group is not configured to receive traffic from the load balancer");
  if (!q.healthCheck.enabled) return state("unavailable", "Target.HealthCheckDisabled", "Health checks are disabled");
  const seen = q.observed;
  if (!seen) return state("initial", "Elb.RegistrationInProgress", "Target registration is in progress");
  if (seen.status === "healthy") return { State: "healthy" };
  if (seen.status === "initial") return state("initial", "Elb.InitialHealthChecking", "Initial health checks in progress");
  return state("unhealthy", failureReasonCode(seen.failure), failureDescription(seen.failure));
}

/** ELB's reason code for a failed check. */
function failureReasonCode(failure: HealthCheckFailure | undefined): TargetHealth["Reason"] {
  if (failure?.kind === "timeout") return "Target.Timeout";
  if (failure?.kind === "response-code") return "Target.ResponseCodeMismatch";
  return "Target.FailedHealthChecks";
}

/** ELB's description of a failed check, as DescribeTargetHealth and ECS's service events word it. */
export function failureDescription(failure: HealthCheckFailure | undefined): string {
  if (failure?.kind === "timeout") return "Request timed out";
  if (failure?.kind === "response-code") return `Health checks failed with these codes: [${failure.code}]`;
  return "Health checks failed";
}

const state = (State: TargetHealth["State"], Reason: TargetHealth["Reason"], Description: string): TargetHealth => ({
  State,
  Reason,
  Description,
});
