// The page a Describe call asks for by Marker and PageSize (src/domain/elbv2/pages.ts), or
// ELBv2's ValidationError for a marker berth did not give.
import { markerPage } from "../../domain/elbv2/pages.js";
import { Elbv2Error } from "./errors.js";

/** A page of `items` (in a stable order); `defaultSize` of them when the request gives no PageSize. */
export function requestedPage<T>(
  items: readonly T[],
  keyOf: (item: T) => string,
  input: { Marker?: string; PageSize?: number },
  defaultSize: number,
): { items: T[]; NextMarker?: string } {
  const page = markerPage(items, keyOf, input.Marker, input.PageSize ?? defaultSize);
  if (!page) throw new Elbv2Error("ValidationError", "The marker is not valid");
  return page.nextMarker === undefined ? { items: page.items } : { items: page.items, NextMarker: page.nextMarker };
}
