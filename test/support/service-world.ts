// Builders and a tiny simulated cluster for the service reconciler's tests. It holds no test
// of its own: it lives here, named like a test file, only because the service tests' files
// are the ones this change may add; test/support/ is its natural home.
import { randomBytes } from "node:crypto";
import { newPauseHookId } from "../../src/domain/lifecycle-hooks.js";
import { isHealthy } from "../../src/scheduler/service/task-state.js";
import {
  type DeploymentRecord,
  type ObservedTask,
  type Plan,
  type ReconcileInput,
  type ServiceInstance,
  type ServiceSpec,
  type UnplacedTasks,
  deploymentBounds,
  emptyMemory,
  reconcile,
  startDeployment,
} from "../../src/scheduler/service/index.js";
import { mulberry32 } from "./random.js";
export { mulberry32 } from "./random.js";

export const T0 = new Date("2024-01-01T00:00:00Z");
export const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000);
export const TD1 = "arn:aws:ecs:us-east-1:123456789012:task-definition/web:1";
export const TD2 = "arn:aws:ecs:us-east-1:123456789012:task-definition/web:2";
export const DEP1 = "ecs-svc/1000000000000000001";
export const DEP2 = "ecs-svc/2000000000000000002";
export const NEXT = "ecs-svc/9000000000000000009";

export function service(overrides: Partial<ServiceSpec> = {}): ServiceSpec {
  return {
    serviceName: "web",
    serviceArn: "arn:aws:ecs:us-east-1:123456789012:service/default/web",
    status: "ACTIVE",
    desiredCount: 2,
    schedulingStrategy: "REPLICA",
    ...overrides,
  };
}

export function deployment(overrides: Partial<DeploymentRecord> = {}): DeploymentRecord {
  const id = overrides.id ?? DEP1;
  return {
    id,
    status: "PRIMARY",
    taskDefinition: TD1,
    desiredCount: 2,
    pendingCount: 0,
    runningCount: 0,
    failedTasks: 0,
    rolloutState: "IN_PROGRESS",
    rolloutStateReason: `ECS deployment ${id} in progress.`,
    createdAt: T0,
    updatedAt: T0,
    ...overrides,
  };
}

export const taskArn = (id: string) => `arn:aws:ecs:us-east-1:123456789012:task/default/${id.padStart(32, "0")}`;
export const instanceArn = (id: string) => `arn:aws:ecs:us-east-1:123456789012:container-instance/default/${id.padStart(32, "0")}`;

/** A healthy RUNNING task of DEP1 unless told otherwise. */
export function task(id: string, overrides: Partial<ObservedTask> = {}): ObservedTask {
  return {
    taskArn: taskArn(id),
    deploymentId: DEP1,
    lastStatus: "RUNNING",
    desiredStatus: "RUNNING",
    healthStatus: "UNKNOWN",
    hasHealthCheck: false,
    createdAt: T0,
    startedAt: T0,
    ...overrides,
  };
}

/** A task that stopped before it reached RUNNING. */
export const failedTask = (id: string, overrides: Partial<ObservedTask> = {}) =>
  task(id, {
    lastStatus: "STOPPED",
    desiredStatus: "STOPPED",
    startedAt: undefined,
    stoppedAt: at(1),
    stopCode: "TaskFailedToStart",
    stoppedReason: "CannotPullContainerError: pull access denied",
    ...overrides,
  });

export function instance(id: string, overrides: Partial<ServiceInstance> = {}): ServiceInstance {
  return { arn: instanceArn(id), status: "ACTIVE", agentConnected: true, eligible: true, ...overrides };
}

export function input(overrides: Partial<ReconcileInput> = {}): ReconcileInput {
  return {
    service: service(),
    deployments: [deployment()],
    tasks: [],
    instances: [],
    memory: emptyMemory(),
    now: at(10),
    nextDeploymentId: NEXT,
    nextHookId: newPauseHookId(randomBytes(32)),
    ...overrides,
  };
}

export const messages = (plan: Plan) => plan.events.map((e) => e.message);
export const started = (plan: Plan) => plan.start.reduce((n, s) => n + s.count, 0);
export const stoppedArns = (plan: Plan) => plan.stop.map((s) => s.taskArn);
export const primaryOf = (plan: Plan) => plan.deployments.find((d) => d.status === "PRIMARY")!;

