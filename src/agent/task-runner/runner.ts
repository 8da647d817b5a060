// One ECS task on this host, from assignment to cleanup, through one hook per concern:
// images → volumes → network → create (in dependency order) → start (as dependsOn allows) →
// watch exits and health → orderly stop (dependants first) → report STOPPED → remove.
// Every state change goes to the control plane through an ordered, retrying reporter.
export type { TaskRunnerDeps, TaskRunnerSnapshot } from "./deps.js";
import type { ContainerDefinition } from "@aws-sdk/client-ecs";
import type { TaskAssignment } from "../../wire/agent-channel.js";
import type { TaskReport } from "../../domain/task/lifecycle.js";
import type { Logger } from "../../log/logger.js";
import { effectiveContainers, taskCpu, taskMemory } from "../../domain/task/reservation.js";
import type { ContainerHealth, ContainerState, Protocol } from "../../runtime/driver.js";
import { ContainerRun } from "./container-run.js";
import { containerSpec, type VolumeSources } from "./container-spec.js";
import { conditionState, dependantsFirst, dependencyEdges, dependencyProblem, startWaves, type Edge } from "./dependencies.js";
import { fileEnvironment } from "./environment.js";
import { imageAuth, resolveTaskSecrets, secretsOf, type ResolvedSecrets } from "./secrets.js";
import { ESSENTIAL_EXITED, failure, messageOf, TaskFailure } from "./failure.js";
import { Changes } from "./changes.js";
import { createOwned } from "./create.js";
import { HealthWatch } from "./health.js";
import { containerUuid, LABEL, PAUSE_CONTAINER_NAME, taskIdentity, type TaskIdentity } from "./identity.js";
import { ensureImages } from "./images.js";
import { attachmentFor, namespaceModes, startPause } from "./network.js";
import { bridgePortBindings, networkBindings } from "./ports.js";
import { Reporter } from "./reporter.js";
import { loggedContainer } from "../awslogs/awslogs.js";
import type { TaskRunnerDeps, TaskRunnerSnapshot } from "./deps.js";
import { planVolumes, provisionVolumes, removeTaskVolumes, volumeSources, type PlannedVolume } from "./volumes.js";

const HOUR_MS = 3_600_000;

export class TaskRunner {
  private readonly task: TaskIdentity;
  private readonly defs: ContainerDefinition[];
  private readonly runs: Map<string, ContainerRun>;
  private readonly edges: Map<string, Edge[]>;
  private readonly reporter: Reporter;
  private readonly healthWatch: HealthWatch;
  private volumePlan: PlannedVolume[] = [];
  private pauseId: string | undefined;
  private pauseState: ContainerState | undefined;
  private recovered = false;
  private runningReported = false;
  private stopping = false;
  private stopReason: string | undefined;
  private detached = false;
  private stoppedAt: Date | undefined;
  private pullStartedAt: Date | undefined;
  private pullStoppedAt: Date | undefined;
  private readonly changes = new Changes();
  private signalStop: () => void = () => {};
  private readonly stopSignal = new Promise<void>((resolve) => (this.signalStop = resolve));
  private cleanupTimer: NodeJS.Timeout | undefined;
  private cleaning: Promise<void> | undefined;
  private running: Promise<void> | undefined;
  private cpus: Promise<number | undefined> | undefined;
  private readonly allocatedPorts: { ip: string; protocol: Protocol; port: number }[] = [];
  /** What Secrets Manager and SSM gave the containers to create; held in memory only, never logged. */
  private secrets: ResolvedSecrets | undefined;

  constructor(
    private readonly assignment: TaskAssignment,
    private readonly deps: TaskRunnerDeps,
  ) {
    this.task = taskIdentity(assignment, deps.owner);
    this.defs = effectiveContainers(assignment.taskDefinition, assignment.overrides);
    this.runs = new Map(this.defs.map((d) => [d.name!, new ContainerRun(d)]));
    this.edges = dependencyEdges(this.defs);
    this.reporter = new Reporter((change) => deps.report(change), deps.log);
    this.healthWatch = new HealthWatch(deps.driver, deps.healthPollMs ?? 5_000, (id, health) => this.onHealth(id, health));
    if (assignment.desiredStatus === "STOPPED") this.requestStop(undefined);
  }

