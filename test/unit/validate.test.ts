// Input validation against the real ECS model.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { ProtocolError } from "../../src/aws/errors.js";
import { EcsError, invalidParameter } from "../../src/domain/errors.js";
import { ecsModel } from "../../src/services/ecs/model.js";
import { validateInput } from "../../src/aws/validate.js";

const model = ecsModel();
const check = (operation: string, body: unknown) => validateInput(model, model.operations[operation]!.input, body, invalidParameter);

function fails(operation: string, body: unknown, code: string, member: string) {
  assert.throws(
    () => check(operation, body),
    (err: unknown) => {
      const name = err instanceof ProtocolError ? err.code : err instanceof EcsError ? err.name : "";
      assert.equal(name, code);
      assert.match((err as Error).message, new RegExp(member.replace(/[[\].]/g, "\\$&")));
      return true;
    },
  );
}

describe("model validation", () => {
  test("the model is the ECS model", () => {
    assert.equal(model.metadata.targetPrefix, "AmazonEC2ContainerServiceV20141113");
    assert.ok(Object.keys(model.operations).length >= 55);
  });

  test("well-formed input passes", () => {
    check("CreateCluster", {
      clusterName: "web",
      tags: [{ key: "a", value: "b" }],
      settings: [{ name: "containerInsights", value: "enabled" }],
    });
    check("ListClusters", {});
    check("RegisterTaskDefinition", {
      family: "app",
      containerDefinitions: [{ name: "web", image: "nginx", memory: 128, portMappings: [{ containerPort: 80 }] }],
    });
  });

  test("missing required members name the member", () => {
    fails("RegisterTaskDefinition", { containerDefinitions: [] }, "InvalidParameterException", "family");
    fails("TagResource", { resourceArn: "arn" }, "InvalidParameterException", "tags");
    fails("DescribeTaskDefinition", {}, "InvalidParameterException", "taskDefinition");
  });

  test("wrong JSON types are SerializationException naming the member", () => {
    fails("ListClusters", { maxResults: "ten" }, "SerializationException", "maxResults");
    fails("CreateCluster", { clusterName: 5 }, "SerializationException", "clusterName");
    fails("CreateCluster", { tags: { key: "a" } }, "SerializationException", "tags");
    fails(
      "RegisterTaskDefinition",
      { family: "f", containerDefinitions: [{ name: "a", essential: "yes" }] },
      "SerializationException",
      "containerDefinitions[0].essential",
    );
    fails("ListClusters", { maxResults: 1.5 }, "SerializationException", "maxResults");
    fails("ListClusters", [], "SerializationException", "body");
  });

  test("unknown enum values are InvalidParameterException listing the valid ones", () => {
    fails("DescribeClusters", { include: ["EVERYTHING"] }, "InvalidParameterException", "include[0]");
    fails(
      "RegisterTaskDefinition",
      { family: "f", containerDefinitions: [], networkMode: "overlay" },
      "InvalidParameterException",
      "networkMode",
    );
  });

  test("length limits from the model apply", () => {
    const tooMany = Array.from({ length: 51 }, (_, i) => ({ key: `k${i}`, value: "v" }));
    fails("CreateCluster", { tags: tooMany }, "InvalidParameterException", "tags");
    fails("CreateCluster", { tags: [{ key: "", value: "v" }] }, "InvalidParameterException", "tags[0].key");
  });
  test("timestamps become Dates: epoch seconds as SDKs send them, or a string of them, or ISO 8601; anything else is refused", () => {
    const body: Record<string, unknown> = {
      task: "t",
      pullStartedAt: 1795690254.332,
      pullStoppedAt: "1795690255",
      executionStoppedAt: "2026-11-26T10:00:00.250Z",
      containers: [{ containerName: "a", status: "RUNNING" }],
    };
    check("SubmitTaskStateChange", body);
    assert.deepEqual(body.pullStartedAt, new Date(1795690254332));
    assert.deepEqual(body.pullStoppedAt, new Date(1795690255000));
    assert.deepEqual(body.executionStoppedAt, new Date("2026-11-26T10:00:00.250Z"));
    assert.deepEqual(body.containers, [{ containerName: "a", status: "RUNNING" }], "other members are left as they were");
    fails("SubmitTaskStateChange", { task: "t", pullStartedAt: "yesterday" }, "SerializationException", "pullStartedAt");
    fails("SubmitTaskStateChange", { task: "t", pullStartedAt: true }, "SerializationException", "pullStartedAt");
  });
});
