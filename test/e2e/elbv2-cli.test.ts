// ELBv2's load balancers on berth's endpoint as the unmodified AWS CLIs (v1 and v2) meet them,
// in ELBv2's Query protocol: create, wait, describe, attributes, tags, errors and delete.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { expectCliError } from "../support/assertions.js";
import { startBerth, type BerthProcess } from "../support/berth-process.js";
import { availableClis, runCli, type CliResult } from "../support/clients.js";

describe("ELBv2 load balancers with the AWS CLIs", () => {
  let berth: BerthProcess;
  before(async () => {
    berth = await startBerth();
  });
  after(async () => {
    await berth.stop();
  });

  availableClis().forEach((cli, i) => {
    const aws = (...args: string[]): CliResult => runCli(cli, berth.endpoint, args);
    const ok = (r: CliResult): CliResult => {
      assert.equal(r.status, 0, r.stderr);
      return r;
    };

    test(`${cli.name} (${cli.path}): an internal load balancer made, waited for, changed, tagged and deleted`, () => {
      const subnets = ok(aws("ec2", "describe-subnets", "--filters", "Name=default-for-az,Values=true")).json.Subnets.map(
        (s: { SubnetId: string }) => s.SubnetId,
      );
      const name = `cli-${i}`;
      const lb = ok(
        aws(
          "elbv2",
          "create-load-balancer",
          "--name",
          name,
          "--scheme",
          "internal",
          "--subnets",
          subnets[0],
          subnets[1],
          "--tags",
          "Key=team,Value=a",
        ),
      ).json.LoadBalancers[0];
      assert.equal(lb.State.Code, "active");
      assert.match(lb.DNSName, new RegExp(`^internal-${name}-\\d{10}\\.us-east-1\\.elb\\.amazonaws\\.com$`));
      ok(aws("elbv2", "wait", "load-balancer-available", "--load-balancer-arns", lb.LoadBalancerArn));
      const described = ok(aws("elbv2", "describe-load-balancers", "--names", name)).json.LoadBalancers;
      assert.equal(described[0].LoadBalancerArn, lb.LoadBalancerArn);
      const attrs = ok(
        aws(
          "elbv2",
          "modify-load-balancer-attributes",
          "--load-balancer-arn",
          lb.LoadBalancerArn,
          "--attributes",
          "Key=idle_timeout.timeout_seconds,Value=30",
        ),
      ).json.Attributes;
      assert.equal(attrs.find((a: { Key: string }) => a.Key === "idle_timeout.timeout_seconds").Value, "30");
      const tags = ok(aws("elbv2", "describe-tags", "--resource-arns", lb.LoadBalancerArn)).json.TagDescriptions[0].Tags;
      assert.deepEqual(tags, [{ Key: "team", Value: "a" }]);
      const enis = ok(aws("ec2", "describe-network-interfaces", "--filters", "Name=requester-id,Values=amazon-elb")).json.NetworkInterfaces;
      assert.ok(enis.some((n: { Description: string }) => n.Description === `ELB ${lb.LoadBalancerArn.split(":loadbalancer/")[1]}`));
      ok(aws("elbv2", "delete-load-balancer", "--load-balancer-arn", lb.LoadBalancerArn));
      ok(aws("elbv2", "wait", "load-balancers-deleted", "--load-balancer-arns", lb.LoadBalancerArn));
    });

    test(`${cli.name} (${cli.path}): an error exits non-zero with ELBv2's code on stderr`, () => {
      const missing = aws("elbv2", "describe-load-balancers", "--names", "nope");
      expectCliError(missing, "LoadBalancerNotFound", "DescribeLoadBalancers");
      assert.match(missing.stderr, /nope/);
      expectCliError(
        aws("elbv2", "create-load-balancer", "--name=-bad", "--subnets", "subnet-1", "subnet-2"),
        "ValidationError",
        "CreateLoadBalancer",
      );
    });
  });
});
