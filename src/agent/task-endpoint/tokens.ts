// The unguessable part of ECS_CONTAINER_METADATA_URI(_V4): one token per container, derived
// from its ARN with a key only this host's agent holds, so the ARN (which the ECS API shows
// anyone) does not give it away, and the token a container was created with still works after
// the agent restarts (the key is kept in its state directory).
import { createHmac, randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const KEY_FILE = "task-endpoint.key";

export class EndpointKey {
  constructor(private readonly key: Buffer) {}

  /** The key in `stateDir`, made (readable by its owner only) the first time. */
  static inDirectory(stateDir: string): EndpointKey {
    const file = join(stateDir, KEY_FILE);
    if (existsSync(file)) return new EndpointKey(Buffer.from(readFileSync(file, "utf8").trim(), "hex"));
    mkdirSync(stateDir, { recursive: true });
    const key = randomBytes(32);
    writeFileSync(file, key.toString("hex") + "\n", { mode: 0o600, flag: "wx" });
    return new EndpointKey(key);
  }

  /** A uuid-shaped token, as the ECS agent's v3 endpoint ids look. */
  containerToken(containerArn: string): string {
    const hex = createHmac("sha256", this.key).update(containerArn).digest("hex").slice(0, 32);
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
  }
}
