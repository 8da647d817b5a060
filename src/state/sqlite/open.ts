// Opens the state file as the store uses it: WAL journal, the durability asked for, WAL
// checkpoints left to the checkpointer's thread, and the schema brought up to date.
import Database from "better-sqlite3";
import { BACKSTOP_AUTOCHECKPOINT_PAGES } from "./checkpointer.js";
import { migrate } from "./migrations.js";

export type Db = Database.Database;

/** How durable a commit is (SqliteStoreOptions.synchronous tells them apart). */
export type Synchronous = "NORMAL" | "FULL";

export function openDatabase(path: string, synchronous: Synchronous): Db {
  const db = new Database(path);
  db.pragma("journal_mode = WAL");
  // Only the two names reach the pragma, whatever a caller passed.
  db.pragma(`synchronous = ${synchronous === "FULL" ? "FULL" : "NORMAL"}`);
  db.pragma("busy_timeout = 5000");
  // Checkpoints run on their own thread; the log file is cut back to this size after one.
  db.pragma(`wal_autocheckpoint = ${BACKSTOP_AUTOCHECKPOINT_PAGES}`);
  db.pragma("journal_size_limit = 16777216");
  migrate(db);
  return db;
}
