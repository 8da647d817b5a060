// The container runtime driver: what the agent needs from a container engine, and nothing
// about which engine it is. The agent runs a task's containers through this interface
// (start / wait / stop / destroy / recover via list / inspect), so the Docker implementation
// (./docker) and the in-memory test double (./fake) are interchangeable.
//
// Vocabulary follows ECS task definitions where ECS has a word for it (cpu units, MiB,
// health check arrays) so the agent maps a container definition without unit conversions;
// the engine-specific translation lives in the implementation.

export type Protocol = "tcp" | "udp";

export interface PortBinding {
  containerPort: number;
  /** Undefined or 0: the engine picks a free port. berth usually picks one itself (49153–65535). */
  hostPort?: number;
  protocol: Protocol;
  hostIp: string;
}

export type NetworkAttachment =
  | { mode: "bridge" }
  | { mode: "host" }
  | { mode: "none" }
  /** Join another container's network namespace (how awsvpc tasks share one pause container). */
  | { mode: "container"; containerId: string }
  /** A user-defined network; a fixed address needs a network created with an explicit subnet. */
  | { mode: "network"; name: string; ipv4Address?: string; aliases?: string[] };

export type Mount =
  /** A host path; created (as a directory) when missing, as the ECS agent does for host volumes. */
  | { type: "bind"; source: string; target: string; readOnly?: boolean }
  /** A named volume; created with the default driver when missing. */
  | { type: "volume"; source: string; target: string; readOnly?: boolean }
  | { type: "tmpfs"; target: string; sizeMiB?: number; options?: string[] };

export interface HealthCheck {
  /** ECS form: ["CMD-SHELL", "curl -f http://localhost/"] or ["CMD", "/bin/check", "arg"]. */
  command: string[];
  /** Seconds; fractions are allowed so tests need not wait ECS's 5 s minimum. */
  intervalSeconds: number;
  timeoutSeconds: number;
  retries: number;
  startPeriodSeconds?: number;
}

export interface ContainerSpec {
  /** Unique engine-side name, e.g. "ecs-<family>-<rev>-<container>-<taskid>"; a clash is a "conflict". */
  name: string;
  image: string;
  command?: string[];
  /** Replaces the image's entrypoint and, unless `command` is given, its command too. */
  entryPoint?: string[];
  env: Record<string, string>;
  workingDirectory?: string;
  /** "user", "uid", "user:group" or "uid:gid". */
  user?: string;
  hostname?: string;
  /** ECS container cpu units (1024 = one vCPU), relative weight; raised to the engine minimum of 2. */
  cpuShares?: number;
  /** Hard limit: the container is OOM-killed above it. */
  memoryMiB?: number;
  /** Soft limit. */
  memoryReservationMiB?: number;
  /** linuxParameters.maxSwap: swap on top of memoryMiB; 0 disables swap. */
  maxSwapMiB?: number;
  swappiness?: number;
  /** A hard cpu limit in billionths of a cpu: how a task-level `cpu` is enforced per container. */
  nanoCpus?: number;
  /** A parent cgroup so that task-level limits can be shared by the task's containers. */
  cgroupParent?: string;
  portBindings: PortBinding[];
  network: NetworkAttachment;
  /** "container:alias" links; bridge mode only. */
  links?: string[];
  mounts: Mount[];
  /** Container ids (or names) whose volumes to mount; a ":ro" suffix mounts them read-only. */
  volumesFrom?: string[];
  ulimits?: { name: string; soft: number; hard: number }[];
  capAdd?: string[];
  capDrop?: string[];
  /** Run a tiny init as PID 1 that forwards signals and reaps zombies (initProcessEnabled). */
  init?: boolean;
  privileged?: boolean;
  readonlyRootfs?: boolean;
  /** "host:ip" entries for /etc/hosts. */
  extraHosts?: string[];
  dns?: string[];
  dnsSearch?: string[];
  /** linuxParameters.devices, as "hostPath:containerPath:permissions". */
  devices?: { hostPath: string; containerPath?: string; permissions?: string }[];
  sysctls?: Record<string, string>;
  /** Task-level pidMode / ipcMode: "host", "task" is expressed as "container:<id>". */
  pidMode?: string;
  ipcMode?: string;
  shmSizeMiB?: number;
  /** dockerSecurityOptions, e.g. "no-new-privileges", "apparmor:unconfined". */
  securityOptions?: string[];
  /** pseudoTerminal / interactive. */
  tty?: boolean;
  openStdin?: boolean;
  labels: Record<string, string>;
  /** Seconds between SIGTERM and SIGKILL when the engine itself stops the container. */
  stopTimeoutSeconds?: number;
  log?: { driver: string; options?: Record<string, string> };
  healthCheck?: HealthCheck;
}

