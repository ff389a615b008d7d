// The events triggers.test.mjs leaves out (docs/internals/outbox.md
// "Triggers"): the daily run of lapse_warning, policy_lapsed, maturity,
// birthday and holiday (holidays are rows of `holidays`, MM-DD), each to
// the right people in their language and once however often it runs; a
// greeting that goes on the day in the recipient's own time zone; staff
// audiences (the case's manager, a department) reached at the staff
// members' own phone and address, never the insured's; and opt-outs per
// person and channel.
//
// The main server runs housekeeping once a day (--housekeeping-interval
// 86400: never during the test); the daily run is made to happen by a second
// server on the same database with a one-second housekeeping interval.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { backends, startServer } from '../lib/server.mjs';
import { signedIn, expectError } from './helpers.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const SCHEDULED = ['renewal_due', 'lapse_warning', 'policy_lapsed', 'maturity', 'birthday', 'holiday'];

/** Rows of a query on the server's database, each an array of columns. */
function rows(backend, dbUrl, sql) {
  const out = backend === 'pg' ? execFileSync('psql', [dbUrl, '-Atc', sql]) : execFileSync('sqlite3', [dbUrl, sql]);
  return out.toString().trim().split('\n').filter(Boolean).map((l) => l.split('|'));
}

const isoDay = (offset, now = Date.now()) => new Date(now + offset * 86400000).toISOString().slice(0, 10);

/** The local civil date (YYYY-MM-DD) and hour of an instant in a zone. */
function localOf(ms, zone) {
  const f = new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', hourCycle: 'h23' });
  const p = Object.fromEntries(f.formatToParts(new Date(ms)).map((x) => [x.type, x.value]));
  return { date: `${p.year}-${p.month}-${p.day}`, hour: Number(p.hour) };
}

/**
 * Two zones for the greetings: `same`, where the local date is the UTC date
 * and the day's greeting window (10:00-20:00) has not closed; and `behind`,
 * where it is still the day before (west of UTC, in the hours after UTC
 * midnight; null when no such zone exists at this hour).
 */
function greetingZones(day) {
  const zones = ['Asia/Tokyo', 'Asia/Shanghai', 'Europe/Moscow', 'Europe/London', 'America/Sao_Paulo',
    'America/New_York', 'America/Chicago', 'America/Los_Angeles', 'Pacific/Honolulu', 'Pacific/Pago_Pago'];
  const now = Date.now();
  const same = zones.find((z) => { const l = localOf(now, z); return l.date === day && l.hour < 19; });
  // the day before, best while that day's window is still open there (a
  // greeting sent now would come a day early)
  const before = zones.filter((z) => localOf(now, z).date < day);
  const behind = before.find((z) => { const h = localOf(now, z).hour; return h >= 10 && h < 20; }) || before[0];
  return { same: same || 'UTC', behind: behind || null };
}

