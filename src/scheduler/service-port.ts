// What the service loop needs of the world, as plain data: which services there are, one
// service as the reconciler reads it, and a way to apply the reconciler's plan. The ECS
// control plane implements it on its state (src/services/ecs/service-scheduling.ts); the
// loop itself never sees storage, requests or agents.
import type { Scope } from "../domain/scope.js";
import type { Plan, ReconcileInput, UnplacedTasks } from "./service/index.js";

/** A service as the reconciler reads it; the loop adds the time and a fresh deployment id. */
export type ServiceSnapshot = Omit<ReconcileInput, "now" | "nextDeploymentId" | "nextHookId">;

/** What applying a plan did, as far as the loop's pacing cares. */
export interface AppliedPlan {
  /** How many tasks were started. */
  started: number;
  /** What could not be placed; the service keeps it for the next run. */
  unplaced: readonly UnplacedTasks[];
  /** How many tasks were registered in target groups (a task whose port is not bound yet waits). */
  registered?: number;
}

export interface ServicePort {
  /** Every account and region that holds state. */
  scopes(): Promise<Scope[]>;
  /** The ids ("cluster/name") of the scope's services that are not INACTIVE, from memory: read them, do not keep them. */
  serviceIds(scope: Scope): Promise<Iterable<string>>;
  /** Runs `section` while no other placement in the scope runs (RunTask, StartTask, UpdateService, DeleteService). */
  exclusive<T>(scope: Scope, section: () => Promise<T>): Promise<T>;
  /** The service as of `now`; undefined when there is none or it is INACTIVE. */
  read(scope: Scope, id: string, now: Date): Promise<ServiceSnapshot | undefined>;
  /** Applies `plan`, made from what `read` returned at `now`: its stops, its new tasks and the service's own record, as one unit. */
  apply(scope: Scope, id: string, plan: Plan, now: Date): Promise<AppliedPlan>;
}
