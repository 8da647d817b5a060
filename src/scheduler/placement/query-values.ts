// Typed literals of the cluster query language: dates for `registeredAt`, dotted versions
// for `agentVersion`, counts for `runningTasksCount`. Each parser returns undefined for
// text that is not of its form; the parser turns that into a QueryError.

const DAY_MS = 86_400_000;

/** A `registeredAt` argument: date-only values compare by UTC day, others by the second. */
export interface QueryDate {
  readonly ms: number;
  readonly dayOnly: boolean;
}

// The documented formats: 2018-06-18T22:28:28+00:00, …Z, 2018-06-18T22:28:28 (UTC), 2018-06-18.
const DATE = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2}):(\d{2})(?:\.\d+)?(Z|[+-]\d{2}:\d{2})?)?$/;

export function parseQueryDate(text: string): QueryDate | undefined {
  const m = DATE.exec(text);
  if (!m) return undefined;
  const [y, mo, d, h = 0, mi = 0, s = 0] = m.slice(1, 7).map((part) => (part === undefined ? 0 : Number(part)));
  if (mo! < 1 || mo! > 12 || d! < 1 || d! > 31 || h > 23 || mi > 59 || s > 59) return undefined;
  let ms = Date.UTC(y!, mo! - 1, d, h, mi, s);
  if (new Date(ms).getUTCDate() !== d) return undefined; // 2018-02-30
  const zone = m[7];
  if (zone && zone !== "Z") {
    const sign = zone[0] === "-" ? -1 : 1;
    ms -= sign * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4, 6))) * 60_000;
  }
  return { ms, dayOnly: m[4] === undefined };
}

export function compareToDate(value: Date, arg: QueryDate): number {
  const unit = arg.dayOnly ? DAY_MS : 1000;
  return Math.sign(Math.floor(value.getTime() / unit) - Math.floor(arg.ms / unit));
}

const VERSION = /^v?(\d+(?:\.\d+)*)$/;

export function parseVersion(text: string): number[] | undefined {
  const m = VERSION.exec(text);
  return m ? m[1]!.split(".").map(Number) : undefined;
}

/** 1.14 == 1.14.0; missing parts count as zero. */
export function compareVersions(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return Math.sign(d);
  }
  return 0;
}

export function parseCount(text: string): number | undefined {
  return /^\d+$/.test(text) ? Number(text) : undefined;
}

const NUMBER = /^-?\d+(?:\.\d+)?$/;

/** Attributes are strings; order them as numbers when both sides are numbers. */
export function compareAttribute(value: string, arg: string): number {
  if (NUMBER.test(value) && NUMBER.test(arg)) return Math.sign(Number(value) - Number(arg));
  return value < arg ? -1 : value > arg ? 1 : 0;
}
