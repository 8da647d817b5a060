// A TEST DOUBLE of RuntimeDriver: an in-memory container engine for scheduler and agent tests and
// for benchmarks that simulate many hosts. Nothing runs: a container "runs" from start until it is
// stopped, destroyed, told to exit (exit()), or reaches the exit its behaviour scripts. Ids, ports
// and addresses are deterministic; timing comes from an injectable clock.
import { createHash } from "node:crypto";
import {
  RuntimeError,
  type ContainerHealth,
  type ContainerSpec,
  type ContainerState,
  type ContainerStats,
  type EventSubscription,
  type ExitStatus,
  type HostInfo,
  type LogLine,
  type NetworkSummary,
  type RegistryAuth,
  type RuntimeDriver,
  type RuntimeEvent,
  type RuntimeEventAction,
} from "../driver.js";
import { withDefaultTag as normalise } from "../image-ref.js";
import { NetworkTable, PortTable } from "./resources.js";
import { FakeLog } from "./logs.js";

/** How a container behaves once started. */
export interface FakeBehaviour {
  /** Exit by itself this long after start; undefined runs until stopped. */
  exitAfterMs?: number;
  /** The scripted exit's code (default 0). */
  exitCode?: number;
  /** The scripted exit is an OOM kill (exit code 137). */
  oomKilled?: boolean;
  /** Keep running through SIGTERM, so stop() kills after its timeout (exit 137), like a shell as PID 1. */
  ignoresSigterm?: boolean;
  /** Exit code when SIGTERM ends it (default 143 = 128 + SIGTERM). */
  stopExitCode?: number;
  /** Health reached after start when the spec has a health check (default HEALTHY). */
  health?: ContainerHealth;
  healthAfterMs?: number;
  /** start() fails (kind "invalid") with this message, as Docker does for a missing executable (exit code 127). */
  startError?: string;
  /** Lines the container prints as it starts. */
  output?: { stream: LogLine["stream"]; text: string }[];
  /** A line it prints on stdout again and again while it runs. */
  repeat?: { text: string; everyMs: number };
}

export interface FakeClock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface FakeDriverOptions {
  /** Decides each container's behaviour from its spec; default: runs until stopped, healthy. */
  behaviour?: (spec: ContainerSpec) => FakeBehaviour;
  /** Images present before any pull. */
  images?: string[];
  /** Whether the registry has the image: true, or the error message of a failed pull. Default: all pullable. */
  registry?: (image: string) => true | string;
  info?: Partial<HostInfo>;
  /** Seeds the ids, so that fake hosts in one benchmark do not share container ids. */
  seed?: string;
  clock?: FakeClock;
}

interface FakeContainer {
  spec: ContainerSpec;
  state: ContainerState;
  behaviour: FakeBehaviour;
  waiters: ((status: ExitStatus) => void)[];
  timers: unknown[];
  log: FakeLog;
}

const realClock: FakeClock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

export class FakeDriver implements RuntimeDriver {
  /** Calls per method, for assertions such as "pulled once". */
  readonly calls: Record<string, number> = {};
  /** Set false to make every call reject as an unreachable engine would. */
  available = true;

  private readonly containers = new Map<string, FakeContainer>();
  private readonly names = new Map<string, string>();
  private readonly images: Set<string>;
  private readonly volumes = new Map<string, Record<string, string>>();
  private readonly ports = new PortTable();
  private readonly networks: NetworkTable;
  private readonly listeners = new Set<(e: RuntimeEvent) => void>();
  private readonly clock: FakeClock;
  private nextId = 0;

  constructor(private readonly options: FakeDriverOptions = {}) {
    this.images = new Set((options.images ?? []).map(normalise));
    this.clock = options.clock ?? realClock;
    this.networks = new NetworkTable(() => this.newId());
  }

  async ping(): Promise<void> {
    this.enter("ping");
  }

  async hasImage(image: string): Promise<boolean> {
    this.enter("hasImage");
    return this.images.has(normalise(image));
  }

  async inspectImage(image: string): Promise<{ id: string; repoDigests: string[] } | undefined> {
    this.enter("inspectImage");
    if (!this.images.has(normalise(image))) return undefined;
    return {
      id: `sha256:${hash(normalise(image))}`,
      repoDigests: [`${normalise(image).replace(/:[^:/]+$/, "")}@sha256:${hash(`digest ${normalise(image)}`)}`],
    };
  }