  /** After an agent restart: adopts the task's containers found by its task-arn label instead of creating new ones. */
  static recover(assignment: TaskAssignment, deps: TaskRunnerDeps, existing: ContainerState[]): TaskRunner {
    const runner = new TaskRunner(assignment, deps);
    runner.recovered = true;
    runner.runningReported = assignment.lastStatus === "RUNNING";
    for (const state of existing) {
      if (state.labels[LABEL.taskArn] !== assignment.taskArn) continue;
      const name = state.labels[LABEL.containerName];
      if (name === PAUSE_CONTAINER_NAME) runner.pauseState = state;
      const run = runner.runs.get(name ?? "");
      if (!run) continue;
      run.adopt(state);
      run.bindings = networkBindings(runner.task, run.def, [], { loopback: assignment.network?.loopbackAddress, state });
    }
    return runner;
  }

  /** Starts the task; resolves once it has stopped, STOPPED was reported and what must go at once is gone. */
  run(): Promise<void> {
    this.running ??= this.lifecycle();
    return this.running;
  }

  /** The control plane wants the task stopped. Idempotent; the first reason is kept. */
  stop(reason?: string): void {
    this.requestStop(reason);
  }

  /** Health of the containers that have a health check. */
  health(): { containerName: string; healthStatus: ContainerHealth }[] {
    return [...this.runs.values()]
      .filter((c) => c.hasHealthCheck)
      .map((c) => ({ containerName: c.name, healthStatus: c.health ?? "UNKNOWN" }));
  }

  snapshot(): TaskRunnerSnapshot {
    return {
      knownStatus: this.stoppedAt ? "STOPPED" : this.runningReported ? "RUNNING" : "PENDING",
      ...(this.pullStartedAt ? { pullStartedAt: this.pullStartedAt } : {}),
      ...(this.pullStoppedAt ? { pullStoppedAt: this.pullStoppedAt } : {}),
      ...(this.stoppedAt ? { executionStoppedAt: this.stoppedAt } : {}),
      containers: [...this.runs.values()].map((c) => ({
        name: c.name,
        ...(c.id ? { dockerId: c.id } : {}),
        knownStatus: c.status,
        ...(c.exitCode !== undefined ? { exitCode: c.exitCode } : {}),
      })),
    };
  }

  /** Stops tracking the task without touching its containers (agent shutdown); recover() takes it up again. */
  dispose(): void {
    this.detached = true;
    this.reporter.dispose();
    this.healthWatch.close();
    clearTimeout(this.cleanupTimer);
    this.changes.notify();
    this.signalStop();
  }

  /** Removes the stopped task's containers and task-scoped volumes now instead of after cleanupDelayMs. */
  cleanup(): Promise<void> {
    if (!this.stoppedAt) return Promise.resolve();
    clearTimeout(this.cleanupTimer);
    this.cleaning ??= (async () => {
      for (const c of this.runs.values())
        if (c.id) {
          await this.deps.driver
            .destroy(c.id)
            .catch((err: unknown) => this.log.warn("could not remove a container", { container: c.name, err }));
          if (this.loggedContainer(c)) this.deps.awslogs!.forget(c.id);
        }
      await removeTaskVolumes(this.deps.driver, this.volumePlan, this.log);
    })();
    return this.cleaning;
  }

  // ---- lifecycle ----

  private async lifecycle(): Promise<void> {
    try {
      await this.bringUp();
    } catch (err) {
      const reason = err instanceof TaskFailure ? err.reason : `ResourceInitializationError: ${messageOf(err)}`;
      const container = err instanceof TaskFailure && err.containerName ? this.runs.get(err.containerName) : undefined;
      if (container) this.failContainer(container, reason);
      this.requestStop(reason);
    }
    await this.stopSignal;
    if (this.detached && !this.stoppedAt) return;
    await this.tearDown();
  }

  private async bringUp(): Promise<void> {
    if (this.stopping) return;
    const problem = dependencyProblem(this.defs);
    if (problem) throw new TaskFailure(`CannotCreateContainerError: ${problem}`);
    this.volumePlan = planVolumes(this.assignment.taskDefinition, this.task);
    const all = [...this.runs.values()];
    if (!this.recovered) {
      this.pullStartedAt = this.deps.now();
      this.reporter.push({ status: "PENDING", pullStartedAt: this.pullStartedAt, containers: all.map((c) => c.report()) });
    }
    this.resumeAdopted();
    if (this.stopping) return;
    const fresh = all.filter((c) => !c.id && !c.failed);
    // Before any pull: registry auth may come from a secret, and a secret that cannot be had
    // stops the task before any of its containers exists, as ECS's task resources do.
    await this.resolveSecrets(fresh);
    if (this.stopping) return;
    await this.pullImages(fresh);
    if (this.stopping) return;
    await provisionVolumes(this.deps.driver, this.volumePlan);
    if (this.task.networkMode === "awsvpc") await this.setUpTaskNetwork(all);
    const sources = volumeSources(this.volumePlan);
    for (const wave of startWaves(this.defs)) {
      if (this.stopping) return;
      await Promise.all(wave.map((name) => this.create(this.runs.get(name)!, sources)));
    }
    await Promise.all(all.map((c) => this.startWhenReady(c)));
  }

