// Shared helpers for the API tests (not a test file itself: node --test only
// runs *.test.mjs). The server harness is tests/lib/server.mjs.
import assert from 'node:assert/strict';
import net from 'node:net';
import http from 'node:http';
import { execFileSync } from 'node:child_process';
import { before, after } from 'node:test';
import { startServer, Client, DEMO_PASSWORD } from '../lib/server.mjs';

export const ROLES = ['admin', 'operator', 'case_manager', 'reviewer', 'finance', 'supervisor'];
/** The demo login of each role. */
export const LOGIN_OF = {
  admin: 'admin', operator: 'operator', case_manager: 'manager',
  reviewer: 'reviewer', finance: 'finance', supervisor: 'supervisor',
};
export const STRONG_PASSWORD = 'correct horse battery staple';

/**
 * Start a server in before() and stop it in after() of the enclosing describe.
 * Returns a holder whose .srv is set once the server runs; after() asserts
 * that the server exited cleanly (status 0, no sanitizer report).
 */
export function useServer(opts) {
  const h = { srv: null };
  before(async () => { h.srv = await startServer(opts); });
  after(async () => {
    if (!h.srv) return;
    const st = await h.srv.stop();
    assert.equal(st.code, 0, `server exit status ${JSON.stringify(st)}\n${h.srv.logs().slice(-2000)}`);
  });
  return h;
}

/** A client signed in as the demo user of role (or a login). */
export async function signedIn(base, who, password = DEMO_PASSWORD) {
  const c = new Client(base);
  await c.login(LOGIN_OF[who] || who, password);
  return c;
}

/** Assert the documented error shape, status and code (and field when given). */
export function expectError(res, status, code, field) {
  assert.equal(res.status, status, `expected ${status} ${code}, got ${res.status} ${res.text}`);
  assert.ok(res.json && typeof res.json === 'object', `error body is not JSON: ${res.text}`);
  assert.deepEqual(Object.keys(res.json), ['error'], `error body: ${res.text}`);
  const e = res.json.error;
  assert.deepEqual(Object.keys(e).sort(), ['code', 'field', 'message'], `error body: ${res.text}`);
  assert.equal(typeof e.code, 'string');
  assert.equal(typeof e.message, 'string');
  assert.ok(e.message.length > 0, 'error message is empty');
  assert.ok(e.field === null || (typeof e.field === 'string' && e.field.length > 0),
    `field must be a non-empty string or null: ${res.text}`);
  if (code !== undefined) assert.equal(e.code, code, `error code: ${res.text}`);
  if (field !== undefined) assert.equal(e.field, field, `error field: ${res.text}`);
  assert.match(res.headers.get('content-type') || '', /^application\/json/);
  return e;
}

/** GET /healthz must answer 200. */
export async function assertHealthy(base) {
  const r = await fetch(base + '/healthz');
  assert.equal(r.status, 200, 'the server stopped serving /healthz');
  const j = await r.json();
  assert.equal(j.status, 'ok');
}

/** The whole audit trail (newest first) as seen by the admin client. */
export async function auditAll(admin, query = '') {
  const r = await admin.get('/api/v1/audit?limit=500' + (query ? '&' + query : ''));
  assert.equal(r.status, 200, r.text);
  return r.json;
}

/** Number of audit entries (total). */
export async function auditTotal(admin) {
  return (await auditAll(admin)).total;
}

/** All users as seen by the admin client. */
export async function usersAll(admin) {
  const r = await admin.get('/api/v1/users?limit=500');
  assert.equal(r.status, 200, r.text);
  return r.json.items;
}

/** A snapshot of what a failing request must not change: users and audit. */
export async function snapshot(admin) {
  return { users: await usersAll(admin), audit: await auditTotal(admin) };
}

export async function assertUnchanged(admin, snap, what = '') {
  const now = await snapshot(admin);
  assert.deepEqual(now.users, snap.users, `users changed ${what}`);
  assert.equal(now.audit, snap.audit, `the audit trail grew ${what}`);
}

/** Create a user through the API as admin; returns the user JSON. */
export async function createUser(admin, login, role = 'operator', extra = {}) {
  const r = await admin.post('/api/v1/users', { login, role, password: STRONG_PASSWORD, ...extra });
  assert.equal(r.status, 201, r.text);
  return r.json;
}

function parseResponse(buf) {
  const sep = buf.indexOf('\r\n\r\n');
  if (sep < 0) return null;
  const head = buf.subarray(0, sep).toString('latin1').split('\r\n');
  const m = head[0].match(/^HTTP\/1\.[01] (\d{3})/);
  if (!m) return { status: 0, headers: {}, body: buf.toString('latin1'), complete: true };
  const headers = {};
  for (const line of head.slice(1)) {
    const i = line.indexOf(':');
    const k = line.slice(0, i).trim().toLowerCase(), v = line.slice(i + 1).trim();
    headers[k] = headers[k] !== undefined ? headers[k] + ', ' + v : v;
  }
  const rest = buf.subarray(sep + 4);
  let complete = false, body = rest;
  if (headers['content-length'] !== undefined) {
    const n = Number(headers['content-length']);
    complete = rest.length >= n;
    body = rest.subarray(0, n);
  }
  const status = Number(m[1]);
  if (status === 304 || status === 204) complete = true;
  return { status, headers, body: body.toString('utf8'), complete };
}

