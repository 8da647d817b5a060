// Parameter Store's pages: lists ordered by name, the token naming the last name returned, so a
// boundary holds while parameters come and go.
import { SsmError } from "./errors.js";

export interface Page<T> {
  items: T[];
  nextToken?: string;
}

export function pageByName<T>(items: readonly T[], nameOf: (item: T) => string, max: number, token: string | undefined): Page<T> {
  const sorted = [...items].sort((a, b) => (nameOf(a) < nameOf(b) ? -1 : nameOf(a) > nameOf(b) ? 1 : 0));
  const after = token === undefined || token === "" ? undefined : nameAfter(token);
  const rest = after === undefined ? sorted : sorted.filter((item) => nameOf(item) > after);
  const items_ = rest.slice(0, max);
  return rest.length > max ? { items: items_, nextToken: tokenFor(nameOf(items_[items_.length - 1]!)) } : { items: items_ };
}

/** Pages of a list in a fixed order (a parameter's versions): the token names the position. */
export function pageByPosition<T>(items: readonly T[], max: number, token: string | undefined): Page<T> {
  const start = token === undefined || token === "" ? 0 : Number(nameAfter(token));
  if (!Number.isSafeInteger(start) || start < 0) throw invalidToken();
  const page = items.slice(start, start + max);
  return start + max < items.length ? { items: page, nextToken: tokenFor(String(start + max)) } : { items: page };
}

function tokenFor(last: string): string {
  return Buffer.from(JSON.stringify({ after: last })).toString("base64url");
}

function nameAfter(token: string): string {
  try {
    const parsed = JSON.parse(Buffer.from(token, "base64url").toString("utf8")) as { after?: unknown };
    if (typeof parsed.after === "string") return parsed.after;
  } catch {
    // an invalid token, answered below
  }
  throw invalidToken();
}

const invalidToken = () => new SsmError("InvalidNextToken", "The specified token isn't valid.");
