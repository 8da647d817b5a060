// Whether two documents would be stored alike, without writing either out: the write paths
// ask it of every task report and every reconcile, where two JSON.stringify calls and a
// string compare were most of the check's cost.

/**
 * Whether `a` and `b` hold the same JSON data: a key holding undefined counts as absent (as
 * JSON drops it), dates compare by instant, and key order does not matter.
 */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a instanceof Date || b instanceof Date) return a instanceof Date && b instanceof Date && a.getTime() === b.getTime();
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameJson(a[i], b[i])) return false;
    return true;
  }
  const left = a as Record<string, unknown>;
  const right = b as Record<string, unknown>;
  let unmatched = 0;
  for (const key in left) {
    const value = left[key];
    if (value === undefined) continue;
    if (!sameJson(value, right[key])) return false;
    unmatched++;
  }
  for (const key in right) if (right[key] !== undefined) unmatched--;
  return unmatched === 0;
}
