// Schema changes, applied in order; PRAGMA user_version records how many have run.
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
];
