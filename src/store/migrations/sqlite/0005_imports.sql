-- Policy list imports (issue 3). A real import is one audit entry (action
-- "import", entity "import") and one row here; the persons and policies it
-- creates carry its id, so each one's history starts with "created by import
-- N, by whom, when". A row an import changes gets its own audit entry with
-- before and after, as any other change.
CREATE TABLE imports (
  id          INTEGER PRIMARY KEY,
  kind        TEXT NOT NULL,
  file_name   TEXT NOT NULL,
  format      TEXT NOT NULL,
  sha256      TEXT NOT NULL,
  bytes       INTEGER NOT NULL,
  rows_read   INTEGER NOT NULL,
  created     INTEGER NOT NULL,
  updated     INTEGER NOT NULL,
  unchanged   INTEGER NOT NULL,
  actor_id    INTEGER REFERENCES users(id),
  actor_login TEXT NOT NULL,
  request_id  TEXT NOT NULL,
  started_at  INTEGER NOT NULL,
  finished_at INTEGER NOT NULL
);
ALTER TABLE persons ADD COLUMN import_id INTEGER REFERENCES imports(id);
ALTER TABLE policies ADD COLUMN import_id INTEGER REFERENCES imports(id);
