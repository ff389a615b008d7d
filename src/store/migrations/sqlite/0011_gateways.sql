-- Gateways (issue 5): the SMSC and SMTP connections an admin configures in
-- the UI, besides those of the config file and the command line (which are
-- not stored). Every server on the database runs the enabled ones; a change
-- is taken up within seconds. The password is write-only through the API.
-- prefixes: the numbers an SMSC takes, as E.164 prefixes separated by
-- spaces ("+7 +375"); none = every number no other SMSC claims.
-- tls (smtp): none, starttls (required) or tls (smtps).
CREATE TABLE gateways (
  id          INTEGER PRIMARY KEY,
  kind        TEXT NOT NULL,
  name        TEXT NOT NULL UNIQUE,
  host        TEXT NOT NULL,
  port        INTEGER NOT NULL,
  username    TEXT NOT NULL,
  password    TEXT NOT NULL,
  tls         TEXT NOT NULL,
  prefixes    TEXT NOT NULL,
  window_size INTEGER NOT NULL,
  rate        INTEGER NOT NULL,
  mail_from   TEXT,
  enabled     INTEGER NOT NULL,
  version     INTEGER NOT NULL,
  created_at  INTEGER NOT NULL,
  updated_at  INTEGER NOT NULL
);

-- The SMSC connection (by name) an SMS goes out through, chosen by number
-- prefix when a dispatcher first sees it; NULL until then.
ALTER TABLE messages ADD COLUMN route TEXT;
CREATE INDEX messages_unrouted ON messages(id)
  WHERE channel = 'sms' AND route IS NULL AND status IN ('queued', 'sending');
CREATE INDEX messages_route_due ON messages(route, status, not_before) WHERE channel = 'sms';
