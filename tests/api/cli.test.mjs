// The command line: help, version, init (idempotent, refuses a newer schema),
// user add/list/disable/token, demo (refuses a non-empty database,
// deterministic), ASSIST_DB.
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { backends, run, BIN, ROOT, Client } from '../lib/server.mjs';
import { freshPg, STRONG_PASSWORD, DEMO_PASSWORD } from './helpers.mjs';

const VERSION_RE = /^assist \d+\.\d+\.\d+\n$/;

/** Databases for a backend; all removed at the end of the file. */
const cleanups = [];
after(() => { for (const c of cleanups) c(); });

function tmpDir() {
  const d = mkdtempSync(path.join(tmpdir(), 'assist-cli-'));
  cleanups.push(() => rmSync(d, { recursive: true, force: true }));
  return d;
}

function newDb(backend) {
  if (backend === 'pg') {
    const d = freshPg();
    cleanups.push(d.drop);
    return d.url;
  }
  return path.join(tmpDir(), 'assist.db');
}

/** Run SQL with the backend's own client; returns trimmed stdout ('|' separated). */
function sql(db, query) {
  if (db.startsWith('postgresql://')) return execFileSync('psql', [db, '-XAtqc', query], { encoding: 'utf8' }).trim();
  return execFileSync('sqlite3', [db, query], { encoding: 'utf8' }).trim();
}

/** Start `assist serve` on an existing database; {base, stop() -> exit status}. */
async function serveOn(args, env = {}) {
  const proc = spawn(BIN, ['serve', '--listen', '127.0.0.1:0', '--threads', '2', '--web', path.join(ROOT, 'web'), ...args],
    { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  const exited = new Promise((resolve) => proc.on('exit', (code, signal) => resolve({ code, signal })));
  const port = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('serve did not start:\n' + log)), 15000);
    proc.stderr.on('data', (d) => {
      log += d;
      const m = log.match(/"event":"listening"[^\n]*"port":(\d+)/);
      if (m) { clearTimeout(timer); resolve(Number(m[1])); }
    });
    exited.then((st) => { clearTimeout(timer); reject(new Error(`serve exited ${JSON.stringify(st)}:\n${log}`)); });
  });
  return {
    base: `http://127.0.0.1:${port}`,
    logs: () => log,
    async stop() {
      proc.kill('SIGTERM');
      const st = await exited;
      assert.ok(!/ERROR: (Address|Leak)Sanitizer|runtime error:/.test(log), 'sanitizer report:\n' + log.slice(-4000));
      return st;
    },
  };
}

async function addUser(db, login, role, password = STRONG_PASSWORD, extra = []) {
  return run(['user', 'add', '--db', db, '--login', login, '--role', role, '--password-stdin', ...extra], { input: password + '\n' });
}

describe('cli: help and version', () => {
  it('assist --help, -h and help print the commands and exit 0', async () => {
    for (const a of ['--help', '-h', 'help']) {
      const r = await run([a]);
      assert.equal(r.code, 0, a);
      for (const cmd of ['serve', 'init', 'demo', 'user', 'version']) assert.match(r.stdout, new RegExp(`\\b${cmd}\\b`), `${a}: ${cmd}`);
    }
  });

  it('assist --version and assist version print "assist X.Y.Z"', async () => {
    const a = await run(['--version']);
    const b = await run(['version']);
    assert.equal(a.code, 0);
    assert.equal(b.code, 0);
    assert.match(a.stdout, VERSION_RE);
    assert.equal(a.stdout, b.stdout);
  });

  it('each command has --help naming its options', async () => {
    const want = {
      serve: ['--db', '--listen', '--web', '--threads', '--body-limit', '--timeout', '--trust-proxy', 'ASSIST_DB', 'ASSIST_LISTEN'],
      init: ['--db'],
      demo: ['--db', '--persons'],
      user: ['add', 'list', 'disable', 'token', '--login', '--role', '--password-stdin', '--name', '--db'],
    };
    for (const [cmd, opts] of Object.entries(want)) {
      const r = await run([cmd, '--help']);
      assert.equal(r.code, 0, `${cmd} --help: ${r.stderr}`);
      assert.match(r.stdout, /usage/i, cmd);
      for (const o of opts) assert.ok(r.stdout.includes(o), `${cmd} --help does not mention ${o}`);
    }
  });

  it('no command, an unknown command or option: exit 2 with a message', async () => {
    const none = await run([]);
    assert.equal(none.code, 2);
    assert.match(none.stderr, /usage/i);
    const bad = await run(['frobnicate']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /unknown command.*frobnicate/);
    for (const args of [['serve', '--bogus'], ['init', '--bogus'], ['demo', '--bogus'], ['user', 'frob'],
      ['user', 'list', '--bogus'], ['demo', '--persons', 'many'], ['demo', '--persons', '-1'],
      ['serve', '--threads', '0'], ['serve', '--body-limit', '10'], ['serve', 'extra-arg']]) {
      const r = await run(args);
      assert.equal(r.code, 2, `${args.join(' ')}: exit ${r.code} ${r.stderr}`);
      assert.ok(r.stderr.trim().length > 0, `${args.join(' ')}: no message`);
    }
  });
});