/**
 * Send bytes over a plain TCP connection and read the reply (for requests
 * fetch would refuse or normalise: literal "..", many or huge headers, a
 * declared length with a late body). head is the request head without the
 * final blank line; body is written after the reply to the head has had a
 * chance to arrive (bodyDelayMs), and stops being written once it has.
 * Resolves {status, headers, body, json, closed} (status 0: no reply).
 */
export function rawRequest(base, head, { body, bodyDelayMs = 300, timeoutMs = 20000 } = {}) {
  const u = new URL(base);
  return new Promise((resolve) => {
    const sock = net.connect(Number(u.port), u.hostname);
    let buf = Buffer.alloc(0), done = false, replied = false;
    const finish = () => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      sock.destroy();
      const p = parseResponse(buf) || { status: 0, headers: {}, body: buf.toString('latin1') };
      let json = null;
      try { json = JSON.parse(p.body); } catch { /* not JSON */ }
      resolve({ ...p, json, raw: buf });
    };
    const timer = setTimeout(finish, timeoutMs);
    sock.on('error', () => { /* a reset after the reply is expected; finish on close */ });
    sock.on('close', finish);
    sock.on('data', (d) => {
      buf = Buffer.concat([buf, d]);
      const p = parseResponse(buf);
      if (p) replied = true;
      if (p && p.complete) finish();
    });
    sock.on('connect', () => {
      sock.write(head + '\r\n\r\n');
      if (body === undefined) return;
      const data = Buffer.isBuffer(body) ? body : Buffer.from(body);
      setTimeout(() => {
        // write the body in pieces, stopping as soon as a reply came
        let off = 0;
        const step = () => {
          while (!done && !replied && off < data.length) {
            const piece = data.subarray(off, off + 65536);
            off += piece.length;
            if (!sock.write(piece)) { sock.once('drain', step); return; }
          }
        };
        step();
      }, bodyDelayMs);
    });
  });
}

/**
 * A request with a chunked body through node's http module. chunks: array of
 * Buffers/strings written one by one. Resolves {status, headers, body, json}
 * or {status: 0, error} when the connection failed.
 */
export function chunkedRequest(base, { method = 'POST', path, headers = {}, chunks }) {
  const u = new URL(base);
  return new Promise((resolve) => {
    const req = http.request({
      host: u.hostname, port: Number(u.port), method, path,
      headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked', connection: 'close', ...headers },
      agent: false,
    }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => { body += d; });
      res.on('end', () => {
        let json = null;
        try { json = JSON.parse(body); } catch { /* not JSON */ }
        resolve({ status: res.statusCode, headers: res.headers, body, json });
      });
    });
    req.on('error', (error) => resolve({ status: 0, error }));
    (async () => {
      for (const c of chunks) {
        if (!req.write(c)) await new Promise((r) => req.once('drain', r));
      }
      req.end();
    })().catch(() => {});
  });
}

/** The error shape for replies of rawRequest/chunkedRequest. */
export function expectRawError(res, status, code, field) {
  assert.equal(res.status, status, `expected ${status}, got ${res.status}: ${res.body}`);
  assert.ok(res.json && res.json.error, `not an error body: ${res.body}`);
  const e = res.json.error;
  assert.deepEqual(Object.keys(e).sort(), ['code', 'field', 'message']);
  if (code !== undefined) assert.equal(e.code, code);
  if (field !== undefined) assert.equal(e.field, field);
  return e;
}

/** Cookie header value for a client (to replay an old cookie by hand). */
export function cookieOf(client) {
  return client.cookieHeader();
}

/** A fresh PostgreSQL database for CLI tests: {url, drop()}. */
let pgCounter = 0;
export function freshPg() {
  const admin = new URL(process.env.ASSIST_TEST_PG);
  const name = `assist_cli_${process.pid}_${++pgCounter}_${Date.now() % 100000}`;
  execFileSync('psql', [admin.toString(), '-qc', `CREATE DATABASE ${name}`], { stdio: 'pipe' });
  const u = new URL(admin.toString());
  u.pathname = '/' + name;
  return {
    url: u.toString(),
    drop() {
      try { execFileSync('psql', [admin.toString(), '-qc', `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`], { stdio: 'pipe' }); } catch { /* best effort */ }
    },
  };
}

export { DEMO_PASSWORD };