/** What tasks of a task definition do in the simulated world. */
export interface Behaviour {
  /** Probability that a task stops before it reaches RUNNING. */
  failToStart?: number;
  /** Probability that a running task's health check says UNHEALTHY (implies a health check). */
  unhealthy?: number;
  healthCheck?: boolean;
  /** Steps a task takes to stop once asked (a PID 1 that ignores SIGTERM runs out its stopTimeout); default 1. */
  stopSteps?: number;
}

interface SimTask extends ObservedTask {
  taskDefinition: string;
  fate: { fails: boolean; unhealthy: boolean };
  /** Steps left before a task asked to stop has stopped. */
  stopIn?: number;
}

export interface StepResult {
  plan: Plan;
  /** Counted and healthy tasks before the plan and right after it was applied. */
  before: { counted: number; healthy: number };
  after: { counted: number; healthy: number };
}

/**
 * A cluster in miniature. Each step the reconciler runs on a snapshot, its plan is applied
 * (stopped tasks get desired STOPPED, new tasks are PROVISIONING), then time moves on: a
 * task started in the previous step reaches RUNNING (or fails to start), a running task with
 * a health check gets its verdict, a stopping task is STOPPED. Idle steps jump to `wakeAt`.
 */
export class World {
  now = T0;
  service: ServiceSpec;
  deployments: DeploymentRecord[];
  tasks: SimTask[] = [];
  memory = emptyMemory();
  events: string[] = [];
  /** The same events with the time the loop would have written them. */
  eventLog: { at: number; message: string }[] = [];
  instances: ServiceInstance[];
  unplaced: UnplacedTasks[] = [];
  /** Tasks the loop may place per step (REPLICA); beyond it they are reported unplaced. */
  capacity = Number.POSITIVE_INFINITY;
  private seq = 0;
  private ids = 0;

  constructor(
    spec: Partial<ServiceSpec>,
    public behaviours: Record<string, Behaviour> = {},
    private readonly rng: () => number = mulberry32(1),
    instances: ServiceInstance[] = [instance("a"), instance("b")],
  ) {
    this.service = service(spec);
    this.instances = instances;
    this.deployments = startDeployment([], { id: this.newId(), taskDefinition: TD1, desiredCount: this.service.desiredCount }, this.now);
  }

  newId(): string {
    this.ids += 1;
    return `ecs-svc/${String(this.ids).padStart(19, "1")}`;
  }

  get primary(): DeploymentRecord {
    return this.deployments.find((d) => d.status === "PRIMARY")!;
  }

  /** UpdateService with a new task definition. */
  deploy(taskDefinition: string): void {
    this.deployments = startDeployment(
      this.deployments,
      { id: this.newId(), taskDefinition, desiredCount: this.service.desiredCount },
      this.now,
    );
  }

  counts(): { counted: number; healthy: number } {
    const grace = this.service.healthCheckGracePeriodSeconds ?? 0;
    return {
      // The world's own reading, not the reconciler's: a task holds its place until it has stopped.
      counted: this.tasks.filter((t) => t.lastStatus !== "STOPPED").length,
      healthy: this.tasks.filter((t) => isHealthy(t, this.now, grace)).length,
    };
  }

  bounds() {
    const desired =
      this.service.schedulingStrategy === "DAEMON"
        ? this.instances.filter((i) => i.status === "ACTIVE" && i.eligible).length
        : this.service.desiredCount;
    return deploymentBounds(
      this.service.schedulingStrategy,
      this.service.deploymentConfiguration,
      this.service.status === "ACTIVE" ? desired : 0,
    );
  }

  step(): StepResult {
    const before = this.counts();
    const plan = reconcile({
      service: this.service,
      deployments: this.deployments,
      tasks: this.tasks,
      instances: this.instances,
      memory: this.memory,
      now: this.now,
      nextDeploymentId: this.newId(),
      nextHookId: newPauseHookId(randomBytes(32)),
      unplaced: this.unplaced,
    });
    this.apply(plan);
    const after = this.counts();
    const busy = plan.start.length > 0 || plan.stop.length > 0 || this.tasks.some((t) => this.inFlux(t));
    const next = this.now.getTime() + 5000;
    this.advance(new Date(!busy && plan.wakeAt ? Math.max(plan.wakeAt.getTime(), next) : next));
    return { plan, before, after };
  }

  run(steps: number, check?: (result: StepResult) => void): void {
    for (let i = 0; i < steps; i++) {
      const result = this.step();
      check?.(result);
    }
  }

