// The search box, GET /api/v1/search (issue 4), on SQLite and PostgreSQL:
// a quality table of queries with the person each must find first (Cyrillic,
// Latin for Cyrillic, pinyin and characters, typos, phones in several
// formats, policy and document numbers, birth dates), the order of exact
// matches before names, validation, and the backfill of the index by
// `assist init`.
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { backends, startServer, run } from '../lib/server.mjs';
import { useServer, signedIn, expectError } from './helpers.mjs';

// [last, first, middle, birth date, phone as typed, document, policy, program]
const PEOPLE = [
  ['Иванов', 'Сергей', 'Петрович', '1980-05-01', '+7 916 123-45-67', '4510 123456', 'SRCH-RU-001', 'NORD-DMS-STD'],
  ['Иванова', 'Анна', 'Сергеевна', '1985-03-15', '+79031112233', null, 'SRCH-RU-002', 'NORD-DMS-STD'],
  ['Щербакова', 'Мария', 'Олеговна', '1990-07-20', '+79995554433', '4511 654321', 'SRCH-RU-003', 'NORD-DMS-STD'],
  ['Ёлкин', 'Пётр', 'Ильич', '1975-12-31', '+79267778899', null, 'SRCH-RU-004', 'NORD-DMS-STD'],
  ['Смирнов', 'Алексей', 'Иванович', '1980-05-01', '+79160000001', null, 'SRCH-RU-005', 'NORD-DMS-STD'],
  ['Кузнецов', 'Дмитрий', 'Сергеевич', '1971-02-11', '+79160000002', null, 'SRCH-RU-006', 'NORD-DMS-STD'],
  ['张', '伟', null, '1988-08-08', '+86 138 0013 8000', null, 'SRCH-CN-001', 'HXM-MED'],
  ['章', '玮', null, '1992-02-02', '+8613900139000', null, 'SRCH-CN-002', 'HXM-MED'],
  ['王', '秀英', null, '1970-01-10', '+8613700137000', null, 'SRCH-CN-003', 'HXM-MED'],
  ['李', '娜', null, '1995-05-05', '+8613600136000', null, 'SRCH-CN-004', 'HXM-MED'],
  ['Smith', 'John', null, '1960-06-06', '+44 7700 900123', 'AB1234567', 'SRCH-EN-001', 'ALB-TRAVEL'],
  ['Johnson', 'Emily', null, '1999-09-09', '+447700900456', null, 'SRCH-EN-002', 'ALB-TRAVEL'],
  ['Müller', 'Jürgen', null, '1965-04-04', '+4915112345678', null, 'SRCH-DE-001', 'ALB-TRAVEL'],
];

