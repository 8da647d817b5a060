// nextToken/maxResults over an ordered list. The token names the last item returned, so
// a page boundary holds even when items before it are added or removed meanwhile.
import { invalidParameter } from "./errors.js";

interface Cursor {
  /** key of the last item of the previous page */
  k: string;
  /** its position then, used when that item has since disappeared */
  o: number;
  /** keyset tokens: the parent of the last item, when the list is ordered by parent first */
  p?: string;
}

export interface Page<T> {
  items: T[];
  nextToken?: string;
}

export function paginate<T>(
  items: readonly T[],
  keyOf: (item: T) => string,
  opts: { nextToken?: string; maxResults?: number; defaultMax: number; limit: number },
): Page<T> {
  return pageAfter(items, keyOf, opts.nextToken, pageSize(opts), invalidToken);
}

/**
 * Up to `max` items past the one a token of this module names (none or "": the first page). A
 * token it did not make is answered with `invalid()`, each service's own error for one.
 */
export function pageAfter<T>(
  items: readonly T[],
  keyOf: (item: T) => string,
  nextToken: string | undefined,
  max: number,
  invalid: () => Error,
): Page<T> {
  const cursor = cursorOf(nextToken, invalid);
  if (!cursor) return pageFrom(items, keyOf, 0, max);
  const at = items.findIndex((item) => keyOf(item) === cursor.k);
  // Gone since: the items after it have moved up one, the next of them into its place.
  return pageFrom(items, keyOf, at >= 0 ? at + 1 : Math.min(cursor.o, items.length), max);
}

/**
 * Pages of a list answered in the order of its keys (EC2's ids, Parameter Store's names): up to
 * `max` items whose key sorts after the one a token of this module names, so the boundary holds
 * wherever items come and go, even when the last item given is gone. Tokens and `invalid()` as
 * for pageAfter.
 */
export function pageInKeyOrder<T>(
  items: readonly T[],
  keyOf: (item: T) => string,
  nextToken: string | undefined,
  max: number,
  invalid: () => Error,
): Page<T> {
  const sorted = [...items].sort((a, b) => (keyOf(a) < keyOf(b) ? -1 : keyOf(a) > keyOf(b) ? 1 : 0));
  const cursor = cursorOf(nextToken, invalid);
  const after = cursor ? sorted.findIndex((item) => keyOf(item) > cursor.k) : 0;
  return pageFrom(sorted, keyOf, after < 0 ? sorted.length : after, max);
}

/** The cursor of a token (none or "": the first page). */
function cursorOf(nextToken: string | undefined, invalid: () => Error): Cursor | undefined {
  return nextToken === undefined || nextToken === "" ? undefined : decodeCursor(nextToken, invalid);
}

/** Up to `max` items from `start`, and the token of the next page when there is one. */
function pageFrom<T>(items: readonly T[], keyOf: (item: T) => string, start: number, max: number): Page<T> {
  const page = items.slice(start, start + max);
  const end = start + page.length;
  if (end >= items.length || page.length === 0) return { items: page };
  return { items: page, nextToken: encodeCursor({ k: keyOf(page[page.length - 1]!), o: end - 1 }) };
}

/** maxResults, or the default; one outside 1..limit is refused as ECS refuses it. */
export function pageSize(opts: { maxResults?: number; defaultMax: number; limit: number }): number {
  const max = opts.maxResults ?? opts.defaultMax;
  if (max < 1 || max > opts.limit) {
    throw invalidParameter(`maxResults must be between 1 and ${opts.limit}.`);
  }
  return max;
}

/**
 * Keyset pages, for lists the store reads page by page past a position in its order (see
 * ListQuery.after): the token names the position of the last item returned, with its parent
 * when the order is by parent first.
 */
export function tokenAfter(position: KeysetPosition): string {
  return encodeCursor({ k: `${position.seq}/${position.id}`, o: 0, ...(position.parent !== undefined ? { p: position.parent } : {}) });
}

/** The position a tokenAfter token names; anything else is an invalid token. */
export function positionOf(token: string): KeysetPosition {
  const { k, p } = decodeCursor(token);
  const slash = k.indexOf("/");
  const seq = Number(k.slice(0, slash));
  if (slash < 1 || !Number.isSafeInteger(seq) || slash === k.length - 1) throw invalidParameter("Invalid token provided.");
  return { seq, id: k.slice(slash + 1), ...(p !== undefined ? { parent: p } : {}) };
}

export interface KeysetPosition {
  parent?: string;
  seq: number;
  id: string;
}

function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify(cursor)).toString("base64url");
}

const invalidToken = () => invalidParameter("Invalid token provided.");

function decodeCursor(token: string, invalid: () => Error = invalidToken): Cursor {
  try {
    const cursor = JSON.parse(Buffer.from(token, "base64url").toString("utf8")) as Cursor;
    if (
      typeof cursor.k === "string" &&
      Number.isInteger(cursor.o) &&
      cursor.o >= 0 &&
      (cursor.p === undefined || typeof cursor.p === "string")
    )
      return cursor;
  } catch {
    // fall through to the error below
  }
  throw invalid();
}