for (const backend of backends()) {
  describe(`cli (${backend})`, () => {
    it('init creates the schema, then is idempotent ("up to date")', async () => {
      const db = newDb(backend);
      const a = await run(['init', '--db', db]);
      assert.equal(a.code, 0, a.stderr);
      assert.match(a.stdout, /migrated from version 0 to \d+/);
      const latest = Number(a.stdout.match(/to (\d+)/)[1]);
      const b = await run(['init', '--db', db]);
      assert.equal(b.code, 0, b.stderr);
      assert.match(b.stdout, /up to date/);
      assert.ok(b.stdout.includes(String(latest)));
      assert.equal(sql(db, 'SELECT COUNT(*) FROM schema_version'), String(latest), 'init applied migrations twice');
      assert.equal(sql(db, 'SELECT COUNT(*) FROM users'), '0');
    });

    it('init, serve and user commands refuse a database from a newer assist', async () => {
      const db = newDb(backend);
      assert.equal((await run(['init', '--db', db])).code, 0);
      sql(db, 'INSERT INTO schema_version (version, applied_at) VALUES (9999, 0)');
      const i = await run(['init', '--db', db]);
      assert.notEqual(i.code, 0);
      assert.match(i.stderr, /9999/);
      assert.match(i.stderr, /newer/);
      assert.equal(i.stdout, '');
      const s = await run(['serve', '--db', db, '--listen', '127.0.0.1:0']);
      assert.notEqual(s.code, 0, 'serve started on a newer schema');
      assert.match(s.stderr, /9999/);
      assert.match(s.stderr, /newer/);
      const u = await addUser(db, 'newer-schema', 'operator');
      assert.notEqual(u.code, 0);
      assert.match(u.stderr, /newer/);
      const d = await run(['demo', '--db', db, '--persons', '1']);
      assert.notEqual(d.code, 0);
      assert.match(d.stderr, /newer/);
      assert.equal(sql(db, 'SELECT MAX(version) FROM schema_version'), '9999');
      assert.equal(sql(db, 'SELECT COUNT(*) FROM users'), '0');
    });

    it('serve refuses a database that was never initialised', async () => {
      const db = newDb(backend);
      if (backend === 'sqlite') execFileSync('sqlite3', [db, 'CREATE TABLE unrelated (x INTEGER)']);
      const s = await run(['serve', '--db', db, '--listen', '127.0.0.1:0']);
      assert.notEqual(s.code, 0);
      assert.match(s.stderr, /assist init/);
    });

    it('user add reads the password from stdin; list shows the user; the user can sign in', async () => {
      const db = newDb(backend);
      assert.equal((await run(['init', '--db', db])).code, 0);
      const a = await addUser(db, 'Chief.Admin', 'admin', STRONG_PASSWORD, ['--name', 'Анна Смирнова', '--language', 'ru']);
      assert.equal(a.code, 0, a.stderr);
      assert.match(a.stdout, /chief\.admin/);
      assert.ok(!a.stdout.includes(STRONG_PASSWORD) && !a.stderr.includes(STRONG_PASSWORD), 'the password was echoed');
      const b = await run(['user', 'add', '--db', db, '--login', 'op1', '--role', 'operator', '--password-stdin',
        '--phone', '8 (916) 123-45-67', '--email', 'op1@example.com'], { input: 'op1 password here' }); // no newline
      assert.equal(b.code, 0, b.stderr);
      const l = await run(['user', 'list', '--db', db]);
      assert.equal(l.code, 0, l.stderr);
      const line = l.stdout.split('\n').find((s) => /\bchief\.admin\b/.test(s));
      assert.ok(line, l.stdout);
      assert.match(line, /\badmin\b/);
      assert.match(line, /\bru\b/);
      assert.match(line, /Анна Смирнова/);
      assert.match(line, /active/);
      assert.match(l.stdout, /\bop1\b.*\boperator\b.*\+79161234567 +op1@example\.com/, 'the phone in E.164 and the email');
      assert.ok(!/argon2/.test(l.stdout), 'the list shows password hashes');
      assert.equal(sql(db, "SELECT role FROM users WHERE login = 'chief.admin'"), 'admin');
      assert.ok(sql(db, "SELECT password_hash FROM users WHERE login = 'chief.admin'").startsWith('$argon2id$'));

      const srv = await serveOn(['--db', db]);
      try {
        const c = new Client(srv.base);
        const s = await c.login('CHIEF.ADMIN', STRONG_PASSWORD);
        assert.equal(s.user.role, 'admin');
        assert.equal(s.user.language, 'ru');
        await new Client(srv.base).login('op1', 'op1 password here');
        // the CLI's write is in the audit trail
        const op1 = (await c.get('/api/v1/users')).json.items.find((u) => u.login === 'op1');
        assert.equal(op1.phone, '+79161234567');
        assert.equal(op1.email, 'op1@example.com');
        const op1Audit = (await c.get('/api/v1/audit?entity=user&id=' + op1.id)).json.items.find((e) => e.action === 'create');
        assert.equal(op1Audit.after.phone, '+79161234567');
        assert.equal(op1Audit.after.email, 'op1@example.com');
        const au = await c.get('/api/v1/audit?entity=user&id=' + s.user.id);
        const created = au.json.items.find((e) => e.action === 'create');
        assert.ok(created, JSON.stringify(au.json.items));
        assert.match(created.actor.login, /^cli:/);
        assert.equal(created.actor.id, null);
      } finally {
        assert.equal((await srv.stop()).code, 0);
      }
    });

    it('user add refuses bad input with exit 2 and a message, adding nobody', async () => {
      const db = newDb(backend);
      assert.equal((await run(['init', '--db', db])).code, 0);
      const cases = [
        [['--login', 'weak', '--role', 'operator', '--password-stdin'], 'short\n', /password/],
        [['--login', 'badrole', '--role', 'boss', '--password-stdin'], STRONG_PASSWORD + '\n', /role/],
        [['--login', 'nopw', '--role', 'operator'], STRONG_PASSWORD + '\n', /password-stdin/],
        [['--role', 'operator', '--password-stdin'], STRONG_PASSWORD + '\n', /login/],
        [['--login', 'has space', '--role', 'operator', '--password-stdin'], STRONG_PASSWORD + '\n', /login/],
        [['--login', 'lang', '--role', 'operator', '--language', 'de', '--password-stdin'], STRONG_PASSWORD + '\n', /language/],
        [['--login', 'ph', '--role', 'operator', '--phone', 'call me', '--password-stdin'], STRONG_PASSWORD + '\n', /--phone/],
        [['--login', 'em', '--role', 'operator', '--email', 'not an address', '--password-stdin'], STRONG_PASSWORD + '\n', /--email/],
      ];
      for (const [args, input, re] of cases) {
        const r = await run(['user', 'add', '--db', db, ...args], { input });
        assert.equal(r.code, 2, `${args.join(' ')}: exit ${r.code} ${r.stderr}`);
        assert.match(r.stderr, re, args.join(' '));
      }
      const empty = await run(['user', 'add', '--db', db, '--login', 'empty', '--role', 'operator', '--password-stdin'], { input: '' });
      assert.notEqual(empty.code, 0);
      assert.ok(empty.stderr.length > 0);
      assert.equal(sql(db, 'SELECT COUNT(*) FROM users'), '0');
      // a taken login: a message, not a crash, and still one user
      assert.equal((await addUser(db, 'taken', 'operator')).code, 0);
      const dup = await addUser(db, 'TAKEN', 'admin');
      assert.equal(dup.code, 1, dup.stderr);
      assert.match(dup.stderr, /exists|taken/);
      assert.equal(sql(db, 'SELECT COUNT(*) FROM users'), '1');
      assert.equal(sql(db, "SELECT role FROM users WHERE login = 'taken'"), 'operator');
    });

    it('user disable signs the user out and stops sign-in; user token prints a working Bearer token', async () => {
      const db = newDb(backend);
      assert.equal((await run(['init', '--db', db])).code, 0);
      assert.equal((await addUser(db, 'boss', 'admin')).code, 0);
      assert.equal((await addUser(db, 'worker', 'finance')).code, 0);
      const t = await run(['user', 'token', '--db', db, '--login', 'Boss', '--name', 'automation']);
      assert.equal(t.code, 0, t.stderr);
      const token = t.stdout.trim();
      assert.match(token, /^[A-Za-z0-9_-]{43}$/);
      const tw = await run(['user', 'token', '--db', db, '--login', 'worker', '--name', 'worker token']);
      assert.equal(tw.code, 0, tw.stderr);
      const srv = await serveOn(['--db', db]);
      try {
        const b = new Client(srv.base);
        b.token = token;
        const me = await b.get('/api/v1/me');
        assert.equal(me.status, 200, me.text);
        assert.equal(me.json.login, 'boss');
        assert.equal(me.json.auth, 'token');
        assert.equal((await b.get('/api/v1/users')).status, 200);
        const listed = (await b.get('/api/v1/tokens')).json.items;
        assert.deepEqual(listed.map((x) => x.name), ['automation']);

        const w = new Client(srv.base);
        await w.login('worker', STRONG_PASSWORD);
        assert.equal((await w.get('/api/v1/me')).status, 200);
        const d = await run(['user', 'disable', '--db', db, '--login', 'WORKER']);
        assert.equal(d.code, 0, d.stderr);
        assert.equal((await w.get('/api/v1/me')).status, 401, 'the session survived user disable');
        const wt = new Client(srv.base);
        wt.token = tw.stdout.trim();
        assert.equal((await wt.get('/api/v1/me')).status, 401, 'the token survived user disable');
        const again = await new Client(srv.base).post('/api/v1/session', { login: 'worker', password: STRONG_PASSWORD });
        assert.equal(again.status, 401);
        const users = (await b.get('/api/v1/users')).json.items;
        assert.equal(users.find((u) => u.login === 'worker').disabled, true);
      } finally {
        assert.equal((await srv.stop()).code, 0);
      }
      const l = await run(['user', 'list', '--db', db]);
      assert.match(l.stdout.split('\n').find((s) => /\bworker\b/.test(s)) || '', /disabled/);
      // unknown logins and missing options
      const nu = await run(['user', 'disable', '--db', db, '--login', 'nobody']);
      assert.equal(nu.code, 1);
      assert.match(nu.stderr, /nobody/);
      const nt = await run(['user', 'token', '--db', db, '--login', 'nobody', '--name', 'x']);
      assert.equal(nt.code, 1);
      assert.equal(nt.stdout, '');
      assert.equal((await run(['user', 'token', '--db', db, '--login', 'boss'])).code, 2);
      assert.equal((await run(['user', 'disable', '--db', db])).code, 2);
    });

    it('demo refuses a database that already has users', async () => {
      const db = newDb(backend);
      assert.equal((await run(['init', '--db', db])).code, 0);
      assert.equal((await addUser(db, 'someone', 'operator')).code, 0);
      const before = sql(db, 'SELECT COUNT(*) FROM persons');
      const d = await run(['demo', '--db', db, '--persons', '5']);
      assert.equal(d.code, 1, d.stderr);
      assert.match(d.stderr, /already has users/);
      assert.equal(sql(db, 'SELECT COUNT(*) FROM users'), '1');
      assert.equal(sql(db, 'SELECT COUNT(*) FROM persons'), before);
      // and a demo database refuses a second demo
      const db2 = newDb(backend);
      assert.equal((await run(['demo', '--db', db2, '--persons', '3'])).code, 0);
      const d2 = await run(['demo', '--db', db2, '--persons', '3']);
      assert.equal(d2.code, 1);
      assert.equal(sql(db2, 'SELECT COUNT(*) FROM persons'), '3');
    });

    it('demo prints how to sign in, with a user for each role', async () => {
      const db = newDb(backend);
      const d = await run(['demo', '--db', db, '--persons', '10']);
      assert.equal(d.code, 0, d.stderr);
      assert.ok(d.stdout.includes(DEMO_PASSWORD));
      for (const role of ['admin', 'operator', 'case_manager', 'reviewer', 'finance', 'supervisor']) {
        assert.match(d.stdout, new RegExp(`\\b${role}\\b`));
      }
      assert.equal(sql(db, 'SELECT COUNT(*) FROM persons'), '10');
      assert.equal(sql(db, 'SELECT COUNT(DISTINCT role) FROM users'), '6');
    });

    it('ASSIST_DB is honoured by init, user and serve', async () => {
      const db = newDb(backend);
      const env = { ASSIST_DB: db };
      const i = await run(['init'], { env });
      assert.equal(i.code, 0, i.stderr);
      if (backend === 'sqlite') assert.ok(existsSync(db), 'init did not create the ASSIST_DB file');
      const a = await run(['user', 'add', '--login', 'env-admin', '--role', 'admin', '--password-stdin'], { input: STRONG_PASSWORD + '\n', env });
      assert.equal(a.code, 0, a.stderr);
      const l = await run(['user', 'list'], { env });
      assert.match(l.stdout, /env-admin/);
      const srv = await serveOn([], { ...env, ASSIST_LISTEN: '127.0.0.1:0' });
      try {
        await new Client(srv.base).login('env-admin', STRONG_PASSWORD);
        const hz = await (await fetch(srv.base + '/healthz')).json();
        assert.equal(hz.database, backend === 'pg' ? 'postgresql' : 'sqlite');
      } finally {
        assert.equal((await srv.stop()).code, 0);
      }
      // --db wins over ASSIST_DB
      const other = newDb(backend);
      assert.equal((await run(['init', '--db', other], { env })).code, 0);
      assert.equal((await addUser(other, 'only-in-other', 'operator')).code, 0);
      assert.doesNotMatch((await run(['user', 'list'], { env })).stdout, /only-in-other/);
    });
  });
}

