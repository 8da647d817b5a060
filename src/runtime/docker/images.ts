// Images on Docker: presence, digests, pulls.
import type { Readable } from "node:stream";
import type Docker from "dockerode";
import { RuntimeError, type RegistryAuth } from "../driver.js";
import { withDefaultTag } from "../image-ref.js";
import { call, callOrMissing } from "./client.js";
import { onJsonLines } from "./ndjson.js";

export async function inspectImage(docker: Docker, image: string): Promise<{ id: string; repoDigests: string[] } | undefined> {
  const info = await callOrMissing(() => docker.getImage(image).inspect());
  return info && { id: info.Id, repoDigests: info.RepoDigests ?? [] };
}

export async function pullImage(docker: Docker, image: string, onProgress?: (line: string) => void, auth?: RegistryAuth): Promise<void> {
  const stream = (await call(() => docker.createImage(auth, { fromImage: withDefaultTag(image) }))) as Readable;
  // A pull that fails after it started still answers 200; the failure is an "error" line.
  await new Promise<void>((resolve, reject) => {
    let failure: string | undefined;
    onJsonLines(stream, (line) => {
      if (typeof line.error === "string") failure ??= line.error;
      onProgress?.(progressText(line));
    });
    stream.on("error", (err) => reject(new RuntimeError("failed", err.message, { cause: err })));
    stream.on("end", () => (failure === undefined ? resolve() : reject(new RuntimeError(kindOf(failure), failure))));
  });
}

function kindOf(message: string): "not-found" | "failed" {
  return /not found|manifest unknown|does not exist|repository .* not found/i.test(message) ? "not-found" : "failed";
}

function progressText(line: Record<string, unknown>): string {
  if (typeof line.error === "string") return line.error;
  return [line.id, line.status, line.progress].filter((part) => typeof part === "string" && part).join(" ");
}
