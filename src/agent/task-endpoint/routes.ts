// The endpoint's paths, as the ECS agent routes them, to answers: credentials (v2), and task
// metadata v3 and v4 (container, task, taskWithTags, stats, task stats) by the container's token.
import { credentialsAnswer, type CredentialsLookup } from "./credentials.js";
import type { EndpointAnswer } from "./answer.js";
import type { MetadataVersion } from "./metadata.js";

export type MetadataResource = "container" | "task" | "taskWithTags" | "stats" | "taskStats";

export interface MetadataSource {
  /** Undefined when no container of a tracked task has this token. */
  answer(token: string, resource: MetadataResource, version: MetadataVersion): Promise<EndpointAnswer | undefined>;
}

const RESOURCES: Record<string, MetadataResource> = {
  "": "container",
  "/task": "task",
  "/taskWithTags": "taskWithTags",
  "/stats": "stats",
  "/task/stats": "taskStats",
};

const METADATA = /^\/v([34])\/([^/]+)(\/task|\/taskWithTags|\/stats|\/task\/stats)?\/?$/;

/** The ECS agent's words when the token names no container it runs. */
export function unknownToken(version: MetadataVersion, resource: MetadataResource, token: string): EndpointAnswer {
  // Stats look the task up first, so their error names the task.
  const lookup =
    resource === "container"
      ? `unable to get container ID from request: unable to get docker ID from v3 endpoint ID: ${token}`
      : `unable to get task arn from request: unable to get task Arn from v3 endpoint ID: ${token}`;
  if (version === 4) {
    const handler = {
      container: "V4 container metadata handler",
      task: "V4 task metadata handler",
      taskWithTags: "V4 task metadata handler",
      stats: "V4 container stats handler",
      taskStats: "V4 task stats handler",
    }[resource];
    return { status: 404, body: `${handler}: ${lookup}` };
  }
  const handler = {
    container: "V3 container metadata handler",
    task: "V3 task metadata handler",
    taskWithTags: "V3 task metadata handler",
    stats: "V3 container stats handler",
    taskStats: "V3 task stats handler",
  }[resource];
  return { status: resource === "stats" || resource === "taskStats" ? 400 : 500, body: `${handler}: ${lookup}` };
}

export async function route(
  method: string,
  path: string,
  clientAddress: string,
  sources: { credentials: CredentialsLookup; metadata: MetadataSource },
): Promise<EndpointAnswer> {
  if (method !== "GET") return { status: 405, body: "Method Not Allowed" };
  if (path === "/v2/credentials" || path.startsWith("/v2/credentials/")) {
    return credentialsAnswer(sources.credentials, decodeURIComponent(path.slice("/v2/credentials/".length)), clientAddress);
  }
  const m = METADATA.exec(path);
  if (!m) return { status: 404, body: "404 page not found" };
  const version = Number(m[1]) as MetadataVersion;
  const token = m[2]!;
  const resource = RESOURCES[m[3] ?? ""]!;
  return (await sources.metadata.answer(token, resource, version)) ?? unknownToken(version, resource, token);
}
