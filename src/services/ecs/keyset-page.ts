// One page of a list read from the store a batch at a time, past the position the request's
// nextToken names: a page costs what it returns (and what the filter passes over), not the
// length of the whole list. One item more than a page tells whether there is a next one.
import { positionOf as positionInToken, tokenAfter } from "../../domain/pagination.js";
import type { ListPosition } from "../../state/store.js";

export interface KeysetRead<T> {
  nextToken?: string;
  /** The page size (maxResults, checked). */
  max: number;
  /** Up to `limit` items past `after` (from the start when undefined), in the list's order. */
  read(after: ListPosition | undefined, limit: number): Promise<T[]>;
  /** What the store's query cannot filter itself; items it refuses are passed over. */
  matches?(item: T): boolean;
  /** Where an item stands in the list's order. */
  positionOf(item: T): ListPosition;
}

/** Batches read when a filter may pass over items: the store's reads stay a few hundred rows. */
const FILTERED_BATCH = 200;

export async function keysetPage<T>(list: KeysetRead<T>): Promise<{ items: T[]; nextToken?: string }> {
  let after = list.nextToken ? positionInToken(list.nextToken) : undefined;
  const batchSize = list.matches ? FILTERED_BATCH : list.max + 1;
  const found: T[] = [];
  for (;;) {
    const batch = await list.read(after, batchSize);
    for (const item of batch) {
      if ((!list.matches || list.matches(item)) && found.push(item) > list.max) break;
    }
    if (found.length > list.max || batch.length < batchSize) break;
    after = list.positionOf(batch[batch.length - 1]!);
  }
  const items = found.slice(0, list.max);
  return {
    items,
    ...(found.length > list.max ? { nextToken: tokenAfter(list.positionOf(items[items.length - 1]!)) } : {}),
  };
}
