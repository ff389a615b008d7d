// Triggers and templates (issue 5): opening a case queues the case_opened
// SMS to the person in their language in the same transaction (and the
// server with --smpp delivers it to a real SMPP peer), closing queues the
// survey, a repeat never duplicates, a disabled trigger queues nothing, the
// daily run of a scheduled event (renewal_due, 30 days before a policy's
// end) happens once a day even with several servers, and the admin API for
// templates (validation, versions, preview) and triggers.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { backends, startServer } from '../lib/server.mjs';
import { signedIn, expectError } from './helpers.mjs';
import { startPeer } from '../peers/smpp-peer.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Rows of a query on the server's database, each an array of columns. */
function rows(backend, dbUrl, sql) {
  const out = backend === 'pg' ? execFileSync('psql', [dbUrl, '-Atc', sql]) : execFileSync('sqlite3', [dbUrl, sql]);
  return out.toString().trim().split('\n').filter(Boolean).map((l) => l.split('|'));
}

/** A time zone where it is now day (the service window is 08:00-22:00). */
function dayZone() {
  const zones = ['Europe/Moscow', 'Asia/Shanghai', 'America/New_York', 'Europe/London', 'Asia/Tokyo', 'America/Los_Angeles', 'Asia/Kolkata', 'Pacific/Auckland'];
  for (const z of zones) {
    const h = Number(new Intl.DateTimeFormat('en-GB', { timeZone: z, hour: '2-digit', hourCycle: 'h23' }).format(new Date()));
    if (h >= 9 && h <= 20) return z;
  }
  return 'Europe/Moscow';
}

const isoDay = (offset) => new Date(Date.now() + offset * 86400000).toISOString().slice(0, 10);

