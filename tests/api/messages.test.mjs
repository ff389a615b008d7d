// The outbox (issue 5) end to end: POST /api/v1/messages queues an SMS or an
// email, the server's dispatchers send it to a real SMPP peer (npm smpp) and
// a real SMTP peer (npm smtp-server) on 127.0.0.1, and GET shows its states
// as the receipts come. Templates in the recipient's language, sending
// windows, opt-out refusals, idempotency keys, refusals by the gateway,
// inbound SMS (a survey answer, a contact, a new case), and a server killed
// with SIGKILL in the middle of a batch: every message ends delivered once
// at the peer or marked failed, none silently lost, and what the peer took
// ends delivered (a receipt confirms an SMS whose answer was never recorded).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { backends, startServer } from '../lib/server.mjs';
import { signedIn, expectError } from './helpers.mjs';
import { startPeer, ESME } from '../peers/smpp-peer.mjs';
import { startSmtpPeer } from '../peers/smtp-peer.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Every message's status, read from the database itself (id -> status). */
function statusesOf(backend, dbUrl) {
  const sql = "SELECT id || ' ' || status FROM messages";
  const out = backend === 'pg' ? execFileSync('psql', [dbUrl, '-Atc', sql]) : execFileSync('sqlite3', [dbUrl, sql]);
  return new Map(out.toString().trim().split('\n').filter(Boolean).map((l) => {
    const [id, st] = l.split(' ');
    return [Number(id), st];
  }));
}

/** Poll a message until pred(message) holds (or time runs out); returns it. */
async function until(c, id, pred, ms = 10000) {
  const end = Date.now() + ms;
  let m;
  while (Date.now() < end) {
    m = (await c.get(`/api/v1/messages/${id}`)).json;
    if (pred(m)) return m;
    await sleep(50);
  }
  assert.fail(`message ${id} did not get there: ${JSON.stringify(m)}`);
}

/** A person of the demo with a phone, and their policy. */
async function demoPerson(c, n) {
  const pol = (await c.get(`/api/v1/policies/DEMO-26-${String(n).padStart(7, '0')}`)).json;
  const p = (await c.get(`/api/v1/persons/${pol.person_id}`)).json;
  return p;
}