// [query, expected first hit "Last First" (null: no hit), its match]
const QUALITY = [
  // Cyrillic as written, any case
  ['Иванов', 'Иванов Сергей', 'name'],
  ['Иванова Анна', 'Иванова Анна', 'name'],
  ['ИВАНОВ сергей', 'Иванов Сергей', 'name'],
  ['Щербакова', 'Щербакова Мария', 'name'],
  ['Елкин Петр', 'Ёлкин Пётр', 'name'], // ё typed as е
  ['Кузнецов Дмитрий Сергеевич', 'Кузнецов Дмитрий', 'name'],
  // Latin letters for Cyrillic names (BGN/PCGN), any order
  ['ivanov', 'Иванов Сергей', 'name'],
  ['ivanova', 'Иванова Анна', 'name'],
  ['shcherbakova', 'Щербакова Мария', 'name'],
  ['Shcherbakova Maria', 'Щербакова Мария', 'name'],
  ['yelkin', 'Ёлкин Пётр', 'name'],
  ['sergey ivanov', 'Иванов Сергей', 'name'],
  ['kuznetsov dmitriy sergeyevich', 'Кузнецов Дмитрий', 'name'],
  // pinyin and characters; the characters as typed before homophones
  ['zhang wei', '张 伟', 'name'],
  ['zhangwei', '张 伟', 'name'],
  ['Zhang Wei', '张 伟', 'name'],
  ['张伟', '张 伟', 'name'],
  ['章玮', '章 玮', 'name'],
  ['wang xiuying', '王 秀英', 'name'],
  ['王秀英', '王 秀英', 'name'],
  ['li na', '李 娜', 'name'],
  // Latin names, accents
  ['smith', 'Smith John', 'name'],
  ['JOHNSON emily', 'Johnson Emily', 'name'],
  ['muller', 'Müller Jürgen', 'name'],
  ['Müller', 'Müller Jürgen', 'name'],
  // typos: a letter wrong, missing, swapped; in either script
  ['ivanof', 'Иванов Сергей', 'name'],
  ['ivnov', 'Иванов Сергей', 'name'],
  ['ivnaov sergey', 'Иванов Сергей', 'name'],
  ['shcherbakva', 'Щербакова Мария', 'name'],
  ['elkin', 'Ёлкин Пётр', 'name'],
  ['Ивонов', 'Иванов Сергей', 'name'],
  ['smiht', 'Smith John', 'name'],
  ['zhnag wei', '张 伟', 'name'],
  // phones in any format, matched as E.164
  ['+7 916 123-45-67', 'Иванов Сергей', 'phone'],
  ['8 (916) 1234567', 'Иванов Сергей', 'phone'],
  ['89161234567', 'Иванов Сергей', 'phone'],
  ['9161234567', 'Иванов Сергей', 'phone'],
  ['+86 138 0013 8000', '张 伟', 'phone'],
  ['00447700900123', 'Smith John', 'phone'],
  // policy and document numbers, any case and spacing
  ['srch-ru-003', 'Щербакова Мария', 'policy_number'],
  ['SRCH-CN-003', '王 秀英', 'policy_number'],
  ['4510 123456', 'Иванов Сергей', 'document'],
  ['4510123456', 'Иванов Сергей', 'document'],
  ['ab 1234567', 'Smith John', 'document'],
  // birth dates, alone and with a name
  ['1980-05-01', 'Иванов Сергей', 'birth_date'],
  ['01.05.1980 smirnov', 'Смирнов Алексей', 'name'],
  ['ivanov 1980-05-01', 'Иванов Сергей', 'name'],
  ['31.12.1975', 'Ёлкин Пётр', 'birth_date'],
  // nothing
  ['qwxyzzy', null],
  ['Zzyzx Qwerty', null],
  ['+7 999 000-00-00', null],
  ['2001-01-01', null],
  ['SRCH-XX-999', null],
  ['kozlov 1980-05-01', null],
  ['petrov 1980-05-01', 'Иванов Сергей', 'name'], // his patronymic is Petrovich
];

function personName(p) {
  return `${p.last_name} ${p.first_name}`;
}

