// The credentials of a task's two roles as the control plane hands them to the agent that runs
// it, the way ECS's ACS pushes IAM role credentials to the ECS agent. The task role's go to the
// application through the agent's credentials endpoint (/v2/credentials/<credentialsId>); the
// execution role's stay with the agent, for what it does on the task's behalf (registry auth,
// secrets, logs).

/** Temporary credentials for one role, as sts:AssumeRole answers them. */
export interface RoleCredentials {
  roleArn: string;
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  /** ISO 8601, e.g. 2026-12-06T18:00:00Z. */
  expiration: string;
}

/** What a task's roles are on its host at one moment; a newer one replaces it whole. */
export interface TaskCredentials {
  taskArn: string;
  /**
   * The unguessable id in AWS_CONTAINER_CREDENTIALS_RELATIVE_URI (/v2/credentials/<id>). It
   * stays the same for the task's life while the credentials behind it are refreshed.
   */
  credentialsId: string;
  /** The task role's (taskRoleArn, or the override's), when the task has one. */
  task?: RoleCredentials;
  /** The execution role's (executionRoleArn), when the task definition has one. */
  execution?: RoleCredentials;
}
