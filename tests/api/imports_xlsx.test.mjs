// XLSX policy lists through the API and the command line, on SQLite and
// PostgreSQL. The workbooks are made the way a user makes them: a CSV file
// with Cyrillic and Chinese names opened and saved as XLSX by LibreOffice
// (headless), so dates are real date cells, sums are numbers, and an empty
// line becomes a gap in the sheet's row numbers.
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { backends, run } from '../lib/server.mjs';
import { useServer, signedIn } from './helpers.mjs';

const dir = mkdtempSync(path.join(tmpdir(), 'assist-xlsx-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/**
 * Save each CSV text as NAME.xlsx with LibreOffice Calc and return the
 * workbooks' bytes. The CSV filter options are: ',' separated, '"' quoted,
 * UTF-8 (76), from line 1. The profile directory is this file's own, so
 * parallel runs do not share a LibreOffice user installation.
 */
function toXlsx(files) {
  const csvs = Object.entries(files).map(([name, text]) => {
    const p = path.join(dir, `${name}.csv`);
    writeFileSync(p, text);
    return p;
  });
  execFileSync('libreoffice', [`-env:UserInstallation=file://${dir}/lo-profile`, '--headless',
    '--infilter=CSV:44,34,76,1', '--convert-to', 'xlsx', '--outdir', dir, ...csvs],
  { stdio: 'pipe', timeout: 180000 });
  return Object.fromEntries(Object.keys(files).map((name) => [name, readFileSync(path.join(dir, `${name}.xlsx`))]));
}

const HEADER = 'policy_number,program,packages,start_date,end_date,status,sum_insured,last_name,first_name,' +
  'middle_name,birth_date,sex,phone,email,city,language,time_zone\n';
const books = toXlsx({
  good: HEADER +
    'XL-1,NORD-DMS-STD,OUT DENT,2026-01-01,2026-12-31,active,150000000,Иванова,Анна,Сергеевна,1990-03-01,Ж,' +
    '+7 916 123-45-67,anna@example.com,Москва,ru,Europe/Moscow\n' +
    'XL-2,HXM-MED,,2026-02-01,2027-01-31,,,张,伟,,1985-07-12,男,+86 138 0013 8000,,北京,zh,Asia/Shanghai\n',
  // row 3 is empty in the sheet: the bad row is row 4, as the spreadsheet shows it
  bad: HEADER +
    'XL-3,NORD-DMS-STD,,2026-01-01,2026-12-31,,,Good,Row,,1990-01-01,F,,,,,\n' +
    '\n' +
    'XL-4,NORD-DMS-STD,,2026-05-01,2026-04-30,,,Петров,Иван,,1980-05-12,X,,,,,\n',
});

const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const post = (client, body, query = '') => client.request('POST', '/api/v1/imports/policies' + query, undefined,
  { raw: body, headers: { 'content-type': XLSX_TYPE } });

for (const backend of backends()) {
  describe(`XLSX policy lists (${backend})`, () => {
    const h = useServer({ backend });

    it('imports a LibreOffice workbook: dry run, real run, exact names, dates and sums, then nothing changes', async () => {
      const sup = await signedIn(h.srv.base, 'supervisor');
      assert.equal(books.good.subarray(0, 4).toString('latin1'), 'PK\x03\x04');
      let r = await post(sup, books.good, '?dry_run=true');
      assert.equal(r.status, 200, r.text);
      assert.deepEqual([r.json.rows, r.json.errors, r.json.created, r.json.applied], [2, 0, 2, false], r.text);
      assert.equal((await sup.get('/api/v1/policies/XL-1')).status, 404, 'a dry run writes nothing');

      r = await post(sup, books.good);
      assert.equal(r.status, 200, r.text);
      assert.deepEqual([r.json.rows, r.json.created, r.json.updated, r.json.unchanged, r.json.applied],
        [2, 2, 0, 0, true], r.text);

      const p1 = (await sup.get('/api/v1/policies/XL-1')).json;
      assert.deepEqual(
        [p1.program, p1.packages, p1.start_date, p1.end_date, p1.status, p1.sum_insured, p1.version],
        ['NORD-DMS-STD', ['OUT', 'DENT'], '2026-01-01', '2026-12-31', 'active', 150000000, 1]);
      const a = p1.person;
      assert.deepEqual(
        [a.last_name, a.first_name, a.middle_name, a.birth_date, a.sex, a.phone, a.email, a.city, a.language, a.time_zone],
        ['Иванова', 'Анна', 'Сергеевна', '1990-03-01', 'F', '+79161234567', 'anna@example.com', 'Москва', 'ru', 'Europe/Moscow']);

      const p2 = (await sup.get('/api/v1/policies/XL-2')).json;
      const program = (await sup.get('/api/v1/programs/HXM-MED')).json;
      assert.deepEqual([p2.program, p2.packages, p2.start_date, p2.end_date, p2.status, p2.sum_insured],
        ['HXM-MED', null, '2026-02-01', '2027-01-31', 'active', program.sum_insured]);
      const z = p2.person;
      assert.deepEqual([z.last_name, z.first_name, z.middle_name, z.birth_date, z.sex, z.phone, z.city, z.language, z.time_zone],
        ['张', '伟', null, '1985-07-12', 'M', '+8613800138000', '北京', 'zh', 'Asia/Shanghai']);

      r = await post(sup, books.good);
      assert.equal(r.status, 200, r.text);
      assert.deepEqual([r.json.created, r.json.updated, r.json.unchanged], [0, 0, 2], 'the same workbook again changes nothing');
      assert.equal((await sup.get('/api/v1/policies/XL-1')).json.version, 1);
    });

    it('names a bad row by the row number the spreadsheet shows, and writes nothing', async () => {
      const sup = await signedIn(h.srv.base, 'supervisor');
      let r = await post(sup, books.bad, '?dry_run=true');
      assert.equal(r.status, 200, r.text);
      assert.equal(r.json.rows, 2);
      const at = (row, column) => r.json.issues.some((i) => i.row === row && i.column === column);
      assert.ok(at(4, 'end_date') && at(4, 'sex'), r.text);
      assert.ok(!r.json.issues.some((i) => i.row !== 4), r.text);

      r = await post(sup, books.bad);
      assert.equal(r.status, 422, r.text);
      assert.equal(r.json.applied, false);
      assert.ok(at(4, 'end_date') && at(4, 'sex'), r.text);
      assert.equal((await sup.get('/api/v1/policies/XL-3')).status, 404, 'all or nothing');
    });

    it('reports a damaged workbook as a problem with the file', async () => {
      const sup = await signedIn(h.srv.base, 'supervisor');
      const r = await post(sup, books.good.subarray(0, books.good.length - 100));
      assert.equal(r.status, 422, r.text);
      assert.equal(r.json.errors, 1);
      assert.equal(r.json.issues[0].row, 0);
      assert.equal(r.json.issues[0].column, null);
      assert.match(r.json.issues[0].message, /not a ZIP archive/);
    });

    it('says what an old .xls or a password-protected workbook is', async () => {
      const sup = await signedIn(h.srv.base, 'supervisor');
      const ole = Buffer.concat([Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]), Buffer.alloc(504)]);
      const r = await post(sup, ole);
      assert.equal(r.status, 422, r.text);
      assert.equal(r.json.issues[0].row, 0);
      assert.match(r.json.issues[0].message, /old Excel \.xls/);
      const file = path.join(dir, 'old.xls');
      writeFileSync(file, ole);
      const cli = await run(['import', 'policies', file, '--dry-run', '--db', h.srv.dbUrl]);
      assert.equal(cli.code, 1);
      assert.match(cli.stderr, /old Excel \.xls/);
    });

    it('checks and imports a workbook from the command line', async () => {
      const good = path.join(dir, 'good.xlsx'), bad = path.join(dir, 'bad.xlsx');
      let r = await run(['import', 'policies', bad, '--dry-run', '--db', h.srv.dbUrl]);
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stderr, /^row 4, column end_date: /m);
      assert.match(r.stderr, /^row 4, column sex: /m);
      r = await run(['import', 'policies', good, '--dry-run', '--db', h.srv.dbUrl]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /2 rows checked, 0 with errors: dry run, nothing written \(would create 0, update 0, leave 2 unchanged\)/);
      r = await run(['import', 'policies', good, '--db', h.srv.dbUrl]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /2 rows: 0 created, 0 updated, 2 unchanged/);
    });
  });
}
