// What a task's containers get from Secrets Manager and SSM Parameter Store before any of them
// starts, read as the ECS agent reads them on the task's behalf (with its execution role):
// container `secrets` into the environment, `logConfiguration.secretOptions` into the log
// driver's options, `repositoryCredentials` into the image pull's registry auth. SSM parameters
// are fetched in GetParameters batches of ten per region, secrets one GetSecretValue each, all
// at once. Any failure stops the task with ECS's ResourceInitializationError. Values are never
// logged and never put into a reason: reasons name the secret, never what it holds.
import type { ContainerDefinition } from "@aws-sdk/client-ecs";
import { parseCredentialsParameter, parseSecretRef, type SecretRef, type SecretsManagerRef } from "../../domain/task/secret-ref.js";
import type { RegistryAuth } from "../../runtime/driver.js";
import { registryOf } from "../registry-auth.js";
import type { SpecContext } from "./container-spec.js";
import { TaskFailure } from "./failure.js";

/** The calls the agent makes, already signed for one task (see ../execution-resources.ts). */
export interface ExecutionResources {
  /** GetSecretValue's SecretString (undefined for a binary secret); rejects with the service's error. */
  secretString(ref: Omit<SecretsManagerRef, "source" | "jsonKey">): Promise<string | undefined>;
  /** GetParameters with WithDecryption for at most ten names of one region; rejects with the service's error. */
  parameters(names: readonly string[], region: string | undefined): Promise<FetchedParameters>;
}

export interface FetchedParameters {
  parameters: { name: string; value: string; arn?: string; selector?: string }[];
  invalid: string[];
}

export interface ResolvedSecrets {
  /** Per container: its `secrets`, name → value. */
  environment: Map<string, Record<string, string>>;
  /** Per container: its log configuration's `secretOptions`, name → value. */
  logOptions: Map<string, Record<string, string>>;
  /** Per container: the registry auth its `repositoryCredentials` give its image. */
  registryAuth: Map<string, RegistryAuth>;
}

/** GetParameters takes at most ten names a call. */
export const SSM_BATCH = 10;
const PREFIX = "ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed";

/**
 * What the task's containers need from Secrets Manager and SSM, read before any pull (registry
 * auth may come from a secret); undefined when they need nothing. Without a way to read them
 * the task fails, as one whose execution resources cannot be had.
 */
export async function resolveTaskSecrets(
  defs: readonly ContainerDefinition[],
  resources: ExecutionResources | undefined,
): Promise<ResolvedSecrets | undefined> {
  if (!needsExecutionResources(defs)) return undefined;
  if (!resources) {
    throw new TaskFailure(`${PREFIX}: this agent cannot reach Secrets Manager or SSM`);
  }
  return resolveSecrets(defs, resources);
}

/** The login for each image: a container's repositoryCredentials win over the agent's ECS_ENGINE_AUTH_DATA. */
export function imageAuth(
  defs: readonly ContainerDefinition[],
  secrets: ResolvedSecrets | undefined,
  agentAuth: (image: string) => RegistryAuth | undefined,
): (image: string) => RegistryAuth | undefined {
  const fromSecrets = new Map<string, RegistryAuth>();
  for (const def of defs) {
    const auth = secrets?.registryAuth.get(def.name!);
    if (auth && !fromSecrets.has(def.image!)) fromSecrets.set(def.image!, auth);
  }
  return (image) => fromSecrets.get(image) ?? agentAuth(image);
}

/** True when any of `defs` needs something from Secrets Manager or SSM. */
export function needsExecutionResources(defs: readonly ContainerDefinition[]): boolean {
  return defs.some((d) => d.secrets?.length || d.logConfiguration?.secretOptions?.length || d.repositoryCredentials?.credentialsParameter);
}

