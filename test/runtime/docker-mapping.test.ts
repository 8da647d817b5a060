// The pure halves of the Docker driver: ContainerSpec → create options, inspect → state, events.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type Docker from "dockerode";
import type { ContainerSpec } from "../../src/runtime/driver.js";
import { toCreateOptions } from "../../src/runtime/docker/create-options.js";
import { toRuntimeEvent } from "../../src/runtime/docker/events.js";
import { toContainerState } from "../../src/runtime/docker/state.js";
import { withDefaultTag } from "../../src/runtime/image-ref.js";

const base: ContainerSpec = { name: "c", image: "app:1", env: {}, portBindings: [], network: { mode: "bridge" }, mounts: [], labels: {} };

describe("ContainerSpec → Docker create options", () => {
  test("a minimal spec sets only what it says", () => {
    assert.deepEqual(toCreateOptions(base), { name: "c", Image: "app:1", Env: [], Labels: {}, HostConfig: { NetworkMode: "bridge" } });
  });

  test("ECS units become Docker's", () => {
    const host = toCreateOptions({
      ...base,
      cpuShares: 256,
      memoryMiB: 512,
      memoryReservationMiB: 128,
      maxSwapMiB: 0,
      nanoCpus: 250_000_000,
      shmSizeMiB: 64,
    }).HostConfig!;
    assert.equal(host.CpuShares, 256);
    assert.equal(host.Memory, 512 * 1024 * 1024);
    assert.equal(host.MemoryReservation, 128 * 1024 * 1024);
    assert.equal(host.MemorySwap, 512 * 1024 * 1024, "maxSwap 0: no swap beyond memory");
    assert.equal(host.NanoCpus, 250_000_000);
    assert.equal(host.ShmSize, 64 * 1024 * 1024);
    assert.equal(toCreateOptions({ ...base, cpuShares: 0 }).HostConfig!.CpuShares, 2);
    assert.equal(toCreateOptions({ ...base, cpuShares: 1 }).HostConfig!.CpuShares, 2);
  });

  test("health checks are in nanoseconds and keep ECS's command form", () => {
    const options = toCreateOptions({
      ...base,
      healthCheck: {
        command: ["CMD-SHELL", "curl -f http://localhost/ || exit 1"],
        intervalSeconds: 30,
        timeoutSeconds: 5,
        retries: 3,
        startPeriodSeconds: 10,
      },
    });
    assert.deepEqual(options.Healthcheck, {
      Test: ["CMD-SHELL", "curl -f http://localhost/ || exit 1"],
      Interval: 30e9,
      Timeout: 5e9,
      Retries: 3,
      StartPeriod: 10e9,
    });
  });

  test("ports: exposed and bound, an unset host port left to Docker", () => {
    const options = toCreateOptions({
      ...base,
      portBindings: [
        { containerPort: 80, hostPort: 49200, protocol: "tcp", hostIp: "0.0.0.0" },
        { containerPort: 53, protocol: "udp", hostIp: "127.0.0.1" },
      ],
    });
    assert.deepEqual(options.ExposedPorts, { "80/tcp": {}, "53/udp": {} });
    assert.deepEqual(options.HostConfig!.PortBindings, {
      "80/tcp": [{ HostIp: "0.0.0.0", HostPort: "49200" }],
      "53/udp": [{ HostIp: "127.0.0.1", HostPort: "" }],
    });
  });

  test("network modes", () => {
    assert.equal(toCreateOptions({ ...base, network: { mode: "host" } }).HostConfig!.NetworkMode, "host");
    assert.equal(toCreateOptions({ ...base, network: { mode: "none" } }).HostConfig!.NetworkMode, "none");
    assert.equal(toCreateOptions({ ...base, network: { mode: "container", containerId: "abc" } }).HostConfig!.NetworkMode, "container:abc");
    const options = toCreateOptions({ ...base, network: { mode: "network", name: "task-net", ipv4Address: "10.0.0.5", aliases: ["web"] } });
    assert.equal(options.HostConfig!.NetworkMode, "task-net");
    assert.deepEqual(options.NetworkingConfig, {
      EndpointsConfig: { "task-net": { IPAMConfig: { IPv4Address: "10.0.0.5" }, Aliases: ["web"] } },
    });
  });

  test("mounts: binds for host paths and volumes, Tmpfs for tmpfs", () => {
    const host = toCreateOptions({
      ...base,
      mounts: [
        { type: "bind", source: "/host/logs", target: "/logs" },
        { type: "volume", source: "data", target: "/data", readOnly: true },
        { type: "tmpfs", target: "/run", sizeMiB: 16, options: ["noexec", "nosuid"] },
      ],
      volumesFrom: ["other:ro"],
    }).HostConfig!;
    assert.deepEqual(host.Binds, ["/host/logs:/logs", "data:/data:ro"]);
    assert.deepEqual(host.Tmpfs, { "/run": "size=16m,noexec,nosuid" });
    assert.deepEqual(host.VolumesFrom, ["other:ro"]);
  });

  test("process settings", () => {
    const options = toCreateOptions({
      ...base,
      command: ["serve"],
      entryPoint: ["/entry"],
      env: { A: "1", B: "x=y" },
      workingDirectory: "/app",
      user: "1000:1000",
      hostname: "web",
      stopTimeoutSeconds: 5,
      log: { driver: "json-file", options: { "max-size": "10m" } },
      ulimits: [{ name: "nofile", soft: 1024, hard: 4096 }],
      devices: [{ hostPath: "/dev/fuse" }],
    });
    assert.deepEqual(options.Cmd, ["serve"]);
    assert.deepEqual(options.Entrypoint, ["/entry"]);
    assert.deepEqual(options.Env, ["A=1", "B=x=y"]);
    assert.equal(options.WorkingDir, "/app");
    assert.equal(options.User, "1000:1000");
    assert.equal(options.Hostname, "web");
    assert.equal(options.StopTimeout, 5);
    assert.deepEqual(options.HostConfig!.LogConfig, { Type: "json-file", Config: { "max-size": "10m" } });
    assert.deepEqual(options.HostConfig!.Ulimits, [{ Name: "nofile", Soft: 1024, Hard: 4096 }]);
    assert.deepEqual(options.HostConfig!.Devices, [{ PathOnHost: "/dev/fuse", PathInContainer: "/dev/fuse", CgroupPermissions: "rwm" }]);
  });
});

