// What the task endpoint knows: the tasks this process's agents run (each with its runner's
// view), the containers' tokens, and the tasks' role credentials (held in the agent, so it all
// keeps answering while the control plane is down). Metadata is read from the engine at each
// request: the engine is on this host, and its answer is the truth about a container.
import type { Logger } from "../../log/logger.js";
import type { ContainerState, RuntimeDriver } from "../../runtime/driver.js";
import type { TaskAssignment } from "../../wire/agent-channel.js";
import { effectiveContainers } from "../../domain/task/reservation.js";
import type { TaskCredentialsStore } from "../task-credentials.js";
import type { EndpointAnswer } from "./answer.js";
import type { CredentialsLookup } from "./credentials.js";
import { containerMetadata, taskMetadata, type MetadataVersion, type TaskSnapshot, type TaskView } from "./metadata.js";
import type { MetadataResource, MetadataSource } from "./routes.js";
import type { EndpointKey } from "./tokens.js";

export interface TrackedTask {
  assignment: TaskAssignment;
  availabilityZone: string;
  /** The container instance the task runs on: its tags go with the task's in taskWithTags. */
  containerInstanceArn?: string;
  /** The runner's view of the task now. */
  snapshot(): TaskSnapshot;
}

export interface TaskEndpointStateOptions {
  key: EndpointKey;
  credentials: TaskCredentialsStore;
  driver: RuntimeDriver;
  /**
   * A resource's tags (ECS ListTagsForResource), for taskWithTags: the ECS agent asks ECS for
   * them at each request with the instance's credentials. Absent, taskWithTags has none.
   */
  tags?: (resourceArn: string) => Promise<Record<string, string>>;
  log: Logger;
}

export class TaskEndpointState implements MetadataSource, CredentialsLookup {
  private readonly tasks = new Map<string, TrackedTask>();
  private readonly tokens = new Map<string, { taskArn: string; containerName: string }>();

  constructor(private readonly opts: TaskEndpointStateOptions) {}

  /** The token in the container's ECS_CONTAINER_METADATA_URI(_V4). */
  token(containerArn: string): string {
    return this.opts.key.containerToken(containerArn);
  }

  /** The task's containers answer from now on (before any of them is created). */
  track(task: TrackedTask): void {
    this.untrack(task.assignment.taskArn);
    this.tasks.set(task.assignment.taskArn, task);
    for (const c of task.assignment.containers)
      this.tokens.set(this.token(c.containerArn), { taskArn: task.assignment.taskArn, containerName: c.name });
  }

  tracks(taskArn: string): boolean {
    return this.tasks.has(taskArn);
  }

  untrack(taskArn: string): void {
    const task = this.tasks.get(taskArn);
    if (!task) return;
    this.tasks.delete(taskArn);
    for (const c of task.assignment.containers) this.tokens.delete(this.token(c.containerArn));
  }

  // ---- CredentialsLookup: only a task this process runs has its credentials served ----

  withId(credentialsId: string) {
    const found = this.opts.credentials.withId(credentialsId);
    return found && this.tasks.has(found.taskArn) ? found : undefined;
  }

  interfaceAddress(taskArn: string): string | undefined {
    return this.tasks.get(taskArn)?.assignment.network?.ipv4Address;
  }

  // ---- MetadataSource ----

  async answer(token: string, resource: MetadataResource, version: MetadataVersion): Promise<EndpointAnswer | undefined> {
    const entry = this.tokens.get(token);
    const task = entry && this.tasks.get(entry.taskArn);
    if (!entry || !task) return undefined;
    const view: TaskView = { assignment: task.assignment, snapshot: task.snapshot(), availabilityZone: task.availabilityZone };
    const dockerId = view.snapshot.containers.find((c) => c.name === entry.containerName)?.dockerId;
    switch (resource) {
      case "container": {
        const def = effectiveContainers(task.assignment.taskDefinition, task.assignment.overrides).find(
          (d) => d.name === entry.containerName,
        );
        if (!def) return undefined;
        return { status: 200, body: containerMetadata(view, def, await this.inspect(dockerId ? [dockerId] : []), version) };
      }
      case "task":
        return { status: 200, body: taskMetadata(view, await this.inspect(dockerIds(view)), version) };
      case "taskWithTags": {
        const [inspected, tags] = await Promise.all([this.inspect(dockerIds(view)), this.tagsOf(task, version)]);
        return { status: 200, body: { ...taskMetadata(view, inspected, version), ...tags } };
      }
      case "stats": {
        const stats = dockerId ? await this.stats(dockerId) : undefined;
        if (!stats) return { status: 500, body: `Unable to get container stats for: ${dockerId ?? entry.containerName}` };
        return { status: 200, body: stats };
      }
      case "taskStats": {
        const ids = dockerIds(view);
        const all = await Promise.all(ids.map(async (id) => [id, (await this.stats(id)) ?? null] as const));
        return { status: 200, body: Object.fromEntries(all) };
      }
    }
  }

  /**
   * TaskTags and ContainerInstanceTags as the ECS agent adds them; one it cannot get (the
   * control plane is down, say) is left out, and v4 says why in Errors, as the agent does.
   */
  private async tagsOf(task: TrackedTask, version: MetadataVersion): Promise<Record<string, unknown>> {
    const tags = this.opts.tags;
    if (!tags) return {};
    const wanted = [
      ["ContainerInstanceTags", task.containerInstanceArn],
      ["TaskTags", task.assignment.taskArn],
    ] as const;
    const out: Record<string, unknown> = {};
    const errors: Record<string, unknown>[] = [];
    await Promise.all(
      wanted.map(async ([field, arn]) => {
        if (!arn) return;
        try {
          out[field] = await tags(arn);
        } catch (err) {
          this.opts.log.warn("could not read tags for taskWithTags", { resourceArn: arn, err });
          const e = err as { name?: string; message?: string };
          errors.push({ ErrorField: field, ErrorCode: e.name ?? "Error", ErrorMessage: e.message ?? String(err), ResourceARN: arn });
        }
      }),
    );
    if (errors.length && version === 4) out.Errors = errors;
    return out;
  }

  /** What the engine says of each container; one it cannot say anything about is left out. */
  private async inspect(ids: readonly string[]): Promise<Map<string, ContainerState>> {
    const found = await Promise.all(ids.map((id) => this.opts.driver.inspect(id).catch(() => undefined)));
    return new Map(found.flatMap((s) => (s ? [[s.id, s] as const] : [])));
  }

  private stats(id: string) {
    return this.opts.driver.stats(id).catch((err: unknown) => {
      this.opts.log.warn("could not read a container's stats", { container: id, err });
      return undefined;
    });
  }
}

const dockerIds = (view: TaskView) => view.snapshot.containers.flatMap((c) => (c.dockerId ? [c.dockerId] : []));
