// Delivery feedback (issue 5): messages sent through a real SMPP peer end in
// the messages report by reason, day and channel; costs in minor units from
// the unit prices; opt-outs per person and channel (a non-urgent message is
// refused, an urgent one goes); a case's messages; the contact-data report
// (a person without a phone, a stored phone that is not E.164, a number
// whose last SMS failed as invalid_number).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { backends, startServer } from '../lib/server.mjs';
import { signedIn, expectError } from './helpers.mjs';
import { startPeer, ESME } from '../peers/smpp-peer.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function sql(backend, dbUrl, q) {
  return (backend === 'pg' ? execFileSync('psql', [dbUrl, '-Atc', q]) : execFileSync('sqlite3', [dbUrl, q])).toString().trim();
}

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

async function demoPerson(c, n) {
  const pol = (await c.get(`/api/v1/policies/DEMO-26-${String(n).padStart(7, '0')}`)).json;
  return (await c.get(`/api/v1/persons/${pol.person_id}`)).json;
}

const today = () => new Date().toISOString().slice(0, 10);

for (const backend of backends()) {
  describe(`delivery feedback (${backend})`, () => {
    let smsc, srv, op, sup;
    before(async () => {
      smsc = await startPeer({ systemId: 'assist', password: 's3cret' });
      srv = await startServer({ backend, persons: 20, args: ['--smpp', smsc.url()] });
      op = await signedIn(srv.base, 'operator');
      sup = await signedIn(srv.base, 'supervisor');
      // only this file's messages are counted: the SMS that opening a case
      // sends by itself (the case_opened trigger) is switched off
      const admin = await signedIn(srv.base, 'admin');
      for (const t of (await admin.get('/api/v1/triggers')).json.items.filter((x) => x.event === 'case_opened')) {
        assert.equal((await admin.patch(`/api/v1/triggers/${t.id}`, { enabled: false })).status, 200);
      }
      const end = Date.now() + 10000;
      while (!smsc.isBound() && Date.now() < end) await sleep(50);
      assert.ok(smsc.isBound());
    });
    after(async () => { await srv?.stop(); await smsc?.stop(); });

    const send = async (to, text, extra = {}) => {
      const r = await op.post('/api/v1/messages', { channel: 'sms', to, text, urgent: true, ...extra });
      assert.equal(r.status, 202, r.text);
      return r.json;
    };

    it('counts messages by reason, day and channel, with the delivery rate and costs', async () => {
      const p = await demoPerson(op, 2);
      const c = (await op.post('/api/v1/cases', { person_id: p.id, type: 'medical', description: 'feedback' })).json;
      // delivered (a case's message), busy, expired, refused as invalid
      const a = await send('+79165550101', 'fine', { case_id: c.id });
      await until(op, a.id, (x) => x.status === 'delivered');
      smsc.set({ receiptStats: ['UNDELIV'], receiptErrs: [31] });
      const b = await send('+79165550102', 'busy one');
      assert.equal((await until(op, b.id, (x) => x.status === 'failed')).reason, 'busy');
      smsc.set({ receiptStats: ['EXPIRED'], receiptErrs: [0] });
      const d = await send('+79165550103', 'too late');
      assert.equal((await until(op, d.id, (x) => x.status === 'failed')).reason, 'expired');
      smsc.set({ receiptStats: ['DELIVRD'], receiptErrs: [0], reject: { '79165550104': ESME.RINVDSTADR } });
      const e = await send('+79165550104', 'nobody');
      assert.equal((await until(op, e.id, (x) => x.status === 'failed')).reason, 'invalid_number');
      const long = await send('+79165550105', 'Your case is open. '.repeat(12).trim());
      await until(op, long.id, (x) => x.status === 'delivered');

      const byReason = (await sup.get('/api/v1/reports/messages?by=reason')).json;
      const k = Object.fromEntries(byReason.groups.map((g) => [g.key, g.total]));
      assert.equal(k.delivered, 2, JSON.stringify(byReason.groups));
      assert.equal(k.busy, 1);
      assert.equal(k.expired, 1);
      assert.equal(k.invalid_number, 1);
      assert.equal(byReason.total.total, 5);
      assert.equal(byReason.total.delivery_rate, '40.0');
      assert.deepEqual(byReason.total.reasons, { busy: 1, expired: 1, invalid_number: 1 });

      const byDay = (await sup.get(`/api/v1/reports/messages?by=day&from=${today()}&to=${today()}`)).json;
      assert.equal(byDay.groups.length, 1);
      assert.equal(byDay.groups[0].key, today());
      assert.equal(byDay.groups[0].delivered, 2);
      assert.equal(byDay.groups[0].failed, 3);
      const byChannel = (await sup.get('/api/v1/reports/messages?by=channel')).json;
      assert.deepEqual(byChannel.groups.map((g) => [g.key, g.total]), [['sms', 5]]);
      const yesterday = new Date(Date.now() - 86400000).toISOString().slice(0, 10);
      assert.equal((await sup.get(`/api/v1/reports/messages?from=${yesterday}&to=${yesterday}`)).json.total.total, 0);
      expectError(await sup.get('/api/v1/reports/messages?by=week'), 400, 'invalid_field', 'by');
      expectError(await sup.get('/api/v1/reports/messages?from=2026-13-01'), 400, 'invalid_field', 'from');

      // costs: parts handed to the gateway × 250 kopecks (the refused one was handed too)
      const costs = (await sup.get('/api/v1/reports/costs')).json;
      const sms = costs.channels.find((x) => x.channel === 'sms');
      assert.equal(sms.parts, 6, JSON.stringify(costs));
      assert.equal(sms.per_part, 250);
      assert.equal(sms.currency, 'RUB');
      assert.equal(sms.cost, 1500);
      assert.ok(Number.isInteger(sms.cost));
      assert.deepEqual(costs.totals, [{ currency: 'RUB', cost: 1500 }]);
      assert.deepEqual(byReason.costs, { channels: costs.channels, totals: costs.totals });

      // the case's messages
      const cm = (await op.get(`/api/v1/cases/${c.id}/messages`)).json.items;
      assert.equal(cm.length, 1);
      assert.equal(cm[0].id, a.id);
      assert.equal(cm[0].status, 'delivered');
      assert.equal((await op.get('/api/v1/cases/999999/messages')).status, 404);
    });

    it('keeps opt-outs per person and channel: a non-urgent message is refused, an urgent one goes', async () => {
      const p = await demoPerson(op, 4);
      assert.deepEqual(p.opt_outs, []);
      let r = await op.put(`/api/v1/persons/${p.id}/opt-outs/sms`);
      assert.equal(r.status, 200, r.text);
      assert.deepEqual(r.json.opt_outs, ['sms']);
      assert.equal((await op.put(`/api/v1/persons/${p.id}/opt-outs/sms`)).status, 200, 'again: the same');
      assert.deepEqual((await op.get(`/api/v1/persons/${p.id}`)).json.opt_outs, ['sms']);
      expectError(await op.post('/api/v1/messages', { channel: 'sms', to: p.phone, text: 'offer', person_id: p.id }), 422, 'opted_out');
      const u = await op.post('/api/v1/messages', { channel: 'sms', to: p.phone, text: 'urgent', person_id: p.id, urgent: true });
      assert.equal(u.status, 202, u.text);
      expectError(await op.put(`/api/v1/persons/${p.id}/opt-outs/fax`), 400, 'invalid_field', 'channel');
      const fin = await signedIn(srv.base, 'finance');
      assert.equal((await fin.put(`/api/v1/persons/${p.id}/opt-outs/email`)).status, 403);
      r = await op.del(`/api/v1/persons/${p.id}/opt-outs/sms`);
      assert.equal(r.status, 200);
      assert.deepEqual(r.json.opt_outs, []);
      const admin = await signedIn(srv.base, 'admin');
      const audit = (await admin.get(`/api/v1/audit?entity=person&entity_id=${p.id}`)).json.items;
      assert.ok(audit.some((x) => x.action === 'opt_out') && audit.some((x) => x.action === 'opt_in'), JSON.stringify(audit.map((x) => x.action)));
    });

    it('lists persons with a missing or invalid phone, and numbers that failed as invalid', async () => {
      const none = await demoPerson(op, 6);
      const bad = await demoPerson(op, 8);
      const failed = await demoPerson(op, 10);
      sql(backend, srv.dbUrl, `UPDATE persons SET phone = NULL WHERE id = ${none.id}`);
      sql(backend, srv.dbUrl, `UPDATE persons SET phone = '12-34' WHERE id = ${bad.id}`);
      smsc.set({ reject: { [failed.phone.replace('+', '')]: ESME.RINVDSTADR } });
      const m = await send(failed.phone, 'to a dead number', { person_id: failed.id });
      await until(op, m.id, (x) => x.status === 'failed');
      const rep = (await sup.get('/api/v1/reports/contact-data')).json;
      const has = (kind, id) => rep.items.some((x) => x.kind === kind && x.person_id === id);
      assert.ok(has('missing_phone', none.id), JSON.stringify(rep));
      assert.ok(has('invalid_phone', bad.id));
      assert.ok(has('failed_invalid', failed.id));
      assert.equal(rep.totals.missing_phone, 1);
      assert.equal(rep.totals.invalid_phone, 1);
      assert.ok(rep.totals.failed_invalid >= 1);
      assert.equal(rep.total, rep.totals.missing_phone + rep.totals.invalid_phone + rep.totals.failed_invalid);
      const only = (await sup.get('/api/v1/reports/contact-data?kind=failed_invalid&limit=1')).json;
      assert.equal(only.items.length, 1);
      assert.equal(only.items[0].kind, 'failed_invalid');
      assert.equal(only.items[0].phone, failed.phone);
      // delivered later: no longer listed
      smsc.set({ reject: {} });
      const ok = await send(failed.phone, 'now it works', { person_id: failed.id });
      await until(op, ok.id, (x) => x.status === 'delivered');
      const after = (await sup.get('/api/v1/reports/contact-data?kind=failed_invalid')).json;
      assert.ok(!after.items.some((x) => x.person_id === failed.id));
      expectError(await sup.get('/api/v1/reports/contact-data?kind=other'), 400, 'invalid_field', 'kind');
      assert.equal((await op.get('/api/v1/reports/contact-data')).status, 403);
    });
  });
}