  /** Recovered containers: watch the running ones, report those that exited while nobody watched. */
  private resumeAdopted(): void {
    for (const c of this.runs.values()) {
      // What it wrote while the agent was away (and goes on writing) is shipped from where shipping stopped.
      if (c.started) this.shipLogs(c);
      if (c.status === "RUNNING") this.watch(c);
      else if (c.exited && !this.stopping) {
        this.reporter.push({ containers: [c.report()] });
        if (c.essential) this.requestStop(ESSENTIAL_EXITED);
      }
    }
    if (this.recovered) this.maybeReportRunning();
  }

  private async resolveSecrets(fresh: ContainerRun[]): Promise<void> {
    this.secrets = await resolveTaskSecrets(
      fresh.map((c) => c.def),
      this.deps.executionResources,
    );
  }

  private async pullImages(fresh: ContainerRun[]): Promise<void> {
    const pause = this.task.networkMode === "awsvpc" && this.pauseState?.status !== "running" ? [this.deps.pauseImage] : [];
    const images = [...pause, ...fresh.map((c) => c.def.image!)];
    const auth = imageAuth(
      fresh.map((c) => c.def),
      this.secrets,
      (image) => this.deps.registryAuth?.(image),
    );
    const results = await ensureImages(this.deps.driver, images, this.log, auth);
    this.pullStoppedAt = this.deps.now();
    const pauseError = pause.length > 0 ? results.get(this.deps.pauseImage)?.error : undefined;
    if (pauseError) throw new TaskFailure(`ResourceInitializationError: pause image: ${pauseError}`);
    for (const c of fresh) {
      const result = results.get(c.def.image!)!;
      if (result.error) this.failContainer(c, result.error);
      else if (result.digest) c.imageDigest = result.digest;
    }
    if (!this.stopping && !this.recovered) {
      this.reporter.push({
        status: "PENDING",
        pullStoppedAt: this.pullStoppedAt,
        containers: fresh.filter((c) => c.imageDigest).map((c) => c.report()),
      });
    }
  }

  private async setUpTaskNetwork(all: ContainerRun[]): Promise<void> {
    const pause = this.pauseState;
    if (pause && pause.status !== "running" && all.some((c) => c.status === "RUNNING")) {
      throw new TaskFailure("ResourceInitializationError: the task's network namespace holder stopped while the agent was away");
    }
    this.pauseId = await startPause(this.deps.driver, this.assignment, this.task, this.defs, this.deps.pauseImage, pause);
    try {
      await this.deps.interfaceUp?.(this.assignment.network!);
    } catch (err) {
      // The task runs without the endpoint rather than not at all.
      this.log.warn("the task's interface cannot reach the task endpoint", { err });
    }
  }

  private async create(c: ContainerRun, volumes: VolumeSources): Promise<void> {
    if (c.id || c.failed || this.stopping) return;
    try {
      const portBindings =
        this.task.networkMode === "bridge" && !c.def.disableNetworking
          ? await bridgePortBindings(c.def, this.assignment.hostPortBindIp, async (ip, protocol) => {
              const port = await this.deps.allocateHostPort(ip, protocol);
              this.allocatedPorts.push({ ip, protocol, port });
              return port;
            })
          : [];
      const td = this.assignment.taskDefinition;
      const cpu = taskCpu(td, this.assignment.overrides);
      const memory = taskMemory(td, this.assignment.overrides);
      const spec = containerSpec(c.def, {
        task: this.task,
        launchType: this.assignment.launchType,
        metadataToken: this.metadataToken(c.name),
        ...this.credentialsRelativeUri(),
        network: attachmentFor(this.task, this.pauseId),
        portBindings,
        volumes,
        fileEnvironment: await fileEnvironment(c.def),
        ...secretsOf(this.secrets, c.name),
        ...(cpu !== undefined ? { taskCpu: cpu, hostCpus: await this.hostCpus() } : {}),
        ...(memory !== undefined ? { taskMemory: memory } : {}),
        ...namespaceModes(this.assignment, this.pauseId),
      });
      c.bindings = networkBindings(this.task, c.def, portBindings, { loopback: this.assignment.network?.loopbackAddress });
      c.id = await createOwned(this.deps.driver, spec, this.task.taskArn);
    } catch (err) {
      this.failContainer(c, failure("CannotCreateContainerError", err, c.name).reason);
    }
  }