describe("Docker inspect → ContainerState", () => {
  const inspect = (state: Partial<Docker.ContainerInspectInfo["State"]>, extra: Record<string, unknown> = {}) =>
    ({
      Id: "abc",
      Name: "/ecs-web-1-app-123",
      Created: "2024-01-01T00:00:00.000000001Z",
      Image: "sha256:1",
      Config: { Image: "app:1", Labels: { a: "b" } },
      State: {
        Status: "exited",
        ExitCode: 0,
        OOMKilled: false,
        Error: "",
        StartedAt: "0001-01-01T00:00:00Z",
        FinishedAt: "0001-01-01T00:00:00Z",
        ...state,
      },
      NetworkSettings: {
        Ports: { "80/tcp": [{ HostIp: "0.0.0.0", HostPort: "49153" }], "443/tcp": null },
        Networks: { bridge: { IPAddress: "172.17.0.2" } },
      },
      ...extra,
    }) as unknown as Docker.ContainerInspectInfo;

  test("names lose Docker's slash; zero times are absent; ports and addresses are read", () => {
    const state = toContainerState(
      inspect({ Status: "running", StartedAt: "2024-01-01T00:00:01Z", Health: { Status: "starting", FailingStreak: 0, Log: [] } }),
    );
    assert.equal(state.name, "ecs-web-1-app-123");
    assert.equal(state.status, "running");
    assert.equal(state.exitCode, undefined);
    assert.equal(state.finishedAt, undefined);
    assert.equal(state.health, "UNKNOWN");
    assert.deepEqual(state.ports, [{ containerPort: 80, hostPort: 49153, protocol: "tcp", hostIp: "0.0.0.0" }]);
    assert.deepEqual(state.networks, { bridge: { ipv4Address: "172.17.0.2" } });
  });

  test("exit code only once stopped; a start failure keeps its error", () => {
    assert.equal(toContainerState(inspect({ Status: "created" })).exitCode, undefined);
    const failed = toContainerState(
      inspect({ Status: "created", ExitCode: 127, Error: 'exec: "nope": executable file not found in $PATH' }),
    );
    assert.equal(failed.exitCode, 127);
    assert.match(failed.error ?? "", /executable file not found/);
    const oom = toContainerState(
      inspect({
        Status: "exited",
        ExitCode: 137,
        OOMKilled: true,
        StartedAt: "2024-01-01T00:00:01.5Z",
        FinishedAt: "2024-01-01T00:00:01.4Z",
      }),
    );
    assert.deepEqual([oom.exitCode, oom.oomKilled], [137, true]);
    assert.deepEqual(oom.finishedAt, oom.startedAt, "never finished before it started");
  });
});

describe("Docker events → RuntimeEvents", () => {
  test("die carries the exit code; health_status the health", () => {
    const die = toRuntimeEvent({
      Type: "container",
      Action: "die",
      Actor: { ID: "abc", Attributes: { exitCode: "137", name: "x" } },
      time: 1700000000,
      timeNano: 1700000000123456768,
    });
    assert.equal(die?.exitCode, 137);
    assert.equal(die?.attributes.name, "x");
    assert.equal(die?.time.getTime(), 1700000000123);
    const health = toRuntimeEvent({ Type: "container", Action: "health_status: unhealthy", Actor: { ID: "abc", Attributes: {} }, time: 1 });
    assert.deepEqual([health?.action, health?.health], ["health_status", "UNHEALTHY"]);
    assert.equal(toRuntimeEvent({ Type: "container", Action: "exec_start: sh", Actor: { ID: "abc" } }), undefined);
  });
});

describe("image references", () => {
  test("a missing tag means latest; a registry port is not a tag", () => {
    assert.equal(withDefaultTag("busybox"), "busybox:latest");
    assert.equal(withDefaultTag("busybox:1.36"), "busybox:1.36");
    assert.equal(withDefaultTag("127.0.0.1:5000/app"), "127.0.0.1:5000/app:latest");
    assert.equal(withDefaultTag("127.0.0.1:5000/app:v2"), "127.0.0.1:5000/app:v2");
    assert.equal(withDefaultTag("app@sha256:abcd"), "app@sha256:abcd");
  });
});
