// The coverage ledger: reservations hold what they cover, commit keeps it,
// release gives it back, and concurrent reservations never overdraw a
// limit, on SQLite and PostgreSQL.
import { describe, it, before } from 'node:test';
import { execFileSync } from 'node:child_process';
import assert from 'node:assert/strict';
import { backends } from '../lib/server.mjs';
import { useServer, signedIn, expectError } from './helpers.mjs';

const PROGRAM = {
  insurer: { code: 'LEDGER-INS', name: 'Ledger Insurance' },
  contract: { number: 'LEDGER-2026', currency: 'RUB', starts: '2026-01-01', ends: '2026-12-31' },
  code: 'LEDGER', name: { en: 'Ledger test', ru: 'Проверка учёта', zh: '账本测试' }, sum_insured: 100000000,
  services: [
    { code: 'GP', category: 'consult', name: { en: 'GP visit' } },
    { code: 'LAB', category: 'lab', name: { en: 'Laboratory test' } },
    { code: 'WARD', category: 'inpatient', name: { en: 'Hospital day' } },
  ],
  packages: [{ code: 'ALL', categories: ['consult', 'lab', 'inpatient'] }],
  limits: [
    { scope: { service: 'GP' }, measure: 'count', period: 'month', value: 5 },
    { scope: { service: 'LAB' }, measure: 'amount', period: 'term', value: 100000 },
    { scope: { service: 'WARD' }, measure: 'days', period: 'calendar_year', value: 3 },
  ],
  deductibles: [{ scope: { service: 'LAB' }, kind: 'per_visit', value: 5000 }],
};

let seq = 0;
/** A fresh policy of the test program for one scenario. */
async function newPolicy(sup, tag) {
  const number = `LEDGER-${tag}-${++seq}`;
  const r = await sup.post('/api/v1/policies', {
    number, program: 'LEDGER', start_date: '2026-01-01', end_date: '2026-12-31',
    person: { last_name: 'Петров', first_name: `Пётр${seq}`, birth_date: '1980-05-05', sex: 'M' },
  });
  assert.equal(r.status, 201, r.text);
  return number;
}

const limitOf = (cov, key) => cov.limits.find((l) => l.key === key);

