// Changing a policy (PATCH makes a new version) and its history (who, when,
// field by field old → new), on SQLite and PostgreSQL.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { backends } from '../lib/server.mjs';
import { useServer, signedIn, expectError } from './helpers.mjs';

for (const backend of backends()) {
  describe(`policy changes and history (${backend})`, () => {
    const h = useServer({ backend });

    it('changes a policy into a new version and shows the diff in its history', async () => {
      const sup = await signedIn(h.srv.base, 'supervisor');
      const number = 'DEMO-26-0000002';
      let r = await sup.get(`/api/v1/policies/${number}`);
      assert.equal(r.status, 200, r.text);
      const v1 = r.json;

      r = await sup.patch(`/api/v1/policies/${number}`, { end_date: '2026-06-30', status: 'suspended', version: v1.version });
      assert.equal(r.status, 200, r.text);
      assert.equal(r.json.version, v1.version + 1);
      assert.equal(r.json.end_date, '2026-06-30');
      assert.equal(r.json.status, 'suspended');

      // the same body again changes nothing: no version, no history entry
      r = await sup.patch(`/api/v1/policies/${number}`, { end_date: '2026-06-30' });
      assert.equal(r.json.version, v1.version + 1);
      // a client that read the old version is refused
      expectError(await sup.patch(`/api/v1/policies/${number}`, { status: 'active', version: v1.version }), 409, 'version_conflict', 'version');

      const op = await signedIn(h.srv.base, 'operator');
      r = await op.get(`/api/v1/policies/${number}/history`);
      assert.equal(r.status, 200, r.text);
      const [last] = r.json.items;
      assert.equal(last.action, 'update');
      assert.equal(last.actor, 'supervisor');
      assert.equal(last.version, v1.version + 1);
      assert.ok(Date.parse(last.at) > 0);
      const byField = Object.fromEntries(last.changes.map((c) => [c.field, c]));
      assert.deepEqual(Object.keys(byField).sort(), ['end_date', 'status']);
      assert.deepEqual(byField.end_date, { field: 'end_date', old: v1.end_date, new: '2026-06-30' });
      assert.deepEqual(byField.status, { field: 'status', old: 'active', new: 'suspended' });
      assert.equal(r.json.total, r.json.items.length);
    });

    it('refuses bad changes naming the field, and operators may not change policies', async () => {
      const sup = await signedIn(h.srv.base, 'supervisor');
      const number = 'DEMO-26-0000003';
      expectError(await sup.patch(`/api/v1/policies/${number}`, { end_date: '2025-01-01' }), 400, 'invalid_field', 'end_date');
      expectError(await sup.patch(`/api/v1/policies/${number}`, { status: 'lapsed' }), 400, 'invalid_field', 'status');
      expectError(await sup.patch(`/api/v1/policies/${number}`, { packages: ['NO-SUCH'] }), 400, 'unknown_package', 'packages[0]');
      expectError(await sup.patch(`/api/v1/policies/${number}`, { previous: number }), 400, 'invalid_field', 'previous');
      expectError(await sup.patch(`/api/v1/policies/${number}`, { colour: 'red' }), 400, 'unknown_field', 'colour');
      expectError(await sup.patch('/api/v1/policies/NO-SUCH', { status: 'active' }), 404, 'not_found');
      const op = await signedIn(h.srv.base, 'operator');
      expectError(await op.patch(`/api/v1/policies/${number}`, { status: 'cancelled' }), 403, 'forbidden');
      const hist = await op.get(`/api/v1/policies/${number}/history`);
      assert.ok(hist.json.items.every((x) => x.action !== 'update'), 'refused changes leave no history');
    });

    it('shows the creation of a policy with every field', async () => {
      const sup = await signedIn(h.srv.base, 'supervisor');
      const prog = (await sup.get('/api/v1/programs')).json.items[0].code;
      let r = await sup.post('/api/v1/policies', {
        number: `HIST-${backend}`, program: prog, start_date: '2026-02-01', end_date: '2027-01-31',
        person: { last_name: 'Чжан', first_name: 'Вэй', birth_date: '1985-07-09', sex: 'M' },
      });
      assert.equal(r.status, 201, r.text);
      r = await sup.patch(`/api/v1/policies/HIST-${backend}`, { sum_insured: 123456789 });
      assert.equal(r.status, 200, r.text);
      r = await sup.get(`/api/v1/policies/HIST-${backend}/history`);
      assert.deepEqual(r.json.items.map((x) => x.action), ['update', 'create']);
      const created = r.json.items[1];
      const start = created.changes.find((c) => c.field === 'start_date');
      assert.deepEqual(start, { field: 'start_date', old: null, new: '2026-02-01' });
      assert.deepEqual(r.json.items[0].changes.map((c) => c.field), ['sum_insured']);
      assert.equal(r.json.items[0].changes[0].new, 123456789);
    });
  });
}
