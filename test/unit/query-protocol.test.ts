// The AWS Query protocols read and written by the model, in both dialects: what the SDKs'
// query and EC2 serializers send is read back into the input the model describes, and
// outputs are written as the SDKs' XML parsers expect them.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { ServiceModel } from "../../src/aws/model.js";
import { formPairs, readQueryInput } from "../../src/aws/protocols/query-input.js";
import { awsQuery, ec2Query } from "../../src/aws/protocols/query.js";
import { structureXml } from "../../src/aws/protocols/xml-output.js";

class Invalid extends Error {}
const violation = (message: string) => new Invalid(message);

const model: ServiceModel = {
  metadata: {
    protocol: "query",
    apiVersion: "2020-01-01",
    endpointPrefix: "demo",
    xmlNamespace: "https://demo.amazonaws.com/doc/2020-01-01/",
  },
  operations: {
    Put: { name: "Put", input: { shape: "PutInput" }, output: { shape: "PutOutput", resultWrapper: "PutResult" } },
    Nothing: { name: "Nothing" },
  },
  shapes: {
    PutInput: {
      type: "structure",
      members: {
        Name: { shape: "Str" },
        Count: { shape: "Int" },
        Ratio: { shape: "Dbl" },
        Enabled: { shape: "Bool" },
        At: { shape: "Time" },
        Tags: { shape: "TagList" },
        Ids: { shape: "IdList", flattened: true },
        Attributes: { shape: "AttrMap" },
        Nested: { shape: "Nested" },
        Renamed: { shape: "Str", locationName: "OtherName" },
      },
    },
    PutOutput: {
      type: "structure",
      members: {
        Name: { shape: "Str" },
        Tags: { shape: "TagList" },
        Attributes: { shape: "AttrMap" },
        At: { shape: "Time" },
        Ids: { shape: "IdList", flattened: true },
      },
    },
    Nested: { type: "structure", members: { Inner: { shape: "Str" }, Deeper: { shape: "Nested2" } } },
    Nested2: { type: "structure", members: { Leaf: { shape: "Int" } } },
    TagList: { type: "list", member: { shape: "Tag" } },
    IdList: { type: "list", member: { shape: "Str", locationName: "Id" } },
    Tag: { type: "structure", members: { Key: { shape: "Str" }, Value: { shape: "Str" } } },
    AttrMap: { type: "map", key: { shape: "Str" }, value: { shape: "Str" } },
    Str: { type: "string" },
    Int: { type: "integer" },
    Dbl: { type: "double" },
    Bool: { type: "boolean" },
    Time: { type: "timestamp" },
  },
};

const read = (form: string, m = model, dialect: "query" | "ec2" = "query", op = "PutInput") =>
  readQueryInput(m, { shape: op }, formPairs(form), dialect, violation);

describe("query input", () => {
  test("scalars take their members' types", () => {
    assert.deepEqual(read("Name=web&Count=3&Ratio=0.5&Enabled=true&At=2026-01-02T03:04:05Z&OtherName=x"), {
      Name: "web",
      Count: 3,
      Ratio: 0.5,
      Enabled: true,
      At: new Date("2026-01-02T03:04:05Z"),
      Renamed: "x",
    });
  });

  test("lists (member.N, flattened with the item's name, empty), maps (entry.N) and nested structures", () => {
    const input = read(
      "Tags.member.1.Key=a&Tags.member.1.Value=1&Tags.member.2.Key=b&Id.1=i-1&Id.2=i-2" +
        "&Attributes.entry.1.key=k1&Attributes.entry.1.value=v1&Attributes.entry.2.key=k2&Attributes.entry.2.value=v2" +
        "&Nested.Inner=in&Nested.Deeper.Leaf=7",
    );
    assert.deepEqual(input, {
      Tags: [{ Key: "a", Value: "1" }, { Key: "b" }],
      Ids: ["i-1", "i-2"],
      Attributes: { k1: "v1", k2: "v2" },
      Nested: { Inner: "in", Deeper: { Leaf: 7 } },
    });
    assert.deepEqual(read("Tags="), { Tags: [] });
    assert.deepEqual(read(""), {});
  });

  test("a value that cannot be of its member's type is the service's validation error", () => {
    assert.throws(
      () => read("Count=three"),
      (err: unknown) => err instanceof Invalid && /'three' at 'Count'.*integer/.test(err.message),
    );
    assert.throws(() => read("Enabled=yes"), Invalid);
    assert.throws(() => read("At=yesterday"), Invalid);
    assert.throws(
      () => read("Tags.member.1.Key=a&Nested.Deeper.Leaf=1.5"),
      (err: unknown) => err instanceof Invalid && /Nested\.Deeper\.Leaf/.test(err.message),
    );
  });

  test("ec2: members by queryName or capitalised locationName, list items as Name.N", () => {
    const ec2: ServiceModel = {
      ...model,
      metadata: { ...model.metadata, protocol: "ec2" },
      shapes: {
        ...model.shapes,
        Req: {
          type: "structure",
          members: {
            Filters: { shape: "Filters", locationName: "Filter" },
            GroupIds: { shape: "Ids", queryName: "GroupId", locationName: "groupId" },
            DryRun: { shape: "Bool", locationName: "dryRun" },
          },
        },
        Filters: { type: "list", member: { shape: "Filter", locationName: "Filter" } },
        Filter: { type: "structure", members: { Name: { shape: "Str" }, Values: { shape: "Values", locationName: "Value" } } },
        Values: { type: "list", member: { shape: "Str", locationName: "item" } },
        Ids: { type: "list", member: { shape: "Str", locationName: "groupId" } },
      },
    };
    assert.deepEqual(
      read("Filter.1.Name=vpc-id&Filter.1.Value.1=vpc-1&Filter.1.Value.2=vpc-2&GroupId.1=sg-1&DryRun=false", ec2, "ec2", "Req"),
      {
        Filters: [{ Name: "vpc-id", Values: ["vpc-1", "vpc-2"] }],
        GroupIds: ["sg-1"],
        DryRun: false,
      },
    );
  });
});

