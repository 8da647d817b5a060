// The cluster query language: every subject and operator, precedence, and syntax errors.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { type InstanceView, QueryError, matches, parseExpression } from "../../src/scheduler/placement/index.js";

const instance: InstanceView = {
  arn: "arn:aws:ecs:us-east-1:123456789012:container-instance/default/aaa",
  ec2InstanceId: "i-abcd1234",
  status: "ACTIVE",
  agentConnected: true,
  registeredAt: new Date("2018-06-18T22:28:28Z"),
  attributes: {
    "ecs.instance-type": "t2.small",
    "ecs.availability-zone": "us-east-1a",
    stack: "prod",
    weight: "10",
    "com.amazonaws.ecs.capability.docker-remote-api.1.18": undefined,
  },
  remaining: { cpu: 1024, memory: 2048, ports: [], portsUdp: [] },
  tasks: [
    { group: "service:production", family: "web" },
    { group: "family:worker", family: "worker" },
  ],
  agentVersion: "1.14.5",
  runningTasksCount: 1,
};
const empty: InstanceView = { ...instance, tasks: [], attributes: {}, runningTasksCount: 0, agentVersion: undefined };

const check = (expression: string, on: InstanceView = instance) => matches(parseExpression(expression), on);

describe("cluster query language: subjects and operators", () => {
  const cases: [string, boolean][] = [
    // attribute equality, word and symbol forms
    ["attribute:ecs.instance-type == t2.small", true],
    ["attribute:ecs.instance-type equals t2.small", true],
    ["attribute:ecs.instance-type == t2.medium", false],
    ["attribute:ecs.instance-type != t2.medium", true],
    ["attribute:ecs.instance-type not_equals t2.small", false],
    ["attribute:ecs.instance-type==t2.small", true],
    ["attribute:ecs.instance-type == 't2.small'", true],
    ['attribute:ecs.instance-type == "t2.small"', true],
    // != needs the attribute (the guide: "instances with the custom attribute stack unless … prod")
    ["attribute:missing != prod", false],
    ["not(attribute:missing == prod)", true],
    // exists
    ["attribute:stack exists", true],
    ["attribute:com.amazonaws.ecs.capability.docker-remote-api.1.18 exists", true],
    ["attribute:missing exists", false],
    ["attribute:missing !exists", true],
    ["attribute:stack not_exists", false],
    // lists
    ["attribute:ecs.availability-zone in [us-east-1a, us-east-1b]", true],
    ["attribute:ecs.availability-zone in [us-east-1c,us-east-1b]", false],
    ["attribute:ecs.availability-zone !in [us-east-1c, us-east-1b]", true],
    ["attribute:ecs.availability-zone not_in [us-east-1a]", false],
    ["attribute:ecs.availability-zone in us-east-1a", true],
    // patterns: whole-value regular expressions
    ["attribute:ecs.instance-type =~ t2.*", true],
    ["attribute:ecs.instance-type matches g2.*", false],
    ["attribute:ecs.instance-type =~ t2", false],
    ["attribute:ecs.instance-type !~ g2.*", true],
    ["attribute:ecs.instance-type not_matches t2.*", false],
    ["attribute:ecs.instance-type =~ 't[23]\\.(small|medium)'", true],
    ["attribute:ecs.instance-type =~ t2.small|t3.large", true],
    // ordering on attributes: numeric when both are numbers
    ["attribute:weight > 9", true],
    ["attribute:weight greater_than 10", false],
    ["attribute:weight >= 10", true],
    ["attribute:weight < 100", true],
    ["attribute:weight less_than_equal 10", true],
    ["attribute:weight greater_than_equal 11", false],
    // ec2InstanceId
    ["ec2InstanceId == i-abcd1234", true],
    ["ec2InstanceId in ['i-abcd1234', 'i-wxyx7890']", true],
    ["ec2InstanceId !in ['i-abcd1234']", false],
    ["ec2InstanceId =~ i-abcd.*", true],
    // agentConnected
    ["agentConnected == true", true],
    ["agentConnected == FALSE", false],
    ["agentConnected != false", true],
    ["agentConnected in [false]", false],
    // agentVersion
    ["agentVersion < 1.14.6", true],
    ["agentVersion < 1.14.5", false],
    ["agentVersion == 1.14.5", true],
    ["agentVersion >= 1.9", true],
    ["agentVersion > 1.100.0", false],
    ["agentVersion <= 1.14.5.0", true],
    // registeredAt (the four documented formats)
    ["registeredAt < 2018-06-19", true],
    ["registeredAt == 2018-06-18", true],
    ["registeredAt > 2018-06-18", false],
    ["registeredAt >= 2018-06-18T22:28:28Z", true],
    ["registeredAt == 2018-06-18T22:28:28+00:00", true],
    ["registeredAt == 2018-06-18T23:28:28+01:00", true],
    ["registeredAt < 2018-06-18T22:28:28", false],
    ["registeredAt != 2018-02-13", true],
    // runningTasksCount
    ["runningTasksCount == 1", true],
    ["runningTasksCount > 0", true],
    ["runningTasksCount <= 0", false],
    // task:group, affinity and anti-affinity
    ["task:group == service:production", true],
    ["task:group == database", false],
    ["not(task:group == database)", true],
    ["not(task:group == service:production)", false],
    ["task:group != service:production", false],
    ["task:group != database", true],
    ["task:group in [database, family:worker]", true],
    ["task:group =~ service:.*", true],
    ["task:group exists", true],
    // compound expressions
    ["attribute:ecs.instance-type =~ t2.* and attribute:ecs.availability-zone != us-east-1d", true],
    ["attribute:ecs.instance-type =~ t2.* && attribute:ecs.availability-zone == us-east-1d", false],
    ["attribute:stack == dev or attribute:stack == prod", true],
    ["attribute:stack == dev || attribute:stack == test", false],
    ["!(attribute:stack == dev)", true],
    ["! attribute:stack == prod", false],
    ["NOT (attribute:stack == prod) OR agentConnected == true", true],
    ["(attribute:stack==prod)&&(task:group==service:production)", true],
  ];
  for (const [expression, expected] of cases) {
    test(`${expression} → ${expected}`, () => assert.equal(check(expression), expected));
  }
});

