// The Docker network of an awsvpc task's VPC: one bridge network per VPC whose pool is the
// VPC's CIDR block, its gateway at the block's base + 1, and its Linux bridge named after the
// VPC (vpcBridgeName) so that the firewall's rules can name its traffic. Docker refuses a
// network whose pool overlaps another's, and networks outlive the berth that made them
// (another data dir, a run that was killed): what berth labelled and no container joins is a
// leftover it may take back; anything else in the way is reported to the control plane, which
// refuses new VPCs over it, and fails a task that needs its pool.
import { vpcBridgeName } from "../../domain/ec2/vpc-network.js";
import type { TaskNetwork } from "../../domain/task/lifecycle.js";
import { cidrsOverlap, type HostRoute } from "../../ipv4-cidr.js";
import { hostRoutes, isVpcBridge } from "../../runtime/host-routes.js";
import { isRuntimeError, type NetworkSummary, type RuntimeDriver } from "../../runtime/driver.js";
import { LABEL } from "./identity.js";

const berths = (n: NetworkSummary) => n.labels[LABEL.managed] === "1";

/** A network berth may remove: it labelled it, and no container (in any state) joins it. */
const reclaimable = (n: NetworkSummary) => berths(n) && n.containers.length === 0;

/** The pools of the host's networks that berth cannot take back, sorted. */
export async function occupiedPools(driver: RuntimeDriver): Promise<string[]> {
  return poolsOf(await driver.listNetworks());
}

const poolsOf = (networks: readonly NetworkSummary[]) =>
  [...new Set(networks.filter((n) => !reclaimable(n)).flatMap((n) => n.ipv4Subnets))].sort();

/**
 * What a new VPC's CIDR must not overlap on this host, sorted: the pools of its networks that
 * berth cannot take back, and its routes but those on Docker networks' bridges (their pools
 * speak for them, and a leftover's may be taken back) and on berth's VPC bridges.
 */
export async function occupiedCidrs(driver: RuntimeDriver, routes: () => HostRoute[] = hostRoutes): Promise<string[]> {
  const networks = await driver.listNetworks();
  // Docker names a network's bridge br-<first 12 of its id> unless told otherwise.
  const bridges = new Set(networks.map((n) => n.bridgeName ?? `br-${n.id.slice(0, 12)}`));
  const routed = routes()
    .filter((r) => !bridges.has(r.iface) && !isVpcBridge(r.iface))
    .map((r) => r.cidr);
  return [...new Set([...poolsOf(networks), ...routed])].sort();
}

/**
 * Creates the VPC's network, or adopts it when it is there with the VPC's pool and bridge. A
 * network of that name with another pool or bridge, and networks whose pool overlaps the VPC's,
 * are removed when reclaimable; any other in the way rejects with an Error that names it and its pool.
 */
export async function ensureVpcNetwork(driver: RuntimeDriver, net: TaskNetwork): Promise<void> {
  // The usual case costs one call: the network is there as it should be, or nothing is in the way.
  try {
    if (asWanted(await driver.createNetwork(net.networkName, networkOptions(net)), net)) return;
  } catch (err) {
    if (!isRuntimeError(err, "conflict")) throw err;
  }
  await oneAtATime(() => makeRoom(driver, net));
}

/** The bridge a task's network must have: its VPC's (none for a task placed before VPCs were EC2's). */
const bridgeOf = (net: TaskNetwork) => (net.vpcId ? vpcBridgeName(net.vpcId) : undefined);

const asWanted = (found: { subnet?: string; ipv4Subnets?: string[]; bridgeName?: string }, net: TaskNetwork) =>
  (found.subnet === net.cidr || (found.ipv4Subnets ?? []).includes(net.cidr)) && found.bridgeName === bridgeOf(net);

const networkOptions = (net: TaskNetwork) => {
  const bridgeName = bridgeOf(net);
  return { subnet: net.cidr, gateway: net.gateway, labels: { [LABEL.managed]: "1" }, ...(bridgeName ? { bridgeName } : {}) };
};

/**
 * One clearing at a time in this process: two tasks of a subnet must not both find its stale
 * network, so that the second removes the one the first just made.
 */
let turn: Promise<unknown> = Promise.resolve();
function oneAtATime(work: () => Promise<void>): Promise<void> {
  const done = turn.then(work);
  turn = done.catch(() => undefined);
  return done;
}

async function makeRoom(driver: RuntimeDriver, net: TaskNetwork): Promise<void> {
  const networks = await driver.listNetworks();
  const named = networks.find((n) => n.name === net.networkName);
  if (named && asWanted(named, net)) return;
  const inTheWay = networks.filter((n) => n === named || n.ipv4Subnets.some((pool) => cidrsOverlap(pool, net.cidr)));
  const kept = inTheWay.find((n) => !reclaimable(n));
  if (kept) throw new Error(inTheWayMessage(kept, net));
  for (const n of inTheWay) await driver.removeNetwork(n.name);
  await driver.createNetwork(net.networkName, networkOptions(net));
}

function inTheWayMessage(n: NetworkSummary, net: TaskNetwork): string {
  const what =
    n.name === net.networkName
      ? n.ipv4Subnets.includes(net.cidr)
        ? `the Docker network ${n.name} has the bridge ${n.bridgeName ?? "Docker chose"}, not ${bridgeOf(net) ?? "one Docker chooses"}`
        : `the Docker network ${n.name} has the pool ${pools(n)}, not ${net.cidr}`
      : `the Docker network ${n.name} holds ${pools(n)}, which overlaps ${net.cidr} of ${net.networkName}`;
  const why = berths(n)
    ? `containers still join it (${n.containers.map((id) => id.slice(0, 12)).join(", ")})`
    : "berth did not create it (no berth.managed label)";
  return `${what}, and berth cannot remove it: ${why}`;
}

const pools = (n: NetworkSummary) => (n.ipv4Subnets.length ? n.ipv4Subnets.join(", ") : "no IPv4 pool");
