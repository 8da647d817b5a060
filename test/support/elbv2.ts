// Load balancers, target groups and listeners made through the ELBv2 API of an in-process
// berth, for tests of the operations that use them. Each takes the default VPC of its region
// and answers the ARN AWS would.
import {
  CreateListenerCommand,
  CreateLoadBalancerCommand,
  CreateTargetGroupCommand,
  DeleteListenerCommand,
  type CreateTargetGroupCommandInput,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import type { InProcessBerth } from "./in-process.js";
import { defaultNetwork } from "./vpc.js";

const client = (berth: InProcessBerth, region: string | undefined) => (region ? berth.elbClient({ region }) : berth.elb);

/** An internal load balancer of `type` (application by default) in the default VPC; its ARN. */
export async function createLoadBalancer(
  berth: InProcessBerth,
  opts: { name: string; type?: "application" | "network"; region?: string },
): Promise<string> {
  const { subnetIds } = await defaultNetwork(berth, opts.region);
  const type = opts.type ?? "application";
  const { LoadBalancers } = await client(berth, opts.region).send(
    new CreateLoadBalancerCommand({
      Name: opts.name,
      Type: type,
      Scheme: "internal",
      Subnets: type === "application" ? subnetIds.slice(0, 2) : subnetIds.slice(0, 1),
    }),
  );
  return LoadBalancers![0]!.LoadBalancerArn!;
}

/** A target group (HTTP, port 80, ip targets unless told) in the default VPC unless told; its ARN. */
export async function createTargetGroup(
  berth: InProcessBerth,
  opts: { name: string; vpcId?: string; protocol?: CreateTargetGroupCommandInput["Protocol"]; port?: number; region?: string },
): Promise<string> {
  const vpcId = opts.vpcId ?? (await defaultNetwork(berth, opts.region)).vpcId;
  const { TargetGroups } = await client(berth, opts.region).send(
    new CreateTargetGroupCommand({
      Name: opts.name,
      VpcId: vpcId,
      Protocol: opts.protocol ?? "HTTP",
      Port: opts.port ?? 80,
      TargetType: "ip",
    }),
  );
  return TargetGroups![0]!.TargetGroupArn!;
}

export interface MadeListener {
  loadBalancerArn: string;
  listenerArn: string;
  /** Deletes the listener again. */
  remove(): Promise<void>;
}

let listenerNames = 0;

/** An HTTP listener (on a new application load balancer unless one is named) whose default action forwards to `targetGroupArns`. */
export async function listenerForwardingTo(
  berth: InProcessBerth,
  targetGroupArns: string[],
  opts: { loadBalancerArn?: string; port?: number; region?: string } = {},
): Promise<MadeListener> {
  const elb = client(berth, opts.region);
  const loadBalancerArn =
    opts.loadBalancerArn ?? (await createLoadBalancer(berth, { name: `forwarding-${++listenerNames}`, region: opts.region }));
  const { Listeners } = await elb.send(
    new CreateListenerCommand({
      LoadBalancerArn: loadBalancerArn,
      Protocol: "HTTP",
      Port: opts.port ?? 80,
      DefaultActions: [
        { Type: "forward", ForwardConfig: { TargetGroups: targetGroupArns.map((TargetGroupArn) => ({ TargetGroupArn, Weight: 1 })) } },
      ],
    }),
  );
  const listenerArn = Listeners![0]!.ListenerArn!;
  return {
    loadBalancerArn,
    listenerArn,
    remove: async () => {
      await elb.send(new DeleteListenerCommand({ ListenerArn: listenerArn }));
    },
  };
}
