// The agent's end of an ECS Exec session (see wire/agent-exec.ts): opens the session's socket
// to the control plane, starts the command in the task's container and bridges the two until
// either ends; the exit status goes last.
import type { RawData, WebSocket } from "ws";
import type { Logger } from "../log/logger.js";
import type { RuntimeDriver } from "../runtime/driver.js";
import type { ContainerExec, ExecProcess } from "../runtime/exec.js";
import { ExecStream, outputFrame, type ExecControl, type ExecEvent, type ExecRequest } from "../wire/agent-exec.js";

/** Output the control plane has not taken yet beyond this pauses the command's output. */
const MAX_BUFFERED_BYTES = 1024 * 1024;

export interface ExecSessionDeps {
  driver: RuntimeDriver;
  /** Absent when the engine offers no exec: the session ends with an error. */
  exec?: ContainerExec;
  /** Opens the session's socket, signed, with these query parameters. */
  open(query: Record<string, string>): Promise<WebSocket>;
  containerInstanceArn: string;
  log: Logger;
}

export async function runExecSession(request: ExecRequest, deps: ExecSessionDeps): Promise<void> {
  const socket = await deps.open({ session: request.sessionId, token: request.token, containerInstance: deps.containerInstanceArn });
  const event = (e: ExecEvent) => {
    if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(e));
  };
  // The control plane sends nothing before "started"; should it, it waits for the command.
  let proc: ExecProcess | undefined;
  const early: (Buffer | ExecControl)[] = [];
  // In order, each after the one before: input typed after a resize must find the terminal resized.
  let applied = Promise.resolve();
  const apply = async (p: ExecProcess, item: Buffer | ExecControl) => {
    if (Buffer.isBuffer(item)) {
      if (p.stdin.writable) p.stdin.write(item);
    } else if (item.type === "eof") p.stdin.end();
    else if (item.type === "resize")
      await p.resize(item.cols, item.rows).catch((err: unknown) => deps.log.debug("exec resize failed", { err }));
  };
  const take = (item: Buffer | ExecControl) => {
    if (!proc) return void early.push(item);
    const p = proc;
    applied = applied.then(() => apply(p, item));
  };
  socket.on("message", (data: RawData, isBinary: boolean) => {
    const bytes = data as Buffer;
    if (isBinary) return take(bytes);
    try {
      take(JSON.parse(bytes.toString("utf8")) as ExecControl);
    } catch {
      // not JSON: nothing to act on
    }
  });
  try {
    if (!deps.exec) throw new Error("This host's container engine cannot run commands in containers.");
    const found = await deps.driver.list({
      "com.amazonaws.ecs.task-arn": request.taskArn,
      "com.amazonaws.ecs.container-name": request.containerName,
    });
    const container = found.find((c) => c.status === "running");
    if (!container) throw new Error(`The container ${request.containerName} of the task is not running.`);
    proc = await deps.exec.exec(container.id, { command: request.command, tty: request.tty });
  } catch (err) {
    event({ type: "error", message: (err as Error).message });
    socket.close(1000);
    return;
  }
  deps.log.info("exec session started", { sessionId: request.sessionId, taskArn: request.taskArn, container: request.containerName });
  event({ type: "started" });
  for (const item of early.splice(0)) take(item);
  const running = proc;
  socket.on("close", () => running.close());
  // Closed while the command started: nobody is there to read it.
  if (socket.readyState !== socket.OPEN) running.close();
  socket.on("error", () => socket.terminate());
  const forward = (stream: NodeJS.ReadableStream & { pause(): void; resume(): void }, id: number) =>
    stream.on("data", (chunk: Buffer) => {
      if (socket.readyState !== socket.OPEN) return;
      socket.send(outputFrame(id, chunk), () => {
        if (socket.bufferedAmount < MAX_BUFFERED_BYTES) stream.resume();
      });
      if (socket.bufferedAmount >= MAX_BUFFERED_BYTES) stream.pause();
    });
  forward(running.stdout, ExecStream.Stdout);
  forward(running.stderr, ExecStream.Stderr);
  try {
    const exitCode = await running.exited;
    event({ type: "exit", exitCode });
  } catch (err) {
    event({ type: "error", message: (err as Error).message });
  }
  deps.log.info("exec session ended", { sessionId: request.sessionId });
  socket.close(1000);
}
