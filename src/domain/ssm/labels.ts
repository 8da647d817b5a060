// Labels name a parameter's versions: a label is on at most one version (labelling another
// moves it), a version has at most 10, and a malformed label is answered back as invalid
// rather than refused.
import { SsmError } from "./errors.js";
import { MAX_LABELS_PER_VERSION, selectVersion, type StoredParameter } from "./parameter.js";

/** Letters, digits, "_.-"; not led by a digit or by "aws"/"ssm". */
export function isValidLabel(label: string): boolean {
  return /^[a-zA-Z0-9_.-]{1,100}$/.test(label) && !/^\d/.test(label) && !/^(aws|ssm)/i.test(label);
}

export interface LabelResult {
  parameter: StoredParameter;
  version: number;
  invalid: string[];
}

export function labelVersion(p: StoredParameter, version: number | undefined, labels: readonly string[]): LabelResult {
  const target = selectVersion(p, version === undefined ? undefined : { version });
  const valid = [...new Set(labels.filter(isValidLabel))];
  const invalid = labels.filter((l) => !isValidLabel(l));
  const versions = p.versions.map((v) =>
    v.version === target.version
      ? { ...v, labels: [...v.labels, ...valid.filter((l) => !v.labels.includes(l))] }
      : { ...v, labels: v.labels.filter((l) => !valid.includes(l)) },
  );
  if (versions.find((v) => v.version === target.version)!.labels.length > MAX_LABELS_PER_VERSION) {
    throw new SsmError(
      "ParameterVersionLabelLimitExceeded",
      `An existing version of this parameter can't have more than ${MAX_LABELS_PER_VERSION} labels. Remove one or more labels and try again.`,
    );
  }
  return { parameter: { ...p, versions }, version: target.version, invalid };
}

export interface UnlabelResult {
  parameter: StoredParameter;
  removed: string[];
  invalid: string[];
}

export function unlabelVersion(p: StoredParameter, version: number, labels: readonly string[]): UnlabelResult {
  const target = selectVersion(p, { version });
  const removed = labels.filter((l) => target.labels.includes(l));
  const invalid = labels.filter((l) => !target.labels.includes(l));
  const versions = p.versions.map((v) => (v.version === version ? { ...v, labels: v.labels.filter((l) => !removed.includes(l)) } : v));
  return { parameter: { ...p, versions }, removed, invalid };
}