for (const backend of backends()) {
  describe(`triggers and templates (${backend})`, () => {
    let smsc, srv, admin, op, prog, zone;
    const people = {};
    before(async () => {
      smsc = await startPeer({ systemId: 'assist', password: 's3cret' });
      srv = await startServer({ backend, persons: 10, args: ['--smpp', smsc.url()] });
      admin = await signedIn(srv.base, 'admin');
      op = await signedIn(srv.base, 'operator');
      zone = dayZone();
      prog = (await admin.get('/api/v1/programs')).json.items[0].code;
      // insured persons with phones: one Chinese-speaking, one Russian-speaking,
      // and a policy ending in 30 days (for renewal_due)
      const mk = async (number, person, start, end) => {
        const r = await admin.post('/api/v1/policies', { number, program: prog, start_date: start, end_date: end, person });
        assert.equal(r.status, 201, r.text);
        return r.json.person_id;
      };
      people.zh = await mk(`TRG-ZH-${backend}`, { last_name: 'Wang', first_name: 'Li', birth_date: '1980-02-03', sex: 'F', phone: '+8613800138000', language: 'zh', time_zone: zone }, isoDay(-100), isoDay(200));
      people.ru = await mk(`TRG-RU-${backend}`, { last_name: 'Иванова', first_name: 'Анна', birth_date: '1981-03-04', sex: 'F', phone: '+79161110022', language: 'ru', time_zone: zone }, isoDay(-100), isoDay(200));
      people.renew = await mk(`TRG-30-${backend}`, { last_name: 'Smith', first_name: 'John', birth_date: '1975-05-06', sex: 'M', phone: '+447700900123', language: 'en', time_zone: zone }, isoDay(-335), isoDay(30));
      const end = Date.now() + 10000;
      while (!smsc.isBound() && Date.now() < end) await sleep(50);
      assert.ok(smsc.isBound(), 'the server binds to the SMSC');
    });
    after(async () => { await srv?.stop(); await smsc?.stop(); });

    const messagesOf = (where) => rows(backend, srv.dbUrl,
      `SELECT id, template, language, recipient, status, idempotency_key, body FROM messages WHERE ${where} ORDER BY id`);

    it('runs renewal_due once a day, even with two servers on the database', async () => {
      const policy = rows(backend, srv.dbUrl, `SELECT id FROM policies WHERE number = 'TRG-30-${backend}'`)[0][0];
      const key = `%:policy:${policy}:${isoDay(30)}`;
      const b = await startServer({ backend, shareDb: srv.dbUrl, args: ['--housekeeping-interval', '1'] });
      const c = await startServer({ backend, shareDb: srv.dbUrl, args: ['--housekeeping-interval', '1'] });
      try {
        const end = Date.now() + 15000;
        let got = [];
        while (Date.now() < end) {
          got = messagesOf(`idempotency_key LIKE '${key}'`);
          if (got.length) break;
          await sleep(200);
        }
        assert.equal(got.length, 1, 'the renewal reminder is queued');
        assert.equal(got[0][1], 'renewal_due');
        assert.equal(got[0][2], 'en');
        assert.equal(got[0][3], '+447700900123');
        assert.ok(got[0][6].includes(`TRG-30-${backend}`) && got[0][6].includes('John'), got[0][6]);
        await sleep(2500); // more housekeeping rounds on both servers
        assert.equal(messagesOf(`idempotency_key LIKE '${key}'`).length, 1, 'once, not per round or server');
        const runs = rows(backend, srv.dbUrl, `SELECT event, day FROM trigger_runs WHERE event = 'renewal_due'`);
        assert.deepEqual(runs, [['renewal_due', isoDay(0)]], 'one run for the day');
        const total = messagesOf(`template = 'renewal_due'`).length;
        await sleep(1500);
        assert.equal(messagesOf(`template = 'renewal_due'`).length, total);
      } finally {
        await b.stop();
        await c.stop();
      }
    });

    it('opening a case queues the case_opened SMS in the person\'s language, and it is delivered', async () => {
      const r = await op.post('/api/v1/cases', { person_id: people.zh, type: 'medical', description: 'trigger test' });
      assert.equal(r.status, 201, r.text);
      const got = messagesOf(`case_id = ${r.json.id}`);
      assert.equal(got.length, 1, JSON.stringify(got));
      const [id, tpl, lang, to, , key, body] = got[0];
      assert.equal(tpl, 'case_opened');
      assert.equal(lang, 'zh');
      assert.equal(to, '+8613800138000');
      assert.equal(key, `trigger:1:case:${r.json.id}`);
      assert.ok(body.startsWith('Li，您的案件') && body.includes(String(r.json.id)), body);
      const contacts = (await op.get(`/api/v1/cases/${r.json.id}/contacts`)).json.items;
      assert.deepEqual(contacts.map((k) => [k.direction, k.channel, k.summary]), [['out', 'sms', body]], 'logged on the case as an outgoing SMS');
      // the dispatcher sends it within the window of the person's zone
      const end = Date.now() + 15000;
      let m;
      while (Date.now() < end) {
        m = (await op.get(`/api/v1/messages/${id}`)).json;
        if (m.status === 'delivered') break;
        await sleep(100);
      }
      assert.equal(m.status, 'delivered', `${zone}: ${JSON.stringify(m)}`);
      const sub = smsc.submits.filter((s) => s.destination_addr.endsWith('8613800138000'));
      assert.equal(sub.length, 1);
      assert.equal(sub[0].data_coding, 8, 'UCS-2 for Chinese');
    });

    it('closing queues the survey once, however often the case is closed', async () => {
      const c = (await op.post('/api/v1/cases', { person_id: people.ru, type: 'medical' })).json;
      let r = await op.patch(`/api/v1/cases/${c.id}`, { status: 'closed' });
      assert.equal(r.status, 200, r.text);
      let got = messagesOf(`case_id = ${c.id} AND template = 'case_closed'`);
      assert.equal(got.length, 1);
      assert.equal(got[0][2], 'ru');
      assert.ok(got[0][6].startsWith('Анна, обращение №'), got[0][6]);
      r = await op.patch(`/api/v1/cases/${c.id}`, { status: 'open' });
      assert.equal(r.status, 200, r.text);
      r = await op.patch(`/api/v1/cases/${c.id}`, { status: 'closed' });
      assert.equal(r.status, 200, r.text);
      got = messagesOf(`case_id = ${c.id}`);
      assert.deepEqual(got.map((x) => x[1]), ['case_opened', 'case_closed'], 'no second survey, no second notice');
    });

    it('a disabled trigger queues nothing; a new trigger is data', async () => {
      const list = (await admin.get('/api/v1/triggers')).json.items;
      const opened = list.find((t) => t.event === 'case_opened' && t.audience === 'person');
      assert.ok(opened && opened.enabled);
      assert.ok(list.some((t) => t.event === 'renewal_due' && t.offset_days === 30 && t.scheduled));
      let r = await admin.patch(`/api/v1/triggers/${opened.id}`, { enabled: false });
      assert.equal(r.status, 200, r.text);
      assert.equal(r.json.enabled, false);
      const c = (await op.post('/api/v1/cases', { person_id: people.ru, type: 'medical' })).json;
      assert.equal(messagesOf(`case_id = ${c.id}`).length, 0, 'nothing queued');
      r = await admin.patch(`/api/v1/triggers/${opened.id}`, { enabled: true });
      assert.equal(r.json.enabled, true);

      // a staff notice to the medical department by SMS: no user there has a phone, so nothing
      r = await admin.post('/api/v1/triggers', { event: 'case_opened', channel: 'sms', template: 'staff_notice', audience: 'department:medical' });
      assert.equal(r.status, 201, r.text);
      assert.equal(r.json.enabled, true);
      const c2 = (await op.post('/api/v1/cases', { person_id: people.ru, type: 'medical' })).json;
      assert.deepEqual(messagesOf(`case_id = ${c2.id}`).map((x) => x[1]), ['case_opened']);
      r = await admin.patch(`/api/v1/triggers/${r.json.id}`, { enabled: false });
      assert.equal(r.status, 200);

      expectError(await admin.post('/api/v1/triggers', { event: 'case_opened', channel: 'sms', template: 'case_opened', audience: 'everyone' }), 400, 'invalid_field', 'audience');
      expectError(await admin.post('/api/v1/triggers', { event: 'case_opened', channel: 'sms', template: 'no_such', audience: 'person' }), 400, 'unknown_template', 'template');
      expectError(await admin.post('/api/v1/triggers', { event: 'sunrise', channel: 'sms', template: 'case_opened', audience: 'person' }), 400, 'invalid_field', 'event');
      expectError(await admin.patch('/api/v1/triggers/999999', { enabled: true }), 404);
    });

    it('edits templates: validation with line and column, versions, preview', async () => {
      let r = await admin.get('/api/v1/templates');
      assert.equal(r.status, 200);
      const codes = new Set(r.json.items.map((t) => `${t.code}/${t.channel}/${t.language}`));
      for (const c of ['renewal_due', 'lapse_warning', 'policy_lapsed', 'maturity', 'birthday', 'holiday']) {
        for (const l of ['en', 'ru', 'zh']) assert.ok(codes.has(`${c}/sms/${l}`), `${c}/${l}`);
      }
      const renew = r.json.items.find((t) => t.code === 'renewal_due' && t.language === 'en');
      assert.ok(renew.variables.includes('policy_number'));

      expectError(await admin.put('/api/v1/templates/renewal_due/sms/en', { text: 'Renew {{policy_no}} now' }), 422, 'template_variable', 'text');
      r = await admin.put('/api/v1/templates/renewal_due/sms/en', { text: 'Hello\n{{first_name' });
      expectError(r, 400, 'template_invalid', 'text');
      assert.match(r.json.error.message, /line 2, column/);
      expectError(await admin.put('/api/v1/templates/renewal_due/sms/fr', { text: 'x' }), 400, 'invalid_field', 'language');
      expectError(await admin.put('/api/v1/templates/case_opened/email/en', { text: 'no subject' }), 400, 'invalid_field', 'subject');
      r = await admin.put('/api/v1/templates/renewal_due/sms/en', { text: 'Hi {{first_name}}, policy {{policy_number}} ends {{end_date}}.', version: renew.version });
      assert.equal(r.status, 200, r.text);
      assert.equal(r.json.version, renew.version + 1);
      expectError(await admin.put('/api/v1/templates/renewal_due/sms/en', { text: 'x', version: renew.version }), 409, 'version_conflict', 'version');
      r = await admin.put('/api/v1/templates/reminder_x/sms/ru', { text: 'Напоминание: {{what}}' });
      assert.equal(r.status, 201, r.text);
      assert.equal((await admin.get('/api/v1/templates/reminder_x/sms/ru')).json.text, 'Напоминание: {{what}}');
      expectError(await admin.get('/api/v1/templates/reminder_x/sms/zh'), 404);
      const audit = (await admin.get('/api/v1/audit?entity=template')).json;
      if (audit.items) assert.ok(audit.items.some((a) => a.entity === 'template'), 'audited');

      r = await admin.post('/api/v1/templates/preview', { text: 'Привет, {{first_name}}!', vars: { first_name: 'Анна' } });
      assert.equal(r.status, 200, r.text);
      assert.deepEqual([r.json.text, r.json.parts, r.json.coding], ['Привет, Анна!', 1, 'UCS-2']);
      r = await admin.post('/api/v1/templates/preview', { text: 'x'.repeat(200) });
      assert.deepEqual([r.json.parts, r.json.coding], [2, 'GSM-7']);
      r = await admin.post('/api/v1/templates/preview', { channel: 'email', text: 'Dear {{name}}', subject: 'Case {{n}}', vars: { name: 'Ann', n: 7 } });
      assert.deepEqual([r.json.text, r.json.subject, r.json.parts], ['Dear Ann', 'Case 7', undefined]);
      expectError(await admin.post('/api/v1/templates/preview', { text: 'Hi {{name}}' }), 400, 'missing_variable', 'vars.name');
      r = await admin.post('/api/v1/templates/preview', { text: 'Hi {{name' });
      expectError(r, 400, 'template_invalid', 'text');
      assert.match(r.json.error.message, /line 1, column 4/);
      expectError(await admin.post('/api/v1/templates/preview', { code: 'birthday', text: 'Hi {{policy_number}}', vars: { policy_number: '1' } }), 422, 'template_variable', 'text');
    });

    it('is for admins only', async () => {
      for (const who of ['operator', 'supervisor', 'finance']) {
        const c = await signedIn(srv.base, who);
        expectError(await c.get('/api/v1/templates'), 403);
        expectError(await c.put('/api/v1/templates/x/sms/en', { text: 'x' }), 403);
        expectError(await c.post('/api/v1/templates/preview', { text: 'x' }), 403);
        expectError(await c.get('/api/v1/triggers'), 403);
        expectError(await c.patch('/api/v1/triggers/1', { enabled: false }), 403);
      }
    });
  });
}
