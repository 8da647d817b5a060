// The account's credentials and the `berth` AWS profile that lets `aws --profile berth`
// find this control plane.
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join } from "node:path";

export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
}

const KEY_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

function newAccessKeyId(): string {
  const bytes = randomBytes(16);
  return "AKIA" + Array.from(bytes, (b) => KEY_ALPHABET[b % KEY_ALPHABET.length]).join("");
}

const credentialsFile = (dataDir: string) => join(dataDir, "credentials.json");

/** The credentials kept in the data dir, if berth has started there. */
export function readCredentials(dataDir: string): Credentials | undefined {
  const file = credentialsFile(dataDir);
  return existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as Credentials) : undefined;
}

/** The credentials kept in the data dir, created on first start. */
export function loadOrCreateCredentials(dataDir: string): { credentials: Credentials; created: boolean } {
  const existing = readCredentials(dataDir);
  if (existing) return { credentials: existing, created: false };
  const file = credentialsFile(dataDir);
  const credentials = { accessKeyId: newAccessKeyId(), secretAccessKey: randomBytes(30).toString("base64") };
  writeFileSync(file, JSON.stringify(credentials, null, 2) + "\n", { mode: 0o600 });
  return { credentials, created: true };
}

/**
 * Sets one section of an INI file, keeping every other section and line as it was:
 * other profiles are never clobbered.
 */
export function upsertIniSection(text: string, section: string, values: Record<string, string>): string {
  const lines = text.split(/\r?\n/);
  const out: string[] = [];
  let inSection = false;
  let written = false;
  const block = [`[${section}]`, ...Object.entries(values).map(([k, v]) => `${k} = ${v}`)];
  for (const line of lines) {
    const header = /^\s*\[([^\]]+)\]\s*$/.exec(line);
    if (header) {
      const wasInSection = inSection;
      inSection = header[1]!.trim() === section;
      if (inSection) {
        out.push(...block);
        written = true;
        continue;
      }
      // The replaced section swallowed the blank line that separated it from this one.
      if (wasInSection) out.push("");
    }
    if (!inSection) out.push(line);
  }
  while (out.length > 0 && out[out.length - 1] === "") out.pop();
  if (!written) out.push(...(out.length ? [""] : []), ...block);
  return out.join("\n") + "\n";
}

export interface ProfileFiles {
  config: string;
  credentials: string;
}

export function awsFiles(): ProfileFiles {
  return {
    config: process.env.AWS_CONFIG_FILE ?? join(homedir(), ".aws", "config"),
    credentials: process.env.AWS_SHARED_CREDENTIALS_FILE ?? join(homedir(), ".aws", "credentials"),
  };
}

export function writeProfile(files: ProfileFiles, profile: string, creds: Credentials, endpointUrl: string, region: string): void {
  const update = (file: string, section: string, values: Record<string, string>) => {
    mkdirSync(dirname(file), { recursive: true });
    const before = existsSync(file) ? readFileSync(file, "utf8") : "";
    writeFileSync(file, upsertIniSection(before, section, values), { mode: 0o600 });
  };
  update(files.config, `profile ${profile}`, { region, endpoint_url: endpointUrl, output: "json" });
  update(files.credentials, profile, {
    aws_access_key_id: creds.accessKeyId,
    aws_secret_access_key: creds.secretAccessKey,
  });
}
