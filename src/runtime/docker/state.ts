// Docker's container inspect document → ContainerState. Pure.
import type Docker from "dockerode";
import type { ContainerHealth, ContainerState, ContainerStatus, Protocol } from "../driver.js";

const STATUSES = new Set<ContainerStatus>(["created", "running", "exited", "dead", "paused", "restarting", "removing"]);
/** Docker writes this for "never happened". */
const ZERO_TIME = "0001-01-01T00:00:00Z";

export function toContainerState(info: Docker.ContainerInspectInfo): ContainerState {
  const state = info.State;
  const status = STATUSES.has(state.Status as ContainerStatus) ? (state.Status as ContainerStatus) : "dead";
  const result: ContainerState = {
    id: info.Id,
    name: info.Name.replace(/^\//, ""),
    image: info.Config.Image,
    imageId: info.Image,
    status,
    oomKilled: state.OOMKilled,
    ports: ports(info.NetworkSettings?.Ports),
    networks: networks(info.NetworkSettings?.Networks),
    labels: info.Config.Labels ?? {},
  };
  // A created container also reports ExitCode 0; only a finished one, or one that failed to
  // start (Docker then sets 126/127 and Error), has a real exit code.
  const finishedAt = time(state.FinishedAt);
  const stopped = status === "exited" || status === "dead" || (status !== "running" && (finishedAt || state.Error));
  if (stopped) result.exitCode = state.ExitCode;
  if (state.Error) result.error = state.Error;
  const createdAt = time(info.Created);
  const startedAt = time(state.StartedAt);
  if (createdAt) result.createdAt = createdAt;
  if (startedAt) result.startedAt = startedAt;
  // Docker stamps StartedAt after the start call returns, so a process that exits at once can
  // show a FinishedAt a little before it; nobody downstream should see a negative run time.
  if (finishedAt) result.finishedAt = startedAt && finishedAt < startedAt ? startedAt : finishedAt;
  const health = toHealth(state.Health?.Status);
  if (health) result.health = health;
  return result;
}

/** Docker's health words; "starting" (the start period) is ECS's UNKNOWN. */
export function toHealth(status: string | undefined): ContainerHealth | undefined {
  switch (status) {
    case "healthy":
      return "HEALTHY";
    case "unhealthy":
      return "UNHEALTHY";
    case "starting":
      return "UNKNOWN";
    default:
      return undefined;
  }
}

function time(value: string | undefined): Date | undefined {
  if (!value || value.startsWith(ZERO_TIME.slice(0, 10))) return undefined;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

function ports(map: Docker.ContainerInspectInfo["NetworkSettings"]["Ports"] | undefined): ContainerState["ports"] {
  const result: ContainerState["ports"] = [];
  for (const [key, bindings] of Object.entries(map ?? {})) {
    const [port, protocol] = key.split("/");
    // Exposed but unpublished ports appear with null bindings.
    for (const b of bindings ?? []) {
      result.push({
        containerPort: Number(port),
        hostPort: Number(b.HostPort),
        protocol: (protocol ?? "tcp") as Protocol,
        hostIp: b.HostIp,
      });
    }
  }
  return result;
}

function networks(map: Docker.ContainerInspectInfo["NetworkSettings"]["Networks"] | undefined): ContainerState["networks"] {
  return Object.fromEntries(Object.entries(map ?? {}).map(([name, n]) => [name, { ipv4Address: n.IPAddress }]));
}
