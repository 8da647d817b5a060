// ECS's own answers where berth once differed, as the unmodified AWS CLIs show them: an
// operation berth leaves out, an enum value ECS does not know, an empty DescribeTasks, and a
// long ARN setting that can no longer be disabled.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { startBerth, type BerthProcess } from "../support/berth-process.js";
import { availableClis, runCli } from "../support/clients.js";

describe("ECS details through the AWS CLIs", () => {
  let berth: BerthProcess;
  before(async () => {
    berth = await startBerth();
  });
  after(async () => {
    await berth.stop();
  });

  for (const cli of availableClis()) {
    test(`${cli.name} (${cli.path}): ECS's exceptions and messages`, () => {
      const aws = (...args: string[]) => runCli(cli, berth.endpoint, ["ecs", ...args]);
      const refused = (result: ReturnType<typeof aws>, pattern: RegExp) => {
        assert.notEqual(result.status, 0, result.stdout);
        assert.match(result.stderr, pattern);
      };
      assert.equal(aws("create-cluster", "--cluster-name", "details").status, 0);
      refused(
        aws("update-container-agent", "--cluster", "details", "--container-instance", "0123456789abcdef0123456789abcdef"),
        /UnsupportedFeatureException.*UpdateContainerAgent operation(?: \(reached max retries: \d+\))?: UpdateContainerAgent is not supported by berth\. berth's agent/,
      );
      refused(
        aws("list-services", "--cluster", "details", "--launch-type", "FOO"),
        /InvalidParameterException.*ListServices operation(?: \(reached max retries: \d+\))?: launch type should be one of \[EC2,FARGATE,EXTERNAL,MANAGED_INSTANCES\]/,
      );
      refused(
        aws("put-account-setting", "--name", "taskLongArnFormat", "--value", "disabled"),
        /InvalidParameterException.*PutAccountSetting operation(?: \(reached max retries: \d+\))?: You can no longer disable Long Arn settings/,
      );
      // The CLI sends `tasks: []` for an empty --tasks, as scripts listing no tasks do.
      refused(
        runCli(cli, berth.endpoint, ["ecs", "describe-tasks", "--cluster", "details", "--cli-input-json", '{"tasks": []}']),
        /InvalidParameterException.*DescribeTasks operation(?: \(reached max retries: \d+\))?: Tasks cannot be empty\./,
      );
    });
  }
});
