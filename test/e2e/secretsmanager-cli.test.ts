// Secrets Manager on berth's endpoint, as the unmodified AWS CLIs and the SDK meet it; values
// survive a restart (and a kill -9), and neither the data dir's database nor berth's log
// holds one in plaintext.
import { CreateSecretCommand, GetSecretValueCommand, PutSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { newDataDir, startBerth, TEST_ACCESS_KEY, TEST_ACCOUNT, TEST_SECRET_KEY, type BerthProcess } from "../support/berth-process.js";
import { availableClis, runCli } from "../support/clients.js";

const secretsClient = (endpoint: string) =>
  new SecretsManagerClient({
    endpoint,
    region: "us-east-1",
    credentials: { accessKeyId: TEST_ACCESS_KEY, secretAccessKey: TEST_SECRET_KEY },
    maxAttempts: 1,
  });

/** Whether any file of the data dir (the SQLite database, its WAL) holds `text`. */
function dataDirHolds(dataDir: string, text: string): string[] {
  return readdirSync(dataDir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name))
    .filter((file) => readFileSync(file).includes(text));
}

describe("Secrets Manager through the AWS CLIs", () => {
  let berth: BerthProcess;
  const scratch = mkdtempSync(join(tmpdir(), "berth-secrets-cli-"));
  before(async () => {
    berth = await startBerth();
  });
  after(async () => {
    await berth.stop();
    rmSync(scratch, { recursive: true, force: true });
  });

  for (const [i, cli] of availableClis().entries()) {
    test(`${cli.name} (${cli.path}): create, read by name and ARNs, put, describe, list, delete`, () => {
      const aws = (...args: string[]) => runCli(cli, berth.endpoint, ["secretsmanager", ...args]);
      const name = `cli${i}/db-password`;
      const created = aws("create-secret", "--name", name, "--secret-string", "s3cret-one", "--description", "from the CLI");
      assert.equal(created.status, 0, created.stderr);
      assert.match(created.json.ARN, new RegExp(`^arn:aws:secretsmanager:us-east-1:${TEST_ACCOUNT}:secret:${name}-[A-Za-z0-9]{6}$`));
      assert.match(created.json.VersionId, /^[0-9a-f-]{36}$/, "the CLI sends a ClientRequestToken of its own");
      for (const id of [name, created.json.ARN as string, (created.json.ARN as string).slice(0, -7)]) {
        const got = aws("get-secret-value", "--secret-id", id);
        assert.equal(got.status, 0, got.stderr);
        assert.equal(got.json.SecretString, "s3cret-one");
        assert.deepEqual(got.json.VersionStages, ["AWSCURRENT"]);
      }
      const put = aws("put-secret-value", "--secret-id", name, "--secret-string", "s3cret-two");
      assert.equal(put.status, 0, put.stderr);
      assert.equal(aws("get-secret-value", "--secret-id", name).json.SecretString, "s3cret-two");
      assert.equal(aws("get-secret-value", "--secret-id", name, "--version-stage", "AWSPREVIOUS").json.SecretString, "s3cret-one");

      const file = join(scratch, `bytes-${i}`);
      writeFileSync(file, Buffer.from([0, 159, 146, 150, 255]));
      const binary = aws("create-secret", "--name", `cli${i}/binary`, "--secret-binary", `fileb://${file}`);
      assert.equal(binary.status, 0, binary.stderr);
      const gotBinary = aws("get-secret-value", "--secret-id", `cli${i}/binary`);
      assert.equal(gotBinary.json.SecretBinary, Buffer.from([0, 159, 146, 150, 255]).toString("base64"));

      const described = aws("describe-secret", "--secret-id", name);
      assert.equal(described.json.Description, "from the CLI");
      assert.equal(Object.keys(described.json.VersionIdsToStages as object).length, 2);
      const listed = aws("list-secrets", "--filters", `Key=name,Values=cli${i}/`);
      assert.deepEqual((listed.json.SecretList as { Name: string }[]).map((s) => s.Name).sort(), [`cli${i}/binary`, name]);

      const deleted = aws("delete-secret", "--secret-id", name, "--recovery-window-in-days", "7");
      assert.equal(deleted.status, 0, deleted.stderr);
      const refused = aws("get-secret-value", "--secret-id", name);
      assert.notEqual(refused.status, 0);
      assert.match(refused.stderr, /InvalidRequestException.*marked for deletion/);
      assert.equal(aws("restore-secret", "--secret-id", name).status, 0);
      assert.equal(aws("delete-secret", "--secret-id", name, "--force-delete-without-recovery").status, 0);
      const missing = aws("describe-secret", "--secret-id", name);
      assert.notEqual(missing.status, 0);
      assert.match(missing.stderr, /ResourceNotFoundException.*Secrets Manager can't find the specified secret/);
      const notYet = aws("get-resource-policy", "--secret-id", `cli${i}/binary`);
      assert.notEqual(notYet.status, 0);
      assert.match(notYet.stderr, /NotImplemented/);
    });
  }
});

test("secrets survive a restart and a kill -9, sealed: neither the data dir nor the log holds a value", async () => {
  const dataDir = newDataDir();
  const marker = `plain-${"k7Q".repeat(8)}`;
  const first = await startBerth({ dataDir });
  const sm = secretsClient(first.endpoint);
  const { ARN } = await sm.send(new CreateSecretCommand({ Name: "durable/secret", SecretString: `${marker}-1` }));
  await first.stop();

  const second = await startBerth({ dataDir });
  const again = secretsClient(second.endpoint);
  assert.equal((await again.send(new GetSecretValueCommand({ SecretId: ARN }))).SecretString, `${marker}-1`);
  await again.send(new PutSecretValueCommand({ SecretId: "durable/secret", SecretString: `${marker}-2` }));
  const logs = first.output() + second.output();
  await second.kill9();

  const third = await startBerth({ dataDir });
  const last = secretsClient(third.endpoint);
  assert.equal((await last.send(new GetSecretValueCommand({ SecretId: "durable/secret" }))).SecretString, `${marker}-2`);
  const prior = await last.send(new GetSecretValueCommand({ SecretId: "durable/secret", VersionStage: "AWSPREVIOUS" }));
  assert.equal(prior.SecretString, `${marker}-1`);
  await third.stop();

  assert.deepEqual(dataDirHolds(dataDir, marker), [], "no file of the data dir holds a value");
  assert.ok(dataDirHolds(dataDir, "durable/secret").length > 0, "the check reads the files that hold the secrets");
  assert.equal(logs.includes(marker) || third.output().includes(marker), false, "no value in berth's log");
  rmSync(dataDir, { recursive: true, force: true });
});
