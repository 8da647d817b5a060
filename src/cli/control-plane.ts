// Composition root of the control plane: the store, the services (ECS, EC2, ELBv2, STS, Secrets Manager, SSM,
// CloudWatch Logs) and the HTTP front door.
import { mkdirSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Duplex } from "node:stream";
import { join } from "node:path";
import { rootPrincipal } from "../domain/account-settings.js";
import { HostNotifier } from "../services/ecs/agent-channel/notifier.js";
import { KeyedSerializer } from "../keyed-serializer.js";
import { purgeRunTaskTokens, purgeStoppedTasks, retireLostHosts } from "../services/ecs/housekeeping.js";
import { ServiceScheduler } from "../scheduler/service-loop.js";
import { createFrontDoor, type Credential } from "../aws/server.js";
import { ecsService } from "../services/ecs/service.js";
import { stsService } from "../services/sts/index.js";
import { ssmService } from "../services/ssm/index.js";
import { ssmState } from "../state/ssm-state.js";
import { dataDirSealer } from "../state/sealing.js";
import { logsService } from "../services/logs/index.js";
import { openLogDatabase } from "../state/sqlite/log-database.js";
import { ec2Service } from "../services/ec2/index.js";
import { elbv2Service } from "../services/elbv2/index.js";
import { secretsManagerService } from "../services/secretsmanager/index.js";
import { secretsState } from "../state/secrets-state.js";
import { TargetHealthBoard } from "../domain/elbv2/target-health.js";
import { DataPlaneController } from "../dataplane/controller.js";
import { EcsServicePort } from "../services/ecs/service-scheduling.js";
import { AgentChannelEndpoint } from "../services/ecs/agent-channel/endpoint.js";
import { TaskEventHub } from "../services/ecs/events/task-events.js";
import { ExecEndpoint } from "../services/ecs/exec/endpoint.js";
import { ExecSessions } from "../services/ecs/exec/sessions.js";
import { ecsState, type EcsState } from "../state/ecs-state.js";
import { defaultVpc } from "../state/default-vpc.js";
import type { Ec2State } from "../state/ec2-state.js";
import type { Scope } from "../domain/scope.js";
import { hostRoutes, isVpcBridge } from "../runtime/host-routes.js";
import { openSqliteStore } from "../state/sqlite/sqlite-store.js";
import type { Logger } from "../log/logger.js";
import type { Credentials } from "./credentials.js";
import { IssuedCredentials } from "../state/issued-credentials.js";
import { TaskCredentialsIssuer } from "../services/ecs/task-credentials.js";
import { DEFAULT_TASK_CREDENTIALS_LIFETIME_MS } from "../domain/task-credentials.js";
import { stsAssumeRole } from "./sts-federation.js";

/** Where the control plane listens. */
export interface ListenOptions {
  host: string;
  port: number;
}

export interface ControlPlaneOptions {
  dataDir: string;
  accountId: string;
  credentials: Credentials;
  /** Where published container ports listen. */
  hostPortBindIp: string;
  /** An agent silent this long shows agentConnected: false and gets no new tasks. */
  agentTimeoutMs: number;
  /** How long STOPPED tasks (and RunTask client tokens) are kept. */
  stoppedTaskRetentionMs: number;
  /** An agent silent this long: its host is taken for terminated. */
  hostLostAfterMs: number;
  /** For openSqliteStore: FULL fsyncs every commit; cacheDocuments undefined: the store's default. */
  store: { synchronous: "NORMAL" | "FULL"; cacheDocuments?: number };
  /** Run the load balancers' data plane (HAProxy, under <dataDir>/haproxy); default off (in-process tests). */
  loadBalancers?: boolean;
  /** How long the credentials berth issues for tasks' roles last; default 6 hours. */
  taskCredentialsLifetimeMs?: number;
  /** Federated mode: tasks' task-role credentials come from sts:AssumeRole on this STS. */
  stsEndpoint?: string;
  log: Logger;
}