  private metadataToken(name: string): string {
    const arn = this.assignment.containers.find((c) => c.name === name)?.containerArn;
    return arn && this.deps.metadataToken ? this.deps.metadataToken(arn) : containerUuid(this.assignment, name);
  }

  private credentialsRelativeUri(): { credentialsId?: string } {
    const id = this.deps.roleCredentialsId?.(this.assignment.taskArn);
    return id ? { credentialsId: id } : {};
  }

  private hostCpus(): Promise<number | undefined> {
    this.cpus ??= this.deps.driver.info().then(
      (info) => info.cpus,
      () => undefined,
    );
    return this.cpus;
  }

  private async startWhenReady(c: ContainerRun): Promise<void> {
    if (!c.id || c.started || c.failed || this.stopping) return;
    const needs = (this.edges.get(c.name) ?? []).filter((e) => e.condition);
    const timeoutSeconds = c.def.startTimeout ?? (this.deps.defaultStartTimeoutMs ?? 180_000) / 1000;
    const verdict = await this.changes.waitFor(() => {
      if (this.stopping || this.detached) return "stopped" as const;
      const states = needs.map((e) => ({ e, state: conditionState(e.condition!, this.runs.get(e.target)!) }));
      const unmet = states.find((s) => s.state === "unmet");
      if (unmet) return unmet.e;
      return states.every((s) => s.state === "met") ? ("met" as const) : undefined;
    }, timeoutSeconds * 1000);
    if (verdict === "stopped") return;
    if (verdict === "timeout") {
      const pending = needs.filter((e) => conditionState(e.condition!, this.runs.get(e.target)!) !== "met");
      const what = pending.map((e) => `${e.target} (${e.condition})`).join(", ");
      this.failContainer(
        c,
        `DependencyTimeoutError: dependency condition not met within ${timeoutSeconds} seconds for container ${c.name}: ${what}`,
      );
      return;
    }
    if (verdict !== "met") {
      const dep = this.runs.get(verdict.target)!;
      const detail = dep.failed ? "never ran" : dep.exited ? `exited with code ${dep.exitCode}` : `is ${dep.status}`;
      this.failContainer(
        c,
        `CannotStartContainerError: dependency graph: failed to resolve container ordering dependency [${verdict.target}] for target [${c.name}]: condition ${verdict.condition} cannot be met, the dependency ${detail}`,
      );
      return;
    }
    const logged = this.loggedContainer(c);
    if (logged) {
      try {
        await this.deps.awslogs!.prepare(logged);
      } catch (err) {
        // As Docker's awslogs driver fails the start when it cannot set up the stream.
        this.failContainer(c, `CannotStartContainerError: Error response from daemon: ${messageOf(err)}`);
        return;
      }
    }
    try {
      await this.deps.driver.start(c.id);
    } catch (err) {
      this.failContainer(c, `CannotStartContainerError: ${messageOf(err)}`);
      return;
    }
    c.markRunning(c.id);
    this.shipLogs(c);
    this.watch(c);
    this.changes.notify();
    if (this.runningReported && !this.stopping) this.reporter.push({ containers: [c.report()] });
    this.maybeReportRunning();
  }

  /** The container as the awslogs shipper needs it, when it logs with awslogs and the agent ships. */
  private loggedContainer(c: ContainerRun) {
    return this.deps.awslogs && c.id ? loggedContainer(this.task, c.def, c.id) : undefined;
  }

  private shipLogs(c: ContainerRun): void {
    const logged = this.loggedContainer(c);
    if (logged) void this.deps.awslogs!.follow(logged);
  }

  /** RUNNING once every essential container has started. */
  private maybeReportRunning(): void {
    if (this.runningReported || this.stopping) return;
    const all = [...this.runs.values()];
    if (!all.filter((c) => c.essential).every((c) => c.started)) return;
    this.runningReported = true;
    this.reporter.push({ status: "RUNNING", containers: all.map((c) => c.report()) });
  }