for (const backend of backends()) {
  describe(`scheduled triggers, audiences and opt-outs (${backend})`, () => {
    let srv, admin, op, prog, day, zones;
    const P = {};       // person ids by role in the test
    const policy = {};  // policy ids by number
    const T = {};       // trigger ids created here
    const sql = (q) => rows(backend, srv.dbUrl, q);
    // bodies on one line: an email's blank lines become ' / '
    const oneLine = () => `replace(body, ${backend === 'pg' ? 'chr(10)' : 'char(10)'}, ' / ')`;
    const msgs = (where) => sql(`SELECT id, template, language, recipient, channel, idempotency_key, ${oneLine()}, person_id, not_before, case_id FROM messages WHERE ${where} ORDER BY id`)
      .map(([id, template, language, recipient, channel, key, body, person, notBefore, caseId]) =>
        ({ id: Number(id), template, language, recipient, channel, key, body, person: person ? Number(person) : null, notBefore: Number(notBefore), caseId: caseId ? Number(caseId) : null }));
    const ofPerson = (who, template) => msgs(`person_id = ${P[who]} AND template = '${template}'`);

    /** Start a server on the same database that runs housekeeping every second, wait for all the day's runs, stop it. */
    async function runDay() {
      const b = await startServer({ backend, shareDb: srv.dbUrl, args: ['--housekeeping-interval', '1'] });
      try {
        const end = Date.now() + 20000;
        while (Date.now() < end) {
          if (Number(sql(`SELECT count(*) FROM trigger_runs WHERE day = '${day}'`)[0][0]) === SCHEDULED.length) break;
          await sleep(200);
        }
        await sleep(1500); // a few more rounds, which must add nothing
      } finally {
        await b.stop();
      }
      return sql(`SELECT event, queued FROM trigger_runs WHERE day = '${day}' ORDER BY event`);
    }

    before(async () => {
      srv = await startServer({ backend, persons: 5, args: ['--housekeeping-interval', '86400'] });
      admin = await signedIn(srv.base, 'admin');
      op = await signedIn(srv.base, 'operator');
      prog = (await admin.get('/api/v1/programs')).json.items[0].code;
      day = isoDay(0);
      zones = greetingZones(day);
      const md = day.slice(5);
      const mk = async (key, number, person, start, end, extra = {}) => {
        const r = await admin.post('/api/v1/policies', { number, program: prog, start_date: start, end_date: end, person, ...extra });
        assert.equal(r.status, 201, r.text);
        if (key) P[key] = r.json.person_id;
        policy[number] = Number(sql(`SELECT id FROM policies WHERE number = '${number}'`)[0][0]);
        return r.json;
      };
      const inForce = [isoDay(-100), isoDay(200)];
      const tz = zones.same;
      // policies ending in 7 days: one nobody continues, one renewed
      await mk('lapse', 'LW-1', { last_name: 'Brown', first_name: 'Amy', birth_date: '1971-01-15', sex: 'F', phone: '+447700900201', language: 'en', time_zone: tz }, isoDay(-358), isoDay(7));
      await mk('renewed', 'LW-2', { last_name: 'Green', first_name: 'Bob', birth_date: '1972-02-16', sex: 'M', phone: '+447700900202', language: 'en', time_zone: tz }, isoDay(-358), isoDay(7));
      await mk(null, 'LW-2R', { id: P.renewed }, isoDay(8), isoDay(372), { previous: 'LW-2' });
      // a policy that ended yesterday, not continued (Russian-speaking)
      await mk('lapsed', 'LP-1', { last_name: 'Петрова', first_name: 'Мария', birth_date: '1973-03-17', sex: 'F', phone: '+79161110201', language: 'ru', time_zone: tz }, isoDay(-366), isoDay(-1));
      // a policy maturing in 14 days, renewed or not (Chinese-speaking)
      await mk('maturity', 'MT-1', { last_name: '张', first_name: '伟', birth_date: '1974-04-18', sex: 'M', phone: '+8613800138201', language: 'zh', time_zone: tz }, isoDay(-351), isoDay(14));
      await mk(null, 'MT-1R', { id: P.maturity }, isoDay(15), isoDay(379), { previous: 'MT-1' });
      // born on this day: in force (ru, zh west of UTC), opted out of SMS only, no policy in force
      await mk('bdRu', 'BD-RU', { last_name: 'Соколов', first_name: 'Игорь', birth_date: `1970-${md}`, sex: 'M', phone: '+79161110202', language: 'ru', time_zone: tz }, ...inForce);
      await mk('bdZh', 'BD-ZH', { last_name: '李', first_name: '娜', birth_date: `1985-${md}`, sex: 'F', phone: '+8613800138202', language: 'zh', time_zone: zones.behind || tz }, ...inForce);
      await mk('bdOut', 'BD-OUT', { last_name: 'White', first_name: 'Carl', birth_date: `1990-${md}`, sex: 'M', phone: '+447700900203', email: 'carl.white@example.com', language: 'en', time_zone: tz }, ...inForce);
      await mk('bdGone', 'BD-GONE', { last_name: 'Black', first_name: 'Dora', birth_date: `1991-${md}`, sex: 'F', phone: '+447700900204', language: 'en', time_zone: tz }, isoDay(-400), isoDay(-30));
      let r = await op.request('PUT', `/api/v1/persons/${P.bdOut}/opt-outs/sms`);
      assert.equal(r.status, 200, r.text);

      // the triggers the migration does not set up, made through the API
      const trig = async (name, body) => {
        const res = await admin.post('/api/v1/triggers', body);
        assert.equal(res.status, 201, res.text);
        T[name] = res.json.id;
      };
      await trig('lapse', { event: 'lapse_warning', channel: 'sms', template: 'lapse_warning', audience: 'person', offset_days: 7 });
      await trig('maturity', { event: 'maturity', channel: 'sms', template: 'maturity', audience: 'person', offset_days: 14 });
      await trig('holiday', { event: 'holiday', channel: 'sms', template: 'holiday', audience: 'person', class: 'greeting' });
      r = await admin.put('/api/v1/templates/birthday/email/en', { subject: 'Happy birthday, {{first_name}}', text: 'Dear {{first_name}}, many happy returns!' });
      assert.equal(r.status, 201, r.text);
      await trig('bdMail', { event: 'birthday', channel: 'email', template: 'birthday', audience: 'person', class: 'greeting' });
      const seeded = (await admin.get('/api/v1/triggers')).json.items;
      T.lapsed = seeded.find((t) => t.event === 'policy_lapsed').id;
      T.birthday = seeded.find((t) => t.event === 'birthday' && t.channel === 'sms').id;
      // holidays are data: today is one
      sql(`INSERT INTO holidays (month_day, name) VALUES ('${md}', 'Test Day') ON CONFLICT DO NOTHING`);
    });
    after(async () => { await srv?.stop(); });

    let firstRun;
    it('runs lapse_warning, policy_lapsed and maturity for the right policies, in the person\'s language', async () => {
      firstRun = await runDay();
      assert.deepEqual(firstRun.map((x) => x[0]), [...SCHEDULED].sort(), 'every scheduled event ran today');

      const lw = ofPerson('lapse', 'lapse_warning');
      assert.equal(lw.length, 1, JSON.stringify(lw));
      assert.equal(lw[0].key, `trigger:${T.lapse}:policy:${policy['LW-1']}:${isoDay(7)}`);
      assert.equal(lw[0].recipient, '+447700900201');
      assert.equal(lw[0].language, 'en');
      assert.equal(lw[0].body, `Dear Amy, your policy LW-1 ends on ${isoDay(7)} and has not been renewed. Renew it to stay covered. assist`);
      assert.deepEqual(ofPerson('renewed', 'lapse_warning'), [], 'a renewed policy gets no lapse warning');

      const lp = ofPerson('lapsed', 'policy_lapsed');
      assert.equal(lp.length, 1, JSON.stringify(lp));
      assert.equal(lp[0].key, `trigger:${T.lapsed}:policy:${policy['LP-1']}:${isoDay(-1)}`);
      assert.equal(lp[0].language, 'ru');
      assert.equal(lp[0].body, `Мария, срок действия полиса LP-1 истёк ${isoDay(-1)}. Чтобы снова быть под защитой, позвоните нам. assist`);
      assert.deepEqual(msgs(`template = 'policy_lapsed' AND body LIKE '%LW-%'`), [], 'only the policy that ended yesterday');

      const mt = ofPerson('maturity', 'maturity');
      assert.equal(mt.length, 1, 'maturity is sent even when the policy is continued');
      assert.equal(mt[0].language, 'zh');
      assert.equal(mt[0].recipient, '+8613800138201');
      assert.equal(mt[0].body, `伟，您的保单 MT-1 将于 ${isoDay(14)} 满期，我们会就满期给付事宜与您联系。assist`);
      assert.deepEqual(ofPerson('maturity', 'lapse_warning'), []);
    });

    it('greets on birthdays and holidays the insured whose policy is in force, in their language', async () => {
      const year = day.slice(0, 4);
      const ru = ofPerson('bdRu', 'birthday');
      assert.equal(ru.length, 1, JSON.stringify(ru));
      assert.equal(ru[0].key, `trigger:${T.birthday}:person:${P.bdRu}:${year}`);
      assert.equal(ru[0].body, 'Игорь, с днём рождения! Желаем вам крепкого здоровья. assist');
      const zh = ofPerson('bdZh', 'birthday');
      assert.equal(zh.length, 1);
      assert.equal(zh[0].language, 'zh');
      assert.equal(zh[0].body, '娜，祝您生日快乐，身体健康！assist');
      assert.deepEqual(ofPerson('bdGone', 'birthday'), [], 'no greeting without a policy in force');
      assert.deepEqual(ofPerson('lapse', 'birthday'), [], 'not born today');

      const hol = msgs(`template = 'holiday' AND person_id IN (${Object.values(P).join(',')})`);
      const greeted = new Set(hol.map((m) => m.person));
      for (const who of ['lapse', 'renewed', 'maturity', 'bdRu', 'bdZh']) assert.ok(greeted.has(P[who]), `${who} is greeted on the holiday`);
      for (const who of ['lapsed', 'bdGone', 'bdOut']) assert.ok(!greeted.has(P[who]), `${who} is not greeted on the holiday`);
      assert.equal(hol.length, greeted.size, 'one greeting each');
      const holRu = hol.find((m) => m.person === P.bdRu);
      assert.equal(holRu.key, `trigger:${T.holiday}:person:${P.bdRu}:${day}`);
      assert.equal(holRu.body, 'Игорь, поздравляем вас с праздником! Желаем здоровья и счастья. assist');
      assert.equal(hol.find((m) => m.person === P.maturity).body, '伟，节日快乐！祝您健康幸福。assist');

      // what trigger_runs counts is what was queued
      const counted = Object.fromEntries(firstRun.map(([e, q]) => [e, Number(q)]));
      for (const [ev, tpl] of [['holiday', 'holiday'], ['birthday', 'birthday'], ['lapse_warning', 'lapse_warning'], ['maturity', 'maturity']]) {
        assert.equal(counted[ev], msgs(`template = '${tpl}' AND idempotency_key LIKE 'trigger:%'`).length, ev);
      }
    });

    it('greets on the day in the recipient\'s own time zone, within the greeting window', async () => {
      const cases = [['bdRu', zones.same]];
      if (zones.behind) cases.push(['bdZh', zones.behind]);
      for (const [who, zone] of cases) {
        for (const tpl of ['birthday', 'holiday']) {
          const [m] = ofPerson(who, tpl);
          assert.ok(m, `${who} ${tpl}`);
          const at = localOf(m.notBefore / 1000, zone);
          assert.equal(at.date, day, `${tpl} for ${who} in ${zone} goes on ${day} there, not ${at.date} (hour ${at.hour})`);
          assert.ok(at.hour >= 10 && at.hour < 20, `${tpl} in ${zone} at ${at.hour}:00`);
        }
      }
    });

    it('runs each day once: a second run queues nothing more, even when its claim was lost', async () => {
      const before = msgs(`idempotency_key LIKE 'trigger:%' AND case_id IS NULL`).length;
      assert.ok(before > 0);
      let again = await runDay();
      assert.deepEqual(again, firstRun, 'the day\'s runs are not claimed again');
      assert.equal(msgs(`idempotency_key LIKE 'trigger:%' AND case_id IS NULL`).length, before);
      // the claims gone (a restored backup, say): the run happens again and
      // the messages' keys keep it from sending anything twice
      sql(`DELETE FROM trigger_runs WHERE day = '${day}'`);
      again = await runDay();
      assert.deepEqual(again, [...SCHEDULED].sort().map((e) => [e, '0']), 'run again, nothing queued');
      assert.equal(msgs(`idempotency_key LIKE 'trigger:%' AND case_id IS NULL`).length, before);
    });

    it('respects opt-outs per person and channel', async () => {
      assert.deepEqual(ofPerson('bdOut', 'birthday').map((m) => [m.channel, m.recipient]), [['email', 'carl.white@example.com']],
        'opted out of SMS: no SMS greeting, the email one still goes');
      assert.deepEqual(ofPerson('bdRu', 'birthday').map((m) => m.channel), ['sms'], 'no address: no email');
      // a case event too: opted out of SMS, the case_opened SMS is not queued
      const c = await op.post('/api/v1/cases', { person_id: P.bdOut, type: 'medical' });
      assert.equal(c.status, 201, c.text);
      assert.deepEqual(msgs(`case_id = ${c.json.id}`), []);
      const back = await op.request('DELETE', `/api/v1/persons/${P.bdOut}/opt-outs/sms`);
      assert.equal(back.status, 200, back.text);
      const c2 = await op.post('/api/v1/cases', { person_id: P.bdOut, type: 'medical' });
      assert.deepEqual(msgs(`case_id = ${c2.json.id}`).map((m) => [m.template, m.recipient]), [['case_opened', '+447700900203']], 'opted in again');
    });

    it('sends staff notices to the case\'s manager and a department at their own phone and address', async () => {
      const staff = Object.fromEntries((await admin.get('/api/v1/users?limit=500')).json.items.map((u) => [u.login, u]));
      // staff contact details: set by an admin, or by the user on /me
      const setContacts = async (login, body) => {
        const p = await admin.patch(`/api/v1/users/${staff[login].id}`, body);
        assert.equal(p.status, 200, p.text);
      };
      await setContacts('manager', { phone: '+79161119901', email: 'manager@example.com' });
      const own = await op.patch('/api/v1/me', { email: 'operator@example.com' });
      assert.equal(own.status, 200, own.text);
      await setContacts('supervisor', { phone: '8 916 111-99-03' }); // stored as +79161119903
      await setContacts('finance', { phone: '+79161119904', email: 'finance@example.com' });
      let r = await admin.post('/api/v1/users', {
        login: 'gone', role: 'operator', password: 'correct horse battery staple', department: 'assistance',
        phone: '+79161119905', email: 'gone@example.com',
      });
      assert.equal(r.status, 201, r.text);
      assert.equal((await admin.patch(`/api/v1/users/${r.json.id}`, { disabled: true })).status, 200);

      r = await admin.post('/api/v1/triggers', { event: 'case_opened', channel: 'email', template: 'staff_notice', audience: 'manager' });
      assert.equal(r.status, 201, r.text);
      const toManager = r.json.id;
      r = await admin.post('/api/v1/triggers', { event: 'case_opened', channel: 'sms', template: 'staff_notice', audience: 'department:assistance' });
      assert.equal(r.status, 201, r.text);
      const toDept = r.json.id;
      try {
        const c = await op.post('/api/v1/cases', { person_id: P.bdRu, type: 'medical', manager_id: staff.manager.id });
        assert.equal(c.status, 201, c.text);
        const id = c.json.id;
        const got = msgs(`case_id = ${id}`);
        const mine = got.filter((m) => m.person === P.bdRu);
        assert.deepEqual(mine.map((m) => [m.template, m.recipient]), [['case_opened', '+79161110202']], 'the insured gets their own notice only');
        const notices = got.filter((m) => m.template === 'staff_notice');
        assert.deepEqual(notices.map((m) => [m.channel, m.recipient, m.key]).sort(), [
          ['email', 'manager@example.com', `trigger:${toManager}:case:${id}:user:${staff.manager.id}`],
          ['sms', '+79161119901', `trigger:${toDept}:case:${id}:user:${staff.manager.id}`],
          ['sms', '+79161119903', `trigger:${toDept}:case:${id}:user:${staff.supervisor.id}`],
        ].sort(), 'the manager by email, the assistance department by SMS (the operator has no phone, the disabled user and finance are left out)');
        for (const m of notices) {
          assert.equal(m.person, null, 'a staff notice is not the insured\'s message');
          assert.notEqual(m.recipient, '+79161110202');
          assert.equal(m.language, 'ru', 'in the staff member\'s language');
        }
        assert.equal(notices[0].body, `Обращение № ${id} (Игорь Соколов): case_opened. /  / assist`);
        const contacts = (await op.get(`/api/v1/cases/${id}/contacts`)).json.items;
        assert.equal(contacts.length, 1, 'staff notices are not contacts with the insured');
        // a case opened without naming its manager is the opener's
        const c2 = await op.post('/api/v1/cases', { person_id: P.bdRu, type: 'medical' });
        assert.deepEqual(msgs(`case_id = ${c2.json.id} AND channel = 'email'`).map((m) => [m.recipient, m.key]),
          [['operator@example.com', `trigger:${toManager}:case:${c2.json.id}:user:${staff.operator.id}`]]);
        // the language of the staff member picks the template: the Chinese-speaking reviewer
        await setContacts('reviewer', { email: 'reviewer@example.com' });
        const c3 = await op.post('/api/v1/cases', { person_id: P.bdRu, type: 'medical', manager_id: staff.reviewer.id });
        assert.equal(c3.status, 201, c3.text);
        const [zh] = msgs(`case_id = ${c3.json.id} AND channel = 'email'`);
        assert.equal(zh.recipient, 'reviewer@example.com');
        assert.equal(zh.language, 'zh');
        assert.equal(zh.body, `案件编号 ${c3.json.id}（Игорь Соколов）：case_opened。 /  / assist`);
      } finally {
        assert.equal((await admin.patch(`/api/v1/triggers/${toManager}`, { enabled: false })).status, 200);
        assert.equal((await admin.patch(`/api/v1/triggers/${toDept}`, { enabled: false })).status, 200);
      }
    });

    it('refuses a trigger that could not work, naming the field', async () => {
      const bad = [
        [{ event: 'holiday', channel: 'email', template: 'holiday', audience: 'person' }, 'unknown_template', 'template'],
        [{ event: 'lapse_warning', channel: 'sms', template: 'lapse_warning', audience: 'person', offset_days: 400 }, 'invalid_field', 'offset_days'],
        [{ event: 'holiday', channel: 'sms', template: 'holiday', audience: 'person', class: 'greting' }, 'invalid_field', 'class'],
        [{ event: 'case_opened', channel: 'sms', template: 'staff_notice', audience: 'department:nosuch' }, 'invalid_field', 'audience'],
        [{ event: 'case_opened', channel: 'fax', template: 'staff_notice', audience: 'manager' }, 'invalid_field', 'channel'],
      ];
      const n = (await admin.get('/api/v1/triggers')).json.items.length;
      for (const [body, code, field] of bad) expectError(await admin.post('/api/v1/triggers', body), 400, code, field);
      assert.equal((await admin.get('/api/v1/triggers')).json.items.length, n, 'nothing added');
    });

    it('edits every field of a trigger, validated as on creation and audited', async () => {
      let r = await admin.post('/api/v1/triggers', { event: 'renewal_due', channel: 'sms', template: 'renewal_due', audience: 'person', offset_days: 60, enabled: false });
      assert.equal(r.status, 201, r.text);
      const id = r.json.id;
      assert.deepEqual([r.json.offset_days, r.json.enabled, r.json.class, r.json.scheduled], [60, false, 'service', true]);
      r = await admin.patch(`/api/v1/triggers/${id}`, { event: 'case_closed', template: 'staff_notice', channel: 'email', audience: 'department:quality', offset_days: 0, urgent: true });
      assert.equal(r.status, 200, r.text);
      assert.deepEqual([r.json.event, r.json.template, r.json.channel, r.json.audience, r.json.offset_days, r.json.urgent, r.json.enabled, r.json.scheduled],
        ['case_closed', 'staff_notice', 'email', 'department:quality', 0, true, false, false]);
      // refused changes leave it as it was
      expectError(await admin.patch(`/api/v1/triggers/${id}`, { template: 'holiday' }), 400, 'unknown_template', 'template');
      expectError(await admin.patch(`/api/v1/triggers/${id}`, { audience: 'department:nosuch' }), 400, 'invalid_field', 'audience');
      expectError(await admin.patch(`/api/v1/triggers/${id}`, { class: 'nightly' }), 400, 'invalid_field', 'class');
      expectError(await admin.patch(`/api/v1/triggers/${id}`, { event: 'sunrise' }), 400, 'invalid_field', 'event');
      expectError(await admin.patch(`/api/v1/triggers/${id}`, { colour: 'red' }), 400);
      const now = (await admin.get('/api/v1/triggers')).json.items.find((t) => t.id === id);
      assert.deepEqual([now.event, now.template, now.audience], ['case_closed', 'staff_notice', 'department:quality']);
      const audit = (await admin.get('/api/v1/audit?limit=500&entity=trigger')).json.items.filter((x) => x.entity === 'trigger' && String(x.entity_id) === String(id));
      assert.deepEqual(audit.map((x) => x.action).sort(), ['create', 'update']);
    });
  });
}
