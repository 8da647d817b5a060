// Bookkeeping the fake driver shares across containers: host ports, networks and their addresses,
// volumes. Deterministic: allocation always takes the lowest free value.
import { createHash } from "node:crypto";
import { cidrsOverlap } from "../../ipv4-cidr.js";
import { RuntimeError, type PortBinding, type Protocol } from "../driver.js";

/** ECS's dynamic host port range. */
const DYNAMIC_PORTS = { first: 49153, last: 65535 };

export interface HeldPort {
  containerPort: number;
  hostPort: number;
  protocol: Protocol;
  hostIp: string;
}

export class PortTable {
  /** "tcp/49153" → the ip holding it per container id. */
  private readonly held = new Map<string, Map<string, string>>();

  /** Resolves dynamic ports and fails like Docker when a host port is taken. */
  claim(owner: string, bindings: PortBinding[]): HeldPort[] {
    const claimed: HeldPort[] = [];
    try {
      for (const b of bindings) {
        const hostPort = b.hostPort || this.freePort(b.protocol, b.hostIp);
        if (this.conflicts(b.protocol, hostPort, b.hostIp)) {
          throw new RuntimeError("conflict", `Bind for ${b.hostIp}:${hostPort} failed: port is already allocated`);
        }
        this.take(owner, b.protocol, hostPort, b.hostIp);
        claimed.push({ containerPort: b.containerPort, hostPort, protocol: b.protocol, hostIp: b.hostIp });
      }
    } catch (err) {
      this.release(owner);
      throw err;
    }
    return claimed;
  }

  release(owner: string): void {
    for (const [key, holders] of this.held) {
      holders.delete(owner);
      if (holders.size === 0) this.held.delete(key);
    }
  }

  private take(owner: string, protocol: Protocol, port: number, ip: string): void {
    const key = `${protocol}/${port}`;
    let holders = this.held.get(key);
    if (!holders) this.held.set(key, (holders = new Map<string, string>()));
    holders.set(owner, ip);
  }

  private conflicts(protocol: Protocol, port: number, ip: string): boolean {
    const holders = this.held.get(`${protocol}/${port}`);
    if (!holders) return false;
    // 0.0.0.0 takes the port on every address.
    return [...holders.values()].some((held) => held === ip || held === "0.0.0.0" || ip === "0.0.0.0");
  }

  private freePort(protocol: Protocol, ip: string): number {
    for (let port = DYNAMIC_PORTS.first; port <= DYNAMIC_PORTS.last; port++) {
      if (!this.conflicts(protocol, port, ip)) return port;
    }
    throw new RuntimeError("conflict", "no free host port in 49153-65535");
  }
}

export interface FakeNetwork {
  id: string;
  name: string;
  subnet: string;
  gateway: string;
  labels: Record<string, string>;
  internal: boolean;
  /** The Linux bridge's name, when given. */
  bridgeName?: string;
  /** Docker's own "bridge", "host" and "none": always there, never removed. */
  predefined: boolean;
  /** Last octet handed out; the fake only models /24-sized pools. */
  nextHost: number;
}

export class NetworkTable {
  readonly networks = new Map<string, FakeNetwork>();
  private nextSubnet = 0;
  private bridgeHost = 1;

  constructor(private readonly newId: () => string) {
    // As on a fresh Docker host; "host" and "none" have no address pool.
    this.add("bridge", "172.17.0.0/16", "172.17.0.1", true);
    this.add("host", "", "", true);
    this.add("none", "", "", true);
  }

  /** Refuses a pool that overlaps another network's, and picks a free one when none is asked for, as Docker does. */
  create(
    name: string,
    opts: { subnet?: string; gateway?: string; labels: Record<string, string>; internal?: boolean; bridgeName?: string },
  ): FakeNetwork {
    const existing = this.networks.get(name);
    if (existing) return existing;
    // As Docker: a Linux bridge serves one network; Linux allows 15 characters.
    if (opts.bridgeName !== undefined && (opts.bridgeName.length > 15 || !opts.bridgeName))
      throw new RuntimeError("failed", `invalid bridge name ${JSON.stringify(opts.bridgeName)}`);
    if (opts.bridgeName && [...this.networks.values()].some((n) => n.bridgeName === opts.bridgeName))
      throw new RuntimeError("conflict", `bridge name ${opts.bridgeName} is already in use`);
    if (opts.subnet && this.overlapping(opts.subnet))
      throw new RuntimeError("conflict", "Pool overlaps with other one on this address space");
    const subnet = opts.subnet ?? this.freeSubnet();
    const base = subnet.split("/")[0]!.split(".").slice(0, 3).join(".");
    return this.add(name, subnet, opts.gateway ?? `${base}.1`, false, opts);
  }

  private add(
    name: string,
    subnet: string,
    gateway: string,
    predefined: boolean,
    opts: { labels?: Record<string, string>; internal?: boolean; bridgeName?: string } = {},
  ): FakeNetwork {
    const network: FakeNetwork = {
      // Predefined networks take no id from the sequence, so container ids stay as they were.
      id: predefined ? createHash("sha256").update(`predefined/${name}`).digest("hex") : this.newId(),
      name,
      subnet,
      gateway,
      labels: { ...opts.labels },
      internal: opts.internal ?? false,
      ...(opts.bridgeName ? { bridgeName: opts.bridgeName } : {}),
      predefined,
      nextHost: 1,
    };
    this.networks.set(name, network);
    return network;
  }

  private overlapping(subnet: string): boolean {
    return [...this.networks.values()].some((n) => cidrsOverlap(n.subnet, subnet));
  }

  private freeSubnet(): string {
    for (let i = 0; i < 256; i++) {
      const subnet = `10.200.${this.nextSubnet++ % 256}.0/24`;
      if (!this.overlapping(subnet)) return subnet;
    }
    throw new RuntimeError(
      "failed",
      "could not find an available, non-overlapping IPv4 address pool among the defaults to assign to the network",
    );
  }

  /** The network, or Docker's not-found error. */
  require(name: string): FakeNetwork {
    const network = this.networks.get(name);
    if (!network) throw new RuntimeError("not-found", `network ${name} not found`);
    return network;
  }

  /** An address on `name`: the requested one if given, else the next free. */
  address(name: string, requested?: string): string {
    const network = this.require(name);
    if (requested) return requested;
    const base = network.subnet.split("/")[0]!.split(".").slice(0, 3).join(".");
    return `${base}.${++network.nextHost}`;
  }

  bridgeAddress(): string {
    this.bridgeHost = (this.bridgeHost % 250) + 1;
    return `172.17.0.${this.bridgeHost + 1}`;
  }
}