  async pullImage(image: string, onProgress?: (line: string) => void, _auth?: RegistryAuth): Promise<void> {
    this.enter("pullImage");
    const verdict = this.options.registry?.(image) ?? true;
    if (verdict !== true) throw new RuntimeError("failed", verdict);
    onProgress?.(`Status: Downloaded newer image for ${normalise(image)}`);
    this.images.add(normalise(image));
  }

  async create(spec: ContainerSpec): Promise<string> {
    this.enter("create");
    if (!this.images.has(normalise(spec.image))) throw new RuntimeError("not-found", `No such image: ${spec.image}`);
    const holder = this.names.get(spec.name);
    if (holder) {
      throw new RuntimeError(
        "conflict",
        `Conflict. The container name "/${spec.name}" is already in use by container "${holder}". You have to remove (or rename) that container to be able to reuse that name.`,
      );
    }
    // Like Docker, named volumes a mount needs exist from create on; networks are looked up at start.
    for (const m of spec.mounts) if (m.type === "volume" && !this.volumes.has(m.source)) this.volumes.set(m.source, {});
    const id = this.newId();
    const state: ContainerState = {
      id,
      name: spec.name,
      image: spec.image,
      imageId: `sha256:${hash(normalise(spec.image))}`,
      status: "created",
      oomKilled: false,
      createdAt: new Date(this.clock.now()),
      ports: [],
      networks: networksOf(spec),
      labels: { ...spec.labels },
    };
    const behaviour = this.options.behaviour?.(spec) ?? {};
    this.containers.set(id, { spec, state, behaviour, waiters: [], timers: [], log: new FakeLog() });
    this.names.set(spec.name, id);
    return id;
  }

  async start(id: string): Promise<void> {
    this.enter("start");
    const c = this.get(id);
    if (c.state.status === "running") return;
    try {
      if (c.behaviour.startError) throw new RuntimeError("invalid", c.behaviour.startError);
      if (c.spec.network.mode === "container") this.get(c.spec.network.containerId);
      if (c.spec.network.mode === "network") this.networks.require(c.spec.network.name);
      c.state.ports = this.ports.claim(
        id,
        c.spec.network.mode === "bridge" || c.spec.network.mode === "network" ? c.spec.portBindings : [],
      );
    } catch (err) {
      // Docker records a failed start on the container, which stays "created": exit code 127
      // for a missing executable, 128 for anything else.
      Object.assign(c.state, { exitCode: c.behaviour.startError ? 127 : 128, error: (err as Error).message });
      throw err;
    }
    c.state.networks = this.attach(c.spec);
    Object.assign(c.state, { status: "running", startedAt: new Date(this.clock.now()), oomKilled: false });
    delete c.state.exitCode;
    delete c.state.finishedAt;
    delete c.state.error;
    if (c.spec.healthCheck) c.state.health = "UNKNOWN";
    c.log.reopen();
    for (const line of c.behaviour.output ?? []) c.log.append(this.clock.now(), line.text, line.stream);
    const repeat = c.behaviour.repeat;
    if (repeat) {
      const tick = () => {
        c.log.append(this.clock.now(), repeat.text);
        c.timers.push(this.clock.setTimeout(tick, repeat.everyMs));
      };
      c.timers.push(this.clock.setTimeout(tick, repeat.everyMs));
    }
    this.emit(c, "start");
    const { exitAfterMs, healthAfterMs, health } = c.behaviour;
    if (exitAfterMs !== undefined) {
      c.timers.push(
        this.clock.setTimeout(
          () => this.exit(id, c.behaviour.oomKilled ? 137 : (c.behaviour.exitCode ?? 0), { oomKilled: c.behaviour.oomKilled }),
          exitAfterMs,
        ),
      );
    }
    if (c.spec.healthCheck) {
      c.timers.push(this.clock.setTimeout(() => this.setHealth(id, health ?? "HEALTHY"), healthAfterMs ?? 0));
    }
  }

  async wait(id: string): Promise<ExitStatus> {
    this.enter("wait");
    const c = this.get(id);
    if (c.state.status !== "running") return { exitCode: c.state.exitCode ?? 0, oomKilled: c.state.oomKilled };
    return new Promise((resolve) => c.waiters.push(resolve));
  }

  async stop(id: string, timeoutSeconds: number): Promise<void> {
    this.enter("stop");
    const c = this.containers.get(id);
    if (!c || c.state.status !== "running") return;
    if (!c.behaviour.ignoresSigterm) {
      this.exit(id, c.behaviour.stopExitCode ?? 143);
      return;
    }
    await new Promise<void>((resolve) => {
      c.timers.push(this.clock.setTimeout(() => resolve(), timeoutSeconds * 1000));
      c.waiters.push(() => resolve());
    });
    if (c.state.status === "running") this.exit(id, 137);
  }

