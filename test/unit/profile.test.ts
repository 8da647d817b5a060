import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { upsertIniSection, writeProfile } from "../../src/cli/credentials.js";

test("a new section is appended and other profiles are kept", () => {
  const before = "[default]\nregion = eu-west-1\n\n[profile other]\noutput = text\n";
  const after = upsertIniSection(before, "profile berth", { region: "us-east-1" });
  assert.equal(after, before + "\n[profile berth]\nregion = us-east-1\n");
});

test("an existing section is replaced in place, neighbours untouched", () => {
  const before = "[a]\nx = 1\n\n[berth]\nold = yes\nkey = 1\n\n[b]\ny = 2\n";
  const after = upsertIniSection(before, "berth", { key: "2" });
  assert.equal(after, "[a]\nx = 1\n\n[berth]\nkey = 2\n\n[b]\ny = 2\n");
});

test("writeProfile writes config and credentials without clobbering", () => {
  const dir = mkdtempSync(join(tmpdir(), "berth-aws-"));
  const files = { config: join(dir, "config"), credentials: join(dir, "credentials") };
  writeFileSync(files.credentials, "[default]\naws_access_key_id = REAL\naws_secret_access_key = SECRET\n");
  writeProfile(files, "berth", { accessKeyId: "AK", secretAccessKey: "SK" }, "http://127.0.0.1:4545", "us-east-1");
  writeProfile(files, "berth", { accessKeyId: "AK2", secretAccessKey: "SK2" }, "http://127.0.0.1:4546", "us-east-1");
  const creds = readFileSync(files.credentials, "utf8");
  assert.match(creds, /\[default\]\naws_access_key_id = REAL/);
  assert.match(creds, /\[berth\]\naws_access_key_id = AK2\naws_secret_access_key = SK2/);
  assert.equal(creds.match(/\[berth\]/g)?.length, 1);
  assert.match(readFileSync(files.config, "utf8"), /\[profile berth\]\nregion = us-east-1\nendpoint_url = http:\/\/127.0.0.1:4546/);
});
