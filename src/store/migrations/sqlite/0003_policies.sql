-- Policies of insured persons, and the coverage ledger: what each policy has
-- consumed of each limit in each window (issue 3).
ALTER TABLE persons ADD COLUMN document TEXT;
ALTER TABLE persons ADD COLUMN address TEXT;
CREATE INDEX persons_identity ON persons(last_name, first_name, birth_date);
CREATE INDEX persons_document ON persons(document);

CREATE TABLE policies (
  id          INTEGER PRIMARY KEY,
  number      TEXT NOT NULL UNIQUE,
  program_id  INTEGER NOT NULL REFERENCES programs(id),
  person_id   INTEGER NOT NULL REFERENCES persons(id),
  packages    TEXT,
  start_date  TEXT NOT NULL,
  end_date    TEXT NOT NULL,
  status      TEXT NOT NULL,
  sum_insured INTEGER NOT NULL,
  previous_id INTEGER REFERENCES policies(id),
  version     INTEGER NOT NULL,
  created_at  INTEGER NOT NULL,
  updated_at  INTEGER NOT NULL
);
CREATE INDEX policies_person ON policies(person_id, start_date);

-- One row per policy, limit (by its stable key), and window; sum insured is
-- the key "sum_insured". window_first is the window's first day (YYYY-MM-DD)
-- or '' for case windows; case_id is 0 for date windows.
CREATE TABLE coverage_usage (
  policy_id    INTEGER NOT NULL REFERENCES policies(id),
  limit_key    TEXT NOT NULL,
  window_first TEXT NOT NULL,
  case_id      INTEGER NOT NULL,
  used         INTEGER NOT NULL,
  updated_at   INTEGER NOT NULL,
  PRIMARY KEY (policy_id, limit_key, window_first, case_id)
);

-- The distinct dates a days limit has counted.
CREATE TABLE coverage_days (
  policy_id    INTEGER NOT NULL REFERENCES policies(id),
  limit_key    TEXT NOT NULL,
  window_first TEXT NOT NULL,
  case_id      INTEGER NOT NULL,
  day          TEXT NOT NULL,
  PRIMARY KEY (policy_id, limit_key, window_first, case_id, day)
);
