// User-defined bridge networks on Docker: one per awsvpc-style task or per cluster, made idempotent
// on the name because an agent that restarts creates them again.
import type Docker from "dockerode";
import { parseCidr } from "../../ipv4-cidr.js";
import { RuntimeError, type NetworkSummary } from "../driver.js";
import { call, callOrMissing, dockerMessage, statusCode, toRuntimeError } from "./client.js";

export interface NetworkOptions {
  subnet?: string;
  gateway?: string;
  labels: Record<string, string>;
  internal?: boolean;
  bridgeName?: string;
}

export interface NetworkInfo {
  id: string;
  subnet: string;
  gateway: string;
  bridgeName?: string;
}

const BRIDGE_NAME = "com.docker.network.bridge.name";

/** Creations in flight in this process, by name: two tasks of one subnet start together. */
const creating = new Map<string, Promise<NetworkInfo>>();

export function createNetwork(docker: Docker, name: string, opts: NetworkOptions): Promise<NetworkInfo> {
  let pending = creating.get(name);
  if (!pending) {
    pending = createOnce(docker, name, opts).finally(() => creating.delete(name));
    creating.set(name, pending);
  }
  return pending;
}

async function createOnce(docker: Docker, name: string, opts: NetworkOptions): Promise<NetworkInfo> {
  const existing = await inspectNetwork(docker, name);
  if (existing) return existing;
  const ipamConfig = opts.subnet ? [{ Subnet: opts.subnet, ...(opts.gateway ? { Gateway: opts.gateway } : {}) }] : [];
  try {
    await docker.createNetwork({
      Name: name,
      Driver: "bridge",
      // Docker otherwise accepts a second network of the same name, and names stop being ids.
      CheckDuplicate: true,
      Internal: opts.internal ?? false,
      Labels: opts.labels,
      IPAM: { Driver: "default", Config: ipamConfig },
      ...(opts.bridgeName ? { Options: { [BRIDGE_NAME]: opts.bridgeName } } : {}),
    });
  } catch (err) {
    // Lost a race with another process creating the same name (Docker says 409, or that the
    // pool overlaps): that network is the answer.
    if (!(await inspectNetwork(docker, name))) {
      // Otherwise Docker's 403 says that the pool overlaps another network's: the space is taken.
      if (statusCode(err) === 403) throw new RuntimeError("conflict", dockerMessage(err), { cause: err });
      throw toRuntimeError(err);
    }
  }
  const created = await inspectNetwork(docker, name);
  if (!created) throw new RuntimeError("failed", `network ${name} vanished right after it was created`);
  return created;
}

export async function removeNetwork(docker: Docker, name: string): Promise<void> {
  try {
    await docker.getNetwork(name).remove();
  } catch (err) {
    if (statusCode(err) === 404) return;
    // Docker answers 403 while containers are attached.
    if (statusCode(err) === 403) throw new RuntimeError("conflict", toRuntimeError(err).message, { cause: err });
    throw toRuntimeError(err);
  }
}

/**
 * Every network with the containers that join it. Docker's network list leaves out its
 * containers, and inspecting a network shows only running ones; the container list names the
 * networks of containers in every state.
 */
export async function listNetworks(docker: Docker): Promise<NetworkSummary[]> {
  const [networks, containers] = await Promise.all([
    call(() => docker.listNetworks(), "list networks"),
    call(() => docker.listContainers({ all: true }), "list containers"),
  ]);
  const joined = new Map<string, string[]>();
  for (const c of containers) {
    for (const name of Object.keys(c.NetworkSettings?.Networks ?? {})) joined.set(name, [...(joined.get(name) ?? []), c.Id]);
  }
  return networks
    .map((n) => ({
      id: n.Id,
      name: n.Name,
      ipv4Subnets: (n.IPAM?.Config ?? []).flatMap((c) => (c.Subnet && parseCidr(c.Subnet) ? [c.Subnet] : [])),
      labels: n.Labels ?? {},
      ...(n.Options?.[BRIDGE_NAME] ? { bridgeName: n.Options[BRIDGE_NAME] } : {}),
      containers: (joined.get(n.Name) ?? []).sort(),
    }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

async function inspectNetwork(docker: Docker, name: string): Promise<NetworkInfo | undefined> {
  const info = await callOrMissing(() => docker.getNetwork(name).inspect());
  // Docker also resolves id prefixes; only an exact name is the same network.
  if (!info || info.Name !== name) return undefined;
  const config = info.IPAM?.Config?.find((c) => c.Subnet && !c.Subnet.includes(":")) ?? info.IPAM?.Config?.[0];
  const subnet = config?.Subnet ?? "";
  const bridgeName = info.Options?.[BRIDGE_NAME];
  return { id: info.Id, subnet, gateway: config?.Gateway ?? firstHost(subnet), ...(bridgeName ? { bridgeName } : {}) };
}

/** Docker's default gateway: the subnet's first address ("10.1.2.0/24" → "10.1.2.1"). */
function firstHost(subnet: string): string {
  const [address] = subnet.split("/");
  const octets = (address ?? "").split(".").map(Number);
  if (octets.length !== 4 || octets.some((o) => Number.isNaN(o))) return "";
  const value = ((octets[0]! << 24) | (octets[1]! << 16) | (octets[2]! << 8) | octets[3]!) + 1;
  return [value >>> 24, (value >>> 16) & 255, (value >>> 8) & 255, value & 255].join(".");
}
