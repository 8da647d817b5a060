// Task definitions through the real SDK: the real-world fixtures, revisions under
// concurrency, listing with paginators, deregistration and deletion.
import {
  DeleteTaskDefinitionsCommand,
  DeregisterTaskDefinitionCommand,
  DescribeTaskDefinitionCommand,
  ListTaskDefinitionFamiliesCommand,
  ListTaskDefinitionsCommand,
  RegisterTaskDefinitionCommand,
  paginateListTaskDefinitionFamilies,
  paginateListTaskDefinitions,
  type ECSClient,
  type RegisterTaskDefinitionRequest,
} from "@aws-sdk/client-ecs";
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { startBerth, TEST_ACCOUNT, type BerthProcess } from "../support/berth-process.js";
import { sdkClient } from "../support/clients.js";
import { REJECTED_FIXTURES, taskDefinitionFixtures } from "../support/fixtures.js";
import { ECS_TARGET, rawCall } from "../support/raw.js";

const simple = (family: string, extra: Partial<RegisterTaskDefinitionRequest> = {}): RegisterTaskDefinitionRequest => ({
  family,
  containerDefinitions: [{ name: "app", image: "busybox", memory: 32 }],
  ...extra,
});

async function all<T>(pages: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const page of pages) out.push(page);
  return out;
}

