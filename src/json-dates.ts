// JSON.stringify with dates written in a form of the caller's choosing: epoch seconds on the
// AWS wire, {"$date": ms} in the store. Date's own toJSON is swapped for the length of one
// synchronous stringify. A replacer would do the same, but it is called for every key of
// every object (over twice the time for a task document, bench/RESULTS.md), and here nothing
// else runs meanwhile, so nothing else can see the swap.
// Put back on Date.prototype as it was, never called apart from it.
// eslint-disable-next-line @typescript-eslint/unbound-method
const isoDateJson = Date.prototype.toJSON;

export function stringifyWithDates(value: unknown, dateJson: (this: Date) => unknown): string {
  (Date.prototype as { toJSON: unknown }).toJSON = dateJson;
  try {
    return JSON.stringify(value);
  } finally {
    Date.prototype.toJSON = isoDateJson;
  }
}
