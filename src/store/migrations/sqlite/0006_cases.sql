-- Assistance cases, their contact log, tasks with reminders, quality (NPS)
-- answers, and the departments tasks go to (issue 4). A department is a
-- code (users.department, tasks.department); this table names the known
-- ones in three languages, and a code not in it is shown as it is.
CREATE TABLE departments (
  code       TEXT PRIMARY KEY,
  name_en    TEXT NOT NULL,
  name_ru    TEXT NOT NULL,
  name_zh    TEXT NOT NULL
);
INSERT INTO departments (code, name_en, name_ru, name_zh) VALUES
  ('assistance', 'Assistance', 'Ассистанс', '救援'),
  ('medical', 'Medical', 'Медицинский отдел', '医务部'),
  ('claims', 'Claims', 'Урегулирование убытков', '理赔部'),
  ('finance', 'Finance', 'Финансы', '财务部'),
  ('quality', 'Quality', 'Контроль качества', '质量管理部');

ALTER TABLE users ADD COLUMN department TEXT;

-- insurer_id is the linked policy's insurer when the case was linked, kept
-- here so that lists filter by insurer without four joins.
CREATE TABLE cases (
  id          INTEGER PRIMARY KEY,
  person_id   INTEGER NOT NULL REFERENCES persons(id),
  policy_id   INTEGER REFERENCES policies(id),
  insurer_id  INTEGER REFERENCES insurers(id),
  type        TEXT NOT NULL,
  description TEXT NOT NULL,
  status      TEXT NOT NULL,
  manager_id  INTEGER REFERENCES users(id),
  event_date  TEXT NOT NULL,
  created_by  INTEGER REFERENCES users(id),
  created_at  INTEGER NOT NULL,
  updated_at  INTEGER NOT NULL,
  closed_at   INTEGER,
  version     INTEGER NOT NULL
);
CREATE INDEX cases_person ON cases(person_id, status);
CREATE INDEX cases_status ON cases(status, created_at);
CREATE INDEX cases_manager ON cases(manager_id, status);
CREATE INDEX cases_created ON cases(created_at);
CREATE INDEX cases_insurer ON cases(insurer_id, created_at);

CREATE TABLE case_contacts (
  id        INTEGER PRIMARY KEY,
  case_id   INTEGER NOT NULL REFERENCES cases(id),
  direction TEXT NOT NULL,
  channel   TEXT NOT NULL,
  summary   TEXT NOT NULL,
  at        INTEGER NOT NULL,
  user_id   INTEGER REFERENCES users(id),
  created_at INTEGER NOT NULL
);
CREATE INDEX case_contacts_case ON case_contacts(case_id, at);

-- reminded_at: when the reminder at the due time went out (NULL = not yet).
CREATE TABLE tasks (
  id          INTEGER PRIMARY KEY,
  case_id     INTEGER NOT NULL REFERENCES cases(id),
  department  TEXT NOT NULL,
  assignee_id INTEGER REFERENCES users(id),
  due_at      INTEGER NOT NULL,
  urgency     TEXT NOT NULL,
  text        TEXT NOT NULL,
  status      TEXT NOT NULL,
  created_by  INTEGER REFERENCES users(id),
  created_at  INTEGER NOT NULL,
  updated_at  INTEGER NOT NULL,
  done_at     INTEGER,
  reminded_at INTEGER,
  version     INTEGER NOT NULL
);
CREATE INDEX tasks_department ON tasks(department, status, due_at);
CREATE INDEX tasks_assignee ON tasks(assignee_id, status, due_at);
CREATE INDEX tasks_case ON tasks(case_id);
CREATE INDEX tasks_due ON tasks(due_at) WHERE reminded_at IS NULL;

-- Quality: a question asked during the case and an NPS score 0..10 with a
-- comment; source is operator (by call) or sms (the survey, issue 5).
CREATE TABLE case_quality (
  id          INTEGER PRIMARY KEY,
  case_id     INTEGER NOT NULL REFERENCES cases(id),
  score       INTEGER NOT NULL,
  question    TEXT,
  comment     TEXT,
  source      TEXT NOT NULL,
  user_id     INTEGER REFERENCES users(id),
  at          INTEGER NOT NULL
);
CREATE INDEX case_quality_case ON case_quality(case_id);
CREATE INDEX case_quality_at ON case_quality(at);