/** The control plane without a socket: what an HTTP server (or a test, in-process) hands requests to. */
export interface ControlPlane {
  /** For an HTTP server's "request" event. */
  handle: (req: IncomingMessage, res: ServerResponse) => void;
  /** For an HTTP server's "upgrade" event: the agents' channels and ECS Exec's sockets. */
  upgrade: (req: IncomingMessage, socket: Duplex, head: Buffer) => void;
  /** Starts what runs without requests: the service scheduler and housekeeping. */
  start(): void;
  /** The account's default VPC in `region` (made now if it never was): what the ready banner shows. */
  defaultNetwork: (region: string) => Promise<DefaultNetwork | undefined>;
  /** The stored state (ECS's, EC2's networking under `ec2`, ELBv2's under `elbv2`), for in-process tests. */
  readonly state: EcsState;
  /** What the load balancers' health checks observe (the data plane writes it; in-process tests may too). */
  readonly targetHealth: TargetHealthBoard;
  close(): Promise<void>;
}

/** A default VPC as `berth up` shows it: its subnets (one per zone, in zone order) and its default group. */
export interface DefaultNetwork {
  vpcId: string;
  subnetIds: string[];
  securityGroupId: string;
}

export interface RunningControlPlane {
  endpoint: string;
  server: Server;
  defaultNetwork: ControlPlane["defaultNetwork"];
  close(): Promise<void>;
}

export function buildControlPlane(opts: ControlPlaneOptions): ControlPlane {
  mkdirSync(opts.dataDir, { recursive: true });
  const store = openSqliteStore(join(opts.dataDir, "berth.sqlite"), {
    ...opts.store,
    onError: (what, err) => opts.log.error("store error", { what, err }),
  });
  opts.log.debug("store opened", { path: join(opts.dataDir, "berth.sqlite") });
  // The account's root user: what the account's key pair stands for.
  const account: Credential = {
    secretAccessKey: opts.credentials.secretAccessKey,
    principal: { accountId: opts.accountId, arn: rootPrincipal(opts.accountId), userId: opts.accountId },
  };
  const state = ecsState(store);
  const hosts = new HostNotifier();
  const placementLock = new KeyedSerializer();
  const settings = { hostPortBindIp: opts.hostPortBindIp, agentTimeoutMs: opts.agentTimeoutMs };
  const targetHealth = new TargetHealthBoard();
  const servicePort = new EcsServicePort({ store, state, hosts, placementLock, settings, targetHealth });
  const scheduler = new ServiceScheduler(servicePort, opts.log);
  // A target's health changing may complete a deployment or stop a task: its service looks at once.
  const unwatchHealth = targetHealth.watch((key) => {
    const service = servicePort.serviceWatching(key);
    if (service) scheduler.poke(service.scope, service.id);
  });
  const { stoppedTaskRetentionMs: retentionMs, hostLostAfterMs: lostAfterMs } = opts;
  const startedAt = new Date();
  const housekeep = (what: string, work: () => Promise<unknown>) =>
    work().catch((err: unknown) => opts.log.error("housekeeping failed", { work: what, err }));
  const housekeeping: NodeJS.Timeout[] = [];
  const events = new TaskEventHub(state.tasks, () => new Date());
  const execSessions = new ExecSessions();
  // CloudWatch Logs' events: a database of their own beside the store (src/state/log-events.ts).
  const logEvents = openLogDatabase(join(opts.dataDir, "logs.sqlite"), opts.store.synchronous);
  const ecs = ecsService({ state, hosts, placementLock, options: settings, scheduler, events, execSessions });
  // One key for every sealed value (secrets, SecureString parameters, issued credentials), kept in the data dir.
  const sealer = dataDirSealer(opts.dataDir);
  const issued = new IssuedCredentials(store, sealer);
  const credentials = new TaskCredentialsIssuer({
    store,
    state,
    issued,
    hosts,
    lifetimeMs: opts.taskCredentialsLifetimeMs ?? DEFAULT_TASK_CREDENTIALS_LIFETIME_MS,
    ...(opts.stsEndpoint ? { assumeRole: stsAssumeRole(opts.stsEndpoint) } : {}),
    log: opts.log.child({ component: "task-credentials" }),
  });
  const frontDoor = createFrontDoor({
    services: [
      ecs,
      ec2Service({ state: state.ec2, interfaces: state.interfaces, occupiedCidrs: () => occupiedCidrs(hosts), placementLock }),
      elbv2Service({ state, health: targetHealth, placementLock, hostPortBindIp: opts.hostPortBindIp }),
      stsService(),
      ssmService({ state: ssmState(store), sealer }),
      secretsManagerService({ state: secretsState(store), sealer }),
      logsService({ db: logEvents }),
    ],
    credentialFor: (key) => (key === opts.credentials.accessKeyId ? account : issued.key(key)),
    ready: credentials.ready,
    log: opts.log,
  });
  const dataPlane = opts.loadBalancers
    ? new DataPlaneController({
        state: state.elbv2,
        scopes: () => store.scopes(),
        health: targetHealth,
        dataDir: opts.dataDir,
        log: opts.log.child({ component: "data-plane" }),
      })
    : undefined;
  const channels = new AgentChannelEndpoint({
    ecs,
    authenticate: frontDoor.authenticate,
    state,
    hosts,
    settings,
    credentials,
    log: opts.log,
  });
  const exec = new ExecEndpoint({ ecs, authenticate: frontDoor.authenticate, sessions: execSessions, hosts, log: opts.log });
  return {
    handle: frontDoor.handle,
    upgrade: (req, socket, head) => (exec.handles(req) ? exec.handleUpgrade : channels.handleUpgrade)(req, socket, head),
    state,
    targetHealth,
    defaultNetwork: (region) => defaultNetworkOf(state.ec2, { accountId: opts.accountId, region }),
    start() {
      housekeeping.push(
        setInterval(
          () => void housekeep("stopped tasks", () => purgeStoppedTasks(store, state, new Date(), retentionMs)),
          Math.min(60_000, retentionMs),
        ),
        setInterval(
          () => void housekeep("RunTask tokens", () => purgeRunTaskTokens(store, state, new Date(), retentionMs)),
          Math.min(60_000, retentionMs),
        ),
        setInterval(
          () =>
            void housekeep("lost hosts", () =>
              retireLostHosts({ store, state, pokeService: (scope, id) => scheduler.poke(scope, id) }, new Date(), startedAt, lostAfterMs),
            ),
          Math.max(250, Math.min(30_000, lostAfterMs / 4)),
        ),
        setInterval(() => void housekeep("expired log events", async () => logEvents.sweepExpired(Date.now())), 60_000),
      );
      for (const timer of housekeeping) timer.unref();
      scheduler.start();
      credentials.start();
      dataPlane?.start().catch((err: unknown) => opts.log.error("data plane did not start", { err }));
    },
    async close() {
      for (const timer of housekeeping) clearInterval(timer);
      scheduler.stop();
      credentials.close();
      unwatchHealth();
      events.close();
      channels.close();
      exec.close();
      // The proxy keeps serving (as AWS's load balancers do while ECS's API is down); the next start adopts it.
      await dataPlane?.close();
      await store.close();
      logEvents.close();
    },
  };
}