export async function resolveSecrets(defs: readonly ContainerDefinition[], resources: ExecutionResources): Promise<ResolvedSecrets> {
  const uses: { container: string; kind: "env" | "log"; name: string; valueFrom: string; ref: SecretRef }[] = [];
  for (const def of defs) {
    const entries = [
      ...(def.secrets ?? []).map((s) => ({ kind: "env" as const, s })),
      ...(def.logConfiguration?.secretOptions ?? []).map((s) => ({ kind: "log" as const, s })),
    ];
    for (const { kind, s } of entries) {
      const valueFrom = s.valueFrom ?? "";
      const parsed = parseSecretRef(valueFrom);
      if ("problem" in parsed) {
        const source = valueFrom.includes(":secretsmanager:")
          ? "unable to retrieve secret from asm"
          : "unable to retrieve secrets from ssm";
        throw new TaskFailure(`${PREFIX}: ${source}: ${parsed.problem}`);
      }
      uses.push({ container: def.name!, kind, name: s.name ?? "", valueFrom, ref: parsed.ref });
    }
  }
  const [auths, ssmValues, asmValues] = await Promise.all([
    registryAuths(defs, resources),
    fetchParameters(
      uses.flatMap((u) => (u.ref.source === "ssm" ? [u.ref] : [])),
      resources,
    ),
    fetchSecrets(
      uses.flatMap((u) => (u.ref.source === "secretsmanager" ? [{ valueFrom: u.valueFrom, ref: u.ref }] : [])),
      resources,
    ),
  ]);
  const resolved: ResolvedSecrets = { environment: new Map(), logOptions: new Map(), registryAuth: auths };
  for (const use of uses) {
    const value = use.ref.source === "ssm" ? ssmValues.get(ssmKey(use.ref)) : asmValues.get(use.valueFrom);
    const into = use.kind === "env" ? resolved.environment : resolved.logOptions;
    const values = into.get(use.container) ?? {};
    values[use.name] = value ?? "";
    into.set(use.container, values);
  }
  return resolved;
}

const ssmKey = (ref: { name: string; region?: string }) => `${ref.region ?? ""}\n${ref.name}`;

/** Every parameter, by region and name, in batches of ten; the first failure is the task's. */
async function fetchParameters(refs: { name: string; region?: string }[], resources: ExecutionResources): Promise<Map<string, string>> {
  const byRegion = new Map<string | undefined, string[]>();
  for (const ref of refs) {
    const names = byRegion.get(ref.region) ?? [];
    if (!names.includes(ref.name)) names.push(ref.name);
    byRegion.set(ref.region, names);
  }
  const batches: { region: string | undefined; names: string[] }[] = [];
  for (const [region, names] of byRegion) {
    for (let i = 0; i < names.length; i += SSM_BATCH) batches.push({ region, names: names.slice(i, i + SSM_BATCH) });
  }
  const values = new Map<string, string>();
  const outcomes = await Promise.allSettled(batches.map((b) => resources.parameters(b.names, b.region)));
  for (const [i, outcome] of outcomes.entries()) {
    const { region, names } = batches[i]!;
    if (outcome.status === "rejected") throw new TaskFailure(`${PREFIX}: unable to retrieve secrets from ssm: ${describe(outcome.reason)}`);
    const { parameters, invalid } = outcome.value;
    const missing = [...invalid, ...names.filter((n) => !invalid.includes(n) && !parameters.some((p) => answers(p, n)))];
    if (missing.length) {
      throw new TaskFailure(`${PREFIX}: unable to retrieve secrets from ssm: invalid ssm parameters: ${missing.join(",")}`);
    }
    for (const name of names) values.set(ssmKey({ name, region }), parameters.find((p) => answers(p, name))!.value);
  }
  return values;
}

/** Whether `p` is what was asked for as `requested` (a name, an ARN, or either with ":<version or label>"). */
function answers(p: FetchedParameters["parameters"][number], requested: string): boolean {
  if (p.name === requested || p.arn === requested) return true;
  return p.selector !== undefined && (`${p.name}${p.selector}` === requested || `${p.arn}${p.selector}` === requested);
}

/** Each distinct valueFrom once, all at once; every failure is named, as ECS joins them. */
async function fetchSecrets(
  uses: { valueFrom: string; ref: SecretsManagerRef }[],
  resources: ExecutionResources,
): Promise<Map<string, string>> {
  const distinct = new Map(uses.map((u) => [u.valueFrom, u.ref]));
  const entries = [...distinct.entries()];
  const outcomes = await Promise.allSettled(entries.map(([, ref]) => secretValue(ref, resources)));
  const failures = outcomes.flatMap((o) =>
    o.status === "rejected" ? [o.reason instanceof Error ? o.reason.message : String(o.reason)] : [],
  );
  if (failures.length) throw new TaskFailure(`${PREFIX}: unable to retrieve secret from asm: ${failures.join("; ")}`);
  return new Map(entries.map(([valueFrom], i) => [valueFrom, (outcomes[i] as PromiseFulfilledResult<string>).value]));
}

