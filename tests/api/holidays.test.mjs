// Holidays through the API (docs/internals/outbox.md "Triggers"): an admin
// lists, adds, renames and removes the days the `holiday` trigger greets on
// (MM-DD, every year); a day that does not exist or a bad name is refused
// naming its field; every write is audited; and a holiday added here is
// greeted by the daily run of that very day.
//
// The main server runs housekeeping once a day (--housekeeping-interval
// 86400: never during the test); the daily run is made to happen, as in
// trigger_events.test.mjs, by a second server on the same database with a
// one-second housekeeping interval.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { backends, startServer } from '../lib/server.mjs';
import { signedIn, expectError } from './helpers.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const isoDay = (offset) => new Date(Date.now() + offset * 86400000).toISOString().slice(0, 10);

function rows(backend, dbUrl, sql) {
  const out = backend === 'pg' ? execFileSync('psql', [dbUrl, '-Atc', sql]) : execFileSync('sqlite3', [dbUrl, sql]);
  return out.toString().trim().split('\n').filter(Boolean).map((l) => l.split('|'));
}

/** A zone where it is today (UTC) and the greeting window (10:00-20:00) has not closed. */
function zoneOfToday(day) {
  const zones = ['UTC', 'Asia/Tokyo', 'Europe/Moscow', 'America/New_York', 'America/Los_Angeles', 'Pacific/Honolulu'];
  for (const z of zones) {
    const f = new Intl.DateTimeFormat('en-CA', { timeZone: z, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', hourCycle: 'h23' });
    const p = Object.fromEntries(f.formatToParts(new Date()).map((x) => [x.type, x.value]));
    if (`${p.year}-${p.month}-${p.day}` === day && Number(p.hour) < 19) return z;
  }
  return 'UTC';
}

for (const backend of backends()) {
  describe(`holidays (${backend})`, () => {
    let srv, admin, op;
    const sql = (q) => rows(backend, srv.dbUrl, q);

    before(async () => {
      srv = await startServer({ backend, persons: 0, args: ['--housekeeping-interval', '86400'] });
      admin = await signedIn(srv.base, 'admin');
      op = await signedIn(srv.base, 'operator');
    });
    after(async () => { await srv?.stop(); });

    it('lists the seeded holidays by month and day; admins only', async () => {
      const r = await admin.get('/api/v1/holidays');
      assert.equal(r.status, 200, r.text);
      assert.deepEqual(r.json, { items: [
        { month_day: '01-01', name: 'New Year' },
        { month_day: '03-08', name: 'International Women\'s Day' },
      ] });
      expectError(await op.get('/api/v1/holidays'), 403);
      expectError(await op.put('/api/v1/holidays/05-01', { name: 'Labour Day' }), 403);
      expectError(await op.del('/api/v1/holidays/01-01'), 403);
    });

    it('adds (201), renames (200) and removes (204) a holiday, each audited', async () => {
      let r = await admin.put('/api/v1/holidays/05-09', { name: 'День Победы' });
      assert.equal(r.status, 201, r.text);
      assert.deepEqual(r.json, { month_day: '05-09', name: 'День Победы' });
      r = await admin.put('/api/v1/holidays/02-29', { name: 'Leap day' });
      assert.equal(r.status, 201, r.text);
      r = await admin.put('/api/v1/holidays/05-09', { name: 'Victory Day' });
      assert.equal(r.status, 200, r.text);
      assert.deepEqual(r.json, { month_day: '05-09', name: 'Victory Day' });
      r = await admin.get('/api/v1/holidays');
      assert.deepEqual(r.json.items.map((x) => [x.month_day, x.name]), [
        ['01-01', 'New Year'], ['02-29', 'Leap day'], ['03-08', 'International Women\'s Day'], ['05-09', 'Victory Day'],
      ], 'ordered by month and day');

      r = await admin.del('/api/v1/holidays/02-29');
      assert.equal(r.status, 204, r.text);
      assert.equal(r.text, '');
      expectError(await admin.del('/api/v1/holidays/02-29'), 404, 'not_found');
      expectError(await admin.del('/api/v1/holidays/12-31'), 404, 'not_found');
      assert.deepEqual(sql(`SELECT month_day, name FROM holidays WHERE month_day IN ('02-29', '05-09')`), [['05-09', 'Victory Day']]);

      const audit = (await admin.get('/api/v1/audit?entity=holiday&limit=50')).json.items.reverse();
      assert.deepEqual(audit.map((a) => [a.action, a.actor.login, a.before, a.after]), [
        ['create', 'admin', null, { month_day: '05-09', name: 'День Победы' }],
        ['create', 'admin', null, { month_day: '02-29', name: 'Leap day' }],
        ['update', 'admin', { month_day: '05-09', name: 'День Победы' }, { month_day: '05-09', name: 'Victory Day' }],
        ['delete', 'admin', { month_day: '02-29', name: 'Leap day' }, null],
      ]);
    });

    it('refuses a day that does not exist and a bad name, naming the field, and changes nothing', async () => {
      const before = (await admin.get('/api/v1/holidays')).json;
      const auditBefore = (await admin.get('/api/v1/audit?entity=holiday')).json.total;
      for (const md of ['02-30', '13-01', '1-1', '00-10', '04-31', '01-32', '01-00', '0a-01', '01-011', '01_01']) {
        expectError(await admin.put(`/api/v1/holidays/${md}`, { name: 'Nope' }), 400, 'invalid_field', 'month_day');
        expectError(await admin.del(`/api/v1/holidays/${md}`), 400, 'invalid_field', 'month_day');
      }
      expectError(await admin.put('/api/v1/holidays/06-01', {}), 400, 'missing_field', 'name');
      expectError(await admin.put('/api/v1/holidays/06-01', { name: '' }), 400, 'invalid_field', 'name');
      expectError(await admin.put('/api/v1/holidays/06-01', { name: '   ' }), 400, 'invalid_field', 'name');
      expectError(await admin.put('/api/v1/holidays/06-01', { name: 7 }), 400, 'invalid_field', 'name');
      expectError(await admin.put('/api/v1/holidays/06-01', { name: 'д'.repeat(101) }), 400, 'invalid_field', 'name');
      expectError(await admin.put('/api/v1/holidays/06-01', { name: 'Children', date: '06-01' }), 400);
      assert.deepEqual((await admin.get('/api/v1/holidays')).json, before, 'nothing changed');
      assert.equal((await admin.get('/api/v1/audit?entity=holiday')).json.total, auditBefore, 'nothing audited');
      // 100 characters (not bytes) is the most
      const r = await admin.put('/api/v1/holidays/06-01', { name: 'д'.repeat(100) });
      assert.equal(r.status, 201, r.text);
      assert.equal((await admin.del('/api/v1/holidays/06-01')).status, 204);
    });

    it('greets the insured on a holiday added through the API, on the day\'s run', async () => {
      const day = isoDay(0), md = day.slice(5);
      // today may be a seeded holiday: made anew through the API either way
      await admin.del(`/api/v1/holidays/${md}`);
      let r = await admin.put(`/api/v1/holidays/${md}`, { name: 'Test Day' });
      assert.equal(r.status, 201, r.text);
      r = await admin.post('/api/v1/triggers', { event: 'holiday', channel: 'sms', template: 'holiday', audience: 'person', class: 'greeting' });
      assert.equal(r.status, 201, r.text);
      const trigger = r.json.id;
      const prog = (await admin.get('/api/v1/programs')).json.items[0].code;
      r = await admin.post('/api/v1/policies', { number: 'HOL-1', program: prog, start_date: isoDay(-100), end_date: isoDay(200),
        person: { last_name: 'Орлова', first_name: 'Вера', birth_date: '1980-06-15', sex: 'F', phone: '+79161110301', language: 'ru', time_zone: zoneOfToday(day) } });
      assert.equal(r.status, 201, r.text);
      const person = r.json.person_id;

      const b = await startServer({ backend, shareDb: srv.dbUrl, args: ['--housekeeping-interval', '1'] });
      try {
        const end = Date.now() + 20000;
        while (Date.now() < end && !sql(`SELECT 1 FROM trigger_runs WHERE event = 'holiday' AND day = '${day}'`).length) await sleep(200);
        await sleep(500);
      } finally {
        await b.stop();
      }
      const [[queued]] = sql(`SELECT queued FROM trigger_runs WHERE event = 'holiday' AND day = '${day}'`);
      assert.equal(Number(queued), 1, 'the day\'s holiday run queued one greeting');
      const msgs = sql(`SELECT idempotency_key, language, recipient, body FROM messages WHERE template = 'holiday' AND person_id = ${person}`);
      assert.deepEqual(msgs, [[`trigger:${trigger}:person:${person}:${day}`, 'ru', '+79161110301',
        'Вера, поздравляем вас с праздником! Желаем здоровья и счастья. assist']]);
    });
  });
}
