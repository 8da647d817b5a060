// Marker/PageSize pages as ELBv2's Describe calls answer them. The marker names the last item
// returned (and its position then), so a page boundary holds while items before it come and go.

export interface MarkerPage<T> {
  items: T[];
  nextMarker?: string;
}

/** A page of `items` (in a stable order) after `marker`; undefined when the marker is not one berth gave. */
export function markerPage<T>(
  items: readonly T[],
  keyOf: (item: T) => string,
  marker: string | undefined,
  pageSize: number,
): MarkerPage<T> | undefined {
  let start = 0;
  if (marker) {
    const cursor = decode(marker);
    if (!cursor) return undefined;
    const at = items.findIndex((item) => keyOf(item) === cursor.k);
    start = at >= 0 ? at + 1 : Math.min(cursor.o + 1, items.length);
  }
  const page = items.slice(start, start + pageSize);
  const end = start + page.length;
  if (end >= items.length || page.length === 0) return { items: page };
  return { items: page, nextMarker: Buffer.from(JSON.stringify({ k: keyOf(page[page.length - 1]!), o: end - 1 })).toString("base64url") };
}

function decode(marker: string): { k: string; o: number } | undefined {
  try {
    const cursor: unknown = JSON.parse(Buffer.from(marker, "base64url").toString("utf8"));
    if (typeof cursor === "object" && cursor !== null && "k" in cursor && "o" in cursor) {
      const { k, o } = cursor;
      if (typeof k === "string" && typeof o === "number" && Number.isInteger(o) && o >= 0) return { k, o };
    }
  } catch {
    // not berth's
  }
  return undefined;
}
