-- Triggers (issue 5): which event sends which template to whom. A trigger
-- is data: event -> template -> audience. Events: case_opened,
-- case_closed (fired in the transaction of the case change), and the
-- scheduled ones run once a day by housekeeping: renewal_due,
-- lapse_warning, policy_lapsed, maturity (policies whose end_date is
-- offset_days days after the day: 30, 7, -1, 0), birthday, holiday
-- (persons with a policy in force that day). audience: person (the
-- insured), manager (the case manager), department:CODE (its users).
CREATE TABLE triggers (
  id          INTEGER PRIMARY KEY,
  event       TEXT NOT NULL,
  channel     TEXT NOT NULL,
  template    TEXT NOT NULL,
  audience    TEXT NOT NULL,
  class       TEXT NOT NULL,
  urgent      INTEGER NOT NULL,
  offset_days INTEGER NOT NULL,
  enabled     INTEGER NOT NULL,
  created_at  INTEGER NOT NULL,
  updated_at  INTEGER NOT NULL
);
CREATE INDEX triggers_event ON triggers(event);
INSERT INTO triggers (event, channel, template, audience, class, urgent, offset_days, enabled, created_at, updated_at) VALUES
  ('case_opened', 'sms', 'case_opened', 'person', 'service', 0, 0, 1, 0, 0),
  ('case_closed', 'sms', 'case_closed', 'person', 'service', 0, 0, 1, 0, 0),
  ('renewal_due', 'sms', 'renewal_due', 'person', 'service', 0, 30, 1, 0, 0),
  ('policy_lapsed', 'sms', 'policy_lapsed', 'person', 'service', 0, -1, 1, 0, 0),
  ('birthday', 'sms', 'birthday', 'person', 'greeting', 0, 0, 1, 0, 0);

-- Each scheduled event runs once a day, whichever server gets there first.
CREATE TABLE trigger_runs (
  event  TEXT NOT NULL,
  day    TEXT NOT NULL,
  at     INTEGER NOT NULL,
  queued INTEGER NOT NULL,
  PRIMARY KEY (event, day)
);

-- Holidays greeted by the holiday trigger: month and day (MM-DD).
CREATE TABLE holidays (
  month_day TEXT PRIMARY KEY,
  name      TEXT NOT NULL
);
INSERT INTO holidays (month_day, name) VALUES ('01-01', 'New Year'), ('03-08', 'International Women''s Day');

-- Staff notices go to users' own addresses.
ALTER TABLE users ADD COLUMN email TEXT;
ALTER TABLE users ADD COLUMN phone TEXT;

