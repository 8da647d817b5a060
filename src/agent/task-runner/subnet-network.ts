// The Docker network of an awsvpc task's subnet, with the pool the control plane planned for
// it. Docker refuses a network whose pool overlaps another's, and networks outlive the berth
// that made them (another data dir, a run that was killed): what berth labelled and no
// container joins is a leftover it may take back; anything else in the way is reported to the
// control plane, which plans new subnets around it, and fails a task that needs its pool.
import type { TaskNetwork } from "../../domain/task/lifecycle.js";
import { cidrsOverlap } from "../../ipv4-cidr.js";
import { isRuntimeError, type NetworkSummary, type RuntimeDriver } from "../../runtime/driver.js";
import { LABEL } from "./identity.js";

const berths = (n: NetworkSummary) => n.labels[LABEL.managed] === "1";

/** A network berth may remove: it labelled it, and no container (in any state) joins it. */
const reclaimable = (n: NetworkSummary) => berths(n) && n.containers.length === 0;

/** The pools of the host's networks that berth cannot take back, sorted: what new subnets must avoid. */
export async function occupiedPools(driver: RuntimeDriver): Promise<string[]> {
  const networks = await driver.listNetworks();
  return [...new Set(networks.filter((n) => !reclaimable(n)).flatMap((n) => n.ipv4Subnets))].sort();
}

/**
 * Creates the subnet's network, or adopts it when it is there with the planned pool. A network
 * of that name with another pool, and networks whose pool overlaps the planned one, are removed
 * when reclaimable; any other in the way rejects with an Error that names it and its pool.
 */
export async function ensureSubnetNetwork(driver: RuntimeDriver, net: TaskNetwork): Promise<void> {
  // The usual case costs what it did before: the network is there as planned, or nothing is in the way.
  try {
    if ((await driver.createNetwork(net.networkName, networkOptions(net))).subnet === net.cidr) return;
  } catch (err) {
    if (!isRuntimeError(err, "conflict")) throw err;
  }
  await oneAtATime(() => makeRoom(driver, net));
}

const networkOptions = (net: TaskNetwork) => ({ subnet: net.cidr, gateway: net.gateway, labels: { [LABEL.managed]: "1" } });

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
  if (named?.ipv4Subnets.includes(net.cidr)) return;
  const inTheWay = networks.filter((n) => n === named || n.ipv4Subnets.some((pool) => cidrsOverlap(pool, net.cidr)));
  const kept = inTheWay.find((n) => !reclaimable(n));
  if (kept) throw new Error(inTheWayMessage(kept, net));
  for (const n of inTheWay) await driver.removeNetwork(n.name);
  await driver.createNetwork(net.networkName, networkOptions(net));
}

function inTheWayMessage(n: NetworkSummary, net: TaskNetwork): string {
  const what =
    n.name === net.networkName
      ? `the Docker network ${n.name} has the pool ${pools(n)}, not ${net.cidr}`
      : `the Docker network ${n.name} holds ${pools(n)}, which overlaps ${net.cidr} of ${net.networkName}`;
  const why = berths(n)
    ? `containers still join it (${n.containers.map((id) => id.slice(0, 12)).join(", ")})`
    : "berth did not create it (no berth.managed label)";
  return `${what}, and berth cannot remove it: ${why}`;
}

const pools = (n: NetworkSummary) => (n.ipv4Subnets.length ? n.ipv4Subnets.join(", ") : "no IPv4 pool");
