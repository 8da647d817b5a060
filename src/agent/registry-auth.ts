// Private registry credentials held by the agent, as the ECS agent takes them:
// ECS_ENGINE_AUTH_TYPE=docker with ECS_ENGINE_AUTH_DATA={"host:port":{"username":…,"password":…}},
// or ECS_ENGINE_AUTH_TYPE=dockercfg with {"host:port":{"auth":"<base64 user:pass>"}}.
import type { RegistryAuth } from "../runtime/driver.js";

export type RegistryAuthTable = ReadonlyMap<string, RegistryAuth>;

export function parseEngineAuth(type: string | undefined, data: string | undefined): RegistryAuthTable {
  const table = new Map<string, RegistryAuth>();
  if (!type || !data) return table;
  if (type !== "docker" && type !== "dockercfg") throw new Error(`ECS_ENGINE_AUTH_TYPE must be docker or dockercfg, not ${type}`);
  let parsed: Record<string, { username?: string; password?: string; auth?: string }>;
  try {
    parsed = JSON.parse(data) as typeof parsed;
  } catch {
    throw new Error("ECS_ENGINE_AUTH_DATA is not valid JSON");
  }
  for (const [registry, entry] of Object.entries(parsed)) {
    const host = registry.replace(/^https?:\/\//, "").replace(/\/.*$/, "");
    if (type === "docker" && entry.username !== undefined && entry.password !== undefined) {
      table.set(host, { username: entry.username, password: entry.password, serveraddress: host });
    } else if (type === "dockercfg" && entry.auth) {
      const decoded = Buffer.from(entry.auth, "base64").toString("utf8");
      const colon = decoded.indexOf(":");
      table.set(host, { username: decoded.slice(0, colon), password: decoded.slice(colon + 1), serveraddress: host });
    }
  }
  return table;
}

/** The registry host of an image reference ("127.0.0.1:5000/app:1" → "127.0.0.1:5000"); Docker Hub otherwise. */
export function registryOf(image: string): string {
  const first = image.split("/")[0]!;
  const isHost = image.includes("/") && (first.includes(".") || first.includes(":") || first === "localhost");
  return isHost ? first : "docker.io";
}

export function authFor(table: RegistryAuthTable, image: string): RegistryAuth | undefined {
  return table.get(registryOf(image));
}
