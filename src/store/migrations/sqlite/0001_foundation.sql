-- Foundation: staff users, sessions, API tokens, login throttling, audit,
-- and the first reference tables the demo data set fills.
CREATE TABLE users (
  id            INTEGER PRIMARY KEY,
  login         TEXT NOT NULL UNIQUE,
  full_name     TEXT NOT NULL DEFAULT '',
  role          TEXT NOT NULL,
  language      TEXT NOT NULL DEFAULT 'en',
  password_hash TEXT NOT NULL,
  disabled      INTEGER NOT NULL DEFAULT 0,
  created_at    INTEGER NOT NULL,
  updated_at    INTEGER NOT NULL
);

CREATE TABLE sessions (
  token_hash   TEXT PRIMARY KEY,
  user_id      INTEGER NOT NULL REFERENCES users(id),
  csrf_token   TEXT NOT NULL,
  created_at   INTEGER NOT NULL,
  last_seen_at INTEGER NOT NULL,
  expires_at   INTEGER NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE api_tokens (
  id           INTEGER PRIMARY KEY,
  user_id      INTEGER NOT NULL REFERENCES users(id),
  name         TEXT NOT NULL,
  token_hash   TEXT NOT NULL UNIQUE,
  created_at   INTEGER NOT NULL,
  last_used_at INTEGER,
  revoked_at   INTEGER
);
CREATE INDEX api_tokens_user ON api_tokens(user_id);

CREATE TABLE login_failures (
  id    INTEGER PRIMARY KEY,
  login TEXT NOT NULL,
  ip    TEXT NOT NULL,
  at    INTEGER NOT NULL
);
CREATE INDEX login_failures_login ON login_failures(login, at);
CREATE INDEX login_failures_ip ON login_failures(ip, at);

CREATE TABLE audit (
  id          INTEGER PRIMARY KEY,
  at          INTEGER NOT NULL,
  actor_id    INTEGER,
  actor_login TEXT NOT NULL DEFAULT '',
  action      TEXT NOT NULL,
  entity      TEXT NOT NULL,
  entity_id   TEXT NOT NULL,
  before_json TEXT,
  after_json  TEXT,
  request_id  TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_entity ON audit(entity, entity_id, id);

CREATE TABLE insurers (
  id         INTEGER PRIMARY KEY,
  code       TEXT NOT NULL UNIQUE,
  name       TEXT NOT NULL,
  created_at INTEGER NOT NULL
);

CREATE TABLE programs (
  id         INTEGER PRIMARY KEY,
  insurer_id INTEGER NOT NULL REFERENCES insurers(id),
  code       TEXT NOT NULL UNIQUE,
  name_en    TEXT NOT NULL,
  name_ru    TEXT NOT NULL,
  name_zh    TEXT NOT NULL,
  currency   TEXT NOT NULL,
  created_at INTEGER NOT NULL
);

CREATE TABLE persons (
  id          INTEGER PRIMARY KEY,
  last_name   TEXT NOT NULL,
  first_name  TEXT NOT NULL,
  middle_name TEXT,
  birth_date  TEXT NOT NULL,
  sex         TEXT NOT NULL,
  phone       TEXT,
  email       TEXT,
  city        TEXT,
  language    TEXT NOT NULL DEFAULT 'ru',
  time_zone   TEXT NOT NULL DEFAULT 'Europe/Moscow',
  created_at  INTEGER NOT NULL,
  updated_at  INTEGER NOT NULL
);

CREATE TABLE providers (
  id         INTEGER PRIMARY KEY,
  code       TEXT NOT NULL UNIQUE,
  name       TEXT NOT NULL,
  kind       TEXT NOT NULL,
  city       TEXT NOT NULL,
  lat_e6     INTEGER NOT NULL,
  lon_e6     INTEGER NOT NULL,
  phone      TEXT,
  created_at INTEGER NOT NULL
);