describe("cluster query language: an instance without the subject", () => {
  const cases: [string, boolean][] = [
    ["task:group == database", false],
    ["task:group != database", false],
    ["not(task:group == database)", true],
    ["task:group !exists", true],
    ["runningTasksCount == 0", true],
    ["runningTasksCount > 0", false],
    ["agentVersion < 9", false],
    ["attribute:stack =~ .*", false],
    ["attribute:stack !~ .*", false],
    ["attribute:stack !in [prod]", false],
  ];
  for (const [expression, expected] of cases) {
    test(`${expression} → ${expected}`, () => assert.equal(check(expression, empty), expected));
  }
  test("runningTasksCount falls back to the number of tasks", () => {
    const { runningTasksCount: _, ...rest } = instance;
    assert.equal(check("runningTasksCount == 2", rest), true);
  });
});

describe("cluster query language: precedence", () => {
  // t = attribute:stack == prod (true), f = attribute:stack == dev (false)
  const t = "attribute:stack == prod";
  const f = "attribute:stack == dev";
  const cases: [string, boolean][] = [
    [`${t} or ${f} and ${f}`, true], // or binds looser than and
    [`(${t} or ${f}) and ${f}`, false],
    [`${f} and ${f} or ${t}`, true],
    [`${f} and (${f} or ${t})`, false],
    [`not ${t} and ${f}`, false], // not binds tighter than and
    [`not ${f} and ${t}`, true],
    [`not (${f} or ${t})`, false],
    [`not not ${t}`, true],
    [`!${f} || ${f}`, true],
    [`((${t}))`, true],
    [`${t} and ${t} and ${t} or ${f}`, true],
  ];
  for (const [expression, expected] of cases) {
    test(`${expression} → ${expected}`, () => assert.equal(check(expression), expected));
  }

  test("the tree has the expected shape", () => {
    const tree = parseExpression("attribute:a == 1 or attribute:b == 2 and attribute:c == 3");
    assert.equal(tree.type, "or");
    assert.equal(tree.type === "or" && tree.right.type, "and");
  });
});

describe("cluster query language: errors", () => {
  const cases: [string, RegExp][] = [
    ["", /empty/],
    ["   ", /empty/],
    ["foo == bar", /unknown subject "foo"/],
    ["attribute: == x", /needs an attribute name/],
    ["attribute:stack", /expected an operator after "attribute:stack"/],
    ["attribute:stack === prod", /expected a value|unknown operator/],
    ["attribute:stack ~~ prod", /unknown operator/],
    ["attribute:stack ==", /expected a value/],
    ["attribute:stack in [a, b", /missing "\]"/],
    ["attribute:stack in []", /list is empty/],
    ["attribute:stack in [a b]", /expected "," or "\]"/],
    ["(attribute:stack == prod", /missing "\)"/],
    ["attribute:stack == prod)", /unexpected "\)"/],
    ["attribute:stack == prod and", /expected an expression/],
    ["attribute:stack == prod extra", /unexpected "extra"/],
    ["attribute:stack == 'prod", /unterminated string/],
    ["attribute:stack =~ '('", /not a valid regular expression/],
    ["registeredAt < yesterday", /not a date/],
    ["registeredAt < 2018-02-30", /not a date/],
    ["agentVersion < latest", /not a version/],
    ["runningTasksCount > -1", /not a whole number/],
    ["agentConnected == maybe", /true or false/],
    ["ec2InstanceId > i-1", /operator ">" is not valid for subject "ec2InstanceId"/],
    ["registeredAt in [2018-01-01]", /operator "in" is not valid/],
    ["task:group < x", /not valid for subject "task:group"/],
    ["not", /expected an expression/],
  ];
  for (const [expression, message] of cases) {
    test(JSON.stringify(expression), () => {
      assert.throws(
        () => parseExpression(expression),
        (err: unknown) => {
          assert.ok(err instanceof QueryError, "a QueryError");
          assert.match(err.message, message);
          assert.match(err.message, /^Invalid cluster query expression/);
          assert.equal(err.expression, expression);
          return true;
        },
      );
    });
  }

  test("the position points at the offending token", () => {
    try {
      parseExpression("ec2InstanceId > i-1");
      assert.fail("no error");
    } catch (err) {
      assert.ok(err instanceof QueryError);
      assert.equal(err.position, "ec2InstanceId ".length);
    }
  });
});
