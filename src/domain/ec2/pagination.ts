// EC2's pagination: MaxResults (each operation's bounds, from its model) and an opaque
// NextToken that names where the next page starts. berth's tokens carry the id of the first
// resource of the next page, so a page holds when resources before it come and go.

export class PageTokenError extends Error {}

export interface Page<T> {
  items: T[];
  nextToken?: string;
}

/**
 * One page of `items`, ordered by `idOf`. Without MaxResults, everything (EC2 answers all
 * when it is not given). `bounds`: the operation's MaxResults limits.
 */
export function pageOf<T>(
  items: readonly T[],
  idOf: (item: T) => string,
  input: { MaxResults?: number; NextToken?: string },
  bounds: { min: number; max: number } = { min: 5, max: 1000 },
): Page<T> {
  const sorted = [...items].sort((a, b) => (idOf(a) < idOf(b) ? -1 : idOf(a) > idOf(b) ? 1 : 0));
  let start = 0;
  if (input.NextToken !== undefined) {
    const after = decodeToken(input.NextToken);
    start = sorted.findIndex((item) => idOf(item) >= after);
    if (start < 0) start = sorted.length;
  }
  if (input.MaxResults === undefined) return { items: sorted.slice(start) };
  if (input.MaxResults < bounds.min || input.MaxResults > bounds.max)
    throw new PageTokenError(
      `Value ( ${input.MaxResults} ) for parameter maxResults is invalid. Expecting a value between ${bounds.min} and ${bounds.max}.`,
    );
  const page = sorted.slice(start, start + input.MaxResults);
  const next = sorted[start + input.MaxResults];
  return next ? { items: page, nextToken: encodeToken(idOf(next)) } : { items: page };
}

function encodeToken(id: string): string {
  return Buffer.from(JSON.stringify({ from: id })).toString("base64url");
}

function decodeToken(token: string): string {
  try {
    const parsed = JSON.parse(Buffer.from(token, "base64url").toString("utf8")) as { from?: unknown };
    if (typeof parsed.from === "string") return parsed.from;
  } catch {
    // falls through
  }
  throw new PageTokenError(`Invalid value '${token}' for nextToken.`);
}
