// A parameter as berth stores it, and Parameter Store's rules for writing one: every put is a
// new version (at most 100 kept), tiers bound the value's size, an allowed pattern binds the
// value, and labels name versions. Pure: the caller seals SecureString values before a put.
import type { ParameterTier, ParameterType, PutParameterRequest, Tag } from "@aws-sdk/client-ssm";
import { SsmError, validation } from "./errors.js";

export const MAX_VERSIONS = 100;
export const MAX_LABELS_PER_VERSION = 10;
export const MAX_TAGS = 50;
const STANDARD_MAX_BYTES = 4096;
const ADVANCED_MAX_BYTES = 8192;
export const DEFAULT_KEY_ID = "alias/aws/ssm";

export interface StoredParameter {
  name: string;
  createdAt: number;
  tags: Tag[];
  /** Oldest first; the last is the current one. */
  versions: StoredVersion[];
}

export interface StoredVersion {
  version: number;
  type: ParameterType;
  /** As given for String and StringList; sealed (src/state/sealing.ts) for SecureString. */
  value: string;
  tier: ParameterTier;
  dataType: string;
  description?: string;
  allowedPattern?: string;
  keyId?: string;
  labels: string[];
  lastModifiedDate: number;
  lastModifiedUser: string;
}

export const currentVersion = (p: StoredParameter): StoredVersion => p.versions[p.versions.length - 1]!;

/** What a put writes besides the checks that need the stored parameter. */
export interface PutChange {
  input: PutParameterRequest;
  /** The value as stored: sealed when the type is SecureString. */
  storedValue: string;
  now: number;
  user: string;
}

/** Checks of PutParameter that need nothing stored: the refusals that come before any lookup. */
export function checkPutInput(input: PutParameterRequest): void {
  if (input.Overwrite && input.Tags?.length) {
    throw validation(
      "Invalid request: tags and overwrite can't be used together. To create a parameter with tags, please remove overwrite flag. " +
        "To update tags for an existing parameter, please use AddTagsToResource or RemoveTagsFromResource.",
    );
  }
  if (input.DataType !== undefined && input.DataType !== "" && input.DataType !== "text") {
    throw validation(`The following data type is not supported: ${input.DataType}. berth supports the data type text.`);
  }
  if (input.KeyId !== undefined && input.Type !== undefined && input.Type !== "SecureString") {
    throw validation("KeyId is required for SecureString type parameter only.");
  }
  if (input.Policies !== undefined) throw validation("Parameter policies are not supported by berth.");
  if ((input.Tags?.length ?? 0) > MAX_TAGS) throw new SsmError("TooManyTagsError", "The Tags parameter can't have more than 50 tags.");
  if (input.AllowedPattern) {
    const pattern = compilePattern(input.AllowedPattern);
    // A SecureString's value is checked before it is sealed; the others, here too.
    if (!pattern.test(input.Value!)) {
      throw new SsmError(
        "ParameterPatternMismatchException",
        `Parameter value, cannot be validated against allowedPattern: ${input.AllowedPattern}`,
      );
    }
  }
}

/** The type the put will write: the one asked for, else the stored one's (a new parameter needs one). */
export function typeOfPut(input: PutParameterRequest, current: StoredParameter | undefined): ParameterType {
  const type = input.Type ?? (current ? currentVersion(current).type : undefined);
  if (!type) throw validation("A parameter type is required when you create a parameter.");
  return type;
}

