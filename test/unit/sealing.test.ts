import { strict as assert } from "node:assert";
import { mkdtempSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { dataDirSealer, sealerWithKey } from "../../src/state/sealing.js";

test("a sealed value opens under its key and context, and under nothing else", () => {
  const dir = mkdtempSync(join(tmpdir(), "berth-seal-"));
  const sealer = dataDirSealer(dir);
  const sealed = sealer.seal("hunter2", "arn:secret:v1");
  assert.ok(!Buffer.from(sealed, "base64").includes(Buffer.from("hunter2")));
  assert.equal(sealer.open(sealed, "arn:secret:v1").toString(), "hunter2");
  assert.equal(dataDirSealer(dir).open(sealed, "arn:secret:v1").toString(), "hunter2", "the key is kept");
  assert.equal(statSync(join(dir, "secrets.key")).mode & 0o777, 0o600);
  assert.throws(() => sealer.open(sealed, "arn:secret:v2"));
  assert.throws(() => sealerWithKey(Buffer.alloc(32, 7)).open(sealed, "arn:secret:v1"));
  const bytes = Buffer.from(sealed, "base64");
  bytes[bytes.length - 1]! ^= 1;
  assert.throws(() => sealer.open(bytes.toString("base64"), "arn:secret:v1"));
});