/**
 * The address space a new VPC must not take: what the agents report of their hosts, and this
 * host's own routes (read at each ask: CreateVpc is rare), less those on berth's VPC bridges.
 */
function occupiedCidrs(hosts: HostNotifier): string[] {
  const own = hostRoutes()
    .filter((r) => !isVpcBridge(r.iface))
    .map((r) => r.cidr);
  return [...new Set([...hosts.pools.all(), ...own])];
}

async function defaultNetworkOf(ec2: Ec2State, scope: Scope): Promise<DefaultNetwork | undefined> {
  const vpc = await defaultVpc(ec2, scope, new Date());
  if (!vpc) return undefined;
  const subnets = (await ec2.subnets.list(scope, { parent: vpc.vpc.VpcId! }))
    .filter((s) => s.subnet.DefaultForAz)
    .sort((a, b) => (a.subnet.AvailabilityZone! < b.subnet.AvailabilityZone! ? -1 : 1));
  return { vpcId: vpc.vpc.VpcId!, subnetIds: subnets.map((s) => s.subnet.SubnetId!), securityGroupId: vpc.defaultSecurityGroupId };
}

export async function startControlPlane(opts: ControlPlaneOptions & ListenOptions): Promise<RunningControlPlane> {
  const plane = buildControlPlane(opts);
  const server = createServer({ keepAliveTimeout: 65_000 }, plane.handle);
  server.on("upgrade", plane.upgrade);
  try {
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(opts.port, opts.host, () => resolve());
    });
  } catch (err) {
    await plane.close();
    throw err;
  }
  plane.start();
  const { port } = server.address() as AddressInfo;
  const host = opts.host.includes(":") ? `[${opts.host}]` : opts.host;
  const endpoint = `http://${host === "0.0.0.0" ? "127.0.0.1" : host}:${port}`;
  opts.log.info("listening", { endpoint });
  return {
    endpoint,
    server,
    defaultNetwork: plane.defaultNetwork,
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await plane.close();
      opts.log.info("stopped");
    },
  };
}
