// The Docker Engine connection, and turning its errors into RuntimeErrors that carry Docker's
// own message (the agent shows it to ECS users verbatim, e.g. in CannotPullContainerError).
import Docker from "dockerode";
import { RuntimeError, type RuntimeErrorKind } from "../driver.js";

export interface DockerConnection {
  /** Defaults to DOCKER_HOST, then /var/run/docker.sock. */
  socketPath?: string;
  host?: string;
  port?: number;
  protocol?: "http" | "https";
}

export function connectDocker(conn: DockerConnection = {}): Docker {
  // No API version is pinned: the engine then speaks its newest, and engines ≥ 29 refuse
  // anything older than 1.44 while Debian's 20.10 stops at 1.41. Only fields present in
  // both are used. No request timeout either: wait and stop legitimately last minutes.
  return new Docker(conn);
}

interface DockerodeError extends Error {
  statusCode?: number;
  json?: unknown;
  code?: string;
}

/** Docker's message, without dockerode's "(HTTP code 404) no such container - " wrapping. */
export function dockerMessage(err: unknown): string {
  const e = err as DockerodeError;
  const json = e?.json as { message?: unknown } | undefined;
  if (json && typeof json === "object" && typeof json.message === "string") return json.message;
  const text = String(e?.message ?? err);
  return text.replace(/^\(HTTP code \d+\) [^-]*- /, "").trim();
}

export function statusCode(err: unknown): number | undefined {
  return (err as DockerodeError)?.statusCode;
}

const UNREACHABLE = new Set(["ECONNREFUSED", "ENOENT", "ECONNRESET", "EPIPE", "EACCES", "ETIMEDOUT", "EHOSTUNREACH"]);

export function isUnreachable(err: unknown): boolean {
  const code = (err as DockerodeError)?.code;
  return statusCode(err) === undefined && code !== undefined && UNREACHABLE.has(code);
}

export function toRuntimeError(err: unknown, what?: string): RuntimeError {
  if (err instanceof RuntimeError) return err;
  const status = statusCode(err);
  let kind: RuntimeErrorKind = "failed";
  if (status === 404) kind = "not-found";
  else if (status === 409) kind = "conflict";
  else if (status === 400) kind = "invalid";
  else if (isUnreachable(err)) kind = "unavailable";
  // Docker reports a taken host port as a 500 at start time.
  const message = dockerMessage(err);
  if (kind === "failed" && /port is already allocated|address already in use/i.test(message)) kind = "conflict";
  const text = kind === "unavailable" ? `Cannot connect to the Docker daemon: ${message}` : message;
  return new RuntimeError(kind, what && kind === "unavailable" ? `${what}: ${text}` : text, { cause: err });
}

/** Runs a Docker call, rejecting with a RuntimeError. */
export async function call<T>(fn: () => Promise<T>, what?: string): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw toRuntimeError(err, what);
  }
}

/** Runs a Docker call where a 404 means "nothing there" rather than a failure. */
export async function callOrMissing<T>(fn: () => Promise<T>): Promise<T | undefined> {
  try {
    return await fn();
  } catch (err) {
    if (statusCode(err) === 404) return undefined;
    throw toRuntimeError(err);
  }
}
