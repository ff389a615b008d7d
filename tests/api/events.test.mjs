// Live events: GET /api/v1/events/stream (server-sent events). A change
// reaches the streams of its topics once committed, and only then; quiet
// streams get heartbeats; on PostgreSQL a change on one server reaches the
// streams of another (LISTEN/NOTIFY); a stopping server ends its streams.
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { backends, startServer } from '../lib/server.mjs';
import { useServer, signedIn, expectError } from './helpers.mjs';
import { startPeer } from '../peers/smpp-peer.mjs';
import { startSmtpPeer } from '../peers/smtp-peer.mjs';

/** Open a stream as client c; returns {next(type, ms), close()}. */
async function openStream(base, c, topics) {
  const ac = new AbortController();
  const res = await fetch(`${base}/api/v1/events/stream?topics=${encodeURIComponent(topics)}`, {
    headers: { cookie: c.cookieHeader(), accept: 'text/event-stream' }, signal: ac.signal,
  });
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type'), /^text\/event-stream/);
  const reader = res.body.getReader();
  const dec = new TextDecoder();
  let text = '';
  const blocks = [];
  let pump = (async () => {
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        text += dec.decode(value, { stream: true });
        let i;
        while ((i = text.indexOf('\n\n')) >= 0) {
          blocks.push(text.slice(0, i));
          text = text.slice(i + 2);
        }
      }
    } catch { /* aborted */ }
    blocks.push('<end>');
  })();
  return {
    blocks,
    /** The next block matching pred within ms, or null. */
    async next(pred, ms = 5000) {
      const t0 = Date.now();
      for (;;) {
        const k = blocks.findIndex(pred);
        if (k >= 0) return blocks.splice(0, k + 1).pop();
        if (Date.now() - t0 > ms) return null;
        await new Promise((r) => setTimeout(r, 25));
      }
    },
    async close() { ac.abort(); await pump; },
  };
}

const isEvent = (type) => (b) => b.startsWith(`event: ${type}\n`);
const dataOf = (b) => JSON.parse(b.split('\n').find((l) => l.startsWith('data: ')).slice(6));

for (const backend of backends()) {
  describe(`live events (${backend})`, () => {
    const h = useServer({ backend, args: ['--timeout', '2'] });

    it('delivers a committed change to the streams of its topics, and nothing for a refused one', async () => {
      const op = await signedIn(h.srv.base, 'operator');
      const sup = await signedIn(h.srv.base, 'supervisor');
      const number = 'DEMO-26-0000005';
      const mine = await openStream(h.srv.base, op, `policy:${number}`);
      const other = await openStream(h.srv.base, op, 'policy:DEMO-26-0000006,department:medical');
      assert.ok(await mine.next((b) => b.includes(': connected')), 'the stream opens at once');
      expectError(await sup.patch(`/api/v1/policies/${number}`, { status: 'lapsed' }), 400, 'invalid_field', 'status');
      const r = await sup.patch(`/api/v1/policies/${number}`, { status: 'suspended' });
      assert.equal(r.status, 200);
      const ev = await mine.next(isEvent('policy.updated'));
      assert.ok(ev, `no event: ${JSON.stringify(mine.blocks)}`);
      assert.deepEqual(dataOf(ev), { number, version: r.json.version }, 'the refused change announced nothing');
      assert.equal(await other.next(isEvent('policy.updated'), 700), null, 'another topic hears nothing');
      // a reservation changes the policy's remaining coverage
      const res = await sup.post('/api/v1/coverage/reservations', { policy_number: 'DEMO-26-0000006', date: '2026-03-03', lines: [{ service: 'GP', quantity: 1, unit_price: 1000 }] });
      assert.equal(res.status, 201, res.text);
      const cov = await other.next(isEvent('coverage.changed'));
      assert.deepEqual(dataOf(cov), { policy_number: 'DEMO-26-0000006', reservation_id: res.json.id, status: 'held' });
      await mine.close();
      await other.close();
    });

    it('keeps a quiet stream alive with heartbeats', async () => {
      const op = await signedIn(h.srv.base, 'operator');
      const s = await openStream(h.srv.base, op, 'case:1');
      assert.ok(await s.next((b) => b.includes(': heartbeat'), 4000), 'a heartbeat within the idle timeout');
      assert.ok(await s.next((b) => b.includes(': heartbeat'), 4000), 'and again: the stream outlives the 2 s timeout');
      await s.close();
    });

    it('refuses bad topics and callers who are not signed in', async () => {
      const op = await signedIn(h.srv.base, 'operator');
      expectError(await op.get('/api/v1/events/stream?topics=case:1,weather:today'), 400, 'invalid_field', 'topics');
      expectError(await op.get('/api/v1/events/stream?topics=case:'), 400, 'invalid_field', 'topics');
      const res = await fetch(`${h.srv.base}/api/v1/events/stream`);
      assert.equal(res.status, 401);
    });

    it('ends open streams when the server stops', async () => {
      // this stream stays open: after() stops the server and requires a clean exit
      const op = await signedIn(h.srv.base, 'operator');
      const s = await openStream(h.srv.base, op, 'case:2');
      assert.ok(await s.next((b) => b.includes(': connected')));
      h.lingering = s;
    });
    after(async () => { if (h.lingering) await h.lingering.close(); });

    it('cases:all hears every new and changed case, for the cases list', async () => {
      const op = await signedIn(h.srv.base, 'operator');
      const mgr = await signedIn(h.srv.base, 'case_manager');
      const s = await openStream(h.srv.base, op, 'cases:all');
      assert.ok(await s.next((b) => b.includes(': connected')));
      const pol = (await mgr.get('/api/v1/policies/DEMO-26-0000004')).json;
      const c = await mgr.post('/api/v1/cases', { person_id: pol.person_id, type: 'travel', description: 'seen by the list' });
      assert.equal(c.status, 201, c.text);
      const created = await s.next((b) => isEvent('case.created')(b) && dataOf(b).id === c.json.id);
      assert.ok(created, 'the new case reached cases:all');
      assert.equal((await mgr.patch(`/api/v1/cases/${c.json.id}`, { status: 'in_progress' })).status, 200);
      const updated = await s.next((b) => isEvent('case.updated')(b) && dataOf(b).id === c.json.id);
      assert.ok(updated, 'the change reached cases:all');
      assert.equal(dataOf(updated).status, 'in_progress');
      expectError(await op.get('/api/v1/events/stream?topics=cases:'), 400, 'invalid_field', 'topics');
      await s.close();
    });

    if (backend === 'pg') {
      it('carries a change on one server to the streams of another (LISTEN/NOTIFY)', async () => {
        const second = await startServer({ backend, shareDb: h.srv.dbUrl });
        try {
          const op = await signedIn(second.base, 'operator');
          const s = await openStream(second.base, op, 'policy:DEMO-26-0000007');
          assert.ok(await s.next((b) => b.includes(': connected')));
          const sup = await signedIn(h.srv.base, 'supervisor');
          const r = await sup.patch('/api/v1/policies/DEMO-26-0000007', { end_date: '2026-10-31' });
          assert.equal(r.status, 200);
          const ev = await s.next(isEvent('policy.updated'));
          assert.ok(ev, 'the other server heard it');
          assert.equal(dataOf(ev).number, 'DEMO-26-0000007');
          await s.close();
        } finally {
          const st = await second.stop();
          assert.equal(st.code, 0);
        }
      });
    }
  });
}

