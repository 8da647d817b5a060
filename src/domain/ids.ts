import { randomBytes, randomUUID } from "node:crypto";

// Random bytes are drawn 4 KB at a time (as randomUUID does): a system call per id cost more
// than making the id, and RunTask makes ten at once.
const POOL_BYTES = 4096;
let pool = Buffer.alloc(0);
let used = 0;

function randomHex(bytes: number): string {
  if (used + bytes > pool.length) {
    pool = randomBytes(POOL_BYTES);
    used = 0;
  }
  used += bytes;
  return pool.toString("hex", used - bytes, used);
}

/** Container instance ids and the like: 32 lowercase hex characters, no dashes, as ECS's long format. */
export function newResourceId(): string {
  return randomHex(16);
}

/**
 * Task ids: the same 32 hex characters, led by the creation time in milliseconds (12 hex
 * digits) as a UUIDv7 is, then 80 random bits. Tasks are the store's busiest inserts. With
 * random ids each insert landed on a random page of the store's indexes, so every commit
 * wrote one index page per task; ids that grow with time land together at the indexes' end,
 * halving the CPU an insert costs (bench/RESULTS.md).
 */
export function newTimeOrderedId(nowMs: number = Date.now()): string {
  return Math.trunc(nowMs).toString(16).padStart(12, "0").slice(-12) + randomHex(10);
}

export const newUuid = (): string => randomUUID();
