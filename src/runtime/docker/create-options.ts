// ContainerSpec → Docker's container-create body. Pure, so the mapping is unit-tested without
// an engine. It follows what the ECS agent sends Docker for the same container definition.
import type Docker from "dockerode";
import type { ContainerSpec, HealthCheck, Mount, NetworkAttachment, PortBinding } from "../driver.js";

const MIB = 1024 * 1024;
const NANOS_PER_SECOND = 1e9;
/** Docker reads 0 and 1 as "unset" (then 1024); the ECS agent sends 2 for cpu 0. */
const MIN_CPU_SHARES = 2;

export function toCreateOptions(spec: ContainerSpec): Docker.ContainerCreateOptions {
  const options: Docker.ContainerCreateOptions = {
    name: spec.name,
    Image: spec.image,
    Env: Object.entries(spec.env).map(([k, v]) => `${k}=${v}`),
    Labels: { ...spec.labels },
    HostConfig: hostConfig(spec),
  };
  if (spec.command) options.Cmd = spec.command;
  if (spec.entryPoint) options.Entrypoint = spec.entryPoint;
  if (spec.workingDirectory) options.WorkingDir = spec.workingDirectory;
  if (spec.user) options.User = spec.user;
  if (spec.hostname) options.Hostname = spec.hostname;
  if (spec.stopTimeoutSeconds !== undefined) options.StopTimeout = spec.stopTimeoutSeconds;
  if (spec.healthCheck) options.Healthcheck = healthcheck(spec.healthCheck);
  if (spec.tty) options.Tty = true;
  if (spec.openStdin) options.OpenStdin = true;
  if (spec.portBindings.length > 0) {
    options.ExposedPorts = Object.fromEntries(spec.portBindings.map((p) => [portKey(p), {}]));
  }
  if (spec.network.mode === "network") options.NetworkingConfig = endpoints(spec.network);
  return options;
}

function hostConfig(spec: ContainerSpec): Docker.HostConfig {
  const host: Docker.HostConfig = { NetworkMode: networkMode(spec.network) };
  const binds = spec.mounts.filter((m) => m.type !== "tmpfs").map(bind);
  if (binds.length > 0) host.Binds = binds;
  const tmpfs = spec.mounts.filter((m): m is Extract<Mount, { type: "tmpfs" }> => m.type === "tmpfs");
  if (tmpfs.length > 0) host.Tmpfs = Object.fromEntries(tmpfs.map((m) => [m.target, tmpfsOptions(m)]));
  if (spec.portBindings.length > 0) host.PortBindings = portBindings(spec.portBindings);
  if (spec.cpuShares !== undefined) host.CpuShares = Math.max(MIN_CPU_SHARES, Math.floor(spec.cpuShares));
  if (spec.memoryMiB !== undefined) host.Memory = spec.memoryMiB * MIB;
  if (spec.memoryReservationMiB !== undefined) host.MemoryReservation = spec.memoryReservationMiB * MIB;
  // Docker's MemorySwap is memory plus swap; -1 would be unlimited, so maxSwap needs a memory limit.
  if (spec.maxSwapMiB !== undefined && spec.memoryMiB !== undefined) host.MemorySwap = (spec.memoryMiB + spec.maxSwapMiB) * MIB;
  if (spec.swappiness !== undefined) host.MemorySwappiness = spec.swappiness;
  if (spec.nanoCpus !== undefined) host.NanoCpus = Math.floor(spec.nanoCpus);
  if (spec.cgroupParent) host.CgroupParent = spec.cgroupParent;
  if (spec.links?.length) host.Links = spec.links;
  if (spec.volumesFrom?.length) host.VolumesFrom = spec.volumesFrom;
  if (spec.ulimits?.length) host.Ulimits = spec.ulimits.map((u) => ({ Name: u.name, Soft: u.soft, Hard: u.hard }));
  if (spec.capAdd?.length) host.CapAdd = spec.capAdd;
  if (spec.capDrop?.length) host.CapDrop = spec.capDrop;
  if (spec.init) host.Init = true;
  if (spec.privileged) host.Privileged = true;
  if (spec.readonlyRootfs) host.ReadonlyRootfs = true;
  if (spec.extraHosts?.length) host.ExtraHosts = spec.extraHosts;
  if (spec.dns?.length) host.Dns = spec.dns;
  if (spec.dnsSearch?.length) host.DnsSearch = spec.dnsSearch;
  if (spec.devices?.length) {
    host.Devices = spec.devices.map((d) => ({
      PathOnHost: d.hostPath,
      PathInContainer: d.containerPath ?? d.hostPath,
      CgroupPermissions: d.permissions ?? "rwm",
    }));
  }
  if (spec.sysctls && Object.keys(spec.sysctls).length > 0) host.Sysctls = spec.sysctls;
  if (spec.pidMode) host.PidMode = spec.pidMode;
  if (spec.ipcMode) host.IpcMode = spec.ipcMode;
  if (spec.shmSizeMiB !== undefined) host.ShmSize = spec.shmSizeMiB * MIB;
  if (spec.securityOptions?.length) host.SecurityOpt = spec.securityOptions;
  if (spec.log) host.LogConfig = { Type: spec.log.driver, Config: spec.log.options ?? {} };
  return host;
}

function networkMode(network: NetworkAttachment): string {
  switch (network.mode) {
    case "bridge":
    case "host":
    case "none":
      return network.mode;
    case "container":
      return `container:${network.containerId}`;
    case "network":
      return network.name;
  }
}

function endpoints(network: Extract<NetworkAttachment, { mode: "network" }>): Docker.ContainerCreateOptions["NetworkingConfig"] {
  const endpoint: Docker.EndpointSettings = {};
  if (network.ipv4Address) endpoint.IPAMConfig = { IPv4Address: network.ipv4Address };
  if (network.aliases?.length) endpoint.Aliases = network.aliases;
  return { EndpointsConfig: { [network.name]: endpoint } };
}

// Binds rather than Mounts: a missing host path is then created, as ECS host volumes expect,
// and a missing named volume is created with the default driver.
function bind(mount: Exclude<Mount, { type: "tmpfs" }>): string {
  return `${mount.source}:${mount.target}${mount.readOnly ? ":ro" : ""}`;
}

function tmpfsOptions(mount: Extract<Mount, { type: "tmpfs" }>): string {
  const options = [...(mount.sizeMiB !== undefined ? [`size=${mount.sizeMiB}m`] : []), ...(mount.options ?? [])];
  return options.join(",");
}

function portKey(p: PortBinding): string {
  return `${p.containerPort}/${p.protocol}`;
}

function portBindings(bindings: PortBinding[]): Docker.PortMap {
  const map: Docker.PortMap = {};
  for (const p of bindings) {
    // An empty HostPort asks Docker for an ephemeral port.
    (map[portKey(p)] ??= []).push({ HostIp: p.hostIp, HostPort: p.hostPort ? String(p.hostPort) : "" });
  }
  return map;
}

function healthcheck(check: HealthCheck): Docker.HealthConfig {
  const config: Docker.HealthConfig = {
    Test: check.command,
    Interval: nanos(check.intervalSeconds),
    Timeout: nanos(check.timeoutSeconds),
    Retries: check.retries,
  };
  if (check.startPeriodSeconds) config.StartPeriod = nanos(check.startPeriodSeconds);
  return config;
}

function nanos(seconds: number): number {
  return Math.round(seconds * NANOS_PER_SECOND);
}
