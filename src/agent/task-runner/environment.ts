// Environment a container gets from outside its definition: environmentFiles. ECS only knows S3
// objects there, which berth cannot fetch (no S3 here), so an S3 ARN fails the task as ECS fails
// one whose file it cannot download; a local path (or file:// URL) is read as KEY=VALUE lines.
// Secrets (SSM / Secrets Manager) are resolved for the whole task beforehand: see secrets.ts.
import type { ContainerDefinition } from "@aws-sdk/client-ecs";
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { TaskFailure, messageOf } from "./failure.js";

export async function fileEnvironment(def: ContainerDefinition): Promise<Record<string, string>> {
  const env: Record<string, string> = {};
  for (const file of def.environmentFiles ?? []) {
    const where = file.value ?? "";
    const path = localPath(where);
    if (!path) {
      throw new TaskFailure(
        `ResourceInitializationError: failed to download env files: ${where}: S3 is not available to berth; use a local file path`,
        def.name,
      );
    }
    let text: string;
    try {
      text = await readFile(path, "utf8");
    } catch (err) {
      throw new TaskFailure(`ResourceInitializationError: failed to read env file ${where}: ${messageOf(err)}`, def.name);
    }
    // Files are read top down and the first definition of a name wins, as the ECS agent merges them.
    for (const [name, value] of Object.entries(parseEnvFile(text))) if (!(name in env)) env[name] = value;
  }
  return env;
}

function localPath(value: string): string | undefined {
  if (value.startsWith("file://")) return fileURLToPath(value);
  if (value.startsWith("/")) return value;
  return undefined;
}

/** The ECS env-file format: VARIABLE=VALUE per line, `#` comments, blank lines ignored, no quoting. */
export function parseEnvFile(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith("#")) continue;
    const eq = line.indexOf("=");
    if (eq <= 0) continue;
    const name = line.slice(0, eq).trim();
    if (!(name in env)) env[name] = line.slice(eq + 1);
  }
  return env;
}