describe("task definitions (SDK)", () => {
  let berth: BerthProcess;
  let ecs: ECSClient;
  before(async () => {
    berth = await startBerth();
    ecs = sdkClient(berth.endpoint);
  });
  after(async () => {
    await berth.stop();
  });

  for (const { file, input } of taskDefinitionFixtures()) {
    const rejected = REJECTED_FIXTURES[file];
    test(`fixture ${file} ${rejected ? "is rejected" : "registers in ECS's normalised form"}`, async () => {
      if (rejected) {
        const revisions = async () =>
          (await ecs.send(new ListTaskDefinitionsCommand({ familyPrefix: input.family, status: "ACTIVE" }))).taskDefinitionArns;
        const before = await revisions();
        // Sent as the file's exact JSON: the SDK would drop a null member before sending.
        const res = await rawCall(berth.endpoint, ECS_TARGET("RegisterTaskDefinition"), JSON.stringify(input));
        assert.equal(res.status, 400);
        assert.equal(res.body.__type, rejected.type);
        assert.match(res.body.message, rejected.message);
        assert.deepEqual(await revisions(), before, "a rejected registration leaves nothing behind");
        return;
      }
      const registered = await ecs.send(new RegisterTaskDefinitionCommand(input));
      const td = registered.taskDefinition!;
      assert.match(td.taskDefinitionArn!, new RegExp(`^arn:aws:ecs:us-east-1:${TEST_ACCOUNT}:task-definition/${input.family}:\\d+$`));
      assert.equal(td.status, "ACTIVE");
      assert.equal(td.registeredBy, `arn:aws:iam::${TEST_ACCOUNT}:root`);
      assert.ok(td.registeredAt instanceof Date && Math.abs(td.registeredAt.getTime() - Date.now()) < 60_000);
      assert.ok(td.compatibilities!.includes("EC2"));
      if (input.requiresCompatibilities?.includes("FARGATE")) assert.ok(td.compatibilities!.includes("FARGATE"));
      const mode = input.networkMode ?? "bridge";
      for (const [i, c] of td.containerDefinitions!.entries()) {
        const given = input.containerDefinitions![i]!;
        assert.equal(c.cpu, given.cpu ?? 0);
        assert.equal(c.essential, given.essential ?? true);
        assert.ok(Array.isArray(c.environment) && Array.isArray(c.mountPoints) && Array.isArray(c.volumesFrom));
        for (const [j, p] of c.portMappings!.entries()) {
          const givenPort = given.portMappings![j]!;
          assert.equal(p.protocol, givenPort.protocol ?? "tcp");
          assert.equal(p.hostPort, mode === "bridge" ? (givenPort.hostPort ?? 0) : givenPort.containerPort);
        }
      }
      const described = await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: td.taskDefinitionArn }));
      assert.deepEqual(described.taskDefinition, td, "Describe returns what Register returned");
    });
  }

  test("50 concurrent registrations of one family get revisions 1..50", async () => {
    const results = await Promise.all(Array.from({ length: 50 }, () => ecs.send(new RegisterTaskDefinitionCommand(simple("concurrent")))));
    const revisions = results.map((r) => r.taskDefinition!.revision!).sort((a, b) => a - b);
    assert.deepEqual(
      revisions,
      Array.from({ length: 50 }, (_, i) => i + 1),
    );
    const pages = await all(paginateListTaskDefinitions({ client: ecs, pageSize: 7 }, { familyPrefix: "concurrent" }));
    const arns = pages.flatMap((p) => p.taskDefinitionArns!);
    assert.equal(arns.length, 50);
    assert.equal(arns[0], `arn:aws:ecs:us-east-1:${TEST_ACCOUNT}:task-definition/concurrent:1`);
    assert.equal(arns[49], `arn:aws:ecs:us-east-1:${TEST_ACCOUNT}:task-definition/concurrent:50`);
    const desc = await ecs.send(new ListTaskDefinitionsCommand({ familyPrefix: "concurrent", sort: "DESC", maxResults: 2 }));
    assert.deepEqual(
      desc.taskDefinitionArns!.map((a) => a.split(":").pop()),
      ["50", "49"],
    );
    assert.ok(desc.nextToken);
    const descPages = await all(paginateListTaskDefinitions({ client: ecs, pageSize: 7 }, { familyPrefix: "concurrent", sort: "DESC" }));
    assert.deepEqual(
      descPages.flatMap((p) => p.taskDefinitionArns!),
      [...arns].reverse(),
    );
  });

  test("ListTaskDefinitions pages across families, and a page boundary holds while revisions come and go", async () => {
    for (const family of ["pg-b", "pg-a", "pg-c"])
      for (let i = 0; i < 3; i++) await ecs.send(new RegisterTaskDefinitionCommand(simple(family)));
    const mine = (arns: string[]) => arns.map((a) => a.split("/").pop()!).filter((n) => n.startsWith("pg-"));
    const everything = (await ecs.send(new ListTaskDefinitionsCommand({ maxResults: 100 }))).taskDefinitionArns!;
    assert.deepEqual(mine(everything), ["pg-a:1", "pg-a:2", "pg-a:3", "pg-b:1", "pg-b:2", "pg-b:3", "pg-c:1", "pg-c:2", "pg-c:3"]);
    const paged = await all(paginateListTaskDefinitions({ client: ecs, pageSize: 2 }, {}));
    assert.deepEqual(
      paged.flatMap((p) => p.taskDefinitionArns!),
      everything,
      "pages of 2 list what one page lists",
    );
    // Past pg-a:2: deregistering a revision before the boundary, or registering one after it, moves nothing.
    const first = await ecs.send(new ListTaskDefinitionsCommand({ familyPrefix: "pg-a", maxResults: 2 }));
    assert.deepEqual(mine(first.taskDefinitionArns!), ["pg-a:1", "pg-a:2"]);
    await ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: "pg-a:1" }));
    await ecs.send(new RegisterTaskDefinitionCommand(simple("pg-a")));
    const rest = await ecs.send(new ListTaskDefinitionsCommand({ familyPrefix: "pg-a", maxResults: 2, nextToken: first.nextToken }));
    assert.deepEqual(mine(rest.taskDefinitionArns!), ["pg-a:3", "pg-a:4"]);
    assert.equal(rest.nextToken, undefined);
    const inactive = await ecs.send(new ListTaskDefinitionsCommand({ familyPrefix: "pg-a", status: "INACTIVE" }));
    assert.deepEqual(mine(inactive.taskDefinitionArns!), ["pg-a:1"]);
    await assert.rejects(ecs.send(new ListTaskDefinitionsCommand({ nextToken: "garbage" })), { name: "InvalidParameterException" });
  });

  test("describe by family, family:revision and ARN; include TAGS", async () => {
    await ecs.send(new RegisterTaskDefinitionCommand(simple("lookup", { tags: [{ key: "team", value: "a" }] })));
    const second = await ecs.send(new RegisterTaskDefinitionCommand(simple("lookup")));
    assert.deepEqual(second.tags, []);
    assert.equal((await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: "lookup" }))).taskDefinition!.revision, 2);
    const first = await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: "lookup:1", include: ["TAGS"] }));
    assert.equal(first.taskDefinition!.revision, 1);
    assert.deepEqual(first.tags, [{ key: "team", value: "a" }]);
    const byArn = await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: second.taskDefinition!.taskDefinitionArn }));
    assert.equal(byArn.taskDefinition!.revision, 2);
    assert.equal(byArn.tags, undefined, "tags only with include TAGS");
    for (const missing of ["nope", "lookup:9", "lookup:x", "arn:aws:ecs:us-east-1:999999999999:task-definition/lookup:1"]) {
      await assert.rejects(ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: missing })), {
        name: "ClientException",
        message: "Unable to describe task definition.",
      });
    }
  });

  test("deregister makes a revision INACTIVE; the family falls back to the latest ACTIVE one", async () => {
    await ecs.send(new RegisterTaskDefinitionCommand(simple("dereg")));
    await ecs.send(new RegisterTaskDefinitionCommand(simple("dereg")));
    const out = await ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: "dereg:2" }));
    assert.equal(out.taskDefinition!.status, "INACTIVE");
    assert.ok(out.taskDefinition!.deregisteredAt instanceof Date);
    assert.equal((await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: "dereg" }))).taskDefinition!.revision, 1);
    assert.equal((await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: "dereg:2" }))).taskDefinition!.status, "INACTIVE");
    const inactive = await ecs.send(new ListTaskDefinitionsCommand({ familyPrefix: "dereg", status: "INACTIVE" }));
    assert.deepEqual(
      inactive.taskDefinitionArns!.map((a) => a.split("/").pop()),
      ["dereg:2"],
    );
    await assert.rejects(ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: "dereg" })), { name: "ClientException" });
    await assert.rejects(ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: "dereg:7" })), { name: "ClientException" });
    const next = await ecs.send(new RegisterTaskDefinitionCommand(simple("dereg")));
    assert.equal(next.taskDefinition!.revision, 3, "revisions never reuse a number");
  });

  test("families: prefix, status and pagination", async () => {
    for (const f of ["fam-a", "fam-b", "fam-c"]) await ecs.send(new RegisterTaskDefinitionCommand(simple(f)));
    await ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: "fam-c:1" }));
    const active = await all(paginateListTaskDefinitionFamilies({ client: ecs, pageSize: 1 }, { familyPrefix: "fam-" }));
    assert.deepEqual(
      active.flatMap((p) => p.families),
      ["fam-a", "fam-b"],
    );
    const inactive = await ecs.send(new ListTaskDefinitionFamiliesCommand({ familyPrefix: "fam-", status: "INACTIVE" }));
    assert.deepEqual(inactive.families, ["fam-c"]);
    const everything = await ecs.send(new ListTaskDefinitionFamiliesCommand({ familyPrefix: "fam-", status: "ALL" }));
    assert.deepEqual(everything.families, ["fam-a", "fam-b", "fam-c"]);
  });

  test("delete needs INACTIVE revisions and reports the rest as failures", async () => {
    await ecs.send(new RegisterTaskDefinitionCommand(simple("del")));
    await ecs.send(new RegisterTaskDefinitionCommand(simple("del")));
    await ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: "del:1" }));
    const out = await ecs.send(new DeleteTaskDefinitionsCommand({ taskDefinitions: ["del:1", "del:2", "del:99"] }));
    assert.deepEqual(
      out.taskDefinitions!.map((t) => [t.revision, t.status]),
      [[1, "DELETE_IN_PROGRESS"]],
    );
    assert.equal(out.failures!.length, 2);
    assert.match(out.failures![0]!.reason!, /ACTIVE/);
    const listed = await ecs.send(new ListTaskDefinitionsCommand({ familyPrefix: "del", status: "INACTIVE" }));
    assert.deepEqual(listed.taskDefinitionArns, [], "deleted revisions are no longer INACTIVE");
  });

  test("invalid definitions are refused with ECS's errors and register nothing", async () => {
    const cases: [RegisterTaskDefinitionRequest, string, RegExp][] = [
      [simple("bad name!"), "ClientException", /Family/],
      [{ family: "bad", containerDefinitions: [] }, "ClientException", /Container list cannot be empty/],
      [{ family: "bad", containerDefinitions: [{ name: "a", image: "busybox" }] }, "ClientException", /memory/],
      [
        { ...simple("bad"), requiresCompatibilities: ["FARGATE"], networkMode: "awsvpc", cpu: "256", memory: "4096" },
        "ClientException",
        /Fargate/,
      ],
      [{ ...simple("bad"), requiresCompatibilities: ["FARGATE"], cpu: "256", memory: "512" }, "ClientException", /awsvpc/],
      [
        { family: "bad", containerDefinitions: [{ name: "a", image: "busybox", memory: 32, essential: false }] },
        "ClientException",
        /essential/,
      ],
    ];
    for (const [input, type, message] of cases) {
      await assert.rejects(ecs.send(new RegisterTaskDefinitionCommand(input)), (err: Error) => {
        assert.equal(err.name, type, `${err.name}: ${err.message}`);
        assert.match(err.message, message);
        return true;
      });
    }
    const families = await ecs.send(new ListTaskDefinitionFamiliesCommand({ familyPrefix: "bad", status: "ALL" }));
    assert.deepEqual(families.families, []);
  });
});
