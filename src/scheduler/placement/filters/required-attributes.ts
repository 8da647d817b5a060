// The task definition's requiresAttributes (capabilities such as
// com.amazonaws.ecs.capability.docker-remote-api.1.18): present, and equal when a value is
// given. A missing one is the ATTRIBUTE failure.
import { FailureReason, type TaskNeeds } from "../types.js";
import type { Filter } from "./filter.js";

export function requiredAttributes(needs: TaskNeeds): Filter | undefined {
  const required = needs.requiresAttributes;
  if (required.length === 0) return undefined;
  return {
    reason: FailureReason.attribute,
    dynamic: false,
    admits(cluster, i) {
      const attributes = cluster.instances[i]!.attributes;
      return required.every(({ name, value }) => Object.hasOwn(attributes, name) && (value === undefined || attributes[name] === value));
    },
  };
}
