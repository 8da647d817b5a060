// The role credentials of the tasks this agent runs, as the control plane pushed them: held in
// memory, so the credentials endpoint answers and the agent pulls, reads secrets and ships logs
// while the control plane is down.
import type { RoleCredentials, TaskCredentials } from "../wire/task-credentials.js";

export class TaskCredentialsStore {
  private readonly byTask = new Map<string, TaskCredentials>();
  private readonly byId = new Map<string, TaskCredentials>();

  /** New or refreshed credentials: each replaces what its task had. */
  put(credentials: readonly TaskCredentials[]): void {
    for (const creds of credentials) {
      const before = this.byTask.get(creds.taskArn);
      if (before) this.byId.delete(before.credentialsId);
      this.byTask.set(creds.taskArn, creds);
      this.byId.set(creds.credentialsId, creds);
    }
  }

  /** The task's, by the id in its containers' AWS_CONTAINER_CREDENTIALS_RELATIVE_URI. */
  withId(credentialsId: string): TaskCredentials | undefined {
    return this.byId.get(credentialsId);
  }

  ofTask(taskArn: string): TaskCredentials | undefined {
    return this.byTask.get(taskArn);
  }

  /** What the agent uses on the task's behalf; never given to the application. */
  executionRole(taskArn: string): RoleCredentials | undefined {
    return this.byTask.get(taskArn)?.execution;
  }

  /** The task stopped: its credentials are no longer served. */
  forget(taskArn: string): void {
    const creds = this.byTask.get(taskArn);
    if (!creds) return;
    this.byTask.delete(taskArn);
    this.byId.delete(creds.credentialsId);
  }
}
