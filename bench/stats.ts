// Small statistics for benchmarks on noisy shared machines: medians and spread.
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

export function percentile(xs: readonly number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
}

export function summary(xs: readonly number[]): { median: number; p10: number; p90: number; n: number } {
  return { median: median(xs), p10: percentile(xs, 10), p90: percentile(xs, 90), n: xs.length };
}

export const fmt = (n: number, digits = 1) => n.toFixed(digits);
