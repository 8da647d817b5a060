// What HAProxy's `show stat` says of a checked server, as ELB's observation of a target. A
// server HAProxy takes up is still `initial` until the engine has seen it pass its checks for
// the healthy threshold (HAProxy 2.6 counts a server added or enabled as up at once; the
// engine keeps it at weight 0 meanwhile).
import type { HealthCheckFailure, ObservedHealth } from "../../domain/elbv2/target-health.js";

/** The failure a check status names ("L4TOUT", "L7STS" …), or undefined for a pass or no check yet. */
export function checkFailure(checkStatus: string, checkCode: string): HealthCheckFailure | undefined {
  const status = checkStatus.replace(/^\* /, "");
  switch (status) {
    case "L4TOUT":
    case "L6TOUT":
    case "L7TOUT":
      return { kind: "timeout" };
    case "L7STS": {
      // An answer with a status line; without a code to name it is no mismatch, only a failure.
      const code = Number(checkCode);
      return checkCode !== "" && Number.isInteger(code) ? { kind: "response-code", code } : { kind: "connection" };
    }
    case "L4CON":
    case "L6RSP":
    case "L7RSP":
    case "SOCKERR":
      return { kind: "connection" };
    default:
      return undefined;
  }
}

/** Whether HAProxy counts the server up (possibly draining, or going down but not yet down). */
export const statusUp = (status: string) => /^(UP|DRAIN|NOLB|no check)/.test(status);

/** The observation of one server: `promoted` once it has passed its healthy threshold. */
export function observedOf(
  row: { status: string; checkStatus: string; checkCode: string },
  promoted: boolean,
): Omit<ObservedHealth, "since"> {
  const up = statusUp(row.status);
  if (up) return { status: promoted ? "healthy" : "initial" };
  const failure = checkFailure(row.checkStatus, row.checkCode);
  return { status: "unhealthy", ...(failure ? { failure } : {}) };
}

const rank = { healthy: 0, initial: 1, unhealthy: 2 } as const;

/**
 * One observation of a target from those of the load balancers that use its group: ELB
 * reports a target per group, and berth's load balancers each check it from their own
 * address, so the best one stands (a target any load balancer reaches is healthy).
 */
export const better = (a: ObservedHealth, b: ObservedHealth): ObservedHealth => (rank[b.status] < rank[a.status] ? b : a);
