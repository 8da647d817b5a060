// Parameter names and ARNs as Parameter Store takes them. A name is plain ("db-password") or a
// path ("/app/prod/db-password", at most 15 levels); its ARN drops the path's leading slash
// (arn:aws:ssm:<region>:<account>:parameter/app/prod/db-password). Reads accept either, with
// an optional ":<version>" or ":<label>" selector.
import type { Scope } from "../scope.js";
import { SsmError, validation } from "./errors.js";

export const MAX_HIERARCHY_LEVELS = 15;

const NAME_RULES =
  'Parameter name: can\'t be prefixed with "aws" or "ssm" (case-insensitive). If formed as a path, it can consist of ' +
  "sub-paths divided by slash symbol; each sub-path can be formed as a mix of letters, numbers and the following 3 symbols .-_";

/** Refuses a name PutParameter may not create: characters, reserved prefixes, depth. */
export function checkNewName(name: string): void {
  if (!/^[a-zA-Z0-9_.\-/]+$/.test(name) || /^\/?(aws|ssm)/i.test(name)) throw validation(NAME_RULES);
  if (name.includes("/") && !name.startsWith("/")) throw validation("Parameter name must be a fully qualified name.");
  if (name.length > 1 && (name.endsWith("/") || name.includes("//"))) throw validation(NAME_RULES);
  if (levelsOf(name) > MAX_HIERARCHY_LEVELS) {
    throw new SsmError(
      "HierarchyLevelLimitExceededException",
      `Parameter name hierarchy can't exceed ${MAX_HIERARCHY_LEVELS} levels. The parameter ${name} has ${levelsOf(name)} levels.`,
    );
  }
}

/** "/a/b/c" has 3 levels; a plain name has 1. */
export function levelsOf(name: string): number {
  return name.startsWith("/") ? name.split("/").length - 1 : 1;
}

/** The path a name sits directly under: "/a/b" for "/a/b/c", "/" for "/a" and for a plain name. */
export function parentPathOf(name: string): string {
  const slash = name.lastIndexOf("/");
  return slash <= 0 ? "/" : name.slice(0, slash);
}

export function parameterArn(scope: Scope, name: string): string {
  return `arn:aws:ssm:${scope.region}:${scope.accountId}:parameter/${name.startsWith("/") ? name.slice(1) : name}`;
}

/** What a read names: the parameter (the names it may stand for, most likely first) and which version. */
export interface ParameterRef {
  /** "/foo" and "foo" share an ARN: both are candidates, the plain name first. */
  names: string[];
  selector?: { version: number } | { label: string };
  /** The selector as the caller wrote it, ":3" or ":prod" (GetParameter answers it back). */
  selectorText?: string;
}

/**
 * A name or ARN, with an optional selector; undefined for an ARN of another account, region or
 * service, which no parameter here can answer.
 */
export function parseRef(scope: Scope, ref: string): ParameterRef | undefined {
  let base = ref;
  let selectorText: string | undefined;
  if (ref.startsWith("arn:")) {
    const parts = ref.split(":");
    if (parts.length < 6 || parts.length > 7) return undefined;
    const [, , service, region, account, resource] = parts;
    if (service !== "ssm" || region !== scope.region || account !== scope.accountId || !resource!.startsWith("parameter/"))
      return undefined;
    if (parts.length === 7) selectorText = `:${parts[6]}`;
    const rest = resource!.slice("parameter/".length);
    const names = rest.includes("/") ? [`/${rest}`] : [rest, `/${rest}`];
    return withSelector(names, selectorText);
  }
  const colon = ref.indexOf(":");
  if (colon >= 0) {
    base = ref.slice(0, colon);
    selectorText = ref.slice(colon);
  }
  return withSelector([base], selectorText);
}

function withSelector(names: string[], selectorText: string | undefined): ParameterRef {
  if (selectorText === undefined) return { names };
  const body = selectorText.slice(1);
  if (body === "" || body.includes(":")) throw validation(`Invalid parameter name selector: ${selectorText}`);
  const selector = /^\d+$/.test(body) ? { version: Number(body) } : { label: body };
  return { names, selector, selectorText };
}