export type ContainerStatus = "created" | "running" | "exited" | "dead" | "paused" | "restarting" | "removing";
export type ContainerHealth = "HEALTHY" | "UNHEALTHY" | "UNKNOWN";

export interface ContainerState {
  id: string;
  name: string;
  image: string;
  /** The engine's id of the image the container runs ("sha256:…"). */
  imageId: string;
  status: ContainerStatus;
  /** Set once the container has run and stopped. */
  exitCode?: number;
  oomKilled: boolean;
  /** Why the engine could not start the container, e.g. a missing binary. */
  error?: string;
  createdAt?: Date;
  startedAt?: Date;
  finishedAt?: Date;
  /** Undefined when the container has no health check; UNKNOWN while in its start period. */
  health?: ContainerHealth;
  /** Published ports, while running (hostPort resolved). */
  ports: { containerPort: number; hostPort: number; protocol: Protocol; hostIp: string }[];
  /** Keyed by network name ("bridge" in bridge mode); addresses are "" once stopped. */
  networks: Record<string, { ipv4Address: string }>;
  labels: Record<string, string>;
}

/**
 * One sample of a container's resource usage in Docker's stats JSON (read, cpu_stats,
 * precpu_stats, memory_stats, networks, blkio_stats, …), as the task metadata endpoint serves it.
 */
export type ContainerStats = Record<string, unknown> & { read: string; id: string; name: string };

export interface ExitStatus {
  exitCode: number;
  oomKilled: boolean;
}

export interface RegistryAuth {
  username: string;
  password: string;
  serveraddress?: string;
}

export type RuntimeEventAction = "start" | "die" | "oom" | "health_status";

export interface RuntimeEvent {
  /** Container id. */
  id: string;
  action: RuntimeEventAction;
  time: Date;
  /** For "die". */
  exitCode?: number;
  /** For "health_status". */
  health?: ContainerHealth;
  /** The container's name ("name"), image ("image") and labels, as the engine reports them. */
  attributes: Record<string, string>;
}

export interface EventSubscription {
  /** Resolves once the first connection is up: events from then on are delivered. */
  ready: Promise<void>;
  close(): void;
}

export interface HostInfo {
  cpus: number;
  memoryMiB: number;
  os: string;
  architecture: string;
  serverVersion: string;
}

/** A network of the engine, as far as choosing and reclaiming address pools needs. */
export interface NetworkSummary {
  id: string;
  name: string;
  /** The IPv4 pools of its address configuration (CIDRs); none for "host" and "none". */
  ipv4Subnets: string[];
  labels: Record<string, string>;
  /** The Linux bridge's name when it was given at creation (com.docker.network.bridge.name). */
  bridgeName?: string;
  /**
   * The containers, in any state, that join it (sorted ids): a created one joins once started.
   * The engine refuses to remove the network only while one of them runs.
   */
  containers: string[];
}

/** One line of a container's output, as its local log (json-file) keeps it. */
export interface LogLine {
  /** The engine's timestamp of the line, in nanoseconds since the epoch: where it is in the log. */
  timeNs: bigint;
  stream: "stdout" | "stderr";
  /** Without its line feed; a line the engine stored in parts comes whole. */
  text: string;
}