for (const backend of backends()) {
  describe(`coverage ledger (${backend})`, () => {
    const h = useServer({ backend });
    let sup, op;
    before(async () => {
      const admin = await signedIn(h.srv.base, 'admin');
      const r = await admin.post('/api/v1/programs', PROGRAM);
      assert.equal(r.status, 201, r.text);
      sup = await signedIn(h.srv.base, 'supervisor');
      op = await signedIn(h.srv.base, 'operator');
    });

    it('holds, commits and releases; later requests see what is held', async () => {
      const number = await newPolicy(sup, backend);
      const body = { policy_number: number, date: '2026-03-10', lines: [{ service: 'GP', quantity: 3, unit_price: 200000 }] };
      let r = await op.post('/api/v1/coverage/reservations', body);
      assert.equal(r.status, 201, r.text);
      const first = r.json;
      assert.equal(first.status, 'held');
      assert.equal(first.policy_number, number);
      assert.equal(first.lines[0].covered_quantity, 3);
      assert.equal(first.totals.covered_amount, 600000);
      assert.ok(Date.parse(first.expires_at) - Date.parse(first.created_at) >= 29 * 86400e3);

      // the what-if and the picture now see the hold
      r = await op.post('/api/v1/coverage/evaluate', body);
      assert.equal(r.json.lines[0].covered_quantity, 2);
      assert.deepEqual(r.json.lines[0].reasons.map((x) => x.code), ['limit_exhausted']);
      let cov = (await op.get(`/api/v1/policies/${number}/coverage?date=2026-03-15`)).json;
      assert.equal(limitOf(cov, 'service:GP|count|month').used, 3);
      assert.equal(cov.sum_insured.used, 600000);
      // another month is another window
      assert.equal(limitOf((await op.get(`/api/v1/policies/${number}/coverage?date=2026-04-15`)).json, 'service:GP|count|month').used, 0);

      r = await op.post('/api/v1/coverage/reservations', body);
      assert.equal(r.status, 201);
      const second = r.json;
      assert.equal(second.lines[0].covered_quantity, 2, 'only what remains');
      assert.equal(second.lines[0].limits.find((l) => l.key === 'service:GP|count|month').remaining_after, 0);

      // commit: stays; releasing the first gives its 3 back
      r = await op.post(`/api/v1/coverage/reservations/${second.id}/commit`);
      assert.equal(r.status, 200, r.text);
      assert.equal(r.json.status, 'committed');
      assert.equal((await op.post(`/api/v1/coverage/reservations/${second.id}/commit`)).json.status, 'committed', 'commit twice changes nothing');
      r = await op.post(`/api/v1/coverage/reservations/${first.id}/release`);
      assert.equal(r.json.status, 'released');
      cov = (await op.get(`/api/v1/policies/${number}/coverage?date=2026-03-15`)).json;
      assert.equal(limitOf(cov, 'service:GP|count|month').used, 2);
      assert.equal(cov.sum_insured.used, 400000);
      expectError(await op.post(`/api/v1/coverage/reservations/${first.id}/commit`), 409, 'invalid_state', 'status');
      assert.equal((await op.post(`/api/v1/coverage/reservations/${first.id}/release`)).json.status, 'released');
      // a committed reservation can be reversed
      r = await sup.post(`/api/v1/coverage/reservations/${second.id}/release`);
      assert.equal(r.json.status, 'released');
      cov = (await op.get(`/api/v1/policies/${number}/coverage?date=2026-03-15`)).json;
      assert.equal(limitOf(cov, 'service:GP|count|month').used, 0);
      assert.equal(cov.sum_insured.used, 0);

      const got = await (await signedIn(h.srv.base, 'finance')).get(`/api/v1/coverage/reservations/${second.id}`);
      assert.equal(got.status, 200);
      assert.equal(got.json.lines[0].covered_quantity, 2);
      const audit = await sup.get(`/api/v1/audit?entity=coverage_reservation&id=${second.id}`);
      assert.deepEqual(audit.json.items.map((a) => a.action), ['release', 'commit', 'create']);
    });

    it('answers a retry with the same reference with the same reservation', async () => {
      const number = await newPolicy(sup, backend);
      const body = { policy_number: number, date: '2026-05-05', reference: `order-${backend}-1`, lines: [{ service: 'GP', quantity: 1, unit_price: 150000 }] };
      const a = await op.post('/api/v1/coverage/reservations', body);
      assert.equal(a.status, 201, a.text);
      const b = await op.post('/api/v1/coverage/reservations', body);
      assert.equal(b.status, 200);
      assert.equal(b.json.id, a.json.id);
      const cov = (await op.get(`/api/v1/policies/${number}/coverage?date=2026-05-05`)).json;
      assert.equal(limitOf(cov, 'service:GP|count|month').used, 1, 'held once');
      expectError(await op.post('/api/v1/coverage/reservations', { ...body, lines: [{ service: 'GP', quantity: 2, unit_price: 1 }] }), 409, 'reference_conflict', 'reference');
    });

    it('counts a day once however many reservations use it, until the last is released', async () => {
      const number = await newPolicy(sup, backend);
      const day = (d) => ({ policy_number: number, date: d, lines: [{ service: 'WARD', quantity: 1, unit_price: 500000 }] });
      const a = (await op.post('/api/v1/coverage/reservations', day('2026-07-01'))).json;
      const b = (await op.post('/api/v1/coverage/reservations', day('2026-07-01'))).json;
      assert.equal(b.lines[0].covered_quantity, 1, 'a day already counted is free');
      const key = 'service:WARD|days|calendar_year';
      const used = async () => limitOf((await op.get(`/api/v1/policies/${number}/coverage?date=2026-07-01`)).json, key).used;
      assert.equal(await used(), 1);
      await op.post(`/api/v1/coverage/reservations/${a.id}/release`);
      assert.equal(await used(), 1, 'b still holds the day');
      await op.post(`/api/v1/coverage/reservations/${b.id}/release`);
      assert.equal(await used(), 0);
      for (const d of ['2026-07-02', '2026-07-03', '2026-07-04']) await op.post('/api/v1/coverage/reservations', day(d));
      const c = (await op.post('/api/v1/coverage/reservations', day('2026-07-05'))).json;
      assert.equal(c.lines[0].covered_quantity, 0);
      assert.equal(await used(), 3);
    });

    it('remembers a visit deductible across reservations', async () => {
      const number = await newPolicy(sup, backend);
      const lab = { policy_number: number, date: '2026-09-01', provider: 'CLINIC-1', lines: [{ service: 'LAB', quantity: 1, unit_price: 3000 }] };
      const a = (await op.post('/api/v1/coverage/reservations', lab)).json;
      assert.equal(a.lines[0].deductible, 3000);
      const b = (await op.post('/api/v1/coverage/reservations', lab)).json;
      assert.equal(b.lines[0].deductible, 2000, 'the rest of the visit deductible');
      assert.equal(b.lines[0].covered_amount, 1000);
      const c = (await op.post('/api/v1/coverage/reservations', { ...lab, provider: 'CLINIC-2' })).json;
      assert.equal(c.lines[0].deductible, 3000, 'another provider is another visit');
      await op.post(`/api/v1/coverage/reservations/${a.id}/release`);
      const w = (await op.post('/api/v1/coverage/evaluate', lab)).json;
      assert.equal(w.lines[0].deductible, 3000, 'released: the visit has 3000 of 5000 left');
    });

    it('never overdraws under concurrent reservations', async () => {
      const number = await newPolicy(sup, backend);
      const clients = await Promise.all(Array.from({ length: 4 }, () => signedIn(h.srv.base, 'operator')));
      // 24 requests for one GP visit each, count limit 5 a month
      const gp = await Promise.all(Array.from({ length: 24 }, (_, i) => clients[i % 4].post('/api/v1/coverage/reservations',
        { policy_number: number, date: '2026-10-10', lines: [{ service: 'GP', quantity: 1, unit_price: 100000 }] })));
      assert.ok(gp.every((r) => r.status === 201), gp.map((r) => r.status).join(','));
      assert.equal(gp.reduce((s, r) => s + r.json.lines[0].covered_quantity, 0), 5);
      // 16 lab tests of 30000 against an amount limit of 100000 (no provider: no deductible)
      const lab = await Promise.all(Array.from({ length: 16 }, (_, i) => clients[i % 4].post('/api/v1/coverage/reservations',
        { policy_number: number, date: '2026-10-11', lines: [{ service: 'LAB', quantity: 1, unit_price: 30000 }] })));
      assert.ok(lab.every((r) => r.status === 201), lab.map((r) => r.text).join('\n'));
      assert.equal(lab.reduce((s, r) => s + r.json.totals.covered_amount, 0), 100000);
      const cov = (await op.get(`/api/v1/policies/${number}/coverage?date=2026-10-11`)).json;
      assert.equal(limitOf(cov, 'service:GP|count|month').used, 5);
      assert.equal(limitOf(cov, 'service:LAB|amount|term').used, 100000);
      assert.equal(cov.sum_insured.used, 600000);
    });

    it('refuses bad requests and finance may not reserve', async () => {
      const number = await newPolicy(sup, backend);
      expectError(await op.post('/api/v1/coverage/reservations', { policy_number: number, date: '2026-03-01', hold_days: 0, lines: [{ service: 'GP', quantity: 1, unit_price: 1 }] }), 400, 'invalid_field', 'hold_days');
      expectError(await op.post('/api/v1/coverage/reservations', { policy_number: number, date: '2026-03-01', lines: [{ service: 'GP', quantity: 0, unit_price: 1 }] }), 400, 'invalid_field', 'lines[0].quantity');
      const person = (await op.get(`/api/v1/policies/${number}`)).json.person_id;
      expectError(await op.post('/api/v1/coverage/reservations', { person_id: person, date: '2027-03-01', lines: [{ service: 'GP', quantity: 1, unit_price: 1 }] }), 422, 'no_active_policy', 'date');
      const fin = await signedIn(h.srv.base, 'finance');
      expectError(await fin.post('/api/v1/coverage/reservations', { policy_number: number, date: '2026-03-01', lines: [{ service: 'GP', quantity: 1, unit_price: 1 }] }), 403, 'forbidden');
    });
  });
}

