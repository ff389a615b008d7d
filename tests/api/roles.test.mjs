// Every route x every role (and anonymous) -> the expected status, from an
// explicit table written here (not read from the server), once with session
// cookies and once with Bearer API tokens.
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { backends, Client, ROOT } from '../lib/server.mjs';
import { useServer, signedIn, expectError, ROLES, STRONG_PASSWORD, createUser } from './helpers.mjs';

const ALL = ROLES;
const ADMIN = ['admin'];
const SUPERVISION = ['admin', 'supervisor'];
const OPERATIONS = ROLES.filter((r) => r !== 'finance');
const PUBLIC = 'public';

/*
 * The table. who: PUBLIC, or the roles allowed. ok: the status an allowed
 * caller gets for this request (a success or a validation status, never
 * 401/403; a list when either of a few is right). Requests are chosen to be harmless or self-contained, and req()
 * gets a per-caller tag and the fixture ids.
 */
const TABLE = [
  { method: 'GET', path: '/healthz', who: PUBLIC, ok: 200 },
  { method: 'GET', path: '/api/v1/openapi.json', who: PUBLIC, ok: 200 },
  // a sign-in with a missing password: the route is open, the body is not
  { method: 'POST', path: '/api/v1/session', who: PUBLIC, ok: 400, req: () => ({ body: { login: 'admin' } }) },
  { method: 'DELETE', path: '/api/v1/session', who: ALL, ok: 204, fresh: true },
  { method: 'GET', path: '/api/v1/me', who: ALL, ok: 200 },
  { method: 'PATCH', path: '/api/v1/me', who: ALL, ok: 200, req: () => ({ body: { language: 'en' } }) },
  { method: 'POST', path: '/api/v1/me/password', who: ALL, ok: 422,
    req: () => ({ body: { current_password: 'not-my-password', new_password: STRONG_PASSWORD } }) },
  { method: 'GET', path: '/api/v1/users', who: ADMIN, ok: 200 },
  { method: 'POST', path: '/api/v1/users', who: ADMIN, ok: 201,
    req: (tag) => ({ body: { login: `made-by-${tag}`, role: 'operator', password: STRONG_PASSWORD } }) },
  { method: 'GET', path: '/api/v1/users/{id}', who: ADMIN, ok: 200, req: (tag, fx) => ({ path: `/api/v1/users/${fx.target}` }) },
  { method: 'PATCH', path: '/api/v1/users/{id}', who: ADMIN, ok: 200,
    req: (tag, fx) => ({ path: `/api/v1/users/${fx.target}`, body: { full_name: `renamed by ${tag}` } }) },
  { method: 'DELETE', path: '/api/v1/users/{id}', who: ADMIN, ok: 200, req: (tag, fx) => ({ path: `/api/v1/users/${fx.victims[tag]}` }) },
  { method: 'GET', path: '/api/v1/staff', who: ALL, ok: 200 },
  { method: 'POST', path: '/api/v1/messages', who: OPERATIONS, ok: 400, req: () => ({ body: { channel: 'fax', to: '+79161234567', text: 'x' } }) },
  { method: 'GET', path: '/api/v1/messages/{id}', who: ALL, ok: 404, req: () => ({ path: '/api/v1/messages/999999' }) },
  { method: 'GET', path: '/api/v1/templates', who: ADMIN, ok: 200 },
  { method: 'GET', path: '/api/v1/templates/{code}/{channel}/{language}', who: ADMIN, ok: 200, req: () => ({ path: '/api/v1/templates/case_opened/sms/en' }) },
  { method: 'PUT', path: '/api/v1/templates/{code}/{channel}/{language}', who: ADMIN, ok: 400, req: () => ({ path: '/api/v1/templates/case_opened/sms/en', body: { text: 'Hi {{first_name' } }) },
  { method: 'POST', path: '/api/v1/templates/preview', who: ADMIN, ok: 200, req: () => ({ body: { text: 'Hi {{name}}', vars: { name: 'Ann' } } }) },
  { method: 'GET', path: '/api/v1/triggers', who: ADMIN, ok: 200 },
  { method: 'POST', path: '/api/v1/triggers', who: ADMIN, ok: 400, req: () => ({ body: { event: 'no_such', channel: 'sms', template: 'case_opened', audience: 'person' } }) },
  { method: 'PATCH', path: '/api/v1/triggers/{id}', who: ADMIN, ok: 404, req: () => ({ path: '/api/v1/triggers/999999', body: { enabled: true } }) },
  // holidays: a refused day and a day that is no holiday change nothing
  { method: 'GET', path: '/api/v1/holidays', who: ADMIN, ok: 200 },
  { method: 'PUT', path: '/api/v1/holidays/{month_day}', who: ADMIN, ok: 400, req: () => ({ path: '/api/v1/holidays/02-30', body: { name: 'No such day' } }) },
  { method: 'DELETE', path: '/api/v1/holidays/{month_day}', who: ADMIN, ok: 404, req: () => ({ path: '/api/v1/holidays/12-31' }) },
  // gateways (SMSC and SMTP connections): admins only; writes are refused before anything changes
  { method: 'GET', path: '/api/v1/gateways', who: ADMIN, ok: 200 },
  { method: 'POST', path: '/api/v1/gateways', who: ADMIN, ok: 400, req: () => ({ body: { kind: 'smpp', name: 'roles test', host: '127.0.0.1', username: 'x', prefixes: '7-9' } }) },
  { method: 'GET', path: '/api/v1/gateways/{id}', who: ADMIN, ok: 404, req: () => ({ path: '/api/v1/gateways/999999' }) },
  { method: 'PUT', path: '/api/v1/gateways/{id}', who: ADMIN, ok: 404, req: () => ({ path: '/api/v1/gateways/999999', body: { enabled: false } }) },
  { method: 'DELETE', path: '/api/v1/gateways/{id}', who: ADMIN, ok: 404, req: () => ({ path: '/api/v1/gateways/999999' }) },
  { method: 'GET', path: '/api/v1/tokens', who: ALL, ok: 200 },
  { method: 'POST', path: '/api/v1/tokens', who: ALL, ok: 201, req: (tag) => ({ body: { name: `token of ${tag}` } }) },
  // no such token of the caller's: allowed, and 404
  { method: 'DELETE', path: '/api/v1/tokens/{id}', who: ALL, ok: 404, req: () => ({ path: '/api/v1/tokens/999999' }) },
  { method: 'GET', path: '/api/v1/audit', who: SUPERVISION, ok: 200 },
  // a bad topic is refused before any stream opens
  { method: 'GET', path: '/api/v1/events/stream', who: ALL, ok: 400, req: () => ({ path: '/api/v1/events/stream?topics=weather:today' }) },

  // programs (capability A): anyone reads, the admin writes. Writes send an
  // empty object: allowed callers get the validation error.
  { method: 'GET', path: '/api/v1/programs', who: ALL, ok: 200 },
  { method: 'POST', path: '/api/v1/programs', who: ADMIN, ok: 400, req: () => ({ body: {} }) },
  { method: 'GET', path: '/api/v1/programs/{code}', who: ALL, ok: 200, req: (tag, fx) => ({ path: `/api/v1/programs/${fx.program}` }) },
  { method: 'PUT', path: '/api/v1/programs/{code}', who: ADMIN, ok: 400, req: (tag, fx) => ({ path: `/api/v1/programs/${fx.program}`, body: {} }) },

  // policies, persons, coverage: supervision registers policies, anyone reads
  // and evaluates. Unknown records answer 404 (allowed, nothing to show).
  { method: 'POST', path: '/api/v1/policies', who: SUPERVISION, ok: 400, req: () => ({ body: {} }) },
  { method: 'GET', path: '/api/v1/policies/{number}', who: ALL, ok: 404, req: () => ({ path: '/api/v1/policies/NO-SUCH-POLICY' }) },
  { method: 'PATCH', path: '/api/v1/policies/{number}', who: SUPERVISION, ok: 404, req: () => ({ path: '/api/v1/policies/NO-SUCH-POLICY', body: { status: 'active' } }) },
  { method: 'GET', path: '/api/v1/policies/{number}/history', who: ALL, ok: 404, req: () => ({ path: '/api/v1/policies/NO-SUCH-POLICY/history' }) },
  { method: 'GET', path: '/api/v1/policies/{number}/coverage', who: ALL, ok: 404, req: () => ({ path: '/api/v1/policies/NO-SUCH-POLICY/coverage' }) },
  { method: 'GET', path: '/api/v1/search', who: ALL, ok: 200, req: () => ({ path: '/api/v1/search?q=ivanov' }) },
  { method: 'GET', path: '/api/v1/persons/{id}', who: ALL, ok: 200, req: () => ({ path: '/api/v1/persons/1' }) },
  { method: 'GET', path: '/api/v1/persons/{id}/active-policy', who: ALL, ok: [200, 404], req: () => ({ path: '/api/v1/persons/1/active-policy' }) },
  { method: 'GET', path: '/api/v1/persons/{id}/active-case', who: ALL, ok: 200, req: () => ({ path: '/api/v1/persons/1/active-case' }) },
  { method: 'POST', path: '/api/v1/cases', who: OPERATIONS, ok: 400, req: () => ({ body: { type: 'medical' } }) },
  { method: 'GET', path: '/api/v1/cases', who: ALL, ok: 200 },
  { method: 'GET', path: '/api/v1/cases/{id}', who: ALL, ok: 404, req: () => ({ path: '/api/v1/cases/999999' }) },
  { method: 'PATCH', path: '/api/v1/cases/{id}', who: OPERATIONS, ok: 404, req: () => ({ path: '/api/v1/cases/999999', body: { status: 'waiting' } }) },
  { method: 'GET', path: '/api/v1/cases/{id}/contacts', who: ALL, ok: 404, req: () => ({ path: '/api/v1/cases/999999/contacts' }) },
  { method: 'POST', path: '/api/v1/cases/{id}/contacts', who: OPERATIONS, ok: 404,
    req: () => ({ path: '/api/v1/cases/999999/contacts', body: { direction: 'in', channel: 'phone', summary: 'x' } }) },
  { method: 'POST', path: '/api/v1/cases/{id}/quality', who: OPERATIONS, ok: 404, req: () => ({ path: '/api/v1/cases/999999/quality', body: { score: 9 } }) },
  { method: 'GET', path: '/api/v1/cases/{id}/questionnaire.pdf', who: ALL, ok: 404, req: () => ({ path: '/api/v1/cases/999999/questionnaire.pdf' }) },
  { method: 'GET', path: '/api/v1/reports/nps', who: SUPERVISION, ok: 200 },
  { method: 'GET', path: '/api/v1/cases/{id}/messages', who: ALL, ok: 404, req: () => ({ path: '/api/v1/cases/999999/messages' }) },
  { method: 'GET', path: '/api/v1/reports/messages', who: SUPERVISION, ok: 200 },
  { method: 'GET', path: '/api/v1/reports/costs', who: SUPERVISION, ok: 200 },
  { method: 'GET', path: '/api/v1/reports/contact-data', who: SUPERVISION, ok: 200 },
  { method: 'PUT', path: '/api/v1/persons/{id}/opt-outs/{channel}', who: OPERATIONS, ok: 404, req: () => ({ path: '/api/v1/persons/999999/opt-outs/sms' }) },
  { method: 'DELETE', path: '/api/v1/persons/{id}/opt-outs/{channel}', who: OPERATIONS, ok: 404, req: () => ({ path: '/api/v1/persons/999999/opt-outs/sms' }) },
  { method: 'GET', path: '/api/v1/departments', who: ALL, ok: 200 },
  { method: 'POST', path: '/api/v1/tasks', who: ALL, ok: 400, req: () => ({ body: { case_id: 999999, department: 'medical', due_at: 'soon', text: 'x' } }) },
  { method: 'GET', path: '/api/v1/tasks', who: ALL, ok: 200 },
  { method: 'GET', path: '/api/v1/tasks/{id}', who: ALL, ok: 404, req: () => ({ path: '/api/v1/tasks/999999' }) },
  { method: 'PATCH', path: '/api/v1/tasks/{id}', who: ALL, ok: 404, req: () => ({ path: '/api/v1/tasks/999999', body: { status: 'done' } }) },
  { method: 'POST', path: '/api/v1/coverage/evaluate', who: ALL, ok: 400, req: () => ({ body: {} }) },
  { method: 'POST', path: '/api/v1/coverage/reservations', who: OPERATIONS, ok: 400, req: () => ({ body: {} }) },
  { method: 'GET', path: '/api/v1/coverage/reservations/{id}', who: ALL, ok: 404, req: () => ({ path: '/api/v1/coverage/reservations/999999' }) },
  { method: 'POST', path: '/api/v1/coverage/reservations/{id}/commit', who: ALL, ok: 404, req: () => ({ path: '/api/v1/coverage/reservations/999999/commit' }) },
  { method: 'POST', path: '/api/v1/coverage/reservations/{id}/release', who: OPERATIONS, ok: 404, req: () => ({ path: '/api/v1/coverage/reservations/999999/release' }) },
  // policy list import: an empty file is refused (nothing imported)
  { method: 'POST', path: '/api/v1/imports/policies', who: SUPERVISION, ok: 400, req: () => ({ raw: '' }) },
  { method: 'GET', path: '/api/v1/imports/policies/template.csv', who: ALL, ok: 200 },
  { method: 'GET', path: '/api/v1/imports', who: SUPERVISION, ok: 200 },
];

