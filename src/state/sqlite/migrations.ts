// Schema changes, applied in order; PRAGMA user_version records how many have run.
import type Database from "better-sqlite3";

/** Applies the migrations the file has not had yet, each in its own transaction. */
export function migrate(db: Database.Database): void {
  const applied = db.pragma("user_version", { simple: true }) as number;
  for (let i = applied; i < migrations.length; i++) {
    db.transaction(() => {
      db.exec(migrations[i]!);
      db.pragma(`user_version = ${i + 1}`);
    })();
  }
}

export const migrations: readonly string[] = [
  `CREATE TABLE documents (
     account TEXT NOT NULL,
     region  TEXT NOT NULL,
     kind    TEXT NOT NULL,
     id      TEXT NOT NULL,
     parent  TEXT NOT NULL,
     seq     INTEGER NOT NULL,
     status  TEXT NOT NULL,
     version INTEGER NOT NULL,
     body    TEXT NOT NULL,
     PRIMARY KEY (account, region, kind, id)
   ) WITHOUT ROWID;
   CREATE INDEX documents_by_parent ON documents (account, region, kind, parent, seq, id);
   CREATE TABLE sequences (
     account TEXT NOT NULL,
     region  TEXT NOT NULL,
     kind    TEXT NOT NULL,
     parent  TEXT NOT NULL,
     last    INTEGER NOT NULL,
     PRIMARY KEY (account, region, kind, parent)
   ) WITHOUT ROWID;`,
  // A second lookup key (a task's host), so a push to an agent reads its host's tasks only; and
  // indexes that cover the hot queries (ids and versions by parent or ref, filtered by
  // status), so listing answers from the index and decodes only what the cache lacks.
  `ALTER TABLE documents ADD COLUMN ref TEXT NOT NULL DEFAULT '';
   UPDATE documents SET ref = coalesce(json_extract(body, '$.hostId'), '') WHERE kind = 'task';
   DROP INDEX documents_by_parent;
   CREATE INDEX documents_by_parent ON documents (account, region, kind, parent, seq, id, status, version);
   CREATE INDEX documents_by_ref ON documents (account, region, kind, ref, status, parent, seq, id, version) WHERE ref <> '';`,
  // Tasks grouped by cluster and group ("<cluster>/service:web"), so a service reads its own.
  `UPDATE documents SET parent = parent || '/' || coalesce(json_extract(body, '$.task.group'), '') WHERE kind = 'task';`,
  // A rowid table: documents run to kilobytes, and a WITHOUT ROWID table keeps each row whole
  // in its primary-key b-tree, a couple per page, so every insert at a random id split pages
  // (the file grew to ~5 KB per document). Rows now live in rowid order; the key is an index.
  `CREATE TABLE documents_rowid (
     account TEXT NOT NULL,
     region  TEXT NOT NULL,
     kind    TEXT NOT NULL,
     id      TEXT NOT NULL,
     parent  TEXT NOT NULL,
     seq     INTEGER NOT NULL,
     status  TEXT NOT NULL,
     version INTEGER NOT NULL,
     body    TEXT NOT NULL,
     ref     TEXT NOT NULL DEFAULT '',
     UNIQUE (account, region, kind, id)
   );
   INSERT INTO documents_rowid (account, region, kind, id, parent, seq, status, version, body, ref)
     SELECT account, region, kind, id, parent, seq, status, version, body, ref FROM documents;
   DROP TABLE documents;
   ALTER TABLE documents_rowid RENAME TO documents;
   CREATE INDEX documents_by_parent ON documents (account, region, kind, parent, seq, id, status, version);
   CREATE INDEX documents_by_ref ON documents (account, region, kind, ref, status, parent, seq, id, version) WHERE ref <> '';`,
  // The version leaves the indexes: it changes on every write, so with it there every write
  // rewrote an entry in each index (more than half a write's cost). A write that keeps the
  // indexed columns now rewrites the row alone; lists read the version from the row.
  `DROP INDEX documents_by_parent;
   DROP INDEX documents_by_ref;
   CREATE INDEX documents_by_parent ON documents (account, region, kind, parent, seq, id, status);
   CREATE INDEX documents_by_ref ON documents (account, region, kind, ref, status, parent, seq, id) WHERE ref <> '';`,
  // What runs on a host is asked of the live-task index in memory; the index by host cost
  // every task insert a random page of its own.
  `DROP INDEX documents_by_ref;
   ALTER TABLE documents DROP COLUMN ref;`,
];
