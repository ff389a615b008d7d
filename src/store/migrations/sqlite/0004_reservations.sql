-- Reservations against the coverage ledger (issue 3): what an order or a
-- claim holds of a policy's limits. A held reservation already counts in
-- coverage_usage and coverage_days, so two requests can never overdraw;
-- committing keeps it, releasing (or expiry of a held one) gives it back.
CREATE TABLE coverage_reservations (
  id             INTEGER PRIMARY KEY,
  policy_id      INTEGER NOT NULL REFERENCES policies(id),
  case_id        INTEGER NOT NULL,
  reference      TEXT UNIQUE,
  status         TEXT NOT NULL,
  request        TEXT NOT NULL,
  result         TEXT NOT NULL,
  covered_amount INTEGER NOT NULL,
  created_by     INTEGER REFERENCES users(id),
  created_at     INTEGER NOT NULL,
  expires_at     INTEGER NOT NULL,
  updated_at     INTEGER NOT NULL
);
CREATE INDEX coverage_reservations_policy ON coverage_reservations(policy_id, status, expires_at);

-- What each reservation consumed: of a limit (kind 'limit': amount or count
-- in used, or for days limits the date in day with used 0), or of a
-- per_visit / per_case deductible (kind 'deductible': provider and day for
-- a visit, case_id for a case; the amount taken in used).
CREATE TABLE coverage_entries (
  reservation_id INTEGER NOT NULL REFERENCES coverage_reservations(id),
  policy_id      INTEGER NOT NULL REFERENCES policies(id),
  kind           TEXT NOT NULL,
  entry_key      TEXT NOT NULL,
  window_first   TEXT NOT NULL,
  case_id        INTEGER NOT NULL,
  provider       TEXT NOT NULL,
  day            TEXT NOT NULL,
  used           INTEGER NOT NULL
);
CREATE INDEX coverage_entries_reservation ON coverage_entries(reservation_id);
CREATE INDEX coverage_entries_key ON coverage_entries(policy_id, kind, entry_key, window_first, case_id, day);

-- Per_visit and per_case deductibles already taken (the sum of held and
-- committed entries), read by every evaluation of the policy.
CREATE TABLE coverage_deductions (
  policy_id      INTEGER NOT NULL REFERENCES policies(id),
  deductible_key TEXT NOT NULL,
  provider       TEXT NOT NULL,
  day            TEXT NOT NULL,
  case_id        INTEGER NOT NULL,
  taken          INTEGER NOT NULL,
  PRIMARY KEY (policy_id, deductible_key, provider, day, case_id)
);