for (const backend of backends()) {
  describe(`outbox: SMS and email (${backend})`, () => {
    let smsc, relay, srv, op, sup;
    before(async () => {
      smsc = await startPeer({ systemId: 'assist', password: 's3cret', idFormat: 'decimal', receiptIdFormat: 'hex-zeros' });
      relay = await startSmtpPeer();
      srv = await startServer({ backend, persons: 30, args: ['--smpp', smsc.url(), '--smtp', `smtp://127.0.0.1:${relay.port}`, '--mail-from', 'assist@example.test'] });
      op = await signedIn(srv.base, 'operator');
      sup = await signedIn(srv.base, 'supervisor');
      const end = Date.now() + 10000;
      while (!smsc.isBound() && Date.now() < end) await sleep(50);
      assert.ok(smsc.isBound(), 'the server binds to the SMSC');
    });
    after(async () => { await srv?.stop(); await smsc?.stop(); await relay?.stop(); });

    it('sends an urgent SMS in Russian, and follows it to delivered by the receipt', async () => {
      const p = await demoPerson(op, 3);
      const r = await op.post('/api/v1/messages', { channel: 'sms', to: '8 (916) 555-12-34', text: 'Врач приедет к 15:00. Номер дела 42.', urgent: true, person_id: p.id });
      assert.equal(r.status, 202, r.text);
      assert.equal(r.json.to, '+79165551234', 'the number is kept as E.164');
      assert.equal(r.json.status, 'queued');
      assert.equal(r.json.parts, 1);
      const m = await until(op, r.json.id, (x) => x.status === 'delivered');
      assert.deepEqual(m.history.map((h) => h.status), ['queued', 'sending', 'sent', 'delivered']);
      assert.equal(m.gateway_parts.length, 1);
      assert.equal(m.gateway_parts[0].status, 'delivered');
      const got = smsc.submits.filter((s) => s.text === 'Врач приедет к 15:00. Номер дела 42.');
      assert.equal(got.length, 1, 'exactly one submit at the SMSC');
      assert.equal(got[0].data_coding, 8, 'UCS-2 for Cyrillic');
      assert.equal(got[0].destination_addr.replace(/^\+/, ''), '79165551234');
    });

    it('splits a long SMS into parts with a UDH and delivers it when every part is', async () => {
      const text = 'Your case is open. '.repeat(12).trim(); // 227 GSM characters: two parts
      const r = await op.post('/api/v1/messages', { channel: 'sms', to: '+79165550001', text, urgent: true });
      assert.equal(r.status, 202, r.text);
      assert.equal(r.json.parts, 2);
      const m = await until(op, r.json.id, (x) => x.status === 'delivered');
      assert.equal(m.gateway_parts.length, 2);
      const parts = smsc.submits.filter((s) => s.destination_addr.endsWith('79165550001'));
      assert.equal(parts.length, 2);
      assert.ok(parts.every((s) => s.udh && s.udh.startsWith('050003') && s.udh.slice(8, 10) === '02'), JSON.stringify(parts.map((s) => s.udh)));
    });

    it('sends an email from a template in the recipient\'s language, logged on the case', async () => {
      const p = await demoPerson(op, 5);
      const c = (await op.post('/api/v1/cases', { person_id: p.id, type: 'medical', description: 'mail test' })).json;
      const r = await op.post('/api/v1/messages', { channel: 'email', to: 'client@example.test', template: 'case_opened', case_id: c.id, urgent: true });
      assert.equal(r.status, 202, r.text);
      assert.equal(r.json.language, p.language);
      assert.match(r.json.subject, new RegExp(String(c.id)));
      assert.ok(r.json.text.includes(p.first_name), 'the template took the person\'s name');
      await until(op, r.json.id, (x) => x.status === 'sent');
      await relay.waitFor(1);
      const mail = relay.messages.find((x) => x.subject === r.json.subject);
      assert.ok(mail, `the relay got it: ${JSON.stringify(relay.messages.map((x) => x.subject))}`);
      assert.ok(mail.text.includes(p.first_name));
      const contacts = (await op.get(`/api/v1/cases/${c.id}/contacts`)).json.items;
      assert.ok(contacts.some((k) => k.direction === 'out' && k.channel === 'email'), 'an outgoing contact on the case');
    });

    it('refuses bad messages naming the field', async () => {
      expectError(await op.post('/api/v1/messages', { channel: 'sms', to: 'not a phone', text: 'x' }), 400, 'invalid_phone', 'to');
      expectError(await op.post('/api/v1/messages', { channel: 'email', to: 'nobody', subject: 's', text: 'x' }), 400, 'invalid_email', 'to');
      expectError(await op.post('/api/v1/messages', { channel: 'pigeon', to: '+79161234567', text: 'x' }), 400, 'invalid_field', 'channel');
      expectError(await op.post('/api/v1/messages', { channel: 'sms', to: '+79161234567' }), 400, 'invalid_field', 'text');
      expectError(await op.post('/api/v1/messages', { channel: 'sms', to: '+79161234567', text: 'x', template: 'case_opened' }), 400, 'invalid_field');
      expectError(await op.post('/api/v1/messages', { channel: 'sms', to: '+79161234567', template: 'no_such' }), 400, 'unknown_template', 'template');
      expectError(await op.post('/api/v1/messages', { channel: 'sms', to: '+79161234567', template: 'case_opened' }), 400, 'missing_variable', 'vars');
      expectError(await op.post('/api/v1/messages', { channel: 'email', to: 'a@b.test', text: 'no subject' }), 400, 'invalid_field', 'subject');
      expectError(await op.post('/api/v1/messages', { channel: 'sms', to: '+79161234567', text: 'Ж'.repeat(700) }), 400, 'text_too_long', 'text');
      const fin = await signedIn(srv.base, 'finance');
      expectError(await fin.post('/api/v1/messages', { channel: 'sms', to: '+79161234567', text: 'x' }), 403);
    });

    it('answers the same idempotency key with the same message', async () => {
      const body = { channel: 'sms', to: '+79165550002', text: 'once only', urgent: true };
      const a = await op.post('/api/v1/messages', body, { headers: { 'idempotency-key': 'k-123' } });
      const b = await op.post('/api/v1/messages', body, { headers: { 'idempotency-key': 'k-123' } });
      assert.equal(a.status, 202);
      assert.equal(b.status, 202);
      assert.equal(a.json.id, b.json.id);
      await until(op, a.json.id, (x) => x.status === 'delivered');
      assert.equal(smsc.submits.filter((s) => s.text === 'once only').length, 1);
    });

    it('waits for the sending window of a marketing message, unless it is urgent', async () => {
      const p = await demoPerson(op, 7);
      const r = await op.post('/api/v1/messages', { channel: 'sms', to: '+79165550003', text: 'Offer', class: 'marketing', person_id: p.id });
      assert.equal(r.status, 202, r.text);
      const nb = new Date(r.json.not_before);
      // the window in the person's zone: weekdays 18:30-20:30, weekends 9-12 and 15-21
      const local = new Intl.DateTimeFormat('en-GB', { timeZone: p.time_zone, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(nb);
      const get = (t) => local.find((x) => x.type === t).value;
      const minutes = Number(get('hour')) * 60 + Number(get('minute'));
      const weekend = ['Sat', 'Sun'].includes(get('weekday'));
      const inside = weekend ? (minutes >= 540 && minutes < 720) || (minutes >= 900 && minutes < 1260) : minutes >= 1110 && minutes < 1230;
      assert.ok(inside, `not_before ${r.json.not_before} is inside the window in ${p.time_zone}`);
      assert.ok(nb.getTime() >= Date.now() - 60000);
      assert.ok(new Date(r.json.expires_at) > nb);
    });

    it('fails a message the SMSC refuses, with the reason', async () => {
      smsc.set({ reject: { '79165550004': ESME.RINVDSTADR } });
      const r = await op.post('/api/v1/messages', { channel: 'sms', to: '+79165550004', text: 'bad number', urgent: true });
      const m = await until(op, r.json.id, (x) => x.status === 'failed');
      assert.equal(m.reason, 'invalid_number');
    });

    it('reports a failed delivery from the receipt', async () => {
      smsc.set({ receiptStats: ['UNDELIV'], receiptErrs: [1] });
      const r = await op.post('/api/v1/messages', { channel: 'sms', to: '+79165550005', text: 'no luck', urgent: true });
      const m = await until(op, r.json.id, (x) => x.status === 'failed');
      assert.ok(m.reason, 'a reason is given');
      smsc.set({ receiptStats: ['DELIVRD'], receiptErrs: [0] });
    });

    it('records an inbound SMS on the sender\'s open case, and a survey answer as NPS', async () => {
      const p = await demoPerson(op, 9);
      const c = (await op.post('/api/v1/cases', { person_id: p.id, type: 'medical', description: 'inbound test' })).json;
      const st = await smsc.deliver({ from: p.phone.replace('+', ''), text: 'Когда приедет врач?', coding: 'ucs2' });
      assert.deepEqual(st, [0], 'the receipt of the inbound message is answered');
      let contacts = (await op.get(`/api/v1/cases/${c.id}/contacts`)).json.items;
      assert.ok(contacts.some((k) => k.direction === 'in' && k.channel === 'sms' && k.summary === 'Когда приедет врач?'), JSON.stringify(contacts));
      // the survey after closing, and the answer
      assert.equal((await op.patch(`/api/v1/cases/${c.id}`, { status: 'closed' })).status, 200);
      const s = await op.post('/api/v1/messages', { channel: 'sms', to: p.phone, template: 'case_closed', case_id: c.id, urgent: true });
      assert.equal(s.status, 202, s.text);
      await until(op, s.json.id, (x) => x.status === 'delivered');
      assert.deepEqual(await smsc.deliver({ from: p.phone.replace('+', ''), text: ' 9 ' }), [0]);
      const q = (await op.get(`/api/v1/cases/${c.id}`)).json.quality;
      assert.equal(q.length, 1);
      assert.equal(q[0].score, 9);
      assert.equal(q[0].source, 'sms');
      // a second reply is not a second answer: it is a contact on a new case
      await smsc.deliver({ from: p.phone.replace('+', ''), text: '10' });
      assert.equal((await op.get(`/api/v1/cases/${c.id}`)).json.quality.length, 1);
      const cases = (await op.get(`/api/v1/cases?person_id=${p.id}&status=active`)).json.items;
      assert.equal(cases.length, 1, 'a new case for an operator');
      assert.equal(cases[0].type, 'other');
      contacts = (await op.get(`/api/v1/cases/${cases[0].id}/contacts`)).json.items;
      assert.equal(contacts[0].summary, '10');
      const tasks = (await op.get(`/api/v1/tasks?case_id=${cases[0].id}`)).json.items;
      assert.equal(tasks.length, 1);
      assert.equal(tasks[0].department, 'assistance');
    });
  });

  describe(`outbox: a rate limit per connection (${backend})`, () => {
    it('sends no faster than --smpp-rate', async () => {
      const smsc = await startPeer({ systemId: 'assist', password: 's3cret' });
      const srv = await startServer({ backend, persons: 5, args: ['--smpp', smsc.url(), '--smpp-rate', '10'] });
      try {
        const op = await signedIn(srv.base, 'operator');
        const ids = [];
        for (let i = 0; i < 25; i += 1) {
          const r = await op.post('/api/v1/messages', { channel: 'sms', to: `+7917${String(i).padStart(7, '0')}`, text: `rate ${i}`, urgent: true });
          assert.equal(r.status, 202, r.text);
          ids.push(r.json.id);
        }
        const sent = [];
        for (const id of ids) sent.push(Date.parse((await until(op, id, (x) => x.status === 'delivered', 20000)).sent_at));
        // 25 messages at 10 a second take at least 2 s from the first to the last
        assert.ok(Math.max(...sent) - Math.min(...sent) >= 2000, `sent within ${Math.max(...sent) - Math.min(...sent)} ms`);
        assert.equal(smsc.submits.filter((x) => x.text.startsWith('rate ')).length, 25);
      } finally {
        await srv.stop();
        await smsc.stop();
      }
    });
  });

  describe(`outbox: a server killed mid-batch (${backend})`, () => {
    it('ends every message delivered once at the SMSC or marked failed', { timeout: 180000 }, async () => {
      const N = Number(process.env.ASSIST_KILL_BATCH || 10000);
      const smsc = await startPeer({ systemId: 'assist', password: 's3cret', receiptDelayMs: 1 });
      const first = await startServer({ backend, persons: 5, args: ['--smpp', smsc.url(), '--outbox-lease', '5'] });
      let srv = first;
      try {
        const op = await signedIn(srv.base, 'operator');
        const ids = new Array(N);
        let next = 0, killed = false;
        // eight clients post the batch; a third of the way in, the server is killed
        const post = async () => {
          while (next < N) {
            const i = next++;
            if (!killed && i >= Math.floor(N / 3)) {
              killed = true;
              while (smsc.submits.length < 50) await sleep(5);
              srv.proc.kill('SIGKILL');
              await new Promise((res) => srv.proc.once('exit', res));
              srv = await startServer({ backend, shareDb: first.dbUrl, args: ['--smpp', smsc.url(), '--outbox-lease', '5'] });
              Object.assign(op, await signedIn(srv.base, 'operator'));
            }
            for (;;) {
              // the key makes a retry of a request the killed server took return that message, not a second one
              const r = await op.post('/api/v1/messages', { channel: 'sms', to: `+7916${String(i).padStart(7, '0')}`, text: `batch ${i}`, urgent: true },
                { headers: { 'idempotency-key': `batch-${i}` } }).catch(() => null);
              if (r && r.status === 202) { ids[i] = r.json.id; break; }
              await sleep(100); // the server is being restarted: a client tries again
            }
          }
        };
        await Promise.all(Array.from({ length: 8 }, post));
        const end = Date.now() + 150000;
        let status;
        for (;;) {
          status = statusesOf(backend, first.dbUrl);
          const ended = ids.filter((id) => ['delivered', 'failed'].includes(status.get(id))).length;
          // an SMS in doubt is failed first, and delivered when the SMSC's
          // receipt for it comes (matched by number and text): wait for those
          const atSmsc = new Set(smsc.submits.map((x) => x.text));
          const confirmed = ids.every((id, i) => !atSmsc.has(`batch ${i}`) || status.get(id) === 'delivered');
          if ((ended === N && confirmed) || Date.now() > end) break;
          await sleep(500);
        }
        const counts = {};
        for (const x of status.values()) counts[x] = (counts[x] || 0) + 1;
        console.log(`# kill test (${backend}): ${N} messages: ${JSON.stringify(counts)}`);
        assert.equal((counts.delivered || 0) + (counts.failed || 0), N, `every message ends delivered or failed: ${JSON.stringify(counts)}`);
        const seen = new Map();
        for (const sub of smsc.submits) seen.set(sub.text, (seen.get(sub.text) || 0) + 1);
        assert.deepEqual([...seen].filter(([, n]) => n > 1), [], 'no message reached the SMSC twice');
        ids.forEach((id, i) => {
          if (status.get(id) === 'delivered') assert.equal(seen.get(`batch ${i}`), 1, `message ${id} is delivered and the SMSC has it once`);
          // what the SMSC took ends delivered, even when the server died
          // before recording the SMSC's answer: its receipt is matched by
          // number and text
          if (seen.get(`batch ${i}`)) assert.equal(status.get(id), 'delivered', `message ${id} reached the SMSC, whose receipt says delivered`);
        });
        assert.ok(counts.delivered >= N * 0.9, `nearly all delivered: ${JSON.stringify(counts)}`);
      } finally {
        if (srv !== first) await srv.stop().catch(() => {});
        await first.stop().catch(() => {});
        await smsc.stop();
      }
    });
  });
}