/** The parameter after a put: a new version on top of `current`, or a new parameter. */
export function putParameter(current: StoredParameter | undefined, change: PutChange): StoredParameter {
  const { input } = change;
  if (current && !input.Overwrite) {
    throw new SsmError(
      "ParameterAlreadyExists",
      "The parameter already exists. To overwrite this value, set the overwrite option in the request to true.",
    );
  }
  const previous = current ? currentVersion(current) : undefined;
  const type = typeOfPut(input, current);
  const allowedPattern = input.AllowedPattern ?? previous?.allowedPattern;
  if (allowedPattern && input.AllowedPattern === undefined && !compilePattern(allowedPattern).test(input.Value!)) {
    throw new SsmError(
      "ParameterPatternMismatchException",
      `Parameter value, cannot be validated against allowedPattern: ${allowedPattern}`,
    );
  }
  const next: StoredVersion = {
    version: (previous?.version ?? 0) + 1,
    type,
    value: change.storedValue,
    tier: tierOf(input.Tier, previous?.tier, Buffer.byteLength(input.Value!, "utf8")),
    dataType: input.DataType || previous?.dataType || "text",
    ...optional("description", input.Description ?? previous?.description),
    ...optional("allowedPattern", allowedPattern),
    ...optional("keyId", type === "SecureString" ? (input.KeyId ?? previous?.keyId ?? DEFAULT_KEY_ID) : undefined),
    labels: [],
    lastModifiedDate: change.now,
    lastModifiedUser: change.user,
  };
  if (!current) return { name: input.Name!, createdAt: change.now, tags: input.Tags ?? [], versions: [next] };
  const versions = [...current.versions];
  if (versions.length >= MAX_VERSIONS) {
    const oldest = versions[0]!;
    if (oldest.labels.length > 0) {
      throw new SsmError(
        "ParameterMaxVersionLimitExceeded",
        `You attempted to create a new version of ${current.name} by calling the PutParameter API with the overwrite flag. ` +
          `Version ${oldest.version}, the oldest version, can't be deleted because it has a label associated with it. ` +
          "Move the label to another version of the parameter, and try again.",
      );
    }
    versions.shift();
  }
  return { ...current, versions: [...versions, next] };
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

/** The tier a value of `bytes` is stored in: Intelligent-Tiering picks; Advanced never goes back to Standard. */
export function tierOf(asked: ParameterTier | undefined, stored: ParameterTier | undefined, bytes: number): ParameterTier {
  const tier: ParameterTier =
    asked === "Intelligent-Tiering" || asked === undefined
      ? stored === "Advanced" || (asked !== undefined && bytes > STANDARD_MAX_BYTES)
        ? "Advanced"
        : "Standard"
      : asked;
  if (tier === "Standard" && stored === "Advanced") {
    throw validation(
      "This parameter uses the advanced-parameter tier. You can't downgrade a parameter from the advanced-parameter tier to the " +
        "standard-parameter tier. If necessary, you can delete the advanced parameter and recreate it as a standard parameter.",
    );
  }
  if (tier === "Standard" && bytes > STANDARD_MAX_BYTES) {
    throw validation(
      "Standard tier parameters support a maximum parameter value of 4096 characters. To create a larger parameter value, " +
        "upgrade the parameter to use the advanced-parameter tier. For more information, see " +
        "https://docs.aws.amazon.com/systems-manager/latest/userguide/parameter-store-advanced-parameters.html",
    );
  }
  if (bytes > ADVANCED_MAX_BYTES) throw validation("Advanced tier parameters support a maximum parameter value of 8192 characters.");
  return tier;
}

/** An allowed pattern as Parameter Store applies it: to the whole value. */
export function compilePattern(pattern: string): RegExp {
  try {
    return new RegExp(`^(?:${pattern})$`, "u");
  } catch {
    throw new SsmError("InvalidAllowedPatternException", `The allowed pattern ${pattern} is not a valid regular expression.`);
  }
}

/** The version a selector names (the current one without a selector). */
export function selectVersion(p: StoredParameter, selector?: { version: number } | { label: string }): StoredVersion {
  if (!selector) return currentVersion(p);
  const found =
    "version" in selector
      ? p.versions.find((v) => v.version === selector.version)
      : p.versions.find((v) => v.labels.includes(selector.label));
  if (found) return found;
  throw new SsmError(
    "ParameterVersionNotFound",
    "version" in selector
      ? `Systems Manager could not find version ${selector.version} of ${p.name}. Verify the version and try again.`
      : `Systems Manager could not find label ${selector.label} of ${p.name}. Verify the label and try again.`,
  );
}