for (const backend of backends()) {
  describe(`search (${backend})`, () => {
    // the demo's programs, no demo persons: the table's persons are the only ones
    const h = useServer({ backend, persons: 0 });
    let op;

    before(async () => {
      const sup = await signedIn(h.srv.base, 'supervisor');
      for (const [last, first, middle, birth, phone, document, number, program] of PEOPLE) {
        const person = { last_name: last, first_name: first, birth_date: birth, sex: 'M', phone };
        if (middle) person.middle_name = middle;
        if (document) person.document = document;
        const r = await sup.post('/api/v1/policies', {
          number, program, start_date: '2026-01-01', end_date: '2026-12-31', person,
        });
        assert.equal(r.status, 201, r.text);
      }
      op = await signedIn(h.srv.base, 'operator');
    });

    const search = (q, extra = '') => op.get(`/api/v1/search?q=${encodeURIComponent(q)}${extra}`);

    it(`finds the right person first for each of ${QUALITY.length} queries`, async () => {
      const wrong = [];
      for (const [q, want, match] of QUALITY) {
        const r = await search(q);
        assert.equal(r.status, 200, `${q}: ${r.text}`);
        assert.equal(r.json.query, q);
        const first = r.json.items[0];
        if (want === null) {
          if (r.json.items.length) wrong.push(`${q}: expected nothing, got ${personName(first.person)}`);
          continue;
        }
        if (!first) wrong.push(`${q}: expected ${want}, got nothing`);
        else if (personName(first.person) !== want || first.match !== match)
          wrong.push(`${q}: expected ${want} (${match}), got ${personName(first.person)} (${first.match}, ${first.score})`);
      }
      assert.deepEqual(wrong, []);
    });

    it('answers each person with their policies, why and how well', async () => {
      const r = await search('ivanov');
      assert.equal(r.status, 200, r.text);
      const [top, next] = r.json.items;
      assert.deepEqual(Object.keys(top).sort(), ['match', 'person', 'policies', 'score']);
      assert.equal(top.person.last_name, 'Иванов');
      assert.equal(top.person.phone, '+79161234567');
      assert.equal(top.person.document, '4510 123456');
      assert.deepEqual(top.policies, [{ number: 'SRCH-RU-001', status: 'active', start_date: '2026-01-01', end_date: '2026-12-31', program: 'NORD-DMS-STD' }]);
      assert.equal(top.score, 100);
      // a single word is filled up with names like it, scored lower
      assert.equal(next.person.last_name, 'Иванова');
      assert.ok(next.score < 100 && next.score > 50, JSON.stringify(next));
      const scores = r.json.items.map((x) => x.score);
      assert.deepEqual(scores, [...scores].sort((a, b) => b - a));
    });

    it('puts exact matches of phone and policy number before names', async () => {
      const r = await search('smith +7 916 123-45-67');
      assert.equal(r.status, 200, r.text);
      assert.deepEqual(r.json.items.slice(0, 2).map((x) => [personName(x.person), x.match]),
        [['Иванов Сергей', 'phone'], ['Smith John', 'name']]);
      const p = await search('Щербакова SRCH-RU-001');
      assert.deepEqual(p.json.items.slice(0, 2).map((x) => [personName(x.person), x.match]),
        [['Иванов Сергей', 'policy_number'], ['Щербакова Мария', 'name']]);
      // a birth date alone: everyone born that day, by id
      const d = await search('1980-05-01');
      assert.deepEqual(d.json.items.map((x) => personName(x.person)), ['Иванов Сергей', 'Смирнов Алексей']);
      assert.ok(d.json.items.every((x) => x.match === 'birth_date' && x.score === 100));
    });

    it('keeps to the limit', async () => {
      let r = await search('ivanov', '&limit=1');
      assert.equal(r.status, 200, r.text);
      assert.equal(r.json.items.length, 1);
      r = await search('1980-05-01', '&limit=100');
      assert.equal(r.json.items.length, 2);
      expectError(await search('ivanov', '&limit=0'), 400, 'invalid_field', 'limit');
      expectError(await search('ivanov', '&limit=101'), 400, 'invalid_field', 'limit');
      expectError(await search('ivanov', '&limit=ten'), 400, 'invalid_field', 'limit');
    });

    it('refuses an empty, blank, missing or too long query naming q', async () => {
      expectError(await search(''), 400, 'invalid_field', 'q');
      expectError(await search('   \t '), 400, 'invalid_field', 'q');
      expectError(await op.get('/api/v1/search'), 400, 'missing_field', 'q');
      expectError(await search('я'.repeat(201)), 400, 'too_long', 'q');
      const r = await search('я'.repeat(200));
      assert.equal(r.status, 200, r.text);
      assert.deepEqual(r.json.items, []);
      expectError(await op.get('/api/v1/search?q=%FF%FE'), 400, 'invalid_field', 'q');
    });

    it('is open to every role but not to anonymous callers, and logs no query', async () => {
      for (const role of ['admin', 'case_manager', 'reviewer', 'finance', 'supervisor']) {
        const c = await signedIn(h.srv.base, role);
        const r = await c.get('/api/v1/search?q=smith');
        assert.equal(r.status, 200, `${role}: ${r.text}`);
        assert.equal(personName(r.json.items[0].person), 'Smith John');
      }
      const anon = await fetch(`${h.srv.base}/api/v1/search?q=smith`);
      assert.equal(anon.status, 401);
      const logs = h.srv.logs();
      for (const secret of ['shcherbakova', 'ivnaov', '9161234567', 'srch-ru-003', 'q=']) {
        assert.ok(!logs.includes(secret), `the server log holds ${secret}`);
      }
    });
  });
}

describe('search index backfill (sqlite)', () => {
  it('assist init indexes the persons the index lacks', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'assist-search-'));
    const db = path.join(dir, 'assist.db');
    try {
      const demo = await run(['demo', '--db', db, '--persons', '30']);
      assert.equal(demo.code, 0, demo.stderr);
      // as after the migration that made the index: nobody is indexed yet
      execFileSync('sqlite3', [db, 'DELETE FROM search_postings; DELETE FROM search_persons;']);
      const r = await run(['init', '--db', db]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /search index: 30 persons indexed/);
      const again = await run(['init', '--db', db]);
      assert.equal(again.code, 0, again.stderr);
      assert.doesNotMatch(again.stdout, /search index/);
      const srv = await startServer({ backend: 'sqlite', shareDb: db });
      try {
        const op = await signedIn(srv.base, 'operator');
        const one = (await op.get('/api/v1/search?q=DEMO-26-0000001')).json.items[0].person;
        const r2 = await op.get(`/api/v1/search?q=${encodeURIComponent(`${one.last_name} ${one.first_name}`)}`);
        assert.equal(r2.status, 200, r2.text);
        assert.ok(r2.json.items.some((x) => x.person.id === one.id), r2.text);
      } finally {
        const st = await srv.stop();
        assert.equal(st.code, 0);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
