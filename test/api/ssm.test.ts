// SSM Parameter Store in-process: the real @aws-sdk/client-ssm (JSON 1.1, SigV4, its error
// parsing and paginators) against the whole control plane with no port. The CLIs' view, a
// restart and the at-rest check are in test/e2e/ssm-cli.test.ts.
import {
  AddTagsToResourceCommand,
  CreateDocumentCommand,
  DeleteParameterCommand,
  DeleteParametersCommand,
  DescribeParametersCommand,
  GetParameterCommand,
  GetParameterHistoryCommand,
  GetParametersByPathCommand,
  GetParametersCommand,
  LabelParameterVersionCommand,
  ListTagsForResourceCommand,
  PutParameterCommand,
  RemoveTagsFromResourceCommand,
  SSMClient,
  UnlabelParameterVersionCommand,
  paginateDescribeParameters,
  paginateGetParametersByPath,
  type DescribeParametersCommandInput,
  type Parameter,
} from "@aws-sdk/client-ssm";
import assert from "node:assert/strict";
import { after, describe, test } from "node:test";
import { expectError } from "../support/assertions.js";
import { TEST_ACCESS_KEY, TEST_ACCOUNT, TEST_SECRET_KEY } from "../support/berth-process.js";
import { inProcessBerth, inProcessHandler } from "../support/in-process.js";

const arnOf = (name: string, region = "us-east-1") =>
  `arn:aws:ssm:${region}:${TEST_ACCOUNT}:parameter/${name.startsWith("/") ? name.slice(1) : name}`;

