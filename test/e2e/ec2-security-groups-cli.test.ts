// EC2 security groups as the unmodified AWS CLIs (v1 and v2) meet them on berth's endpoint:
// the CLI's own shorthand (--protocol/--port/--cidr), --ip-permissions JSON, the output
// shapes, and an error on stderr with a failing exit status.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { startBerth, TEST_ACCOUNT, type BerthProcess } from "../support/berth-process.js";
import { availableClis, runCli, type AwsCli } from "../support/clients.js";

describe("EC2 security groups with the AWS CLIs", () => {
  let berth: BerthProcess;
  before(async () => {
    berth = await startBerth();
  });
  after(async () => {
    await berth.stop();
  });

  availableClis().forEach((cli: AwsCli, i: number) => {
    test(`${cli.name} (${cli.path}): create, authorize, describe, revoke, delete`, () => {
      const run = (...args: string[]) => runCli(cli, berth.endpoint, ["ec2", ...args]);
      const ok = (...args: string[]) => {
        const r = run(...args);
        assert.equal(r.status, 0, r.stderr);
        return r.json as Record<string, unknown> | undefined;
      };
      const [web, lb] = [`web-${i}`, `lb-${i}`];
      const webId = ok("create-security-group", "--group-name", web, "--description", "web servers")!.GroupId as string;
      const lbId = ok("create-security-group", "--group-name", lb, "--description", "load balancer")!.GroupId as string;
      assert.match(webId, /^sg-[0-9a-f]{17}$/);

      ok("authorize-security-group-ingress", "--group-id", webId, "--protocol", "tcp", "--port", "80", "--cidr", "0.0.0.0/0");
      const fromLb = ok(
        "authorize-security-group-ingress",
        "--group-id",
        webId,
        "--ip-permissions",
        JSON.stringify([
          { IpProtocol: "tcp", FromPort: 8080, ToPort: 8080, UserIdGroupPairs: [{ GroupId: lbId, Description: "from the lb" }] },
        ]),
      )!;
      assert.equal(fromLb.Return, true);
      assert.equal((fromLb.SecurityGroupRules as { ReferencedGroupInfo: { GroupId: string } }[])[0]!.ReferencedGroupInfo.GroupId, lbId);

      const described = ok("describe-security-groups", "--group-ids", webId)!;
      const group = (described.SecurityGroups as Record<string, unknown>[])[0]!;
      assert.equal(group.GroupName, web);
      assert.equal(group.OwnerId, TEST_ACCOUNT);
      assert.deepEqual(group.IpPermissions, [
        {
          IpProtocol: "tcp",
          FromPort: 80,
          ToPort: 80,
          IpRanges: [{ CidrIp: "0.0.0.0/0" }],
          Ipv6Ranges: [],
          PrefixListIds: [],
          UserIdGroupPairs: [],
        },
        {
          IpProtocol: "tcp",
          FromPort: 8080,
          ToPort: 8080,
          IpRanges: [],
          Ipv6Ranges: [],
          PrefixListIds: [],
          UserIdGroupPairs: [{ GroupId: lbId, UserId: TEST_ACCOUNT, Description: "from the lb" }],
        },
      ]);
      assert.deepEqual(group.IpPermissionsEgress, [
        { IpProtocol: "-1", IpRanges: [{ CidrIp: "0.0.0.0/0" }], Ipv6Ranges: [], PrefixListIds: [], UserIdGroupPairs: [] },
      ]);

      const duplicate = run(
        "authorize-security-group-ingress",
        "--group-id",
        webId,
        "--protocol",
        "tcp",
        "--port",
        "80",
        "--cidr",
        "0.0.0.0/0",
      );
      assert.notEqual(duplicate.status, 0);
      assert.match(duplicate.stderr, /InvalidPermission\.Duplicate/);
      assert.match(duplicate.stderr, /the specified rule "peer: 0\.0\.0\.0\/0, TCP, from port: 80, to port: 80, ALLOW" already exists/);

      const held = run("delete-security-group", "--group-id", lbId);
      assert.notEqual(held.status, 0);
      assert.match(held.stderr, /DependencyViolation/);

      ok("revoke-security-group-ingress", "--group-id", webId, "--protocol", "tcp", "--port", "80", "--cidr", "0.0.0.0/0");
      ok(
        "revoke-security-group-ingress",
        "--group-id",
        webId,
        "--ip-permissions",
        JSON.stringify([{ IpProtocol: "tcp", FromPort: 8080, ToPort: 8080, UserIdGroupPairs: [{ GroupId: lbId }] }]),
      );
      const after = ok("describe-security-groups", "--group-ids", webId)!;
      assert.deepEqual((after.SecurityGroups as Record<string, unknown>[])[0]!.IpPermissions, []);

      ok("delete-security-group", "--group-id", lbId);
      ok("delete-security-group", "--group-name", web);
      const gone = run("describe-security-groups", "--group-ids", webId);
      assert.notEqual(gone.status, 0);
      assert.match(gone.stderr, /InvalidGroup\.NotFound/);
      assert.match(gone.stderr, new RegExp(`The security group '${webId}' does not exist`));
    });
  });
});
