// Secret values at rest (Secrets Manager's secrets, SSM's SecureString parameters): sealed with
// AES-256-GCM under a key kept in the data dir (mode 0600), made on first use. The database
// alone, copied off the host, gives up no secret.
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export interface Sealer {
  /** base64 of nonce ‖ tag ‖ ciphertext. `context` binds it to where it is stored (e.g. a secret's ARN and version). */
  seal(plain: Buffer | string, context: string): string;
  /** The value `seal` was given; throws if `sealed` was altered or sealed under another context or key. */
  open(sealed: string, context: string): Buffer;
}

const KEY_FILE = "secrets.key";
const NONCE_BYTES = 12;
const TAG_BYTES = 16;

/** The data dir's key, made now if it has none. */
export function dataDirSealer(dataDir: string): Sealer {
  const file = join(dataDir, KEY_FILE);
  if (!existsSync(file)) writeFileSync(file, randomBytes(32).toString("base64") + "\n", { mode: 0o600, flag: "wx" });
  return sealerWithKey(Buffer.from(readFileSync(file, "utf8").trim(), "base64"));
}

export function sealerWithKey(key: Buffer): Sealer {
  if (key.length !== 32) throw new Error("a sealing key is 32 bytes");
  return {
    seal(plain, context) {
      const nonce = randomBytes(NONCE_BYTES);
      const cipher = createCipheriv("aes-256-gcm", key, nonce);
      cipher.setAAD(Buffer.from(context, "utf8"));
      const body = Buffer.concat([cipher.update(typeof plain === "string" ? Buffer.from(plain, "utf8") : plain), cipher.final()]);
      return Buffer.concat([nonce, cipher.getAuthTag(), body]).toString("base64");
    },
    open(sealed, context) {
      const bytes = Buffer.from(sealed, "base64");
      const decipher = createDecipheriv("aes-256-gcm", key, bytes.subarray(0, NONCE_BYTES));
      decipher.setAAD(Buffer.from(context, "utf8"));
      decipher.setAuthTag(bytes.subarray(NONCE_BYTES, NONCE_BYTES + TAG_BYTES));
      return Buffer.concat([decipher.update(bytes.subarray(NONCE_BYTES + TAG_BYTES)), decipher.final()]);
    },
  };
}
