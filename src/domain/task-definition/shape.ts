// The request arrives as parsed JSON, so nothing guarantees it matches the TypeScript
// types. The AWS SDKs and CLI refuse a null or wrongly typed member before sending
// (botocore: "Invalid type for parameter containerDefinitions[0].ulimits, value: None");
// berth also serves raw clients, so the same check runs here before any rule reads a
// field it assumes is a list or a number.
import { invalidParameter } from "../errors.js";

type Spec = "string" | "int" | "bool" | "map" | { list: Spec } | { struct: Record<string, Spec> };

const S = "string" as const;
const I = "int" as const;
const B = "bool" as const;
const M = "map" as const;
const list = (of: Spec): Spec => ({ list: of });
const struct = (fields: Record<string, Spec>): Spec => ({ struct: fields });

const keyValue = struct({ name: S, value: S });
const secret = struct({ name: S, valueFrom: S });

const containerDefinition = struct({
  name: S,
  image: S,
  repositoryCredentials: struct({ credentialsParameter: S }),
  cpu: I,
  memory: I,
  memoryReservation: I,
  links: list(S),
  portMappings: list(struct({ containerPort: I, hostPort: I, protocol: S, name: S, appProtocol: S, containerPortRange: S })),
  essential: B,
  restartPolicy: struct({ enabled: B, ignoredExitCodes: list(I), restartAttemptPeriod: I }),
  entryPoint: list(S),
  command: list(S),
  environment: list(keyValue),
  environmentFiles: list(struct({ value: S, type: S })),
  mountPoints: list(struct({ sourceVolume: S, containerPath: S, readOnly: B })),
  volumesFrom: list(struct({ sourceContainer: S, readOnly: B })),
  linuxParameters: struct({
    capabilities: struct({ add: list(S), drop: list(S) }),
    devices: list(struct({ hostPath: S, containerPath: S, permissions: list(S) })),
    initProcessEnabled: B,
    sharedMemorySize: I,
    tmpfs: list(struct({ containerPath: S, size: I, mountOptions: list(S) })),
    maxSwap: I,
    swappiness: I,
  }),
  secrets: list(secret),
  dependsOn: list(struct({ containerName: S, condition: S })),
  startTimeout: I,
  stopTimeout: I,
  versionConsistency: S,
  hostname: S,
  user: S,
  workingDirectory: S,
  disableNetworking: B,
  privileged: B,
  readonlyRootFilesystem: B,
  dnsServers: list(S),
  dnsSearchDomains: list(S),
  extraHosts: list(struct({ hostname: S, ipAddress: S })),
  dockerSecurityOptions: list(S),
  interactive: B,
  pseudoTerminal: B,
  dockerLabels: M,
  ulimits: list(struct({ name: S, softLimit: I, hardLimit: I })),
  logConfiguration: struct({ logDriver: S, options: M, secretOptions: list(secret) }),
  healthCheck: struct({ command: list(S), interval: I, timeout: I, retries: I, startPeriod: I }),
  systemControls: list(struct({ namespace: S, value: S })),
  resourceRequirements: list(struct({ value: S, type: S, sharingStrategy: S })),
  firelensConfiguration: struct({ type: S, options: M }),
  credentialSpecs: list(S),
});

const request = struct({
  family: S,
  taskRoleArn: S,
  executionRoleArn: S,
  networkMode: S,
  containerDefinitions: list(containerDefinition),
  volumes: list(
    struct({
      name: S,
      host: struct({ sourcePath: S }),
      dockerVolumeConfiguration: struct({ scope: S, autoprovision: B, driver: S, driverOpts: M, labels: M }),
      efsVolumeConfiguration: struct({
        fileSystemId: S,
        rootDirectory: S,
        transitEncryption: S,
        transitEncryptionPort: I,
        authorizationConfig: struct({ accessPointId: S, iam: S }),
      }),
      configuredAtLaunch: B,
    }),
  ),
  placementConstraints: list(struct({ type: S, expression: S })),
  requiresCompatibilities: list(S),
  cpu: S,
  memory: S,
  tags: list(struct({ key: S, value: S })),
  pidMode: S,
  ipcMode: S,
  proxyConfiguration: struct({ type: S, containerName: S, properties: list(keyValue) }),
  inferenceAccelerators: list(struct({ deviceName: S, deviceType: S })),
  ephemeralStorage: struct({ sizeInGiB: I }),
  runtimePlatform: struct({ cpuArchitecture: S, operatingSystemFamily: S }),
  enableFaultInjection: B,
});

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "list";
  return typeof value === "object" ? "structure" : typeof value;
}

function expected(spec: Spec): string {
  if (typeof spec === "string") return spec === "int" ? "integer" : spec === "bool" ? "boolean" : spec;
  return "list" in spec ? "list" : "structure";
}

function check(value: unknown, spec: Spec, path: string): void {
  const fail = () => {
    throw invalidParameter(
      `Invalid type for parameter ${path}, value: ${JSON.stringify(value) ?? "undefined"}, ` +
        `type: ${describe(value)}, valid types: ${expected(spec)}`,
    );
  };
  if (typeof spec === "string") {
    switch (spec) {
      case "string":
        if (typeof value !== "string") fail();
        return;
      case "int":
        if (typeof value !== "number" || !Number.isInteger(value)) fail();
        return;
      case "bool":
        if (typeof value !== "boolean") fail();
        return;
      case "map":
        if (value === null || typeof value !== "object" || Array.isArray(value)) fail();
        for (const [k, v] of Object.entries(value as object)) {
          if (typeof v !== "string") check(v, "string", `${path}.${k}`);
        }
        return;
    }
  }
  if ("list" in spec) {
    if (!Array.isArray(value)) return fail();
    value.forEach((item, i) => check(item, spec.list, `${path}[${i}]`));
    return;
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) return fail();
  for (const [key, fieldSpec] of Object.entries(spec.struct)) {
    const v = (value as Record<string, unknown>)[key];
    // An absent member is fine; an explicit null is not (see header comment).
    if (v !== undefined) check(v, fieldSpec, path ? `${path}.${key}` : key);
  }
}

/** Throws InvalidParameterException when a known member has the wrong JSON type or is null. */
export function checkRequestShape(input: unknown): void {
  check(input, request, "");
}
