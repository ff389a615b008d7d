// Capability A through the API: programs, policies, the active-policy rule,
// coverage what-ifs, the coverage picture, and CSV policy imports, on SQLite
// and PostgreSQL.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { backends, ROOT, run } from '../lib/server.mjs';
import { useServer, signedIn, expectError } from './helpers.mjs';

const nord = () => JSON.parse(readFileSync(path.join(ROOT, 'src/cli/demo/nord-dms-std.json'), 'utf8'));

function policyBody(number, extra = {}) {
  return {
    number, program: 'TEST-DMS', start_date: '2026-01-01', end_date: '2026-12-31',
    person: { last_name: 'Иванова', first_name: 'Анна', middle_name: 'Сергеевна', birth_date: '1990-03-01', sex: 'F', phone: '8 (916) 123-45-67' },
    ...extra,
  };
}

async function rawPost(client, p, body, query = '') {
  return client.request('POST', p + query, undefined, { raw: body, headers: { 'content-type': 'text/csv' } });
}

for (const backend of backends()) {
  describe(`programs, policies and coverage (${backend})`, () => {
    const h = useServer({ backend });

    it('creates a program, refuses a duplicate, versions a change, and names bad fields', async () => {
      const admin = await signedIn(h.srv.base, 'admin');
      const p = nord();
      p.code = 'TEST-DMS';
      let r = await admin.post('/api/v1/programs', p);
      assert.equal(r.status, 201, r.text);
      assert.equal(r.json.version, 1);
      assert.equal(r.json.limits.length, p.limits.length);
      expectError(await admin.post('/api/v1/programs', p), 409, 'program_exists', 'code');
      r = await admin.put('/api/v1/programs/TEST-DMS', p);
      assert.equal(r.status, 200);
      assert.equal(r.json.version, 1, 'the same definition changes nothing');
      p.limits[1].value = 3;
      r = await admin.put('/api/v1/programs/TEST-DMS', p);
      assert.equal(r.json.version, 2);
      const audit = await admin.get(`/api/v1/audit?entity=program`);
      assert.ok(audit.json.items.some((a) => a.action === 'update' && a.before.limits[1].value === 2 && a.after.limits[1].value === 3));
      const bad = nord();
      bad.code = 'BAD';
      bad.limits[0].scope = { service: 'NOPE' };
      expectError(await admin.post('/api/v1/programs', bad), 400, 'unknown_reference', 'limits[0].scope');
      bad.limits[0] = { ...p.limits[0], colour: 'red' };
      expectError(await admin.post('/api/v1/programs', bad), 400, 'unknown_field', 'limits[0].colour');
      const op = await signedIn(h.srv.base, 'operator');
      expectError(await op.post('/api/v1/programs', p), 403, 'forbidden');
      assert.equal((await op.get('/api/v1/programs/TEST-DMS')).status, 200);
      const list = await op.get('/api/v1/programs');
      assert.ok(list.json.items.some((x) => x.code === 'TEST-DMS' && x.version === 2 &&
        x.contract_starts === p.contract.starts && x.contract_ends === p.contract.ends));
    });

    it('registers a policy, normalises the phone, checks packages, finds the person again', async () => {
      const admin = await signedIn(h.srv.base, 'admin');
      let r = await admin.post('/api/v1/policies', policyBody('T-1'));
      assert.equal(r.status, 201, r.text);
      assert.equal(r.json.person.phone, '+79161234567');
      assert.equal(r.json.packages, null);
      assert.equal(r.json.currency, 'RUB');
      const personId = r.json.person.id;
      expectError(await admin.post('/api/v1/policies', policyBody('T-1')), 409, 'policy_exists', 'number');
      expectError(await admin.post('/api/v1/policies', policyBody('T-2', { packages: ['OUT', 'SPA'] })), 400, 'unknown_package', 'packages[1]');
      expectError(await admin.post('/api/v1/policies', policyBody('T-2', { program: 'NOPE' })), 400, 'unknown_program', 'program');
      const b = policyBody('T-2');
      b.person.phone = '12';
      expectError(await admin.post('/api/v1/policies', b), 400, 'invalid_phone', 'person.phone');
      // a renewal for the same person, overlapping: the later start wins
      r = await admin.post('/api/v1/policies', policyBody('T-2', { start_date: '2026-06-01', end_date: '2027-05-31', previous: 'T-1', packages: ['DENT'] }));
      assert.equal(r.status, 201, r.text);
      assert.equal(r.json.person.id, personId, 'the same person is found again');
      assert.equal(r.json.previous, 'T-1');
      const op = await signedIn(h.srv.base, 'operator');
      let a = await op.get(`/api/v1/persons/${personId}/active-policy?date=2026-05-31`);
      assert.equal(a.json.number, 'T-1');
      a = await op.get(`/api/v1/persons/${personId}/active-policy?date=2026-06-01`);
      assert.equal(a.json.number, 'T-2');
      expectError(await op.get(`/api/v1/persons/${personId}/active-policy?date=2028-01-01`), 404, 'no_active_policy');
      expectError(await op.get(`/api/v1/persons/${personId}/active-policy?date=2026-02-30`), 400, 'invalid_field', 'date');
      const person = await op.get(`/api/v1/persons/${personId}`);
      assert.deepEqual(person.json.policies.map((x) => x.number), ['T-2', 'T-1']);
    });

    it('evaluates lines to the last minor unit and explains every reduction', async () => {
      const op = await signedIn(h.srv.base, 'operator');
      const r = await op.post('/api/v1/coverage/evaluate', {
        policy_number: 'T-1', date: '2026-03-10', diagnosis: 'J06.9', provider: 'MSK-CLIN-01',
        lines: [
          { service: 'SPEC', quantity: 1, unit_price: 300000 },
          { service: 'DENT-FILL', quantity: 2, unit_price: 450000 },
          { service: 'MRI', quantity: 4, unit_price: 900000 },
          { service: 'DENT-IMPLANT', quantity: 1, unit_price: 5000000 },
          { service: 'DENT-CLEAN', quantity: 1, unit_price: 100000, date: '2026-01-15' },
          { service: 'PREG-CARE', quantity: 1, unit_price: 100000 },
          { service: 'GP', quantity: 1, unit_price: 100000, date: '2027-01-01' },
        ],
      });
      assert.equal(r.status, 200, r.text);
      const [spec, fill, mri, implant, clean, preg, late] = r.json.lines;
      assert.deepEqual([spec.covered_amount, spec.insured_pays, spec.deductible], [250000, 50000, 50000]);
      assert.deepEqual(spec.reasons.map((x) => x.code), ['deductible']);
      assert.deepEqual([fill.covered_amount, fill.deductible], [720000, 180000]); // 20 % of 900000
      assert.equal(mri.covered_quantity, 3); // the program now allows 3 per policy year
      assert.ok(mri.reasons.some((x) => x.code === 'limit_exhausted'));
      const mriLimit = mri.limits.find((l) => l.key === 'service:MRI|count|policy_year');
      assert.deepEqual([mriLimit.remaining_before, mriLimit.remaining_after], [3, 0]);
      assert.equal(implant.covered_amount, 0);
      assert.deepEqual(implant.reasons.map((x) => x.code), ['excluded']);
      assert.equal(implant.reasons[0].text, 'Имплантация не входит в стоматологический пакет'); // operator reads Russian
      assert.deepEqual(clean.reasons.map((x) => x.code), ['waiting_period']);
      assert.equal(preg.covered_amount, 100000); // a woman of 36
      assert.deepEqual(late.reasons.map((x) => x.code), ['no_active_policy']);
      const t = r.json.totals;
      assert.equal(t.amount, t.covered_amount + t.insured_pays);
      // a what-if stores nothing
      const again = await op.get('/api/v1/policies/T-1/coverage?date=2026-03-10');
      const m = again.json.limits.find((l) => l.key === 'service:MRI|count|policy_year');
      assert.deepEqual([m.used, m.remaining, m.window.first, m.window.last], [0, 3, '2026-01-01', '2026-12-31']);
      assert.equal(again.json.sum_insured.remaining, 150000000);
      // by person: the active policy on the date
      const byPerson = await op.post('/api/v1/coverage/evaluate', { person_id: (await op.get('/api/v1/policies/T-1')).json.person_id, date: '2026-07-01', lines: [{ service: 'GP', quantity: 1, unit_price: 1 }] });
      assert.equal(byPerson.json.policy_number, 'T-2');
      assert.deepEqual(byPerson.json.lines[0].reasons.map((x) => x.code), ['not_in_program']); // T-2 holds DENT only
      expectError(await op.post('/api/v1/coverage/evaluate', { date: '2026-03-10', lines: [] }), 400, 'missing_field', 'policy_number');
      expectError(await op.post('/api/v1/coverage/evaluate', { policy_number: 'T-1', date: '2026-03-10', lines: [{ service: 'GP', quantity: 0, unit_price: 1 }] }), 400, 'invalid_field', 'lines[0].quantity');
    });

    it('imports a CSV policy list: dry run, all or nothing, unchanged on re-import, versions on change', async () => {
      const sup = await signedIn(h.srv.base, 'supervisor');
      const tpl = await sup.get('/api/v1/imports/policies/template.csv');
      assert.equal(tpl.status, 200);
      assert.match(tpl.text, /^policy_number,program,packages,start_date/);
      const csv = 'policy_number;program;packages;start_date;end_date;last_name;first_name;birth_date;sex;phone\n' +
        'IMP-1;TEST-DMS;OUT DENT;01.01.2026;31.12.2026;Петров;Иван;12.05.1980;М;8 916 000-11-22\n' +
        'IMP-2;TEST-DMS;;2026-01-01;2026-12-31;张;伟;1985-07-12;男;+86 138 0013 8000\n';
      let r = await rawPost(sup, '/api/v1/imports/policies', csv, '?dry_run=true');
      assert.equal(r.status, 200, r.text);
      assert.deepEqual([r.json.rows, r.json.errors, r.json.created, r.json.applied], [2, 0, 2, false]);
      expectError(await sup.get('/api/v1/policies/IMP-1'), 404);
      r = await rawPost(sup, '/api/v1/imports/policies', csv);
      assert.deepEqual([r.json.created, r.json.updated, r.json.unchanged, r.json.applied], [2, 0, 0, true]);
      r = await rawPost(sup, '/api/v1/imports/policies', csv);
      assert.deepEqual([r.json.created, r.json.updated, r.json.unchanged], [0, 0, 2]);
      r = await rawPost(sup, '/api/v1/imports/policies', csv.replace('IMP-2;TEST-DMS;;', 'IMP-2;TEST-DMS;OUT;'));
      assert.deepEqual([r.json.created, r.json.updated, r.json.unchanged], [0, 1, 1]);
      const p2 = await sup.get('/api/v1/policies/IMP-2');
      assert.equal(p2.json.version, 2);
      assert.deepEqual(p2.json.packages, ['OUT']);
      assert.equal(p2.json.person.phone, '+8613800138000');
      // a file with bad rows writes nothing, and says where
      const bad = csv + 'IMP-3;TEST-DMS;;2026-01-01;2026-12-31;Good;Row;1990-01-01;F;\n' +
        'IMP-4;NOPE;;2026-13-01;2026-12-31;A;B;1990-01-01;X;\n';
      r = await rawPost(sup, '/api/v1/imports/policies', bad);
      assert.equal(r.status, 422, r.text);
      assert.equal(r.json.applied, false);
      assert.ok(r.json.issues.some((i) => i.row === 5 && i.column === 'start_date'));
      assert.ok(r.json.issues.some((i) => i.row === 5 && i.column === 'sex'));
      expectError(await sup.get('/api/v1/policies/IMP-3'), 404);
      r = await rawPost(sup, '/api/v1/imports/policies', 'policy_number,colour\nX,red\n');
      assert.equal(r.status, 422);
      assert.ok(r.json.issues.some((i) => i.row === 1 && /colour/.test(i.message)));
      assert.ok(r.json.issues.some((i) => i.column === 'program' && /missing/.test(i.message)));
      const op = await signedIn(h.srv.base, 'operator');
      expectError(await rawPost(op, '/api/v1/imports/policies', csv), 403, 'forbidden');
    });

    it('imports programs and policies from the command line', async () => {
      const dir = mkdtempSync(path.join(tmpdir(), 'assist-imp-'));
      const p = nord();
      p.code = 'CLI-DMS';
      writeFileSync(path.join(dir, 'p.json'), JSON.stringify(p));
      let r = await run(['import', 'program', path.join(dir, 'p.json'), '--db', h.srv.dbUrl]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /CLI-DMS created/);
      r = await run(['import', 'program', path.join(dir, 'p.json'), '--db', h.srv.dbUrl]);
      assert.match(r.stdout, /unchanged/);
      writeFileSync(path.join(dir, 'l.csv'), 'policy_number,program,start_date,end_date,last_name,first_name,birth_date,sex\nCLI-1,CLI-DMS,2026-01-01,2026-12-31,Smith,John,1970-01-01,M\nCLI-2,CLI-DMS,2026-01-01,2026-02-30,Smith,Jane,1970-01-01,F\n');
      r = await run(['import', 'policies', path.join(dir, 'l.csv'), '--dry-run', '--db', h.srv.dbUrl]);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /row 3, column end_date/);
    });
  });
}