  /** Steady: one deployment, completed, desired tasks all running. */
  get steady(): boolean {
    const p = this.primary;
    const live = this.tasks.filter((t) => t.lastStatus !== "STOPPED");
    return (
      this.deployments.filter((d) => d.status !== "INACTIVE").length === 1 &&
      p.rolloutState === "COMPLETED" &&
      live.length === this.bounds().desired &&
      live.every((t) => t.lastStatus === "RUNNING" && t.desiredStatus === "RUNNING" && t.deploymentId === p.id)
    );
  }

  private apply(plan: Plan): void {
    const stops = new Map(plan.stop.map((s) => [s.taskArn, s.reason]));
    this.tasks = this.tasks.map((t) =>
      stops.has(t.taskArn)
        ? { ...t, desiredStatus: "STOPPED", stopCode: "ServiceSchedulerInitiated", stoppedReason: stops.get(t.taskArn) }
        : t,
    );
    this.unplaced = [];
    const active = this.instances.filter((i) => i.status === "ACTIVE" && i.agentConnected);
    for (const start of plan.start) {
      const target = start.instanceArn;
      const placeable = target ? start.count : active.length === 0 ? 0 : Math.min(start.count, this.capacity);
      if (placeable < start.count) {
        const failures = active.length > 0 ? [{ arn: active[0]!.arn, reason: "RESOURCE:MEMORY" as const }] : [];
        this.unplaced.push({
          deploymentId: start.deploymentId,
          count: start.count - placeable,
          failures,
          noContainerInstances: active.length === 0,
        });
      }
      for (let i = 0; i < placeable; i++)
        this.tasks.push(this.newTask(start.deploymentId, start.taskDefinition, target ?? active[this.seq % active.length]!.arn));
    }
    this.deployments = plan.deployments.filter((d) => d.status !== "INACTIVE");
    this.memory = JSON.parse(JSON.stringify(plan.memory));
    this.events.push(...plan.events.map((e) => e.message));
    this.eventLog.push(...plan.events.map((e) => ({ at: this.now.getTime(), message: e.message })));
    if (plan.serviceStatus) this.service = { ...this.service, status: plan.serviceStatus };
  }

  private newTask(deploymentId: string, taskDefinition: string, containerInstanceArn: string): SimTask {
    this.seq += 1;
    const b = this.behaviours[taskDefinition] ?? {};
    return {
      taskArn: taskArn(`t${this.seq}`),
      deploymentId,
      taskDefinition,
      lastStatus: "PROVISIONING",
      desiredStatus: "RUNNING",
      healthStatus: "UNKNOWN",
      hasHealthCheck: b.healthCheck === true || b.unhealthy !== undefined,
      createdAt: this.now,
      containerInstanceArn,
      fate: { fails: this.rng() < (b.failToStart ?? 0), unhealthy: this.rng() < (b.unhealthy ?? 0) },
    };
  }

  private inFlux(t: SimTask): boolean {
    if (t.lastStatus === "STOPPED") return false;
    return t.desiredStatus === "STOPPED" || t.lastStatus !== "RUNNING" || (t.hasHealthCheck && t.healthStatus === "UNKNOWN");
  }

  private advance(to: Date): void {
    this.now = to;
    this.tasks = this.tasks
      .map((t): SimTask => {
        if (t.lastStatus === "STOPPED") return t;
        if (t.desiredStatus === "STOPPED") {
          const left = (t.stopIn ?? this.behaviours[t.taskDefinition]?.stopSteps ?? 1) - 1;
          return left > 0 ? { ...t, stopIn: left } : { ...t, lastStatus: "STOPPED", stoppedAt: to };
        }
        if (t.lastStatus === "PROVISIONING") {
          if (t.fate.fails) {
            return {
              ...t,
              lastStatus: "STOPPED",
              desiredStatus: "STOPPED",
              stoppedAt: to,
              stopCode: "TaskFailedToStart",
              stoppedReason: "CannotPullContainerError: not found",
            };
          }
          return { ...t, lastStatus: "RUNNING", startedAt: to };
        }
        if (t.hasHealthCheck && t.healthStatus === "UNKNOWN") return { ...t, healthStatus: t.fate.unhealthy ? "UNHEALTHY" : "HEALTHY" };
        return t;
      })
      // Stopped tasks are purged after a while, as the control plane does after an hour.
      .filter((t) => t.lastStatus !== "STOPPED" || to.getTime() - t.stoppedAt!.getTime() < 3_600_000);
  }
}
