// ECS container definition → ContainerSpec, field by field, without an engine.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import type { ContainerDefinition } from "@aws-sdk/client-ecs";
import { containerSpec, type SpecContext } from "../../src/agent/task-runner/container-spec.js";
import { fileEnvironment, parseEnvFile } from "../../src/agent/task-runner/environment.js";
import { TaskFailure } from "../../src/agent/task-runner/failure.js";
import { dockerName, PAUSE_CONTAINER_NAME, taskIdentity } from "../../src/agent/task-runner/identity.js";
import { pauseSpec } from "../../src/agent/task-runner/network.js";
import { networkBindings, pausePortBindings } from "../../src/agent/task-runner/ports.js";
import { planVolumes, volumeSources } from "../../src/agent/task-runner/volumes.js";
import { assignment, CLUSTER_ARN } from "./helpers.js";

const base = assignment([{ name: "web", image: "nginx" }], { family: "shop" });
const task = taskIdentity(base);

function ctx(overrides: Partial<SpecContext> = {}): SpecContext {
  return {
    task,
    launchType: "EC2",
    metadataToken: "0f1e2d3c-aaaa-bbbb-cccc-000000000001",
    network: { mode: "bridge" },
    portBindings: [],
    volumes: new Map(),
    ...overrides,
  };
}

