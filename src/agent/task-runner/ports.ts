// Published ports per network mode, and what a container reports as its networkBindings.
// bridge: each mapping on the host's bind address, hostPort 0 resolved through the agent's
// allocator (49153–65535); awsvpc: the pause container publishes every mapping of the task on
// the task's own loopback address with hostPort = containerPort; host: the container's ports
// are the host's; none: nothing.
import type { ContainerDefinition, NetworkBinding, PortMapping } from "@aws-sdk/client-ecs";
import type { ContainerState, PortBinding, Protocol } from "../../runtime/driver.js";
import type { TaskIdentity } from "./identity.js";

export type AllocateHostPort = (bindIp: string, protocol: Protocol) => Promise<number>;

const protocolOf = (p: PortMapping): Protocol => (p.protocol === "udp" ? "udp" : "tcp");
/** Port ranges (containerPortRange) are not published yet; only single ports are. */
const singlePorts = (def: ContainerDefinition) => (def.portMappings ?? []).filter((p) => p.containerPort !== undefined);

/** A bridge-mode container's bindings, dynamic host ports resolved. */
export async function bridgePortBindings(def: ContainerDefinition, bindIp: string, allocate: AllocateHostPort): Promise<PortBinding[]> {
  const bindings: PortBinding[] = [];
  for (const p of singlePorts(def)) {
    const protocol = protocolOf(p);
    const hostPort = p.hostPort || (await allocate(bindIp, protocol));
    bindings.push({ containerPort: p.containerPort!, hostPort, protocol, hostIp: bindIp });
  }
  return bindings;
}

/** Everything an awsvpc task publishes, on its loopback address, hostPort = containerPort. */
export function pausePortBindings(defs: readonly ContainerDefinition[], loopback: string): PortBinding[] {
  const seen = new Set<string>();
  const bindings: PortBinding[] = [];
  for (const def of defs) {
    for (const p of singlePorts(def)) {
      const protocol = protocolOf(p);
      const key = `${p.containerPort}/${protocol}`;
      if (seen.has(key)) continue;
      seen.add(key);
      bindings.push({ containerPort: p.containerPort!, hostPort: p.containerPort!, protocol, hostIp: loopback });
    }
  }
  return bindings;
}

/** ECS networkBindings for a container: from what it was given, or from the engine once recovered. */
export function networkBindings(
  task: TaskIdentity,
  def: ContainerDefinition,
  given: readonly PortBinding[],
  opts: { loopback?: string; state?: ContainerState } = {},
): NetworkBinding[] {
  switch (task.networkMode) {
    case "bridge": {
      const ports = opts.state && opts.state.ports.length > 0 ? opts.state.ports : given;
      return ports.map((p) => ({ bindIP: p.hostIp, containerPort: p.containerPort, hostPort: p.hostPort!, protocol: p.protocol }));
    }
    case "host":
      return singlePorts(def).map((p) => ({
        bindIP: "0.0.0.0",
        containerPort: p.containerPort!,
        hostPort: p.containerPort!,
        protocol: protocolOf(p),
      }));
    case "awsvpc":
      if (!opts.loopback) return [];
      return singlePorts(def).map((p) => ({
        bindIP: opts.loopback!,
        containerPort: p.containerPort!,
        hostPort: p.containerPort!,
        protocol: protocolOf(p),
      }));
    case "none":
      return [];
  }
}
