// The page a Describe call asks for by Marker and PageSize, with the cursor every paged list of
// berth's uses (src/domain/pagination.ts), or ELBv2's ValidationError for a marker berth did
// not give.
import { pageAfter } from "../../domain/pagination.js";
import { Elbv2Error } from "./errors.js";

/** A page of `items` (in a stable order); `defaultSize` of them when the request gives no PageSize. */
export function requestedPage<T>(
  items: readonly T[],
  keyOf: (item: T) => string,
  input: { Marker?: string; PageSize?: number },
  defaultSize: number,
): { items: T[]; NextMarker?: string } {
  const page = pageAfter(items, keyOf, input.Marker, input.PageSize ?? defaultSize, invalidMarker);
  return page.nextToken === undefined ? { items: page.items } : { items: page.items, NextMarker: page.nextToken };
}

const invalidMarker = () => new Elbv2Error("ValidationError", "The marker is not valid");
