// How documents are stored: JSON, with dates as {"$date": ms} (the AWS shapes are full of
// them). Decoded documents come back deeply frozen, because the cache shares them with
// every reader.
import { stringifyWithDates } from "../../json-dates.js";

function storedDate(this: Date): { $date: number } {
  return { $date: this.getTime() };
}

export const encode = (doc: unknown): string => stringifyWithDates(doc, storedDate);

export function decode<T>(body: string): T {
  // A walk after a plain parse, rather than a JSON.parse reviver, which calls back for every
  // value. It freezes as it goes: decoded documents are cached and shared.
  return revive(JSON.parse(body) as object) as T;
}

function revive(value: object): unknown {
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      if (item !== null && typeof item === "object") value[i] = revive(item);
    }
    return Object.freeze(value);
  }
  const record = value as Record<string, unknown>;
  if (typeof record.$date === "number" && Object.keys(record).length === 1) return Object.freeze(new Date(record.$date));
  for (const key in record) {
    const item = record[key];
    if (item !== null && typeof item === "object") record[key] = revive(item);
  }
  return Object.freeze(record);
}

/** Freezes a document about to be cached; parts it shares with a cached one are frozen already. */
export function deepFreeze(value: object): void {
  if (Object.isFrozen(value)) return;
  Object.freeze(value);
  // for…in rather than Object.values: no array per object frozen (documents are plain data).
  for (const key in value) {
    const item: unknown = (value as Record<string, unknown>)[key];
    if (item !== null && typeof item === "object") deepFreeze(item);
  }
}
