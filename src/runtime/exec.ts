// Running a command in a container that runs (ECS Exec): what the agent needs, apart from
// the RuntimeDriver because not every engine berth drives offers it (the fake does not).
import type { Readable, Writable } from "node:stream";

export interface ExecOptions {
  /** argv, run without a shell. */
  command: string[];
  /** On a pseudo-terminal: one output stream, the terminal's line discipline, resizes. */
  tty: boolean;
}

export interface ExecProcess {
  /** End it to close the command's stdin. */
  stdin: Writable;
  /** Everything the command writes, on a terminal; its stdout otherwise. */
  stdout: Readable;
  /** Its stderr without a terminal; never emits on one. */
  stderr: Readable;
  /** Resizes the terminal (nothing without one). */
  resize(cols: number, rows: number): Promise<void>;
  /** Resolves with the command's exit status once it ended and its output was read. */
  exited: Promise<number>;
  /** Lets go of the command's streams (the command itself ends when its input does, if it reads it). */
  close(): void;
}

export interface ContainerExec {
  /** Starts the command in the running container `containerId`; rejects with a RuntimeError. */
  exec(containerId: string, opts: ExecOptions): Promise<ExecProcess>;
}
