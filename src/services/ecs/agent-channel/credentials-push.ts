// What one agent channel sends of its tasks' role credentials: before an assignments push, the
// credentials of every task it assigns that the channel has not carried (in their current
// issue), so a task's credentials are held before its assignment is acted on, and on a new
// connection those of all the host's tasks come first; and each refresh of a task it has
// carried, when it happens.
import type { Scope } from "../../../domain/scope.js";
import type { Assignments } from "../../../wire/agent-channel.js";
import type { TaskCredentials } from "../../../wire/task-credentials.js";
import type { TaskCredentialsIssuer } from "../task-credentials.js";

export class CredentialsLink {
  /** By task ARN: the generation of its credentials this channel carried. */
  private readonly sent = new Map<string, number>();
  readonly detach: () => void;

  constructor(
    private readonly issuer: TaskCredentialsIssuer,
    private readonly scope: Scope,
    private readonly hostId: string,
    private readonly send: (credentials: TaskCredentials[]) => void,
  ) {
    this.detach = issuer.onRefreshed(scope, hostId, (current) => {
      const { taskArn } = current.credentials;
      // A task not carried yet gets its credentials with its first push.
      if (!this.sent.has(taskArn)) return;
      this.sent.set(taskArn, current.generation);
      this.send([current.credentials]);
    });
  }

  /**
   * Sends what must go ahead of `assignments` (issuing the credentials of tasks that have
   * none yet), and answers the tasks whose role could not be assumed: they are being stopped,
   * and are left out of the push.
   */
  async before(assignments: Assignments): Promise<Set<string>> {
    const failed = new Set<string>();
    const issued = await Promise.all(assignments.tasks.map((task) => this.issuer.ensure(this.scope, this.hostId, task)));
    issued.forEach((outcome, i) => outcome === "failed" && failed.add(assignments.tasks[i]!.taskArn));
    const assigned = new Set(assignments.assigned);
    for (const taskArn of this.sent.keys()) if (!assigned.has(taskArn)) this.sent.delete(taskArn);
    const due: TaskCredentials[] = [];
    for (const taskArn of assigned) {
      const current = this.issuer.current(this.scope, taskArn);
      if (!current || this.sent.get(taskArn) === current.generation) continue;
      this.sent.set(taskArn, current.generation);
      due.push(current.credentials);
    }
    if (due.length) this.send(due);
    return failed;
  }
}