describe('cli: demo data is deterministic', () => {
  const persons = (db) => sql(db, 'SELECT last_name, first_name, birth_date, phone FROM persons ORDER BY id');

  it('demo --persons 50 twice gives identical persons', async () => {
    const a = path.join(tmpDir(), 'a.db'), b = path.join(tmpDir(), 'b.db');
    assert.equal((await run(['demo', '--db', a, '--persons', '50'])).code, 0);
    assert.equal((await run(['demo', '--db', b, '--persons', '50'])).code, 0);
    const pa = persons(a);
    assert.equal(pa.split('\n').length, 50);
    assert.equal(persons(b), pa);
    // the other reference data too
    for (const q of ['SELECT code, name FROM insurers ORDER BY id', 'SELECT code, name_en, name_ru, name_zh FROM programs ORDER BY id']) {
      assert.equal(sql(a, q), sql(b, q), q);
    }
    // names in Russian, Chinese and English
    assert.match(pa, /[А-Яа-яЁё]/);
    assert.match(pa, /[\u4e00-\u9fff]/);
    assert.match(pa, /[A-Za-z]{3,}/);
    // a bigger demo starts with the same people
    const c = path.join(tmpDir(), 'c.db');
    assert.equal((await run(['demo', '--db', c, '--persons', '60'])).code, 0);
    assert.equal(persons(c).split('\n').slice(0, 50).join('\n'), pa);
  });

  it('PostgreSQL gets the same persons as SQLite', { skip: !process.env.ASSIST_TEST_PG && 'ASSIST_TEST_PG is not set' }, async () => {
    const a = path.join(tmpDir(), 'a.db');
    const pg = newDb('pg');
    assert.equal((await run(['demo', '--db', a, '--persons', '50'])).code, 0);
    const r = await run(['demo', '--db', pg, '--persons', '50']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(persons(pg), persons(a));
  });
});