for (const backend of backends()) {
  describe(`message.status events (${backend})`, () => {
    let smsc, relay, srv;
    after(async () => { await srv?.stop(); await smsc?.stop(); await relay?.stop(); });

    it('a case\'s SMS and email announce each state on the case\'s topic: sending, sent, delivered', async () => {
      smsc = await startPeer({ systemId: 'assist', password: 's3cret' });
      relay = await startSmtpPeer();
      srv = await startServer({ backend, persons: 5, args: ['--smpp', smsc.url(), '--smtp', `smtp://127.0.0.1:${relay.port}`, '--mail-from', 'assist@example.com'] });
      const op = await signedIn(srv.base, 'operator');
      const pol = (await op.get('/api/v1/policies/DEMO-26-0000002')).json;
      const kase = (await op.post('/api/v1/cases', { person_id: pol.person_id, type: 'medical', description: 'events of messages' })).json;
      const s = await openStream(srv.base, op, `case:${kase.id}`);
      assert.ok(await s.next((b) => b.includes(': connected')));
      const states = async (id, want) => {
        const seen = [];
        while (seen.at(-1) !== want.at(-1)) {
          const ev = await s.next((b) => isEvent('message.status')(b) && dataOf(b).id === id, 15000);
          assert.ok(ev, `message ${id}: got ${JSON.stringify(seen)}, wanted ${JSON.stringify(want)}`);
          assert.equal(dataOf(ev).case_id, kase.id);
          seen.push(dataOf(ev).status);
        }
        assert.deepEqual(seen, want);
      };
      const sms = (await op.post('/api/v1/messages', { channel: 'sms', to: '+79161112233', text: 'sms of a case', case_id: kase.id, urgent: true })).json;
      await states(sms.id, ['sending', 'sent', 'delivered']);
      const mail = (await op.post('/api/v1/messages', { channel: 'email', to: 'insured@example.com', subject: 'Case', text: 'email of a case', case_id: kase.id, urgent: true })).json;
      await states(mail.id, ['sending', 'sent']);
      assert.ok(relay.messages.some((m) => m.text?.includes('email of a case')), 'the relay has the email');
      await s.close();
    });
  });
}
