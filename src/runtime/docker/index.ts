// The RuntimeDriver on Docker Engine, assembled from one module per concern.
import type Docker from "dockerode";
import type {
  ContainerSpec,
  ContainerState,
  ContainerStats,
  EventSubscription,
  ExitStatus,
  HostInfo,
  LogLine,
  NetworkSummary,
  RegistryAuth,
  RuntimeDriver,
  RuntimeEvent,
} from "../driver.js";
import { call, connectDocker, type DockerConnection } from "./client.js";
import * as containers from "./containers.js";
import { subscribeEvents } from "./events.js";
import * as images from "./images.js";
import { containerLogs } from "./logs.js";
import * as networks from "./networks.js";
import * as volumes from "./volumes.js";

export type { DockerConnection } from "./client.js";

const MIB = 1024 * 1024;

export class DockerDriver implements RuntimeDriver {
  /** The raw client, for tests and diagnostics that look past the interface. */
  readonly docker: Docker;

  constructor(connection: DockerConnection = {}) {
    this.docker = connectDocker(connection);
  }

  async ping(): Promise<void> {
    await call(() => this.docker.ping(), "ping");
  }

  async hasImage(image: string): Promise<boolean> {
    return (await images.inspectImage(this.docker, image)) !== undefined;
  }

  inspectImage(image: string): Promise<{ id: string; repoDigests: string[] } | undefined> {
    return images.inspectImage(this.docker, image);
  }

  pullImage(image: string, onProgress?: (line: string) => void, auth?: RegistryAuth): Promise<void> {
    return images.pullImage(this.docker, image, onProgress, auth);
  }

  create(spec: ContainerSpec): Promise<string> {
    return containers.createContainer(this.docker, spec);
  }

  start(id: string): Promise<void> {
    return containers.startContainer(this.docker, id);
  }

  wait(id: string, opts?: { stopRequested?: () => boolean }): Promise<ExitStatus> {
    return containers.waitContainer(this.docker, id, opts?.stopRequested);
  }

  stop(id: string, timeoutSeconds: number): Promise<void> {
    return containers.stopContainer(this.docker, id, timeoutSeconds);
  }

  destroy(id: string): Promise<void> {
    return containers.destroyContainer(this.docker, id);
  }

  inspect(id: string): Promise<ContainerState | undefined> {
    return containers.inspectContainer(this.docker, id);
  }

  stats(id: string): Promise<ContainerStats | undefined> {
    return containers.containerStats(this.docker, id);
  }

  list(labelFilter: Record<string, string>): Promise<ContainerState[]> {
    return containers.listContainers(this.docker, labelFilter);
  }

  createNetwork(name: string, opts: networks.NetworkOptions): Promise<networks.NetworkInfo> {
    return networks.createNetwork(this.docker, name, opts);
  }

  removeNetwork(name: string): Promise<void> {
    return networks.removeNetwork(this.docker, name);
  }

  listNetworks(): Promise<NetworkSummary[]> {
    return networks.listNetworks(this.docker);
  }

  createVolume(name: string, opts: volumes.VolumeOptions): Promise<void> {
    return volumes.createVolume(this.docker, name, opts);
  }

  removeVolume(name: string): Promise<void> {
    return volumes.removeVolume(this.docker, name);
  }

  events(onEvent: (e: RuntimeEvent) => void, onError?: (err: Error) => void): EventSubscription {
    return subscribeEvents(this.docker, onEvent, onError);
  }

  logs(id: string, opts: { sinceNs?: bigint; follow: boolean }): AsyncIterable<LogLine> {
    return containerLogs(this.docker, id, opts);
  }

  async info(): Promise<HostInfo> {
    const info = await call(() => this.docker.info() as Promise<Record<string, unknown>>, "info");
    return {
      cpus: Number(info.NCPU),
      memoryMiB: Math.floor(Number(info.MemTotal) / MIB),
      os: String(info.OSType),
      architecture: String(info.Architecture),
      serverVersion: String(info.ServerVersion),
    };
  }
}
