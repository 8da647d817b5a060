// ECS Exec on Docker Engine: `docker exec` through the API, its streams hijacked (stdin
// included), demultiplexed when there is no terminal, and the exit status read from the
// exec's inspect once its output ends.
import type Docker from "dockerode";
import { PassThrough } from "node:stream";
import type { ContainerExec, ExecOptions, ExecProcess } from "../exec.js";
import { call } from "./client.js";

/** Docker marks an exec finished a moment after its streams end. */
const INSPECT_RETRY_MS = 50;
const INSPECT_TRIES = 100;

export class DockerExec implements ContainerExec {
  constructor(private readonly docker: Docker) {}

  async exec(containerId: string, opts: ExecOptions): Promise<ExecProcess> {
    const exec = await call(
      () =>
        this.docker.getContainer(containerId).exec({
          Cmd: opts.command,
          AttachStdin: true,
          AttachStdout: true,
          AttachStderr: true,
          Tty: opts.tty,
        }),
      "exec",
    );
    const stream = await call(() => exec.start({ hijack: true, stdin: true, Tty: opts.tty }), "exec start");
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    if (opts.tty) stream.pipe(stdout);
    else {
      this.docker.modem.demuxStream(stream, stdout, stderr);
      stream.once("end", () => {
        stdout.end();
        stderr.end();
      });
    }
    stream.once("close", () => {
      stdout.end();
      stderr.end();
    });
    stream.on("error", () => stream.destroy());
    // Once the reader has had all of both streams: the exit status comes after the output.
    const ended = Promise.all([stdout, stderr].map((s) => new Promise<void>((resolve) => s.once("end", resolve))));
    const exited = ended.then(async () => {
      for (let i = 0; i < INSPECT_TRIES; i++) {
        const state = await call(() => exec.inspect(), "exec inspect");
        if (!state.Running && state.ExitCode !== null) return state.ExitCode;
        await new Promise((r) => setTimeout(r, INSPECT_RETRY_MS));
      }
      throw new Error("the command's output ended but Docker still reports it running");
    });
    return {
      stdin: stream,
      stdout,
      stderr,
      resize: async (cols, rows) => {
        if (opts.tty) await call(() => exec.resize({ w: cols, h: rows }), "exec resize");
      },
      exited,
      close: () => stream.destroy(),
    };
  }
}
