// Images a task needs: pulled when missing ("once" pull behaviour: a present tag is used as it
// is), with the engine's progress in the agent log. A failed pull is the container's
// CannotPullContainerError, with Docker's own message.
import type { Logger } from "../../log/logger.js";
import type { RegistryAuth, RuntimeDriver } from "../../runtime/driver.js";
import { messageOf } from "./failure.js";

export interface ImageResult {
  /** The failure reason when the image could not be had. */
  error?: string;
  /** "sha256:…" from the image's repo digests, when it came from a registry. */
  digest?: string;
}

export async function ensureImages(
  driver: RuntimeDriver,
  images: readonly string[],
  log: Logger,
  authFor: (image: string) => RegistryAuth | undefined = () => undefined,
): Promise<Map<string, ImageResult>> {
  const unique = [...new Set(images)];
  const results = await Promise.all(unique.map((image) => ensureImage(driver, image, log, authFor(image))));
  return new Map(unique.map((image, i) => [image, results[i]!]));
}

async function ensureImage(driver: RuntimeDriver, image: string, log: Logger, auth: RegistryAuth | undefined): Promise<ImageResult> {
  try {
    // One inspect answers both "is it here?" and "what is its digest?" when it is present,
    // as it is for every task after the first: each Engine call costs milliseconds.
    let info = await driver.inspectImage(image);
    if (!info) {
      const started = Date.now();
      log.info("pulling an image", { image });
      let last = "";
      await driver.pullImage(
        image,
        (line) => {
          // Layer progress bars repeat many times a second; log each new status once.
          const status = line.replace(/\s*\[[=> ]*\].*$/, "");
          if (status !== last) log.debug(status, { image });
          last = status;
        },
        auth,
      );
      log.info("pulled an image", { image, ms: Date.now() - started });
      info = await driver.inspectImage(image);
    }
    const digest = info?.repoDigests.map((d) => d.slice(d.indexOf("@") + 1)).find((d) => d.startsWith("sha256:"));
    return digest ? { digest } : {};
  } catch (err) {
    return { error: `CannotPullContainerError: ${messageOf(err)}` };
  }
}