  private watch(c: ContainerRun): void {
    const id = c.id!;
    if (this.task.networkMode === "bridge") this.deps.bridgeContainerUp?.(id);
    if (c.hasHealthCheck) this.healthWatch.watch(id);
    c.exitWatch = this.deps.driver.wait(id, { stopRequested: () => this.stopping }).then(
      (status) => this.onExit(c, status.exitCode, status.oomKilled),
      (err) => {
        this.log.warn("lost track of a container", { container: c.name, err });
        this.onExit(c, undefined, false);
      },
    );
  }

  private onExit(c: ContainerRun, exitCode: number | undefined, oomKilled: boolean): void {
    c.markExited(exitCode, oomKilled);
    this.healthWatch.unwatch(c.id!);
    if (this.task.networkMode === "bridge") this.deps.bridgeContainerDown?.(c.id!);
    this.log.info("container exited", { container: c.name, exitCode, oomKilled });
    this.changes.notify();
    if (this.stopping || this.detached) return;
    this.reporter.push({ containers: [c.report()] });
    if (c.essential) this.requestStop(ESSENTIAL_EXITED);
  }

  private onHealth(id: string, health: ContainerHealth): void {
    const c = [...this.runs.values()].find((r) => r.id === id);
    if (!c || c.exited || c.health === health) return;
    c.health = health;
    this.changes.notify();
  }

  /** A container that will not run: reported at once; an essential one takes the task down. */
  private failContainer(c: ContainerRun, reason: string): void {
    if (c.status === "STOPPED") return;
    c.markFailed(reason);
    this.log.warn("container failed", { container: c.name, reason });
    this.changes.notify();
    if (this.stopping) return;
    this.reporter.push({ containers: [c.report()] });
    if (c.essential) this.requestStop(reason);
  }

  private requestStop(reason: string | undefined): void {
    if (this.stopping) return;
    this.stopping = true;
    this.stopReason = reason;
    if (reason) this.log.info("stopping the task", { reason });
    this.changes.notify();
    this.signalStop();
  }

  // ---- stopping ----

  private async tearDown(): Promise<void> {
    await dependantsFirst(this.defs, (name) => this.stopContainer(this.runs.get(name)!));
    await this.removeNeverStarted();
    this.healthWatch.close();
    for (const p of this.allocatedPorts.splice(0)) this.deps.releaseHostPort?.(p.ip, p.protocol, p.port);
    const pause = this.pauseId ?? this.pauseState?.id;
    if (pause)
      await this.deps.driver.destroy(pause).catch((err: unknown) => this.log.warn("could not remove the pause container", { err }));
    this.stoppedAt = this.deps.now();
    for (const c of this.runs.values()) c.status = "STOPPED";
    const report: TaskReport = {
      status: "STOPPED",
      executionStoppedAt: this.stoppedAt,
      containers: [...this.runs.values()].map((c) => c.report()),
    };
    if (this.stopReason) report.reason = this.stopReason;
    if (this.pullStartedAt) report.pullStartedAt = this.pullStartedAt;
    if (this.pullStoppedAt) report.pullStoppedAt = this.pullStoppedAt;
    this.reporter.push(report);
    const delay = this.deps.cleanupDelayMs ?? HOUR_MS;
    if (delay <= 0) await this.cleanup();
    else if (!this.detached) {
      this.cleanupTimer = setTimeout(() => void this.cleanup(), delay);
      this.cleanupTimer.unref();
    }
    await this.reporter.drain();
  }

  /**
   * Containers created but never started (the task was stopped in between, or a dependency
   * failed) go at once: they have no logs to keep, and nothing else would ever remove a
   * container left in Docker's Created state once the task is forgotten.
   */
  private async removeNeverStarted(): Promise<void> {
    for (const c of this.runs.values()) {
      if (!c.id || c.started || c.exited) continue;
      try {
        // The id stays for the STOPPED report; destroying it again at cleanup is harmless.
        await this.deps.driver.destroy(c.id);
      } catch (err) {
        this.log.warn("could not remove a container that never started", { container: c.name, err });
      }
    }
  }

  /** SIGTERM, SIGKILL after the container's stopTimeout; resolves once the engine saw it stop. */
  private async stopContainer(c: ContainerRun): Promise<void> {
    if (!c.id || !c.started || c.exited) return;
    // An adopted container of a task that was already to stop has nobody waiting on it yet.
    if (!c.exitWatch) this.watch(c);
    try {
      await this.deps.driver.stop(c.id, c.stopTimeoutSeconds);
    } catch (err) {
      this.log.warn("could not stop a container", { container: c.name, err });
      return;
    }
    await c.exitWatch;
  }

  // ---- plumbing ----

  private get log(): Logger {
    return this.deps.log;
  }
}
