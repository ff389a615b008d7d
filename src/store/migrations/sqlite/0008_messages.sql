-- The outbox (issue 5): every SMS and email assist sends is a row here,
-- written in the transaction of the change that causes it, and sent by the
-- server's dispatchers. status: queued -> sending -> sent -> delivered, or
-- failed / expired. A message is never sent after expires_at.
CREATE TABLE messages (
  id              INTEGER PRIMARY KEY,
  channel         TEXT NOT NULL,
  recipient       TEXT NOT NULL,
  person_id       INTEGER REFERENCES persons(id),
  case_id         INTEGER REFERENCES cases(id),
  class           TEXT NOT NULL,
  urgent          INTEGER NOT NULL,
  template        TEXT,
  language        TEXT,
  subject         TEXT,
  body            TEXT NOT NULL,
  idempotency_key TEXT UNIQUE,
  status          TEXT NOT NULL,
  reason          TEXT,
  detail          TEXT,
  connection      TEXT,
  parts           INTEGER NOT NULL,
  attempts        INTEGER NOT NULL,
  not_before      INTEGER NOT NULL,
  expires_at      INTEGER NOT NULL,
  lease_until     INTEGER,
  handed_at       INTEGER,
  cost            INTEGER,
  currency        TEXT,
  created_by      INTEGER REFERENCES users(id),
  created_at      INTEGER NOT NULL,
  updated_at      INTEGER NOT NULL,
  sent_at         INTEGER,
  delivered_at    INTEGER
);
CREATE INDEX messages_due ON messages(channel, status, not_before);
CREATE INDEX messages_case ON messages(case_id);
CREATE INDEX messages_created ON messages(created_at);

-- One row per SMS part once the gateway took it: its id there, and the
-- forms of that id a delivery receipt may come back with (receipt_keys).
CREATE TABLE message_parts (
  message_id  INTEGER NOT NULL REFERENCES messages(id),
  seq         INTEGER NOT NULL,
  provider_id TEXT NOT NULL,
  status      TEXT NOT NULL,
  reason      TEXT,
  updated_at  INTEGER NOT NULL,
  PRIMARY KEY (message_id, seq)
);
CREATE TABLE message_receipt_keys (
  connection TEXT NOT NULL,
  key        TEXT NOT NULL,
  message_id INTEGER NOT NULL REFERENCES messages(id),
  seq        INTEGER NOT NULL,
  PRIMARY KEY (connection, key, message_id, seq)
);

-- Every state a message went through, with why.
CREATE TABLE message_events (
  id         INTEGER PRIMARY KEY,
  message_id INTEGER NOT NULL REFERENCES messages(id),
  at         INTEGER NOT NULL,
  status     TEXT NOT NULL,
  reason     TEXT,
  detail     TEXT
);
CREATE INDEX message_events_message ON message_events(message_id, id);

-- A person's opt-out of a channel (sms, email).
CREATE TABLE opt_outs (
  person_id INTEGER NOT NULL REFERENCES persons(id),
  channel   TEXT NOT NULL,
  at        INTEGER NOT NULL,
  PRIMARY KEY (person_id, channel)
);

-- Sending windows per message class, in the recipient's time zone
-- ("mon-fri 18:30-20:30; sat,sun 09:00-12:00,15:00-21:00").
CREATE TABLE send_windows (
  class      TEXT PRIMARY KEY,
  rules      TEXT NOT NULL,
  updated_at INTEGER NOT NULL
);
INSERT INTO send_windows (class, rules, updated_at) VALUES
  ('marketing', 'mon-fri 18:30-20:30; sat,sun 09:00-12:00,15:00-21:00', 0),
  ('greeting', 'mon-sun 10:00-20:00', 0),
  ('service', 'mon-sun 08:00-22:00', 0);

-- Message templates per event code, channel and language; the recipient's
-- language picks one (English when theirs is missing). Variables are
-- {{name}} (see core/template.h).
CREATE TABLE templates (
  code       TEXT NOT NULL,
  channel    TEXT NOT NULL,
  language   TEXT NOT NULL,
  subject    TEXT,
  body       TEXT NOT NULL,
  version    INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  updated_by TEXT NOT NULL,
  PRIMARY KEY (code, channel, language)
);
INSERT INTO templates (code, channel, language, subject, body, version, updated_at, updated_by) VALUES
  ('case_opened', 'sms', 'en', NULL, 'Dear {{first_name}}, your case No. {{case_id}} is open. We will call you back. {{company|assist}}', 1, 0, 'system'),
  ('case_opened', 'sms', 'ru', NULL, '{{first_name}}, ваше обращение № {{case_id}} принято. Мы перезвоним вам. {{company|assist}}', 1, 0, 'system'),
  ('case_opened', 'sms', 'zh', NULL, '{{first_name}}，您的案件（编号 {{case_id}}）已受理，我们会尽快回电。{{company|assist}}', 1, 0, 'system'),
  ('case_closed', 'sms', 'en', NULL, 'Dear {{first_name}}, your case No. {{case_id}} is closed. How likely are you to recommend us, 0 to 10? Reply with a number.', 1, 0, 'system'),
  ('case_closed', 'sms', 'ru', NULL, '{{first_name}}, обращение № {{case_id}} закрыто. Оцените нас от 0 до 10 — ответьте цифрой.', 1, 0, 'system'),
  ('case_closed', 'sms', 'zh', NULL, '{{first_name}}，您的案件（编号 {{case_id}}）已结案。您向他人推荐我们的可能性有多大（0–10）？请回复数字。', 1, 0, 'system'),
  ('case_opened', 'email', 'en', 'Your case No. {{case_id}}', 'Dear {{first_name}} {{last_name}},

your case No. {{case_id}} is open. We will call you back.

{{company|assist}}', 1, 0, 'system'),
  ('case_opened', 'email', 'ru', 'Ваше обращение № {{case_id}}', 'Здравствуйте, {{first_name}} {{last_name}}!

Ваше обращение № {{case_id}} принято. Мы вам перезвоним.

{{company|assist}}', 1, 0, 'system'),
  ('case_opened', 'email', 'zh', '您的案件编号 {{case_id}}', '{{last_name}}{{first_name}}，您好：

您的案件（编号 {{case_id}}）已受理，我们会尽快回电。

{{company|assist}}', 1, 0, 'system');

-- Inbound SMS as they came, and what became of each: a survey answer, a
-- contact on the sender's open case, a new case, or nobody known.
CREATE TABLE inbound_messages (
  id          INTEGER PRIMARY KEY,
  connection  TEXT NOT NULL,
  sender      TEXT NOT NULL,
  recipient   TEXT NOT NULL,
  text        TEXT NOT NULL,
  received_at INTEGER NOT NULL,
  person_id   INTEGER REFERENCES persons(id),
  case_id     INTEGER REFERENCES cases(id),
  outcome     TEXT NOT NULL
);
CREATE INDEX inbound_received ON inbound_messages(received_at);