describe("query output", () => {
  test("members in model order; lists, flattened lists, maps and timestamps as the SDKs parse them", () => {
    const xml = structureXml(model, model.shapes.PutOutput!, {
      Name: "a<b&c",
      Tags: [{ Key: "k", Value: "v" }],
      Attributes: { x: "1" },
      At: new Date(Date.UTC(2026, 0, 2)),
      Ids: ["i-1", "i-2"],
    });
    assert.equal(
      xml,
      "<Name>a&lt;b&amp;c</Name><Tags><member><Key>k</Key><Value>v</Value></member></Tags>" +
        "<Attributes><entry><key>x</key><value>1</value></entry></Attributes><At>2026-01-02T00:00:00.000Z</At><Id>i-1</Id><Id>i-2</Id>",
    );
  });

  test("query answers wrap the result and name the request; ec2 answers put the request id first", () => {
    const reply = awsQuery.reply(model, "Put", { Name: "n" }, "req-1");
    assert.equal(reply.status, 200);
    assert.equal(reply.headers["content-type"], "text/xml");
    assert.equal(
      reply.body,
      '<PutResponse xmlns="https://demo.amazonaws.com/doc/2020-01-01/"><PutResult><Name>n</Name></PutResult>' +
        "<ResponseMetadata><RequestId>req-1</RequestId></ResponseMetadata></PutResponse>",
    );
    assert.equal(
      awsQuery.reply(model, "Nothing", undefined, "req-2").body,
      '<NothingResponse xmlns="https://demo.amazonaws.com/doc/2020-01-01/"><ResponseMetadata><RequestId>req-2</RequestId></ResponseMetadata></NothingResponse>',
    );
    assert.equal(
      ec2Query.reply(model, "Put", { Name: "n" }, "req-3").body,
      '<PutResponse xmlns="https://demo.amazonaws.com/doc/2020-01-01/"><requestId>req-3</requestId><Name>n</Name></PutResponse>',
    );
  });

  test("errors: <ErrorResponse> for query, <Response><Errors> for ec2, wire errors renamed per protocol", () => {
    const denied = awsQuery.replyError(model, { status: 400, type: "InvalidSignatureException", message: "no <good>" }, "r");
    assert.equal(denied.status, 403);
    assert.equal(
      denied.body,
      '<ErrorResponse xmlns="https://demo.amazonaws.com/doc/2020-01-01/"><Error><Type>Sender</Type><Code>SignatureDoesNotMatch</Code>' +
        "<Message>no &lt;good&gt;</Message></Error><RequestId>r</RequestId></ErrorResponse>",
    );
    assert.match(
      awsQuery.replyError(model, { status: 500, type: "InternalFailure", message: "x" }, "r").body,
      /<Type>Receiver<\/Type><Code>InternalFailure<\/Code>/,
    );
    const ec2 = ec2Query.replyError(
      model,
      { status: 400, type: "InvalidVpcID.NotFound", message: "The vpc ID 'vpc-1' does not exist" },
      "r2",
    );
    assert.equal(ec2.status, 400);
    assert.equal(
      ec2.body,
      '<?xml version="1.0" encoding="UTF-8"?><Response><Errors><Error><Code>InvalidVpcID.NotFound</Code>' +
        "<Message>The vpc ID 'vpc-1' does not exist</Message></Error></Errors><RequestID>r2</RequestID></Response>",
    );
    assert.equal(ec2Query.replyError(model, { status: 400, type: "UnrecognizedClientException", message: "x" }, "r").status, 401);
  });

  test("a form names the operation and version; another version or an unknown action is InvalidAction", () => {
    const call = (body: string) => ({
      method: "POST",
      url: "/",
      headers: { "content-type": "application/x-www-form-urlencoded; charset=utf-8" },
      body: Buffer.from(body),
    });
    assert.deepEqual(awsQuery.read(model, call("Action=Put&Version=2020-01-01&Name=x"), violation), {
      operation: "Put",
      input: { Name: "x" },
    });
    assert.equal(awsQuery.claims(model, call("Action=Put&Version=2020-01-01")), true);
    assert.equal(awsQuery.claims(model, call("Action=Put&Version=2011-06-15")), false);
    assert.throws(() => awsQuery.read(model, call("Action=Put&Version=2011-06-15"), violation), { code: "UnknownOperationException" });
    assert.throws(() => awsQuery.read(model, call("Action=Drop&Version=2020-01-01"), violation), { code: "UnknownOperationException" });
  });
});
