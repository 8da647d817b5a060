// memberOf: the instance must satisfy a cluster query language expression. Expressions on
// task:group are re-evaluated as tasks land; the others depend on nothing placement changes.
import { type Expression, dependsOnTasks, matches } from "../query.js";
import { FailureReason } from "../types.js";
import type { Filter } from "./filter.js";

export function memberOf(expression: Expression): Filter {
  const dynamic = dependsOnTasks(expression);
  return {
    reason: FailureReason.memberOf,
    dynamic,
    admits: (cluster, i) => matches(expression, dynamic ? cluster.view(i) : cluster.instances[i]!),
  };
}
