// Turns a PlacementRequest into the filter chain and strategy list placement runs,
// checking what the API model leaves loose (strategy fields, constraint expressions).
// Errors here are the caller's mistake: the API layer maps them to InvalidParameterException.
import { agentConnected } from "./filters/agent.js";
import { cpu } from "./filters/cpu.js";
import { distinctInstance } from "./filters/distinct-instance.js";
import type { Filter } from "./filters/filter.js";
import { memberOf } from "./filters/member-of.js";
import { memory } from "./filters/memory.js";
import { hostPorts } from "./filters/ports.js";
import { requiredAttributes } from "./filters/required-attributes.js";
import { parseExpression } from "./query.js";
import type { PlacementConstraint, PlacementRequest, PlacementStrategy } from "./types.js";

export class PlacementError extends Error {
  override readonly name = "PlacementError";
}

export type Strategy =
  { type: "binpack"; field: "cpu" | "memory" } | { type: "spreadInstances" } | { type: "spreadAttribute"; attribute: string };

export interface CompiledRequest {
  /** In the order ECS checks them; the first refusal is the reported reason. */
  filters: Filter[];
  /** Rank strategies in order; a `random` strategy ends the list (ties then go to the rng). */
  strategies: Strategy[];
}

export function compileRequest(request: PlacementRequest): CompiledRequest {
  const { needs } = request;
  const filters: (Filter | undefined)[] = [
    agentConnected,
    requiredAttributes(needs),
    cpu,
    memory,
    hostPorts(needs, "tcp"),
    hostPorts(needs, "udp"),
    ...compileConstraints(request.constraints),
  ];
  return { filters: filters.filter((f): f is Filter => f !== undefined), strategies: compileStrategies(request.strategy) };
}

function compileConstraints(constraints: readonly PlacementConstraint[]): Filter[] {
  const filters: Filter[] = [];
  let distinct = false;
  for (const constraint of constraints) {
    if (constraint.type === "memberOf") {
      if (!constraint.expression?.trim()) throw new PlacementError("A memberOf placement constraint requires an expression.");
      filters.push(memberOf(parseExpression(constraint.expression), constraint.expression));
    } else if (constraint.type === "distinctInstance") {
      if (constraint.expression) throw new PlacementError("A distinctInstance placement constraint cannot have an expression.");
      distinct = true;
    } else {
      throw new PlacementError(`Unknown placement constraint type: ${String(constraint.type)}.`);
    }
  }
  // Checked last: a reason that names the constraint beats one that names a resource only
  // when resources and memberOf were satisfied.
  if (distinct) filters.push(distinctInstance);
  return filters;
}

function compileStrategies(strategies: readonly PlacementStrategy[]): Strategy[] {
  const compiled: Strategy[] = [];
  for (const { type, field } of strategies) {
    if (type === "random") break; // a uniform pick leaves no ties for later strategies
    if (type === "binpack") {
      const resource = field?.toLowerCase();
      if (resource !== "cpu" && resource !== "memory") {
        throw new PlacementError(`The binpack placement strategy field must be cpu or memory, not ${field ?? "empty"}.`);
      }
      compiled.push({ type: "binpack", field: resource });
    } else if (type === "spread") {
      if (!field) throw new PlacementError("The spread placement strategy requires a field.");
      const lower = field.toLowerCase();
      if (lower === "instanceid" || lower === "host") compiled.push({ type: "spreadInstances" });
      else if (lower.startsWith("attribute:") && field.length > "attribute:".length) {
        compiled.push({ type: "spreadAttribute", attribute: field.slice("attribute:".length) });
      } else {
        throw new PlacementError(`The spread placement strategy field must be instanceId, host or attribute:<name>, not ${field}.`);
      }
    } else {
      throw new PlacementError(`Unknown placement strategy type: ${String(type)}.`);
    }
  }
  return compiled;
}