describe("SSM Parameter Store in-process", () => {
  const berth = inProcessBerth();
  after(() => berth.close());
  const ssmClient = (region = "us-east-1") =>
    new SSMClient({
      endpoint: "http://berth.in-process",
      region,
      credentials: { accessKeyId: TEST_ACCESS_KEY, secretAccessKey: TEST_SECRET_KEY },
      maxAttempts: 1,
      requestHandler: inProcessHandler(berth.plane.handle),
    });
  const ssm = ssmClient();
  const put = (Name: string, Value: string, more: Partial<ConstructorParameters<typeof PutParameterCommand>[0]> = {}) =>
    ssm.send(new PutParameterCommand({ Name, Value, Type: "String", ...more }));
  const get = async (Name: string, WithDecryption?: boolean) =>
    (await ssm.send(new GetParameterCommand({ Name, WithDecryption }))).Parameter!;

  test("PutParameter makes version 1; GetParameter answers it by name and by ARN", async () => {
    const out = await put("/app/plain", "hello", { Description: "a greeting" });
    assert.deepEqual({ Version: out.Version, Tier: out.Tier }, { Version: 1, Tier: "Standard" });
    const p = await get("/app/plain");
    assert.deepEqual(
      { Name: p.Name, Type: p.Type, Value: p.Value, Version: p.Version, ARN: p.ARN, DataType: p.DataType },
      { Name: "/app/plain", Type: "String", Value: "hello", Version: 1, ARN: arnOf("/app/plain"), DataType: "text" },
    );
    assert.ok(p.LastModifiedDate instanceof Date && Math.abs(p.LastModifiedDate.getTime() - Date.now()) < 60_000);
    assert.equal((await get(arnOf("/app/plain"))).Value, "hello");
    await put("plain-name", "top");
    assert.equal((await get(arnOf("plain-name"))).Name, "plain-name");
  });

  test("a second put without Overwrite is ParameterAlreadyExists and changes nothing; with it, version 2", async () => {
    await put("/app/ver", "one");
    await expectError(
      put("/app/ver", "two"),
      "ParameterAlreadyExists",
      "The parameter already exists. To overwrite this value, set the overwrite option in the request to true.",
    );
    assert.equal((await get("/app/ver")).Value, "one");
    assert.equal((await put("/app/ver", "two", { Overwrite: true })).Version, 2);
    const current = await get("/app/ver");
    assert.deepEqual([current.Value, current.Version], ["two", 2]);
    const first = await get("/app/ver:1");
    assert.deepEqual([first.Value, first.Version, first.Selector], ["one", 1, ":1"]);
    await expectError(get("/app/ver:7"), "ParameterVersionNotFound", /could not find version 7 of \/app\/ver/);
    // Overwrite keeps the type and description when they are not given again.
    await put("/app/typed", "a", { Type: "StringList", Description: "d" });
    await ssm.send(new PutParameterCommand({ Name: "/app/typed", Value: "a,b", Overwrite: true }));
    const [meta] = (await ssm.send(new DescribeParametersCommand({ ParameterFilters: [{ Key: "Name", Values: ["/app/typed"] }] })))
      .Parameters!;
    assert.deepEqual([meta!.Type, meta!.Description, meta!.Version], ["StringList", "d", 2]);
  });

  test("SecureString values come back decrypted only WithDecryption", async () => {
    await put("/app/secret", "s3cr3t-value", { Type: "SecureString" });
    const sealed = await get("/app/secret");
    assert.equal(sealed.Type, "SecureString");
    assert.notEqual(sealed.Value, "s3cr3t-value");
    assert.ok(!sealed.Value!.includes("s3cr3t"));
    assert.equal((await get("/app/secret", true)).Value, "s3cr3t-value");
    assert.equal((await get(arnOf("/app/secret"), true)).Value, "s3cr3t-value");
    const [meta] = (await ssm.send(new DescribeParametersCommand({ ParameterFilters: [{ Key: "Name", Values: ["/app/secret"] }] })))
      .Parameters!;
    assert.equal(meta!.KeyId, "alias/aws/ssm");
    await put("/app/secret-cmk", "x", { Type: "SecureString", KeyId: "alias/mine" });
    const byKey = await ssm.send(new DescribeParametersCommand({ ParameterFilters: [{ Key: "KeyId", Values: ["alias/mine"] }] }));
    assert.deepEqual(
      byKey.Parameters!.map((p) => p.Name),
      ["/app/secret-cmk"],
    );
  });

  test("GetParameters answers the found and lists the rest as InvalidParameters", async () => {
    await put("/multi/a", "A");
    await put("/multi/b", "B", { Type: "SecureString" });
    const out = await ssm.send(
      new GetParametersCommand({ Names: ["/multi/a", arnOf("/multi/b"), "/multi/none", "/multi/a:9"], WithDecryption: true }),
    );
    assert.deepEqual(
      out.Parameters!.map((p) => [p.Name, p.Value]),
      [
        ["/multi/a", "A"],
        ["/multi/b", "B"],
      ],
    );
    assert.deepEqual(out.InvalidParameters, ["/multi/none", "/multi/a:9"]);
    // Another account's or region's ARN names nothing here.
    const other = await ssm.send(new GetParametersCommand({ Names: [arnOf("/multi/a", "eu-west-1")] }));
    assert.deepEqual([other.Parameters, other.InvalidParameters], [[], [arnOf("/multi/a", "eu-west-1")]]);
  });

  test("names: characters, reserved prefixes, depth, length; each refused write changes nothing", async () => {
    const rules = /can't be prefixed with "aws" or "ssm"/;
    await expectError(put("/bad/na me", "x"), "ValidationException", rules);
    await expectError(put("/aws/thing", "x"), "ValidationException", rules);
    await expectError(put("SSM-thing", "x"), "ValidationException", rules);
    await expectError(put("rel/path", "x"), "ValidationException", "Parameter name must be a fully qualified name.");
    const deep = "/" + Array.from({ length: 16 }, (_, i) => `l${i}`).join("/");
    await expectError(put(deep, "x"), "HierarchyLevelLimitExceededException");
    await put("/" + Array.from({ length: 15 }, (_, i) => `l${i}`).join("/"), "fifteen levels");
    await expectError(put("/" + "n".repeat(2048), "x"), "ValidationException", /length less than or equal to 2048/);
    await expectError(ssm.send(new PutParameterCommand({ Name: "/no/type", Value: "x" })), "ValidationException", /type is required/);
    const left = await ssm.send(new GetParametersCommand({ Names: ["/bad/na me", "/aws/thing", deep, "/no/type"] }));
    assert.equal(left.Parameters!.length, 0);
  });

  test("tiers bound the value: Standard 4096 bytes, Advanced 8192; Intelligent-Tiering picks", async () => {
    await expectError(put("/tier/big", "x".repeat(4097)), "ValidationException", /Standard tier parameters support a maximum/);
    assert.equal((await put("/tier/big", "x".repeat(4097), { Tier: "Advanced" })).Tier, "Advanced");
    await expectError(put("/tier/huge", "x".repeat(8193), { Tier: "Advanced" }), "ValidationException", /8192/);
    assert.equal((await put("/tier/auto", "x".repeat(5000), { Tier: "Intelligent-Tiering" })).Tier, "Advanced");
    assert.equal((await put("/tier/small", "x", { Tier: "Intelligent-Tiering" })).Tier, "Standard");
    await expectError(put("/tier/big", "y", { Tier: "Standard", Overwrite: true }), "ValidationException", /can't downgrade/);
    assert.equal((await get("/tier/big")).Version, 1);
  });

  test("AllowedPattern binds every value; a bad pattern is InvalidAllowedPatternException", async () => {
    await put("/pattern/port", "8080", { AllowedPattern: "^\\d+$" });
    await expectError(put("/pattern/port", "http", { Overwrite: true }), "ParameterPatternMismatchException", /allowedPattern/);
    assert.equal((await put("/pattern/port", "9090", { Overwrite: true })).Version, 2);
    await expectError(put("/pattern/other", "x", { AllowedPattern: "[a-" }), "InvalidAllowedPatternException");
    await expectError(put("/pattern/other", "abc", { AllowedPattern: "a" }), "ParameterPatternMismatchException");
  });

  test("DataType text only; KeyId only with SecureString; Tags not with Overwrite", async () => {
    await expectError(put("/dt/x", "ami-1", { DataType: "aws:ec2:image" }), "ValidationException", /data type is not supported/);
    await expectError(put("/dt/x", "v", { KeyId: "alias/k" }), "ValidationException", /SecureString/);
    await put("/dt/x", "v");
    await expectError(
      put("/dt/x", "w", { Overwrite: true, Tags: [{ Key: "a", Value: "b" }] }),
      "ValidationException",
      /tags and overwrite can't be used together/,
    );
    assert.equal((await get("/dt/x")).Value, "v");
  });

  test("100 versions are kept: the oldest goes, unless it has a label", async () => {
    await put("/many/v", "0");
    for (let i = 1; i < 100; i++) await put("/many/v", String(i), { Overwrite: true });
    assert.equal((await put("/many/v", "100", { Overwrite: true })).Version, 101);
    await expectError(get("/many/v:1"), "ParameterVersionNotFound");
    assert.equal((await get("/many/v:2")).Value, "1");
    await ssm.send(new LabelParameterVersionCommand({ Name: "/many/v", ParameterVersion: 2, Labels: ["pinned"] }));
    await expectError(put("/many/v", "101", { Overwrite: true }), "ParameterMaxVersionLimitExceeded", /Version 2, the oldest version/);
    assert.equal((await get("/many/v")).Version, 101);
    const history = await ssm.send(new GetParameterHistoryCommand({ Name: "/many/v", MaxResults: 50 }));
    assert.equal(history.Parameters!.length, 50);
    assert.equal(history.Parameters![0]!.Version, 2);
    assert.deepEqual(history.Parameters![0]!.Labels, ["pinned"]);
    const rest = await ssm.send(new GetParameterHistoryCommand({ Name: "/many/v", NextToken: history.NextToken }));
    assert.deepEqual([rest.Parameters!.length, rest.Parameters!.at(-1)!.Version, rest.NextToken], [50, 101, undefined]);
  });

  test("GetParameterHistory: every version with its value, SecureString sealed unless decrypted", async () => {
    await put("/hist/s", "first", { Type: "SecureString" });
    await put("/hist/s", "second", { Type: "SecureString", Overwrite: true, Description: "now described" });
    const plain = await ssm.send(new GetParameterHistoryCommand({ Name: "/hist/s" }));
    assert.ok(plain.Parameters!.every((h) => !["first", "second"].includes(h.Value!)));
    const open = await ssm.send(new GetParameterHistoryCommand({ Name: "/hist/s", WithDecryption: true }));
    assert.deepEqual(
      open.Parameters!.map((h) => [h.Version, h.Value, h.Description, h.LastModifiedUser]),
      [
        [1, "first", undefined, `arn:aws:iam::${TEST_ACCOUNT}:root`],
        [2, "second", "now described", `arn:aws:iam::${TEST_ACCOUNT}:root`],
      ],
    );
    await expectError(ssm.send(new GetParameterHistoryCommand({ Name: "/hist/none" })), "ParameterNotFound");
    await expectError(ssm.send(new GetParameterHistoryCommand({ Name: "/hist/s", NextToken: "garbage" })), "InvalidNextToken");
  });

  test("labels: name a version, move between versions, select with name:label, unlabel", async () => {
    await put("/lab/p", "v1");
    await put("/lab/p", "v2", { Overwrite: true });
    const labelled = await ssm.send(
      new LabelParameterVersionCommand({ Name: "/lab/p", ParameterVersion: 1, Labels: ["prod", "1bad", "awsy"] }),
    );
    assert.deepEqual([labelled.ParameterVersion, labelled.InvalidLabels], [1, ["1bad", "awsy"]]);
    assert.equal((await get("/lab/p:prod")).Value, "v1");
    assert.equal((await ssm.send(new LabelParameterVersionCommand({ Name: "/lab/p", Labels: ["prod"] }))).ParameterVersion, 2);
    assert.equal((await get("/lab/p:prod")).Value, "v2");
    await expectError(get("/lab/p:nolabel"), "ParameterVersionNotFound");
    const byLabel = await ssm.send(
      new GetParametersByPathCommand({ Path: "/lab", ParameterFilters: [{ Key: "Label", Values: ["prod"] }] }),
    );
    assert.deepEqual(
      byLabel.Parameters!.map((p) => p.Name),
      ["/lab/p"],
    );
    const tooMany = Array.from({ length: 10 }, (_, i) => `l${i}`);
    await expectError(
      ssm.send(new LabelParameterVersionCommand({ Name: "/lab/p", ParameterVersion: 2, Labels: tooMany })),
      "ParameterVersionLabelLimitExceeded",
    );
    const un = await ssm.send(new UnlabelParameterVersionCommand({ Name: "/lab/p", ParameterVersion: 2, Labels: ["prod", "other"] }));
    assert.deepEqual([un.RemovedLabels, un.InvalidLabels], [["prod"], ["other"]]);
    await expectError(get("/lab/p:prod"), "ParameterVersionNotFound");
    await expectError(
      ssm.send(new LabelParameterVersionCommand({ Name: "/lab/p", ParameterVersion: 5, Labels: ["x"] })),
      "ParameterVersionNotFound",
    );
    await expectError(ssm.send(new LabelParameterVersionCommand({ Name: "/lab/none", Labels: ["x"] })), "ParameterNotFound");
  });

  test("GetParametersByPath: one level or recursive, filters, and the SDK's paginator", async () => {
    for (const name of ["/tree/a", "/tree/b", "/tree/sub/c", "/tree/sub/deeper/d", "/treehouse/x"]) await put(name, name);
    await put("/tree/sub/s", "hidden", { Type: "SecureString" });
    const names = (ps: Parameter[] | undefined) => (ps ?? []).map((p) => p.Name);
    assert.deepEqual(names((await ssm.send(new GetParametersByPathCommand({ Path: "/tree" }))).Parameters), ["/tree/a", "/tree/b"]);
    assert.deepEqual(names((await ssm.send(new GetParametersByPathCommand({ Path: "/tree/" }))).Parameters), ["/tree/a", "/tree/b"]);
    const all: Parameter[] = [];
    for await (const page of paginateGetParametersByPath(
      { client: ssm, pageSize: 2 },
      { Path: "/tree", Recursive: true, WithDecryption: true },
    )) {
      assert.ok(page.Parameters!.length <= 2);
      all.push(...page.Parameters!);
    }
    assert.deepEqual(names(all), ["/tree/a", "/tree/b", "/tree/sub/c", "/tree/sub/deeper/d", "/tree/sub/s"]);
    assert.equal(all.find((p) => p.Name === "/tree/sub/s")!.Value, "hidden");
    const secure = await ssm.send(
      new GetParametersByPathCommand({ Path: "/tree", Recursive: true, ParameterFilters: [{ Key: "Type", Values: ["SecureString"] }] }),
    );
    assert.deepEqual(names(secure.Parameters), ["/tree/sub/s"]);
    assert.notEqual(secure.Parameters![0]!.Value, "hidden");
    await expectError(
      ssm.send(new GetParametersByPathCommand({ Path: "/tree", ParameterFilters: [{ Key: "Name", Values: ["x"] }] })),
      "InvalidFilterKey",
    );
    await expectError(
      ssm.send(new GetParametersByPathCommand({ Path: "/tree", ParameterFilters: [{ Key: "Type", Values: ["Number"] }] })),
      "InvalidFilterValue",
    );
    await expectError(
      ssm.send(new GetParametersByPathCommand({ Path: "/tree", MaxResults: 11 })),
      "ValidationException",
      /less than or equal to 10/,
    );
    await expectError(ssm.send(new GetParametersByPathCommand({ Path: "/tree", NextToken: "%%%" })), "InvalidNextToken");
    await expectError(ssm.send(new GetParametersByPathCommand({ Path: "tree" })), "ValidationException");
  });

  test("DescribeParameters: ParameterFilters, the older Filters, not both, and the SDK's paginator", async () => {
    for (const name of ["/desc/one", "/desc/two", "/desc/sub/three"])
      await put(name, "v", { Tags: [{ Key: "team", Value: name.includes("sub") ? "b" : "a" }] });
    const describe = async (input: DescribeParametersCommandInput) =>
      ((await ssm.send(new DescribeParametersCommand(input))).Parameters ?? []).map((p) => p.Name);
    assert.deepEqual(await describe({ ParameterFilters: [{ Key: "Path", Values: ["/desc"] }] }), ["/desc/one", "/desc/two"]);
    assert.deepEqual(await describe({ ParameterFilters: [{ Key: "Path", Option: "Recursive", Values: ["/desc"] }] }), [
      "/desc/one",
      "/desc/sub/three",
      "/desc/two",
    ]);
    assert.deepEqual(await describe({ ParameterFilters: [{ Key: "Name", Option: "BeginsWith", Values: ["/desc/t"] }] }), ["/desc/two"]);
    assert.deepEqual(await describe({ ParameterFilters: [{ Key: "Name", Option: "Contains", Values: ["sub/th"] }] }), ["/desc/sub/three"]);
    assert.deepEqual(await describe({ ParameterFilters: [{ Key: "tag:team", Values: ["b"] }] }), ["/desc/sub/three"]);
    assert.deepEqual(await describe({ Filters: [{ Key: "Name", Values: ["/desc/o"] }] }), ["/desc/one"]);
    await expectError(
      describe({ Filters: [{ Key: "Name", Values: ["/desc"] }], ParameterFilters: [{ Key: "Type", Values: ["String"] }] }),
      "ValidationException",
      "You can use either Filters or ParameterFilters in a single request.",
    );
    assert.deepEqual(await describe({ Shared: true }), []);
    await expectError(describe({ ParameterFilters: [{ Key: "Colour", Values: ["red"] }] }), "InvalidFilterKey");
    await expectError(describe({ ParameterFilters: [{ Key: "Name", Option: "Sounds", Values: ["x"] }] }), "InvalidFilterOption");
    const seen: string[] = [];
    for await (const page of paginateDescribeParameters(
      { client: ssm, pageSize: 1 },
      { ParameterFilters: [{ Key: "Path", Option: "Recursive", Values: ["/desc"] }] },
    )) {
      assert.ok(page.Parameters!.length <= 1);
      seen.push(...page.Parameters!.map((p) => p.Name!));
    }
    assert.deepEqual(seen, ["/desc/one", "/desc/sub/three", "/desc/two"]);
    const meta = (await ssm.send(new DescribeParametersCommand({ ParameterFilters: [{ Key: "Name", Values: ["/desc/one"] }] })))
      .Parameters![0]!;
    assert.deepEqual(
      { ARN: meta.ARN, Type: meta.Type, Tier: meta.Tier, Version: meta.Version, DataType: meta.DataType, User: meta.LastModifiedUser },
      {
        ARN: arnOf("/desc/one"),
        Type: "String",
        Tier: "Standard",
        Version: 1,
        DataType: "text",
        User: `arn:aws:iam::${TEST_ACCOUNT}:root`,
      },
    );
  });

  test("tags: add (replacing a key), remove, list; other resource types and unknown ids are refused", async () => {
    await put("/tags/p", "v", { Tags: [{ Key: "a", Value: "1" }] });
    const list = async () => (await ssm.send(new ListTagsForResourceCommand({ ResourceType: "Parameter", ResourceId: "/tags/p" }))).TagList;
    assert.deepEqual(await list(), [{ Key: "a", Value: "1" }]);
    await ssm.send(
      new AddTagsToResourceCommand({
        ResourceType: "Parameter",
        ResourceId: "/tags/p",
        Tags: [
          { Key: "a", Value: "2" },
          { Key: "b", Value: "3" },
        ],
      }),
    );
    assert.deepEqual(await list(), [
      { Key: "a", Value: "2" },
      { Key: "b", Value: "3" },
    ]);
    await ssm.send(new RemoveTagsFromResourceCommand({ ResourceType: "Parameter", ResourceId: "/tags/p", TagKeys: ["a", "zz"] }));
    assert.deepEqual(await list(), [{ Key: "b", Value: "3" }]);
    await expectError(
      ssm.send(new ListTagsForResourceCommand({ ResourceType: "Parameter", ResourceId: "/tags/none" })),
      "InvalidResourceId",
    );
    await expectError(ssm.send(new ListTagsForResourceCommand({ ResourceType: "Document", ResourceId: "/tags/p" })), "InvalidResourceType");
    const fifty = Array.from({ length: 50 }, (_, i) => ({ Key: `k${i}`, Value: "v" }));
    await expectError(
      ssm.send(new AddTagsToResourceCommand({ ResourceType: "Parameter", ResourceId: "/tags/p", Tags: fifty })),
      "TooManyTagsError",
    );
    assert.deepEqual(await list(), [{ Key: "b", Value: "3" }]);
  });

  test("DeleteParameter and DeleteParameters; a deleted name starts again at version 1", async () => {
    await put("/del/a", "1");
    await put("/del/a", "2", { Overwrite: true });
    await put("/del/b", "b");
    await ssm.send(new DeleteParameterCommand({ Name: "/del/a" }));
    await expectError(get("/del/a"), "ParameterNotFound");
    await expectError(ssm.send(new DeleteParameterCommand({ Name: "/del/a" })), "ParameterNotFound");
    assert.equal((await put("/del/a", "again")).Version, 1);
    const out = await ssm.send(new DeleteParametersCommand({ Names: ["/del/a", "/del/none", arnOf("/del/b")] }));
    assert.deepEqual([out.DeletedParameters, out.InvalidParameters], [["/del/a", arnOf("/del/b")], ["/del/none"]]);
    assert.equal((await ssm.send(new GetParametersCommand({ Names: ["/del/a", "/del/b"] }))).Parameters!.length, 0);
  });

  test("parameters are per region; the rest of SSM's model is NotImplemented with 501", async () => {
    await put("/region/only-here", "x");
    await expectError(ssmClient("eu-west-1").send(new GetParameterCommand({ Name: "/region/only-here" })), "ParameterNotFound");
    await assert.rejects(
      ssm.send(new CreateDocumentCommand({ Name: "doc", Content: "{}" })),
      (err: Error & { $metadata?: { httpStatusCode?: number } }) => {
        assert.equal(err.name, "NotImplemented");
        assert.match(err.message, /CreateDocument is part of the SSM API but is not implemented by berth yet/);
        assert.equal(err.$metadata?.httpStatusCode, 501);
        return true;
      },
    );
  });
});
