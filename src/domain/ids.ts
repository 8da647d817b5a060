import { randomBytes, randomUUID } from "node:crypto";

// Random bytes are drawn 4 KB at a time (as randomUUID does): a system call per id cost more
// than making the id, and RunTask makes ten at once.
const POOL_BYTES = 4096;
let pool = Buffer.alloc(0);
let used = 0;

/** Task and container instance ids: 32 lowercase hex characters, no dashes, as ECS's long format. */
export function newResourceId(): string {
  if (used + 16 > pool.length) {
    pool = randomBytes(POOL_BYTES);
    used = 0;
  }
  used += 16;
  return pool.toString("hex", used - 16, used);
}
export const newUuid = (): string => randomUUID();