  async destroy(id: string): Promise<void> {
    this.enter("destroy");
    const c = this.containers.get(id);
    if (!c) return;
    if (c.state.status === "running") this.exit(id, 137);
    this.containers.delete(id);
    this.names.delete(c.spec.name);
  }

  async inspect(id: string): Promise<ContainerState | undefined> {
    this.enter("inspect");
    const c = this.containers.get(id) ?? this.containers.get(this.names.get(id) ?? "");
    return c && copy(c.state);
  }

  /** Docker's shape: a running container's sample has usage; a stopped one's is zeroed, dated 0001-01-01. */
  async stats(id: string): Promise<ContainerStats | undefined> {
    this.enter("stats");
    const c = this.containers.get(id) ?? this.containers.get(this.names.get(id) ?? "");
    if (!c) return undefined;
    const running = c.state.status === "running";
    const memoryLimit = (c.spec.memoryMiB ?? this.options.info?.memoryMiB ?? 1024) * 1024 * 1024;
    return {
      read: running ? new Date(this.clock.now()).toISOString() : "0001-01-01T00:00:00Z",
      preread: "0001-01-01T00:00:00Z",
      id: c.state.id,
      name: `/${c.state.name}`,
      pids_stats: running ? { current: 1 } : {},
      cpu_stats: {
        cpu_usage: { total_usage: running ? 1_000_000 : 0 },
        system_cpu_usage: running ? 1_000_000_000 : 0,
        online_cpus: running ? 1 : 0,
      },
      precpu_stats: { cpu_usage: { total_usage: 0 }, throttling_data: {} },
      memory_stats: running ? { usage: 1024 * 1024, limit: memoryLimit } : {},
      blkio_stats: {},
    };
  }

  async list(labelFilter: Record<string, string>): Promise<ContainerState[]> {
    this.enter("list");
    const wanted = Object.entries(labelFilter);
    return [...this.containers.values()].filter((c) => wanted.every(([k, v]) => c.state.labels[k] === v)).map((c) => copy(c.state));
  }

  async createNetwork(
    name: string,
    opts: { subnet?: string; gateway?: string; labels: Record<string, string>; internal?: boolean; bridgeName?: string },
  ) {
    this.enter("createNetwork");
    const { id, subnet, gateway, bridgeName } = this.networks.create(name, opts);
    return { id, subnet, gateway, ...(bridgeName ? { bridgeName } : {}) };
  }

  async removeNetwork(name: string): Promise<void> {
    this.enter("removeNetwork");
    const network = this.networks.networks.get(name);
    if (!network) return;
    if (network.predefined) throw new RuntimeError("conflict", `${name} is a pre-defined network and cannot be removed`);
    const attached = [...this.containers.values()].some(
      (c) => c.spec.network.mode === "network" && c.spec.network.name === name && c.state.status === "running",
    );
    if (attached) throw new RuntimeError("conflict", `error while removing network: network ${name} id ${network.id} has active endpoints`);
    this.networks.networks.delete(name);
  }

