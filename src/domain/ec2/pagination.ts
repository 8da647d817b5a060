// EC2's pagination: MaxResults (each operation's bounds, from its model) and an opaque
// NextToken, the cursor every paged list of berth's uses (src/domain/pagination.ts) over the
// resources in id order, so a page holds when resources before it come and go.
import { pageInKeyOrder, type Page } from "../pagination.js";

export type { Page };

export class PageTokenError extends Error {}

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
  const invalid = () => new PageTokenError(`Invalid value '${input.NextToken}' for nextToken.`);
  // EC2 has no "first page" token: an empty one is as invalid as any it did not make.
  if (input.NextToken === "") throw invalid();
  const page = pageInKeyOrder(items, idOf, input.NextToken, input.MaxResults ?? Infinity, invalid);
  // A bad token is answered before a bad MaxResults.
  if (input.MaxResults !== undefined && (input.MaxResults < bounds.min || input.MaxResults > bounds.max))
    throw new PageTokenError(
      `Value ( ${input.MaxResults} ) for parameter maxResults is invalid. Expecting a value between ${bounds.min} and ${bounds.max}.`,
    );
  return page;
}