function expected(row, role) {
  if (row.who === PUBLIC) return row.ok;
  if (role === null) return 401;
  return row.who.includes(role) ? row.ok : 403;
}

describe('the role table', () => {
  it('covers every operation of docs/openapi.json, with the same roles', () => {
    const doc = JSON.parse(readFileSync(path.join(ROOT, 'docs/openapi.json'), 'utf8'));
    const ops = [];
    for (const [p, item] of Object.entries(doc.paths)) {
      for (const [m, op] of Object.entries(item)) {
        if (!['get', 'post', 'put', 'patch', 'delete'].includes(m)) continue;
        ops.push({ key: `${m.toUpperCase()} ${p}`, roles: op['x-roles'] });
      }
    }
    const mine = TABLE.map((r) => `${r.method} ${r.path}`);
    assert.deepEqual([...mine].sort(), ops.map((o) => o.key).sort(), 'the table and the OpenAPI document list different routes');
    for (const o of ops) {
      const row = TABLE.find((r) => `${r.method} ${r.path}` === o.key);
      const want = row.who === PUBLIC ? [] : [...row.who].sort();
      assert.deepEqual([...(o.roles || [])].sort(), want, `x-roles of ${o.key}`);
    }
  });
});

for (const backend of backends()) {
  for (const mode of ['cookie', 'bearer']) {
    describe(`roles with ${mode} (${backend})`, () => {
      const h = useServer({ backend });
      const callers = {}; // role -> Client (anonymous: null key 'anonymous')
      const fx = { target: 0, victims: {}, program: '' };

      before(async () => {
        const base = h.srv.base;
        const admin = await signedIn(base, 'admin');
        fx.target = (await createUser(admin, `target-${mode}`)).id;
        for (const role of ROLES) fx.victims[role] = (await createUser(admin, `victim-${mode}-${role}`)).id;
        fx.victims.anonymous = fx.target;
        const programs = await admin.get('/api/v1/programs');
        assert.equal(programs.status, 200, programs.text);
        assert.ok(programs.json.items.length > 0, 'the demo has no programs');
        fx.program = encodeURIComponent(programs.json.items[0].code);
        for (const role of ROLES) {
          const c = await signedIn(base, role);
          if (mode === 'bearer') {
            const t = await c.post('/api/v1/tokens', { name: 'roles test' });
            assert.equal(t.status, 201, t.text);
            const b = new Client(base);
            b.token = t.json.token;
            callers[role] = b;
          } else {
            callers[role] = c;
          }
        }
        callers.anonymous = new Client(base);
      });

      for (const row of TABLE) {
        it(`${row.method} ${row.path}`, async () => {
          const got = {}, want = {};
          for (const who of [...ROLES, 'anonymous']) {
            const role = who === 'anonymous' ? null : who;
            let c = callers[who];
            if (row.fresh && role && mode === 'cookie') c = await signedIn(h.srv.base, role);
            const tag = `${mode}-${who}`;
            const victims = Object.fromEntries(Object.entries(fx.victims).map(([k, v]) => [`${mode}-${k}`, v]));
            const rq = row.req ? row.req(tag, { ...fx, victims }) : {};
            const p = rq.path || row.path;
            const res = rq.raw !== undefined
              ? await c.request(row.method, p, undefined, { raw: rq.raw, headers: { 'content-type': 'text/csv' } })
              : await c.request(row.method, p, rq.body);
            want[who] = expected(row, role);
            // an allowed caller's status is reported as the row's own list when it is one of them
            got[who] = Array.isArray(want[who]) && want[who].includes(res.status) ? want[who] : res.status;
            assert.ok(want[who] === 401 || want[who] === 403 || (res.status !== 401 && res.status !== 403),
              `${who} may call ${row.method} ${row.path} but got ${res.status} ${res.text}`);
            if (want[who] === 401 || want[who] === 403) {
              expectError(res, want[who], want[who] === 401 ? 'unauthorized' : 'forbidden', null);
            }
          }
          assert.deepEqual(got, want, `${row.method} ${row.path}: status by caller`);
        });
      }

      it('refused requests changed nothing', async () => {
        const admin = await signedIn(h.srv.base, 'admin');
        const users = (await admin.get('/api/v1/users?limit=500')).json.items;
        const made = users.filter((u) => u.login.startsWith(`made-by-${mode}-`)).map((u) => u.login);
        assert.deepEqual(made, [`made-by-${mode}-admin`], 'users made by callers other than admin');
        const target = users.find((u) => u.id === fx.target);
        assert.equal(target.full_name, `renamed by ${mode}-admin`);
        for (const role of ROLES) {
          const v = users.find((u) => u.id === fx.victims[role]);
          assert.equal(v.disabled, role === 'admin', `victim of ${role}: disabled=${v.disabled}`);
        }
      });
    });
  }
}