describe("container spec", () => {
  test("identity: Docker name, ECS labels over dockerLabels, metadata environment", () => {
    const spec = containerSpec(
      {
        name: "web",
        image: "nginx:1.27",
        dockerLabels: { team: "a", "com.amazonaws.ecs.cluster": "spoofed" },
        environment: [{ name: "A", value: "1" }],
      },
      ctx(),
    );
    assert.equal(spec.name, `ecs-shop-3-web-${task.taskId}`);
    assert.equal(spec.image, "nginx:1.27");
    assert.deepEqual(spec.labels, {
      team: "a",
      "com.amazonaws.ecs.cluster": CLUSTER_ARN,
      "com.amazonaws.ecs.container-name": "web",
      "com.amazonaws.ecs.task-arn": base.taskArn,
      "com.amazonaws.ecs.task-definition-family": "shop",
      "com.amazonaws.ecs.task-definition-version": "3",
      "berth.managed": "1",
    });
    assert.equal(spec.env.A, "1");
    assert.equal(spec.env.ECS_CONTAINER_METADATA_URI_V4, "http://169.254.170.2/v4/0f1e2d3c-aaaa-bbbb-cccc-000000000001");
    assert.equal(spec.env.ECS_CONTAINER_METADATA_URI, "http://169.254.170.2/v3/0f1e2d3c-aaaa-bbbb-cccc-000000000001");
    assert.equal(spec.env.AWS_EXECUTION_ENV, "AWS_ECS_EC2");
    assert.equal(spec.stopTimeoutSeconds, 30);
    assert.equal(spec.cpuShares, 0);
    assert.equal(dockerName(task, PAUSE_CONTAINER_NAME), `ecs-shop-3-internalecspause-${task.taskId}`);
  });

  test("process, resources and Linux parameters", () => {
    const def: ContainerDefinition = {
      name: "app",
      image: "app",
      command: ["serve", "--port", "80"],
      entryPoint: ["/bin/app"],
      workingDirectory: "/srv",
      user: "1000:1000",
      cpu: 256,
      memory: 512,
      memoryReservation: 256,
      ulimits: [{ name: "nofile", softLimit: 1024, hardLimit: 4096 }],
      linuxParameters: {
        initProcessEnabled: true,
        capabilities: { add: ["NET_ADMIN"], drop: ["MKNOD"] },
        tmpfs: [{ containerPath: "/scratch", size: 64, mountOptions: ["noexec"] }],
        devices: [{ hostPath: "/dev/fuse", containerPath: "/dev/fuse", permissions: ["read", "write", "mknod"] }],
        maxSwap: 100,
        swappiness: 10,
        sharedMemorySize: 128,
      },
      readonlyRootFilesystem: true,
      privileged: true,
      hostname: "app-host",
      extraHosts: [{ hostname: "db", ipAddress: "10.0.0.5" }],
      dnsServers: ["10.0.0.2"],
      dnsSearchDomains: ["corp.example"],
      dockerSecurityOptions: ["no-new-privileges"],
      stopTimeout: 5,
      systemControls: [{ namespace: "net.core.somaxconn", value: "1024" }],
      pseudoTerminal: true,
      interactive: true,
      healthCheck: { command: ["CMD-SHELL", "true"], interval: 10, timeout: 2, retries: 4, startPeriod: 15 },
      logConfiguration: { logDriver: "syslog", options: { tag: "app" } },
    };
    const spec = containerSpec(def, ctx({ taskCpu: 512 }));
    assert.deepEqual(spec.command, ["serve", "--port", "80"]);
    assert.deepEqual(spec.entryPoint, ["/bin/app"]);
    assert.equal(spec.workingDirectory, "/srv");
    assert.equal(spec.user, "1000:1000");
    assert.equal(spec.cpuShares, 256);
    assert.equal(spec.memoryMiB, 512);
    assert.equal(spec.memoryReservationMiB, 256);
    assert.equal(spec.nanoCpus, 500_000_000);
    assert.deepEqual(spec.ulimits, [{ name: "nofile", soft: 1024, hard: 4096 }]);
    assert.equal(spec.init, true);
    assert.deepEqual(spec.capAdd, ["NET_ADMIN"]);
    assert.deepEqual(spec.capDrop, ["MKNOD"]);
    assert.deepEqual(spec.mounts, [{ type: "tmpfs", target: "/scratch", sizeMiB: 64, options: ["noexec"] }]);
    assert.deepEqual(spec.devices, [{ hostPath: "/dev/fuse", containerPath: "/dev/fuse", permissions: "rwm" }]);
    assert.equal(spec.maxSwapMiB, 100);
    assert.equal(spec.swappiness, 10);
    assert.equal(spec.shmSizeMiB, 128);
    assert.equal(spec.readonlyRootfs, true);
    assert.equal(spec.privileged, true);
    assert.equal(spec.hostname, "app-host");
    assert.deepEqual(spec.extraHosts, ["db:10.0.0.5"]);
    assert.deepEqual(spec.dns, ["10.0.0.2"]);
    assert.deepEqual(spec.dnsSearch, ["corp.example"]);
    assert.deepEqual(spec.securityOptions, ["no-new-privileges"]);
    assert.equal(spec.stopTimeoutSeconds, 5);
    assert.deepEqual(spec.sysctls, { "net.core.somaxconn": "1024" });
    assert.equal(spec.tty, true);
    assert.equal(spec.openStdin, true);
    assert.deepEqual(spec.healthCheck, {
      command: ["CMD-SHELL", "true"],
      intervalSeconds: 10,
      timeoutSeconds: 2,
      retries: 4,
      startPeriodSeconds: 15,
    });
    assert.deepEqual(spec.log, { driver: "syslog", options: { tag: "app" } });
  });

  test("health check defaults, awslogs kept locally, task memory as the limit of containers without one", () => {
    const spec = containerSpec(
      {
        name: "app",
        image: "app",
        memoryReservation: 64,
        healthCheck: { command: ["CMD", "/check"] },
        logConfiguration: { logDriver: "awslogs", options: { "awslogs-group": "g" } },
      },
      ctx({ taskMemory: 1024 }),
    );
    assert.deepEqual(spec.healthCheck, { command: ["CMD", "/check"], intervalSeconds: 30, timeoutSeconds: 5, retries: 3 });
    assert.deepEqual(spec.log, { driver: "json-file" });
    assert.equal(spec.memoryMiB, 1024);
    assert.equal(spec.memoryReservationMiB, 64);
    assert.equal(containerSpec({ name: "x", image: "x", memory: 300 }, ctx({ taskMemory: 1024 })).memoryMiB, 300);
    assert.equal(containerSpec({ name: "x", image: "x" }, ctx()).memoryMiB, undefined);
    // Docker refuses a cpu limit above the host's cpus.
    assert.equal(containerSpec({ name: "x", image: "x" }, ctx({ taskCpu: 4096, hostCpus: 2 })).nanoCpus, 2e9);
  });

  test("links and volumesFrom resolve to the task's Docker names; mounts to planned volumes", () => {
    const td = assignment([{ name: "web", image: "x" }], {
      volumes: [
        { name: "data", host: { sourcePath: "/srv/data" } },
        { name: "scratch" },
        { name: "cache", dockerVolumeConfiguration: { scope: "task", driver: "local", labels: { a: "b" } } },
        { name: "shared", dockerVolumeConfiguration: { scope: "shared", autoprovision: true } },
        { name: "external", dockerVolumeConfiguration: { scope: "shared" } },
      ],
    });
    const plan = planVolumes(td.taskDefinition, taskIdentity(td));
    const id = taskIdentity(td).taskId;
    assert.deepEqual(
      plan.map((v) => [v.name, v.type, v.source, v.taskScoped, Boolean(v.create)]),
      [
        ["data", "bind", "/srv/data", false, false],
        ["scratch", "volume", `ecs-web-3-scratch-${id}`, true, true],
        ["cache", "volume", `ecs-web-3-cache-${id}`, true, true],
        ["shared", "volume", "shared", false, true],
        ["external", "volume", "external", false, false],
      ],
    );
    assert.deepEqual(plan[2]!.create, {
      driver: "local",
      labels: { a: "b", "berth.managed": "1", "com.amazonaws.ecs.task-arn": td.taskArn },
    });
    const spec = containerSpec(
      {
        name: "web",
        image: "x",
        links: ["db:database", "cache"],
        volumesFrom: [{ sourceContainer: "init", readOnly: true }, { sourceContainer: "side" }],
        mountPoints: [
          { sourceVolume: "data", containerPath: "/data", readOnly: true },
          { sourceVolume: "cache", containerPath: "/cache" },
        ],
      },
      ctx({ volumes: volumeSources(plan) }),
    );
    assert.deepEqual(spec.links, [`ecs-shop-3-db-${task.taskId}:database`, `ecs-shop-3-cache-${task.taskId}:cache`]);
    assert.deepEqual(spec.volumesFrom, [`ecs-shop-3-init-${task.taskId}:ro`, `ecs-shop-3-side-${task.taskId}`]);
    assert.deepEqual(spec.mounts, [
      { type: "bind", source: "/srv/data", target: "/data", readOnly: true },
      { type: "volume", source: `ecs-web-3-cache-${id}`, target: "/cache" },
    ]);
    assert.throws(
      () => containerSpec({ name: "web", image: "x", mountPoints: [{ sourceVolume: "nope", containerPath: "/x" }] }, ctx()),
      (err: unknown) => err instanceof TaskFailure && /^ResourceInitializationError: .*unknown volume 'nope'/.test(err.reason),
    );
    assert.throws(
      () => planVolumes({ volumes: [{ name: "efs", efsVolumeConfiguration: { fileSystemId: "fs-1" } }] }, task),
      /EFS volumes are not available/,
    );
  });

  test("awsvpc: joined containers set no hostname, DNS or hosts; ports live on the pause container", () => {
    const awsvpc = assignment(
      [
        { name: "web", image: "x", portMappings: [{ containerPort: 80, hostPort: 80, protocol: "tcp" }] },
        {
          name: "dns",
          image: "x",
          portMappings: [
            { containerPort: 53, hostPort: 53, protocol: "udp" },
            { containerPort: 80, protocol: "tcp" },
          ],
        },
      ],
      { networkMode: "awsvpc", ipcMode: "task" },
      {
        network: {
          subnetId: "subnet-1",
          vpcId: "vpc-1",
          securityGroupIds: [],
          networkName: "berth-vpc-1",
          cidr: "10.211.3.0/24",
          gateway: "10.211.3.1",
          ipv4Address: "10.211.3.7",
          loopbackAddress: "127.1.0.9",
          attachmentId: "a",
          networkInterfaceId: "eni-1",
          macAddress: "02:42:0a:d3:03:07",
        },
      },
    );
    const id = taskIdentity(awsvpc);
    const def = { name: "web", image: "x", hostname: "h", dnsServers: ["1.1.1.1"], extraHosts: [{ hostname: "a", ipAddress: "1.2.3.4" }] };
    const spec = containerSpec(def, ctx({ task: id, network: { mode: "container", containerId: "pause123" } }));
    assert.deepEqual(spec.network, { mode: "container", containerId: "pause123" });
    assert.equal(spec.hostname, undefined);
    assert.equal(spec.dns, undefined);
    assert.equal(spec.extraHosts, undefined);
    const defs = awsvpc.taskDefinition.containerDefinitions!;
    const pause = pauseSpec(awsvpc, id, defs, "berth/pause");
    assert.deepEqual(pause.network, { mode: "network", name: "berth-vpc-1", ipv4Address: "10.211.3.7" });
    assert.deepEqual(pause.portBindings, [
      { containerPort: 80, hostPort: 80, protocol: "tcp", hostIp: "127.1.0.9" },
      { containerPort: 53, hostPort: 53, protocol: "udp", hostIp: "127.1.0.9" },
    ]);
    assert.equal(pause.labels["com.amazonaws.ecs.container-name"], PAUSE_CONTAINER_NAME);
    assert.equal(pause.ipcMode, "shareable");
    assert.deepEqual(pausePortBindings(defs, "127.1.0.9").length, 2);
    assert.deepEqual(networkBindings(id, defs[1]!, [], { loopback: "127.1.0.9" }), [
      { bindIP: "127.1.0.9", containerPort: 53, hostPort: 53, protocol: "udp" },
      { bindIP: "127.1.0.9", containerPort: 80, hostPort: 80, protocol: "tcp" },
    ]);
  });

  test("disableNetworking in bridge mode means no network and no ports", () => {
    const spec = containerSpec(
      { name: "x", image: "x", disableNetworking: true },
      ctx({ portBindings: [{ containerPort: 80, hostPort: 49153, protocol: "tcp", hostIp: "127.0.0.1" }] }),
    );
    assert.deepEqual(spec.network, { mode: "none" });
    assert.deepEqual(spec.portBindings, []);
  });

  test("secrets win over environment and files, never over what the agent injects; secretOptions join the log options", () => {
    const def: ContainerDefinition = {
      name: "app",
      image: "x",
      environment: [
        { name: "PW", value: "plain" },
        { name: "KEEP", value: "k" },
      ],
      logConfiguration: {
        logDriver: "syslog",
        options: { tag: "app" },
        secretOptions: [{ name: "syslog-address", valueFrom: "/log/addr" }],
      },
    };
    const spec = containerSpec(
      def,
      ctx({
        fileEnvironment: { PW: "file", F: "f" },
        secretEnvironment: { PW: "from-secret", ECS_CONTAINER_METADATA_URI_V4: "spoofed" },
        logSecretOptions: { "syslog-address": "udp://127.0.0.1:514" },
      }),
    );
    assert.equal(spec.env.PW, "from-secret");
    assert.equal(spec.env.KEEP, "k");
    assert.equal(spec.env.F, "f");
    assert.match(spec.env.ECS_CONTAINER_METADATA_URI_V4!, /^http:\/\/169\.254\.170\.2\/v4\//);
    assert.deepEqual(spec.log, { driver: "syslog", options: { tag: "app", "syslog-address": "udp://127.0.0.1:514" } });
  });

  test("environment files: local files read top down under `environment`; S3 fails the task", async () => {
    const dir = mkdtempSync(join(tmpdir(), "berth-envfile-"));
    try {
      writeFileSync(join(dir, "a.env"), "# comment\nA=from-a\nB=from-a\n\nC=x=y\n");
      writeFileSync(join(dir, "b.env"), "B=from-b\nD=from-b\n");
      const def: ContainerDefinition = {
        name: "app",
        image: "x",
        environment: [{ name: "A", value: "from-environment" }],
        environmentFiles: [
          { type: "s3", value: join(dir, "a.env") },
          { type: "s3", value: `file://${join(dir, "b.env")}` },
        ],
      };
      const fromFiles = await fileEnvironment(def);
      assert.deepEqual(fromFiles, { A: "from-a", B: "from-a", C: "x=y", D: "from-b" });
      const spec = containerSpec(def, ctx({ fileEnvironment: fromFiles }));
      assert.equal(spec.env.A, "from-environment");
      assert.equal(spec.env.B, "from-a");
      await assert.rejects(
        fileEnvironment({ name: "app", image: "x", environmentFiles: [{ type: "s3", value: "arn:aws:s3:::bucket/app.env" }] }),
        (err: unknown) =>
          err instanceof TaskFailure && err.reason.startsWith("ResourceInitializationError: ") && err.containerName === "app",
      );
      assert.deepEqual(parseEnvFile("X=1\r\nY=\n=bad\nnoequals\n"), { X: "1", Y: "" });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