INSERT INTO templates (code, channel, language, subject, body, version, updated_at, updated_by) VALUES
  ('renewal_due', 'sms', 'en', NULL, 'Dear {{first_name}}, your policy {{policy_number}} ends on {{end_date}}. Call us to renew it. {{company|assist}}', 1, 0, 'system'),
  ('renewal_due', 'sms', 'ru', NULL, '{{first_name}}, ваш полис {{policy_number}} действует до {{end_date}}. Позвоните нам, чтобы продлить его. {{company|assist}}', 1, 0, 'system'),
  ('renewal_due', 'sms', 'zh', NULL, '{{first_name}}，您的保单 {{policy_number}} 将于 {{end_date}} 到期，请致电我们办理续保。{{company|assist}}', 1, 0, 'system'),
  ('lapse_warning', 'sms', 'en', NULL, 'Dear {{first_name}}, your policy {{policy_number}} ends on {{end_date}} and has not been renewed. Renew it to stay covered. {{company|assist}}', 1, 0, 'system'),
  ('lapse_warning', 'sms', 'ru', NULL, '{{first_name}}, полис {{policy_number}} заканчивается {{end_date}} и ещё не продлён. Продлите его, чтобы защита не прервалась. {{company|assist}}', 1, 0, 'system'),
  ('lapse_warning', 'sms', 'zh', NULL, '{{first_name}}，您的保单 {{policy_number}} 将于 {{end_date}} 到期，目前尚未续保。请及时续保，以免保障中断。{{company|assist}}', 1, 0, 'system'),
  ('policy_lapsed', 'sms', 'en', NULL, 'Dear {{first_name}}, your policy {{policy_number}} ended on {{end_date}}. You are no longer covered; call us to take out a new one. {{company|assist}}', 1, 0, 'system'),
  ('policy_lapsed', 'sms', 'ru', NULL, '{{first_name}}, срок действия полиса {{policy_number}} истёк {{end_date}}. Чтобы снова быть под защитой, позвоните нам. {{company|assist}}', 1, 0, 'system'),
  ('policy_lapsed', 'sms', 'zh', NULL, '{{first_name}}，您的保单 {{policy_number}} 已于 {{end_date}} 到期，保障已终止。如需重新投保，请致电我们。{{company|assist}}', 1, 0, 'system'),
  ('maturity', 'sms', 'en', NULL, 'Dear {{first_name}}, your policy {{policy_number}} matures on {{end_date}}. We will contact you about the payment. {{company|assist}}', 1, 0, 'system'),
  ('maturity', 'sms', 'ru', NULL, '{{first_name}}, {{end_date}} наступает срок окончания полиса {{policy_number}}. Мы свяжемся с вами по поводу выплаты. {{company|assist}}', 1, 0, 'system'),
  ('maturity', 'sms', 'zh', NULL, '{{first_name}}，您的保单 {{policy_number}} 将于 {{end_date}} 满期，我们会就满期给付事宜与您联系。{{company|assist}}', 1, 0, 'system'),
  ('birthday', 'sms', 'en', NULL, 'Happy birthday, {{first_name}}! We wish you good health. {{company|assist}}', 1, 0, 'system'),
  ('birthday', 'sms', 'ru', NULL, '{{first_name}}, с днём рождения! Желаем вам крепкого здоровья. {{company|assist}}', 1, 0, 'system'),
  ('birthday', 'sms', 'zh', NULL, '{{first_name}}，祝您生日快乐，身体健康！{{company|assist}}', 1, 0, 'system'),
  ('holiday', 'sms', 'en', NULL, 'Dear {{first_name}}, happy holidays! We wish you health and happiness. {{company|assist}}', 1, 0, 'system'),
  ('holiday', 'sms', 'ru', NULL, '{{first_name}}, поздравляем вас с праздником! Желаем здоровья и счастья. {{company|assist}}', 1, 0, 'system'),
  ('holiday', 'sms', 'zh', NULL, '{{first_name}}，节日快乐！祝您健康幸福。{{company|assist}}', 1, 0, 'system'),
  ('staff_notice', 'email', 'en', 'Case No. {{case_id}}: {{event}}', 'Case No. {{case_id}} ({{person_name}}): {{event}}.

{{company|assist}}', 1, 0, 'system'),
  ('staff_notice', 'email', 'ru', 'Обращение № {{case_id}}: {{event}}', 'Обращение № {{case_id}} ({{person_name}}): {{event}}.

{{company|assist}}', 1, 0, 'system'),
  ('staff_notice', 'email', 'zh', '案件编号 {{case_id}}：{{event}}', '案件编号 {{case_id}}（{{person_name}}）：{{event}}。

{{company|assist}}', 1, 0, 'system'),
  ('staff_notice', 'sms', 'en', NULL, 'Case No. {{case_id}} ({{person_name}}): {{event}}.', 1, 0, 'system'),
  ('staff_notice', 'sms', 'ru', NULL, 'Обращение № {{case_id}} ({{person_name}}): {{event}}.', 1, 0, 'system'),
  ('staff_notice', 'sms', 'zh', NULL, '案件编号 {{case_id}}（{{person_name}}）：{{event}}。', 1, 0, 'system');
