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
      // the demo's policies come from one import of the command line
      assert.deepEqual(r.json.items.map((x) => x.action), ['update', 'create']);
      assert.equal(r.json.items[1].actor, 'cli');
      assert.ok(r.json.items[1].import_id > 0);
      assert.ok(r.json.items[1].changes.every((c) => c.new !== null), 'a creation lists the fields it set');
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

    it('shows an ended or future policy with the windows of its nearest day', async () => {
      const op = await signedIn(h.srv.base, 'operator');
      const pol = (await op.get('/api/v1/policies/DEMO-26-0000004')).json;
      for (const [date, edge] of [['2028-03-01', pol.end_date], ['2020-01-15', pol.start_date]]) {
        const cov = (await op.get(`/api/v1/policies/DEMO-26-0000004/coverage?date=${date}`)).json;
        assert.equal(cov.active, false);
        const dated = cov.limits.filter((l) => l.window);
        assert.ok(dated.length > 0);
        for (const l of dated) {
          assert.ok(l.window.first <= l.window.last, JSON.stringify(l));
          assert.ok(l.window.first <= edge && edge <= l.window.last, `${l.key} holds ${edge}: ${JSON.stringify(l.window)}`);
        }
      }
    });

    it('starts the history of an imported policy with its import, and audits the import once', async () => {
      const sup = await signedIn(h.srv.base, 'supervisor');
      const prog = (await sup.get('/api/v1/programs')).json.items[0].code;
      const head = 'policy_number,program,start_date,end_date,last_name,first_name,birth_date,sex\n';
      const csv = (end) => head + `IMP-${backend}-1,${prog},2026-01-01,${end},Ли,Мин,1970-01-02,F\n` +
        `IMP-${backend}-2,${prog},2026-01-01,2026-12-31,Ли,Хуа,1971-01-02,M\n`;
      const importsBefore = (await sup.get('/api/v1/imports')).json.total;
      const post = (body) => sup.request('POST', '/api/v1/imports/policies?file_name=list.csv', undefined,
        { raw: body, headers: { 'content-type': 'text/csv' } });
      let r = await post(csv('2026-12-31'));
      assert.equal(r.status, 200, r.text);
      assert.equal(r.json.created, 2);
      const importId = r.json.import_id;
      assert.ok(importId > 0);
      const audit = await sup.get(`/api/v1/audit?entity=import&id=${importId}`);
      assert.equal(audit.json.items.length, 1);
      const a = audit.json.items[0];
      assert.equal(a.action, 'import');
      assert.equal(a.actor.login, 'supervisor');
      assert.equal(a.after.file_name, 'list.csv');
      assert.equal(a.after.created, 2);
      assert.match(a.after.sha256, /^[0-9a-f]{64}$/);
      assert.equal((await sup.get('/api/v1/audit?entity=policy')).json.items.filter((x) => x.after && x.after.number === `IMP-${backend}-1`).length, 0,
        'no per-row entry for what the import created');

      let hist = (await sup.get(`/api/v1/policies/IMP-${backend}-1/history`)).json;
      assert.equal(hist.total, 1);
      assert.equal(hist.items[0].action, 'create');
      assert.equal(hist.items[0].actor, 'supervisor');
      assert.equal(hist.items[0].import_id, importId);
      assert.deepEqual(hist.items[0].changes.find((c) => c.field === 'end_date'), { field: 'end_date', old: null, new: '2026-12-31' });

      // a changed row: its own entry, and version 1 is still shown as created
      r = await post(csv('2026-09-30'));
      assert.equal(r.json.updated, 1);
      assert.equal(r.json.unchanged, 1);
      hist = (await sup.get(`/api/v1/policies/IMP-${backend}-1/history`)).json;
      assert.deepEqual(hist.items.map((x) => x.action), ['update', 'create']);
      assert.deepEqual(hist.items[0].changes.map((c) => [c.field, c.old, c.new]), [['end_date', '2026-12-31', '2026-09-30']]);
      assert.equal(hist.items[1].changes.find((c) => c.field === 'end_date').new, '2026-12-31');
      // paging reaches the import's entry last
      const page = (await sup.get(`/api/v1/policies/IMP-${backend}-1/history?limit=1&offset=1`)).json;
      assert.equal(page.total, 2);
      assert.deepEqual(page.items.map((x) => x.action), ['create']);
      // a dry run records nothing
      r = await sup.request('POST', '/api/v1/imports/policies?dry_run=true', undefined, { raw: csv('2026-08-31'), headers: { 'content-type': 'text/csv' } });
      assert.equal(r.json.import_id, null);
      assert.deepEqual([r.json.created, r.json.updated, r.json.unchanged, r.json.errors], [0, 1, 1, 0], 'a dry run counts what it would do');
      // a renewal of a policy an earlier row creates passes the dry run too; an unknown one does not
      const chain = 'policy_number,program,start_date,end_date,previous_policy,last_name,first_name,birth_date,sex\n' +
        `CH-${backend}-1,${prog},2025-01-01,2025-12-31,,Ким,Ира,1980-02-02,F\n` +
        `CH-${backend}-2,${prog},2026-01-01,2026-12-31,CH-${backend}-1,Ким,Ира,1980-02-02,F\n`;
      r = await sup.request('POST', '/api/v1/imports/policies?dry_run=true', undefined, { raw: chain, headers: { 'content-type': 'text/csv' } });
      assert.deepEqual([r.json.created, r.json.errors], [2, 0], r.text);
      r = await sup.request('POST', '/api/v1/imports/policies?dry_run=true', undefined, { raw: chain.replace(`,CH-${backend}-1,Ким`, ',CH-NOPE,Ким'), headers: { 'content-type': 'text/csv' } });
      assert.equal(r.json.errors, 1);
      assert.deepEqual([r.json.issues[0].row, r.json.issues[0].column, r.json.issues[0].code, r.json.issues[0].value],
        [3, 'previous_policy', 'no_previous', 'CH-NOPE'], 'the issue names its code and value for a translated message');
      assert.equal((await sup.get('/api/v1/audit?entity=import')).json.items.length, importsBefore + 2);
      const list = (await sup.get('/api/v1/imports?limit=1')).json;
      assert.equal(list.total, importsBefore + 2);
      assert.equal(list.items[0].file_name, 'list.csv');
      assert.equal(list.items[0].format, 'csv');
      assert.deepEqual([list.items[0].rows, list.items[0].created, list.items[0].updated, list.items[0].unchanged], [2, 0, 1, 1]);
      assert.equal(list.items[0].actor, 'supervisor');
      assert.ok(list.items[0].bytes > 100);
    });
  });
}