async function secretValue(ref: SecretsManagerRef, resources: ExecutionResources): Promise<string> {
  const { jsonKey, source: _source, ...request } = ref;
  let text: string | undefined;
  try {
    text = await resources.secretString(request);
  } catch (err) {
    throw new Error(`failed to fetch secret ${ref.secretId} from secrets manager: ${describe(err)}`, { cause: err });
  }
  if (text === undefined) throw new Error(`secret ${ref.secretId} has no SecretString (a binary secret cannot be an environment variable)`);
  if (jsonKey === undefined) return text;
  const document = parseJsonObject(text);
  // The parser's own message would quote the value: say only that it is not JSON.
  if (!document) throw new Error(`secret ${ref.secretId}: its value is not a JSON object, so it has no key ${jsonKey}`);
  if (!(jsonKey in document)) throw new Error(`secret ${ref.secretId}: its JSON has no key ${jsonKey}`);
  const value = document[jsonKey];
  return typeof value === "string" ? value : JSON.stringify(value);
}

/** repositoryCredentials: a secret holding {"username":…,"password":…} for the container's registry. */
async function registryAuths(defs: readonly ContainerDefinition[], resources: ExecutionResources): Promise<Map<string, RegistryAuth>> {
  const wanted = defs.filter((d) => d.repositoryCredentials?.credentialsParameter);
  const outcomes = await Promise.allSettled(wanted.map((d) => registryAuth(d, resources)));
  const failures = outcomes.flatMap((o) =>
    o.status === "rejected" ? [o.reason instanceof Error ? o.reason.message : String(o.reason)] : [],
  );
  if (failures.length) throw new TaskFailure(`${PREFIX}: unable to get registry auth from asm: ${failures.join("; ")}`);
  return new Map(wanted.map((d, i) => [d.name!, (outcomes[i] as PromiseFulfilledResult<RegistryAuth>).value]));
}

async function registryAuth(def: ContainerDefinition, resources: ExecutionResources): Promise<RegistryAuth> {
  const parameter = def.repositoryCredentials!.credentialsParameter!;
  const parsed = parseCredentialsParameter(parameter);
  if ("problem" in parsed) throw new Error(parsed.problem);
  const { source: _source, jsonKey: _jsonKey, ...request } = parsed.ref as SecretsManagerRef;
  let text: string | undefined;
  try {
    text = await resources.secretString(request);
  } catch (err) {
    throw new Error(`fetching secret ${parameter} for the registry auth: ${describe(err)}`, { cause: err });
  }
  const document = text === undefined ? undefined : parseJsonObject(text);
  if (!document) throw new Error(`secret ${parameter}: the registry auth is not a JSON object with "username" and "password"`);
  const { username, password } = document;
  if (typeof username !== "string" || username === "") throw new Error(`secret ${parameter}: the registry auth has no "username"`);
  if (typeof password !== "string" || password === "") throw new Error(`secret ${parameter}: the registry auth has no "password"`);
  return { username, password, serveraddress: registryOf(def.image ?? "") };
}

function parseJsonObject(text: string): Record<string, unknown> | undefined {
  try {
    const parsed: unknown = JSON.parse(text);
    return parsed !== null && typeof parsed === "object" && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** An AWS error as "<Code>: <message>"; anything else by its message. */
function describe(err: unknown): string {
  if (err instanceof Error) return err.name && err.name !== "Error" ? `${err.name}: ${err.message}` : err.message;
  return String(err);
}

/** One container's part of what was resolved, as containerSpec takes it. */
export function secretsOf(
  secrets: ResolvedSecrets | undefined,
  container: string,
): Pick<SpecContext, "secretEnvironment" | "logSecretOptions"> {
  const env = secrets?.environment.get(container);
  const log = secrets?.logOptions.get(container);
  return { ...(env ? { secretEnvironment: env } : {}), ...(log ? { logSecretOptions: log } : {}) };
}
