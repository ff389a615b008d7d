-- Programs (capability A): contracts, the service catalogue, and programs with
-- their full definition (packages and rules) kept as the canonical JSON
-- document of docs/programs.md, one row per version.
DROP TABLE programs;

CREATE TABLE contracts (
  id         INTEGER PRIMARY KEY,
  insurer_id INTEGER NOT NULL REFERENCES insurers(id),
  number     TEXT NOT NULL,
  currency   TEXT NOT NULL,
  starts     TEXT NOT NULL,
  ends       TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  UNIQUE (insurer_id, number)
);

CREATE TABLE services (
  code       TEXT PRIMARY KEY,
  category   TEXT NOT NULL,
  name_en    TEXT NOT NULL,
  name_ru    TEXT,
  name_zh    TEXT,
  unit       TEXT,
  updated_at INTEGER NOT NULL
);

CREATE TABLE programs (
  id          INTEGER PRIMARY KEY,
  code        TEXT NOT NULL UNIQUE,
  contract_id INTEGER NOT NULL REFERENCES contracts(id),
  name_en     TEXT NOT NULL,
  name_ru     TEXT,
  name_zh     TEXT,
  currency    TEXT NOT NULL,
  sum_insured INTEGER NOT NULL,
  version     INTEGER NOT NULL,
  definition  TEXT NOT NULL,
  created_at  INTEGER NOT NULL,
  updated_at  INTEGER NOT NULL
);

CREATE TABLE program_versions (
  program_id INTEGER NOT NULL REFERENCES programs(id),
  version    INTEGER NOT NULL,
  definition TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  created_by TEXT NOT NULL,
  PRIMARY KEY (program_id, version)
);
