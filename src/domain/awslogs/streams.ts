// Where a task's containers' awslogs output is: the group, stream and region of each container
// whose log configuration uses awslogs, as the agent names them (see options.ts streamName).
import type { Task, TaskDefinition } from "@aws-sdk/client-ecs";
import { streamName } from "./options.js";

export interface TaskLogStream {
  taskArn: string;
  containerName: string;
  region: string;
  group: string;
  stream: string;
}

/**
 * The awslogs streams of a task's containers. A container without a stream prefix is named
 * after its Docker id, known only once it was created; until then it has no stream.
 */
export function taskLogStreams(task: Task, definition: TaskDefinition, defaultRegion: string): TaskLogStream[] {
  const taskId = task.taskArn!.split("/").pop()!;
  const streams: TaskLogStream[] = [];
  for (const def of definition.containerDefinitions ?? []) {
    const config = def.logConfiguration;
    if (config?.logDriver !== "awslogs") continue;
    const options = config.options ?? {};
    const group = options["awslogs-group"];
    if (!group) continue;
    const prefix = options["awslogs-stream-prefix"];
    const runtimeId = task.containers?.find((c) => c.name === def.name)?.runtimeId;
    if (!prefix && !runtimeId) continue;
    streams.push({
      taskArn: task.taskArn!,
      containerName: def.name!,
      region: options["awslogs-region"] ?? defaultRegion,
      group,
      stream: streamName(prefix ? { streamPrefix: prefix } : {}, def.name!, taskId, runtimeId ?? ""),
    });
  }
  return streams;
}
