// Why an instance could not take a task: what RunTask reports in `failures[]`, and what a
// service remembers of the placement it could not make (its next events name the reason).

/**
 * The reasons RunTask reports in `failures[]`. The RESOURCE:* and AGENT/ATTRIBUTE codes
 * are the ones the ECS developer guide lists ("API failure reasons"); the two constraint
 * sentences are the exact strings ECS reports when a constraint rules an instance out.
 */
export const FailureReason = {
  agent: "AGENT",
  attribute: "ATTRIBUTE",
  cpu: "RESOURCE:CPU",
  memory: "RESOURCE:MEMORY",
  ports: "RESOURCE:PORTS",
  portsUdp: "RESOURCE:PORTS_UDP",
  memberOf: "MemberOf placement constraint unsatisfied.",
  distinctInstance: "DistinctInstance placement constraint unsatisfied.",
  /** StartTask on a deregistered (or otherwise not ACTIVE) instance. */
  inactive: "INACTIVE",
} as const;

export type PlacementFailureReason = (typeof FailureReason)[keyof typeof FailureReason];

export interface PlacementFailure {
  arn: string;
  reason: PlacementFailureReason;
}
