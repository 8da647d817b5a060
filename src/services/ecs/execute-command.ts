// ExecuteCommand: ECS Exec's session into a running container. The answer names a stream on
// berth's own endpoint (see exec/endpoint.ts) and a token good for one connection; the
// command starts when a client connects there and speaks the Session Manager protocol.
import type { ExecuteCommandRequest, ExecuteCommandResponse } from "@aws-sdk/client-ecs";
import { execTarget, targetNotConnected } from "../../domain/exec.js";
import { invalidParameter } from "../../domain/errors.js";
import type { EcsHandlers, RequestContext } from "./context.js";
import { DATA_CHANNEL_PATH } from "./exec/sessions.js";
import { activeCluster } from "./lookup.js";
import { inAskedCluster, taskIdOf } from "./tasks.js";

async function executeCommand(ctx: RequestContext, input: ExecuteCommandRequest): Promise<ExecuteCommandResponse> {
  await activeCluster(ctx, input.cluster);
  const id = taskIdOf(input.task!);
  const stored = id === undefined ? undefined : await ctx.state.tasks.get(ctx.scope, id);
  if (!stored || !inAskedCluster(ctx, input.cluster, input.task!, stored)) throw invalidParameter("The referenced task was not found.");
  const container = execTarget(stored.task, input.interactive!, input.container);
  // The agent of the task's host must be on its channel: it is the one that runs the command.
  if (!stored.hostId || !ctx.hosts.links.connected(ctx.scope, stored.hostId)) throw targetNotConnected();
  const { session, token } = ctx.execSessions.create({
    scope: ctx.scope,
    taskArn: stored.task.taskArn!,
    containerName: container.name!,
    hostId: stored.hostId,
    command: input.command!,
  });
  return {
    clusterArn: stored.task.clusterArn,
    containerArn: container.containerArn,
    containerName: container.name,
    interactive: true,
    session: { sessionId: session.id, streamUrl: streamUrl(ctx.endpoint, session.id), tokenValue: token },
    taskArn: stored.task.taskArn,
  };
}

/** The stream on the endpoint the caller reached: ws:// for http://, wss:// for https://. */
export function streamUrl(endpoint: string, sessionId: string): string {
  const url = new URL(endpoint);
  const scheme = url.protocol === "https:" ? "wss:" : "ws:";
  return `${scheme}//${url.host}${DATA_CHANNEL_PATH}/${sessionId}?role=publish_subscribe`;
}

export const execOperations = {
  ExecuteCommand: executeCommand,
} satisfies EcsHandlers;