  async listNetworks(): Promise<NetworkSummary[]> {
    this.enter("listNetworks");
    return [...this.networks.networks.values()]
      .map((n) => ({
        id: n.id,
        name: n.name,
        ipv4Subnets: n.subnet ? [n.subnet] : [],
        labels: { ...n.labels },
        ...(n.bridgeName ? { bridgeName: n.bridgeName } : {}),
        containers: [...this.containers.values()]
          .filter((c) => joins(c.spec, n.name))
          .map((c) => c.state.id)
          .sort(),
      }))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  async createVolume(
    name: string,
    opts: { driver?: string; driverOpts?: Record<string, string>; labels?: Record<string, string> },
  ): Promise<void> {
    this.enter("createVolume");
    if (!this.volumes.has(name)) this.volumes.set(name, { ...(opts.labels ?? {}) });
  }

  async removeVolume(name: string): Promise<void> {
    this.enter("removeVolume");
    if (!this.volumes.has(name)) return;
    const users = [...this.containers.values()].filter((c) => c.spec.mounts.some((m) => m.type === "volume" && m.source === name));
    if (users.length > 0)
      throw new RuntimeError("conflict", `remove ${name}: volume is in use - [${users.map((c) => c.state.id).join(", ")}]`);
    this.volumes.delete(name);
  }

  events(onEvent: (e: RuntimeEvent) => void): EventSubscription {
    this.listeners.add(onEvent);
    return { ready: Promise.resolve(), close: () => this.listeners.delete(onEvent) };
  }

  async *logs(id: string, opts: { sinceNs?: bigint; follow: boolean }): AsyncGenerator<LogLine> {
    this.enter("logs");
    yield* this.get(id).log.read(opts);
  }

  async info(): Promise<HostInfo> {
    this.enter("info");
    return { cpus: 2, memoryMiB: 4096, os: "linux", architecture: "x86_64", serverVersion: "fake", ...this.options.info };
  }

  // ---- test controls ----

  /** Ends a running container now, as if its process exited with `exitCode`. */
  exit(id: string, exitCode: number, opts: { oomKilled?: boolean } = {}): void {
    const c = this.get(id);
    if (c.state.status !== "running") return;
    for (const timer of c.timers.splice(0)) this.clock.clearTimeout(timer);
    this.ports.release(id);
    Object.assign(c.state, {
      status: "exited",
      exitCode,
      oomKilled: opts.oomKilled ?? false,
      finishedAt: new Date(this.clock.now()),
      ports: [],
      networks: networksOf(c.spec),
    });
    c.log.end();
    if (opts.oomKilled) this.emit(c, "oom");
    this.emit(c, "die", { exitCode });
    const status = { exitCode, oomKilled: c.state.oomKilled };
    for (const resolve of c.waiters.splice(0)) resolve(status);
  }

  /** The running container writes a line to its output. */
  print(id: string, text: string, stream: LogLine["stream"] = "stdout"): void {
    const c = this.get(id);
    if (c.state.status === "running") c.log.append(this.clock.now(), text, stream);
  }

  setHealth(id: string, health: ContainerHealth): void {
    const c = this.get(id);
    if (c.state.status !== "running" || c.state.health === health) return;
    c.state.health = health;
    this.emit(c, "health_status", { health });
  }

  /** Containers known, in any state. */
  get size(): number {
    return this.containers.size;
  }

  // ---- internals ----

  private enter(method: string): void {
    this.calls[method] = (this.calls[method] ?? 0) + 1;
    if (!this.available) throw new RuntimeError("unavailable", "Cannot connect to the Docker daemon: fake engine is down");
  }

  private get(id: string): FakeContainer {
    const c = this.containers.get(id) ?? this.containers.get(this.names.get(id) ?? "");
    if (!c) throw new RuntimeError("not-found", `No such container: ${id}`);
    return c;
  }

  /** The container's networks with their addresses, while it runs. */
  private attach(spec: ContainerSpec): ContainerState["networks"] {
    switch (spec.network.mode) {
      case "bridge":
        return { bridge: { ipv4Address: this.networks.bridgeAddress() } };
      case "network":
        return { [spec.network.name]: { ipv4Address: this.networks.address(spec.network.name, spec.network.ipv4Address) } };
      default:
        return networksOf(spec);
    }
  }

  private emit(c: FakeContainer, action: RuntimeEventAction, extra: { exitCode?: number; health?: ContainerHealth } = {}): void {
    const attributes: Record<string, string> = { ...c.state.labels, name: c.state.name, image: c.state.image };
    if (extra.exitCode !== undefined) attributes.exitCode = String(extra.exitCode);
    const event: RuntimeEvent = { id: c.state.id, action, time: new Date(this.clock.now()), attributes, ...extra };
    // Delivered after the call that caused them returns, as a real engine's stream would.
    for (const listener of this.listeners) queueMicrotask(() => listener(event));
  }

  private newId(): string {
    return hash(`${this.options.seed ?? "fake"}/${this.nextId++}`);
  }
}

/** Whether a container (in any state) joins the network as Docker names them: bridge mode joins "bridge". */
function joins(spec: ContainerSpec, network: string): boolean {
  switch (spec.network.mode) {
    case "network":
      return spec.network.name === network;
    case "container":
      // In another container's namespace, on no network of its own.
      return false;
    default:
      return spec.network.mode === network;
  }
}

function hash(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

/** The networks Docker shows for a container that is not running: named, without addresses. */
function networksOf(spec: ContainerSpec): ContainerState["networks"] {
  switch (spec.network.mode) {
    case "network":
      return { [spec.network.name]: { ipv4Address: "" } };
    case "container":
      // A joined namespace is its owner's: Docker lists none.
      return {};
    default:
      return { [spec.network.mode]: { ipv4Address: "" } };
  }
}

function copy(state: ContainerState): ContainerState {
  return structuredClone(state);
}
