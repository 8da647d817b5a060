// NextToken/MaxResults over a list in a stable order: the token names the last item given, so
// a page boundary holds while items before it come and go. A token berth did not make is
// InvalidNextTokenException, as Secrets Manager answers it.
import { SecretsRefusal } from "./refusal.js";

export function pageOf<T>(
  items: readonly T[],
  keyOf: (item: T) => string,
  nextToken: string | undefined,
  maxResults: number,
): { items: T[]; nextToken?: string } {
  let start = 0;
  if (nextToken !== undefined) {
    const after = keyAfter(nextToken);
    // Just past the last item given; if it has gone since, the item after it has moved up into its place.
    const at = items.findIndex((item) => keyOf(item) === after.key);
    start = at >= 0 ? at + 1 : Math.min(after.index, items.length);
  }
  const page = items.slice(start, start + maxResults);
  const end = start + page.length;
  if (end >= items.length) return { items: page };
  return { items: page, nextToken: Buffer.from(JSON.stringify({ k: keyOf(page[page.length - 1]!), i: end - 1 })).toString("base64url") };
}

function keyAfter(token: string): { key: string; index: number } {
  try {
    const cursor = JSON.parse(Buffer.from(token, "base64url").toString("utf8")) as { k?: unknown; i?: unknown };
    if (typeof cursor.k === "string" && typeof cursor.i === "number" && Number.isInteger(cursor.i))
      return { key: cursor.k, index: cursor.i };
  } catch {
    // not one of berth's tokens: refused below
  }
  throw new SecretsRefusal("InvalidNextTokenException", "The NextToken value is invalid.");
}
