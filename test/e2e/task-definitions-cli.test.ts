// The real-world fixtures and the task definition commands through every installed AWS CLI.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { startBerth, type BerthProcess } from "../support/berth-process.js";
import { availableClis, runCli, type AwsCli } from "../support/clients.js";
import { FIXTURES_DIR, REJECTED_FIXTURES, taskDefinitionFixtures } from "../support/fixtures.js";

function supports(cli: AwsCli, command: string): boolean {
  return spawnSync(cli.path, ["ecs", command, "help"], { env: { ...process.env, PAGER: "cat" }, stdio: "ignore" }).status === 0;
}

describe("task definitions (AWS CLI)", () => {
  let berth: BerthProcess;
  before(async () => {
    berth = await startBerth();
  });
  after(async () => {
    await berth.stop();
  });

  for (const [index, cli] of availableClis().entries()) {
    test(`${cli.name}: fixtures register (or are refused) and read back`, () => {
      const region = `eu-north-${index + 1}`; // each CLI gets a region of its own
      const run = (args: string[]) => runCli(cli, berth.endpoint, ["ecs", ...args], { region });
      for (const { file, input } of taskDefinitionFixtures()) {
        const r = run(["register-task-definition", "--cli-input-json", `file://${join(FIXTURES_DIR, file)}`]);
        const rejected = REJECTED_FIXTURES[file];
        if (rejected) {
          assert.notEqual(r.status, 0, `${file} should be refused`);
          // null ulimits never leave the CLI (it validates parameters); the others reach berth.
          if (rejected.type === "ClientException") assert.match(r.stderr, /ClientException/);
          continue;
        }
        assert.equal(r.status, 0, `${file}: ${r.stderr}`);
        const td = r.json.taskDefinition;
        const described = run(["describe-task-definition", "--task-definition", `${input.family}:${td.revision}`]);
        assert.equal(described.status, 0, described.stderr);
        assert.deepEqual(described.json.taskDefinition, td);
      }
      const families = run(["list-task-definition-families"]).json.families as string[];
      assert.deepEqual(families, [...new Set(families)].sort());
      assert.ok(families.includes("nginx") && families.includes("consulServer"));
      const all = run(["list-task-definitions", "--page-size", "3"]);
      assert.equal(all.json.taskDefinitionArns.length, taskDefinitionFixtures().length - Object.keys(REJECTED_FIXTURES).length);

      const dereg = run(["deregister-task-definition", "--task-definition", "nginx:1"]);
      assert.equal(dereg.json.taskDefinition.status, "INACTIVE");
      const inactive = run(["list-task-definitions", "--status", "INACTIVE"]);
      assert.equal(inactive.json.taskDefinitionArns.length, 1);
      if (supports(cli, "delete-task-definitions")) {
        const del = run(["delete-task-definitions", "--task-definitions", "nginx:1"]);
        assert.equal(del.status, 0, del.stderr);
        assert.equal(del.json.taskDefinitions[0].status, "DELETE_IN_PROGRESS");
      }
      const missing = run(["describe-task-definition", "--task-definition", "nope:1"]);
      assert.notEqual(missing.status, 0);
      assert.match(missing.stderr, /ClientException.*Unable to describe task definition/);
    });
  }
});
