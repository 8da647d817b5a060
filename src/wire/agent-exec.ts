// An ECS Exec session between the control plane and the agent on the task's host. The
// control plane asks over the agent's channel (ExecRequest); the agent opens a WebSocket of
// its own back to the control plane for the session (signed like its channel, naming the
// session and the token the request carried), runs the command in the container and bridges
// it: a session's bytes never queue behind the channel's assignments and reports, and each
// session has its own flow control.
//
// On the session's socket, binary frames carry bytes: from the agent, one byte naming the
// stream (ExecStream) then the data; to the agent, the command's input. Text frames carry
// ExecControl (to the agent) and ExecEvent (from it) as JSON.

/** Upgraded to a WebSocket; query: `session`, `token`, `containerInstance`. */
export const EXEC_PATH = "/agent/v1/exec";

export interface ExecRequest {
  sessionId: string;
  /** Proves to the control plane that the socket opened for the session comes from the agent it asked. */
  token: string;
  taskArn: string;
  containerName: string;
  /** argv: ECS Exec runs the command without a shell. */
  command: string[];
  /** Run it on a terminal (what ECS Exec does); without one, stdout and stderr stay apart. */
  tty: boolean;
}

export const ExecStream = { Stdout: 1, Stderr: 2 } as const;

/** What the control plane sends on a session's socket besides input. */
export type ExecControl = { type: "resize"; cols: number; rows: number } | { type: "eof" };

/** What the agent sends on a session's socket besides output. */
export type ExecEvent =
  /** The command runs: the control plane sends input and resizes only from now on. */
  | { type: "started" }
  /** The command ended; the agent closes the socket next. */
  | { type: "exit"; exitCode: number }
  /** The command could not be started (no such container, binary, …); the agent closes the socket next. */
  | { type: "error"; message: string };

/** A frame of output from the agent: the stream's byte, then the bytes. */
export function outputFrame(stream: number, data: Buffer): Buffer {
  return Buffer.concat([Buffer.of(stream), data]);
}