// Overdue holds are given back by the server's housekeeping, without anyone
// reserving on the policy again.
for (const backend of backends()) {
  describe(`coverage ledger housekeeping (${backend})`, () => {
    const h = useServer({ backend, args: ['--housekeeping-interval', '1'] });

    it('gives back a hold whose time is up, audited as expire by the system', async () => {
      const admin = await signedIn(h.srv.base, 'admin');
      assert.equal((await admin.post('/api/v1/programs', PROGRAM)).status, 201);
      const sup = await signedIn(h.srv.base, 'supervisor');
      const number = await newPolicy(sup, `hk-${backend}`);
      const r = await sup.post('/api/v1/coverage/reservations', {
        policy_number: number, date: '2026-02-02', hold_days: 1, lines: [{ service: 'GP', quantity: 2, unit_price: 1000 }],
      });
      assert.equal(r.status, 201, r.text);
      const key = 'service:GP|count|month';
      const used = async () => limitOf((await sup.get(`/api/v1/policies/${number}/coverage?date=2026-02-02`)).json, key).used;
      assert.equal(await used(), 2);
      // an hour ago, as if a day had passed
      const past = (Date.now() - 3600e3) * 1000;
      const sql = `UPDATE coverage_reservations SET expires_at = ${past} WHERE id = ${r.json.id}`;
      if (backend === 'pg') execFileSync('psql', [h.srv.dbUrl, '-qc', sql]);
      else execFileSync('sqlite3', [h.srv.dbUrl, sql]);
      let status = 'held';
      for (let i = 0; i < 50 && status === 'held'; i++) {
        await new Promise((res) => setTimeout(res, 100));
        status = (await sup.get(`/api/v1/coverage/reservations/${r.json.id}`)).json.status;
      }
      assert.equal(status, 'released');
      assert.equal(await used(), 0);
      const audit = await sup.get(`/api/v1/audit?entity=coverage_reservation&id=${r.json.id}`);
      assert.deepEqual(audit.json.items.map((a) => [a.action, a.actor.login]), [['expire', 'system'], ['create', 'supervisor']]);
      expectError(await sup.post(`/api/v1/coverage/reservations/${r.json.id}/commit`), 409, 'invalid_state', 'status');
    });
  });
}
