// One container of a running task as the runner tracks it, and the ContainerReport it makes.
import type { ContainerDefinition, NetworkBinding } from "@aws-sdk/client-ecs";
import type { ContainerReport } from "../../domain/task/lifecycle.js";
import type { ContainerHealth, ContainerState } from "../../runtime/driver.js";
import { DEFAULT_STOP_TIMEOUT_SECONDS } from "./container-spec.js";
import type { DependencyView } from "./dependencies.js";
import { OOM_REASON } from "./failure.js";

export class ContainerRun implements DependencyView {
  readonly name: string;
  readonly essential: boolean;
  readonly hasHealthCheck: boolean;
  readonly stopTimeoutSeconds: number;
  /** The engine's id once created. */
  id: string | undefined;
  status: "PENDING" | "RUNNING" | "STOPPED" = "PENDING";
  /** It was started (it may have stopped since). */
  started = false;
  /** It ran and stopped. */
  exited = false;
  /** It stopped without ever running: a failed pull, create, start or dependency. */
  failed = false;
  exitCode: number | undefined;
  reason: string | undefined;
  health: ContainerHealth | undefined;
  bindings: NetworkBinding[] = [];
  imageDigest: string | undefined;
  /** Settles once the engine said the container stopped (set while it runs). */
  exitWatch: Promise<void> | undefined;

  constructor(readonly def: ContainerDefinition) {
    this.name = def.name!;
    this.essential = def.essential !== false;
    this.hasHealthCheck = def.healthCheck !== undefined;
    this.stopTimeoutSeconds = def.stopTimeout ?? DEFAULT_STOP_TIMEOUT_SECONDS;
  }

  markRunning(id: string): void {
    this.id = id;
    this.started = true;
    this.status = "RUNNING";
    if (this.hasHealthCheck) this.health ??= "UNKNOWN";
  }

  markExited(exitCode: number | undefined, oomKilled: boolean): void {
    this.exited = true;
    this.status = "STOPPED";
    this.exitCode = exitCode;
    if (oomKilled) {
      this.exitCode = exitCode ?? 137;
      this.reason ??= OOM_REASON;
    }
  }

  markFailed(reason: string): void {
    if (this.status === "STOPPED") return;
    this.failed = true;
    this.status = "STOPPED";
    this.reason ??= reason;
  }

  /** Takes over what the engine knows of a container found after an agent restart. */
  adopt(state: ContainerState): void {
    this.id = state.id;
    if (state.health) this.health = state.health;
    if (state.status === "running" || state.status === "restarting" || state.status === "paused") {
      this.markRunning(state.id);
    } else if (state.startedAt && state.exitCode !== undefined) {
      this.started = true;
      this.markExited(state.exitCode, state.oomKilled);
    } else if (state.error) {
      this.markFailed(`CannotStartContainerError: ${state.error}`);
    }
    // Otherwise it was created and never started: it starts when its dependencies allow.
  }

  report(): ContainerReport {
    const report: ContainerReport = { containerName: this.name, status: this.status };
    if (this.id) report.runtimeId = this.id;
    if (this.exitCode !== undefined) report.exitCode = this.exitCode;
    if (this.reason) report.reason = this.reason;
    if (this.imageDigest) report.imageDigest = this.imageDigest;
    if (this.started) report.networkBindings = this.bindings;
    if (this.hasHealthCheck) report.healthStatus = this.health ?? "UNKNOWN";
    return report;
  }
}
