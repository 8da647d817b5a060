// Registering and deregistering a target group's targets: pure changes of its stored document,
// shared by RegisterTargets/DeregisterTargets and by ECS registering a service's tasks. A
// deregistered target drains for the group's deregistration delay (its open connections may
// finish, it takes no new ones), then is gone.
import type { TargetGroupAttribute } from "@aws-sdk/client-elastic-load-balancing-v2";
import type { StoredTarget, StoredTargetGroup } from "./documents.js";

export interface TargetRef {
  id: string;
  port: number;
}

export const sameTarget = (a: TargetRef, b: TargetRef) => a.id === b.id && a.port === b.port;

/** The group's attribute `key` (every attribute is stored, defaults included), or `fallback`. */
export function attributeOf(attributes: readonly TargetGroupAttribute[], key: string, fallback: string): string {
  return attributes.find((a) => a.Key === key)?.Value ?? fallback;
}

/** deregistration_delay.timeout_seconds (ELB's default: 300). */
export function deregistrationDelaySeconds(group: StoredTargetGroup): number {
  return Number(attributeOf(group.attributes, "deregistration_delay.timeout_seconds", "300"));
}

/**
 * The group with `targets` registered: new ones added, a draining one registered again (its
 * drain ends), one already registered left as it was. Undefined when nothing changes.
 */
export function withTargetsRegistered(group: StoredTargetGroup, targets: readonly StoredTarget[]): StoredTargetGroup | undefined {
  let changed = false;
  const next = [...group.targets];
  for (const target of targets) {
    const at = next.findIndex((t) => sameTarget(t, target));
    if (at < 0) {
      next.push(target);
      changed = true;
    } else if (next[at]!.draining) {
      next[at] = { ...target };
      changed = true;
    }
  }
  return changed ? { ...group, targets: next } : undefined;
}

/**
 * The group with `targets` deregistered at `now`: each drains until now + the group's delay
 * (removed at once when the delay is 0). Targets not registered, or already draining, are left
 * as they are. Undefined when nothing changes.
 */
export function withTargetsDeregistered(
  group: StoredTargetGroup,
  targets: readonly TargetRef[],
  now: number,
): StoredTargetGroup | undefined {
  const delayMs = deregistrationDelaySeconds(group) * 1000;
  let changed = false;
  const next: StoredTarget[] = [];
  for (const t of group.targets) {
    if (t.draining || !targets.some((r) => sameTarget(r, t))) {
      next.push(t);
      continue;
    }
    changed = true;
    if (delayMs > 0) next.push({ ...t, draining: { since: now, until: now + delayMs } });
  }
  return changed ? { ...group, targets: next } : undefined;
}

/** The group without the targets whose drain has ended by `now`; undefined when none has. */
export function withDrainedRemoved(group: StoredTargetGroup, now: number): StoredTargetGroup | undefined {
  const next = group.targets.filter((t) => !t.draining || t.draining.until > now);
  return next.length === group.targets.length ? undefined : { ...group, targets: next };
}