export interface RuntimeDriver {
  /** Rejects with kind "unavailable" when the engine cannot be reached. */
  ping(): Promise<void>;
  hasImage(image: string): Promise<boolean>;
  /** Undefined when the image is not present. repoDigests give ECS's `imageDigest`. */
  inspectImage(image: string): Promise<{ id: string; repoDigests: string[] } | undefined>;
  /**
   * Pulls `image` ("name", "name:tag", "name@sha256:…"; a missing tag means "latest", never
   * every tag). Rejects with the engine's own message (berth prefixes "CannotPullContainerError: ").
   */
  pullImage(image: string, onProgress?: (line: string) => void, auth?: RegistryAuth): Promise<void>;
  /** Returns the container id. A name already in use rejects with kind "conflict". */
  create(spec: ContainerSpec): Promise<string>;
  /** Fine if already running. */
  start(id: string): Promise<void>;
  /**
   * Resolves when the container is not running (immediately if it already stopped), so call
   * it after start. A dropped engine connection (restart) is retried for up to 5 minutes.
   * `stopRequested` tells whether a kill at exit was this side's own stop, which needs no
   * second look for an out-of-memory kill the engine may record late.
   */
  wait(id: string, opts?: { stopRequested?: () => boolean }): Promise<ExitStatus>;
  /** SIGTERM (or the image's STOPSIGNAL), then SIGKILL after the timeout; fine if already stopped or gone. */
  stop(id: string, timeoutSeconds: number): Promise<void>;
  /** Removes the container (force, with its anonymous volumes); fine if gone. */
  destroy(id: string): Promise<void>;
  /** Undefined when the container does not exist. */
  inspect(id: string): Promise<ContainerState | undefined>;
  /**
   * One sample of the container's usage, taken now (Docker's one-shot stats: no wait for a
   * second sample, so precpu_stats is empty); undefined when the container does not exist.
   */
  stats(id: string): Promise<ContainerStats | undefined>;
  /** Containers in any state carrying all these labels: what an agent recovers after a restart. */
  list(labelFilter: Record<string, string>): Promise<ContainerState[]>;
  /**
   * Idempotent on the name: an existing network is returned as it is, whatever its subnet.
   * A `subnet` overlapping another network's pool rejects with kind "conflict" (Docker: "Pool
   * overlaps with other one on this address space"); without one the engine picks a free pool.
   * `bridgeName` names the Linux bridge (at most 15 characters; Docker's default is br-<id>),
   * so that rules on the host can name the network's traffic.
   */
  createNetwork(
    name: string,
    opts: { subnet?: string; gateway?: string; labels: Record<string, string>; internal?: boolean; bridgeName?: string },
  ): Promise<{ id: string; subnet: string; gateway: string; bridgeName?: string }>;
  /** Fine if gone; rejects with kind "conflict" while containers are attached, or for a predefined network. */
  removeNetwork(name: string): Promise<void>;
  /** Every network, the engine's predefined ones ("bridge", "host", "none") included, by name. */
  listNetworks(): Promise<NetworkSummary[]>;
  /** Idempotent on the name. */
  createVolume(
    name: string,
    opts: { driver?: string; driverOpts?: Record<string, string>; labels?: Record<string, string> },
  ): Promise<void>;
  /** Fine if gone; rejects with kind "conflict" while in use. */
  removeVolume(name: string): Promise<void>;
  /**
   * Container lifecycle events, for prompt reactions; the agent must still reconcile with
   * inspect/wait: around a reconnect an event may repeat (or, on a daemon restart, be lost).
   * Reconnects by itself until closed; `onError` hears about each lost connection.
   */
  events(onEvent: (e: RuntimeEvent) => void, onError?: (err: Error) => void): EventSubscription;
  info(): Promise<HostInfo>;
  /**
   * The container's output lines in the order it wrote them, those stamped at or after `sinceNs`
   * only. Without `follow` it ends at the end of the log; with it, it goes on with new lines until
   * the container stops. Lines are read as they are pulled: a consumer that stops pulling stops
   * the reading (the engine keeps the rest in its log); leaving the loop closes the stream.
   * A missing container rejects with kind "not-found".
   */
  logs(id: string, opts: { sinceNs?: bigint; follow: boolean }): AsyncIterable<LogLine>;
}

export type RuntimeErrorKind =
  /** The container, image, network or volume does not exist. */
  | "not-found"
  /** A name in use, a port already allocated, a network or volume still in use. */
  | "conflict"
  /** The engine refused the spec. */
  | "invalid"
  /** The engine cannot be reached. */
  | "unavailable"
  | "failed";

/** Every driver rejects with this; `message` is the engine's own words. */
export class RuntimeError extends Error {
  constructor(
    readonly kind: RuntimeErrorKind,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "RuntimeError";
  }
}

export function isRuntimeError(err: unknown, kind?: RuntimeErrorKind): err is RuntimeError {
  return err instanceof RuntimeError && (kind === undefined || err.kind === kind);
}
