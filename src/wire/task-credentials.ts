// The credentials of a task's two roles as the control plane hands them to the agent that runs
// it, the way ECS's ACS pushes IAM role credentials to the ECS agent. The task role's go to the
// application through the agent's credentials endpoint (/v2/credentials/<credentialsId>); the
// execution role's stay with the agent, for what it does on the task's behalf (registry auth,
// secrets, logs). The shapes are the domain's, sent as they are.
export type { RoleCredentials, TaskCredentials } from "../domain/task-credentials.js";
