// The "ECS Task State Change" event, shaped as Amazon ECS sends it to EventBridge: the
// envelope, and the task as DescribeTasks shows it (without tags) as its detail. Dates are
// ISO-8601 strings there, as in EventBridge, not the epoch seconds of the JSON API.
// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs_task_events.html
import type { Task } from "@aws-sdk/client-ecs";
import type { Scope } from "../scope.js";

export const TASK_STATE_CHANGE = "ECS Task State Change";

export interface EcsEvent<D> {
  version: "0";
  id: string;
  "detail-type": string;
  source: "aws.ecs";
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: D;
}

/** The detail of a task event: the task, and when this change of it happened. */
export type TaskEventDetail = Omit<Task, "tags"> & { updatedAt: Date };

export function taskStateChangeEvent(scope: Scope, task: Task, id: string, at: Date): EcsEvent<TaskEventDetail> {
  const { tags: _tags, ...detail } = task;
  return {
    version: "0",
    id,
    "detail-type": TASK_STATE_CHANGE,
    source: "aws.ecs",
    account: scope.accountId,
    time: at.toISOString().replace(/\.\d{3}Z$/, "Z"),
    region: scope.region,
    resources: [task.taskArn!],
    detail: { ...detail, updatedAt: at },
  };
}
