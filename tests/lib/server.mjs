// Test harness: starts a real `assist serve` on a fresh database (SQLite file,
// or a new PostgreSQL database when ASSIST_TEST_PG names a cluster's URL) and
// gives a small HTTP client with a cookie jar and the CSRF token.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
export const BIN = process.env.ASSIST_BIN || path.join(ROOT, 'build/assist');
export const DEMO_PASSWORD = 'assist-demo';

/** The backends to run API tests on: always SQLite, PostgreSQL when configured. */
export function backends() {
  return process.env.ASSIST_TEST_PG ? ['sqlite', 'pg'] : ['sqlite'];
}

let dbCounter = 0;

function freshPgDb() {
  const admin = new URL(process.env.ASSIST_TEST_PG);
  const name = `assist_t_${process.pid}_${++dbCounter}_${Date.now() % 100000}`;
  execFileSync('psql', [admin.toString(), '-qc', `CREATE DATABASE ${name}`], { stdio: 'pipe' });
  const u = new URL(admin.toString());
  u.pathname = '/' + name;
  return { url: u.toString(), drop: () => {
    try { execFileSync('psql', [admin.toString(), '-qc', `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`], { stdio: 'pipe' }); } catch { /* best effort */ }
  } };
}

/** Run the assist binary to completion; returns {code, stdout, stderr}. */
export function run(args, { input, env } = {}) {
  return new Promise((resolve, reject) => {
    const p = spawn(BIN, args, { env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '', stderr = '';
    p.stdout.on('data', (d) => { stdout += d; });
    p.stderr.on('data', (d) => { stderr += d; });
    p.on('error', reject);
    p.on('close', (code) => resolve({ code, stdout, stderr }));
    if (input !== undefined) p.stdin.end(input); else p.stdin.end();
  });
}

/**
 * Start a server. Options: backend ('sqlite' | 'pg'), demo (default true),
 * persons (default 20), args (extra serve args), env, and shareDb: the
 * dbUrl of a running server, to start a second server on its database
 * (nothing is created, and stop() leaves the database alone).
 * Returns {base, dbUrl, backend, stop(), logs()}.
 */
export async function startServer({ backend = 'sqlite', demo = true, persons = 20, args = [], env = {}, shareDb } = {}) {
  let dbUrl, cleanup;
  if (shareDb) {
    dbUrl = shareDb;
    cleanup = () => {};
  } else if (backend === 'pg') {
    const d = freshPgDb();
    dbUrl = d.url;
    cleanup = d.drop;
  } else {
    const dir = mkdtempSync(path.join(tmpdir(), 'assist-test-'));
    dbUrl = path.join(dir, 'assist.db');
    cleanup = () => rmSync(dir, { recursive: true, force: true });
  }
  if (!shareDb) {
    const setup = demo ? await run(['demo', '--db', dbUrl, '--persons', String(persons)], { env })
                       : await run(['init', '--db', dbUrl], { env });
    if (setup.code !== 0) throw new Error(`assist ${demo ? 'demo' : 'init'} failed: ${setup.stderr}`);
  }

  const proc = spawn(BIN, ['serve', '--db', dbUrl, '--listen', '127.0.0.1:0', '--threads', '4',
    '--web', path.join(ROOT, 'web'), ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  const port = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('assist serve did not start:\n' + stderr)), 15000);
    proc.stderr.on('data', (d) => {
      stderr += d;
      const m = stderr.match(/"event":"listening"[^\n]*"port":(\d+)/);
      if (m) { clearTimeout(timer); resolve(Number(m[1])); }
    });
    proc.on('exit', (code) => { clearTimeout(timer); reject(new Error(`assist serve exited ${code}:\n${stderr}`)); });
  });
  proc.removeAllListeners('exit');
  const exited = new Promise((resolve) => proc.on('exit', (code, signal) => resolve({ code, signal })));
  const base = `http://127.0.0.1:${port}`;
  return {
    base, dbUrl, backend, proc,
    logs: () => stderr,
    /** SIGTERM, wait, and fail on sanitizer reports. Returns the exit status. */
    async stop() {
      proc.kill('SIGTERM');
      const st = await exited;
      cleanup();
      if (/ERROR: (Address|Leak)Sanitizer|runtime error:/.test(stderr)) {
        throw new Error('sanitizer report in server log:\n' + stderr.slice(-4000));
      }
      return st;
    },
  };
}

/** A client with its own cookie jar. */
export class Client {
  constructor(base) { this.base = base; this.cookies = new Map(); this.csrf = null; this.token = null; }

  cookieHeader() {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  /**
   * request(method, path, body?, opts?) -> {status, headers, json, text}
   * opts: raw (string body sent as is), headers, csrf (default true: send the token on writes)
   */
  async request(method, p, body, opts = {}) {
    const headers = { ...(opts.headers || {}) };
    if (this.cookies.size) headers.cookie = this.cookieHeader();
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    if (method !== 'GET' && method !== 'HEAD' && this.csrf && opts.csrf !== false) headers['x-csrf-token'] = this.csrf;
    let payload;
    if (opts.raw !== undefined) payload = opts.raw;
    else if (body !== undefined) { payload = JSON.stringify(body); headers['content-type'] = 'application/json'; }
    const init = { method, headers, body: payload, redirect: 'manual' };
    let res;
    try {
      res = await fetch(this.base + p, init);
    } catch (e) {
      // a kept-alive connection that the server closed for idleness (tests run
      // it with short timeouts) just as fetch reused it: the request never got
      // there, so it is sent once more on a new connection
      if (!/UND_ERR_SOCKET|ECONNRESET|EPIPE/.test(String(e?.cause?.code ?? ''))) throw e;
      res = await fetch(this.base + p, init);
    }
    for (const c of res.headers.getSetCookie()) {
      const [pair, ...attrs] = c.split(';');
      const i = pair.indexOf('=');
      const k = pair.slice(0, i).trim(), v = pair.slice(i + 1).trim();
      if (attrs.some((a) => /max-age=0/i.test(a)) || v === '') this.cookies.delete(k); else this.cookies.set(k, v);
    }
    const text = await res.text();
    let json = null;
    try { json = text ? JSON.parse(text) : null; } catch { /* not JSON */ }
    return { status: res.status, headers: res.headers, json, text };
  }

  get(p, opts) { return this.request('GET', p, undefined, opts); }
  post(p, body, opts) { return this.request('POST', p, body, opts); }
  patch(p, body, opts) { return this.request('PATCH', p, body, opts); }
  put(p, body, opts) { return this.request('PUT', p, body, opts); }
  del(p, opts) { return this.request('DELETE', p, undefined, opts); }

  /** Sign in; throws unless 200. */
  async login(login, password = DEMO_PASSWORD) {
    const r = await this.post('/api/v1/session', { login, password });
    if (r.status !== 200) throw new Error(`sign-in of ${login} failed: ${r.status} ${r.text}`);
    this.csrf = r.json.csrf_token;
    return r.json;
  }
}
