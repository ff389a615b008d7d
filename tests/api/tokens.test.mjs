// API tokens: /api/v1/tokens (own tokens, any role) and Bearer authentication.
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { backends, Client } from '../lib/server.mjs';
import { useServer, signedIn, expectError, auditAll, createUser, STRONG_PASSWORD } from './helpers.mjs';

function bearer(base, token) {
  const c = new Client(base);
  c.token = token;
  return c;
}

for (const backend of backends()) {
  describe(`tokens (${backend})`, () => {
    const h = useServer({ backend });
    const base = () => h.srv.base;
    let admin, operator;
    before(async () => {
      admin = await signedIn(base(), 'admin');
      operator = await signedIn(base(), 'operator');
    });

    it('creates a token shown once, lists it without the secret', async () => {
      const r = await operator.post('/api/v1/tokens', { name: 'CRM integration' });
      assert.equal(r.status, 201, r.text);
      assert.deepEqual(Object.keys(r.json).sort(), ['created_at', 'id', 'name', 'token']);
      assert.equal(r.json.name, 'CRM integration');
      assert.match(r.json.token, /^[A-Za-z0-9_-]{43}$/);
      const list = await operator.get('/api/v1/tokens');
      assert.equal(list.status, 200);
      const item = list.json.items.find((t) => t.id === r.json.id);
      assert.ok(item, 'the new token is not listed');
      assert.equal(item.name, 'CRM integration');
      assert.ok(!('token' in item), 'the list shows the secret');
      assert.ok(!list.text.includes(r.json.token), 'the list holds the secret');
      // only own tokens are listed
      const other = await admin.get('/api/v1/tokens');
      assert.ok(!other.json.items.some((t) => t.id === r.json.id), 'another user sees the token');
      // the audit names the token, not its secret
      const a = await auditAll(admin, `entity=api_token&id=${r.json.id}`);
      assert.equal(a.items[0].action, 'create');
      assert.equal(a.items[0].actor.login, 'operator');
      assert.ok(!JSON.stringify(a).includes(r.json.token), 'the secret is in the audit');
    });

    it('a token authenticates as its user, with that role, and needs no CSRF header', async () => {
      const t = (await operator.post('/api/v1/tokens', { name: 'bearer use' })).json.token;
      const b = bearer(base(), t);
      const fresh = (await operator.get('/api/v1/tokens')).json.items.find((x) => x.name === 'bearer use');
      assert.equal(fresh.last_used_at, null);
      const me = await b.get('/api/v1/me');
      assert.equal(me.status, 200, me.text);
      assert.equal(me.json.login, 'operator');
      assert.equal(me.json.auth, 'token');
      assert.ok(!('csrf_token' in me.json), 'a token has no CSRF token');
      // writes work without X-CSRF-Token
      const p = await b.patch('/api/v1/me', { full_name: 'Set By Token' });
      assert.equal(p.status, 200, p.text);
      assert.equal(p.json.full_name, 'Set By Token');
      const made = await b.post('/api/v1/tokens', { name: 'made with a token' });
      assert.equal(made.status, 201, made.text);
      const used = (await operator.get('/api/v1/tokens')).json.items.find((x) => x.name === 'bearer use');
      assert.match(used.last_used_at || '', /^\d{4}-/, 'last_used_at was not set');
      // the role still applies
      expectError(await b.get('/api/v1/users'), 403, 'forbidden');
      expectError(await b.get('/api/v1/audit'), 403, 'forbidden');
      const entry = (await auditAll(admin, 'entity=user')).items.find((e) => e.request_id === p.headers.get('x-request-id'));
      assert.ok(entry, 'no audit entry for the token write');
      assert.equal(entry.actor.login, 'operator');
    });

    it('revoking: 204, then the token is 401 and unlisted; a second revoke is 404', async () => {
      const r = (await operator.post('/api/v1/tokens', { name: 'to revoke' })).json;
      const b = bearer(base(), r.token);
      assert.equal((await b.get('/api/v1/me')).status, 200);
      const del = await operator.del(`/api/v1/tokens/${r.id}`);
      assert.equal(del.status, 204, del.text);
      assert.equal(del.text, '');
      expectError(await b.get('/api/v1/me'), 401, 'unauthorized', null);
      expectError(await b.post('/api/v1/tokens', { name: 'x' }), 401, 'unauthorized');
      assert.ok(!(await operator.get('/api/v1/tokens')).json.items.some((t) => t.id === r.id));
      expectError(await operator.del(`/api/v1/tokens/${r.id}`), 404, 'not_found');
      const a = await auditAll(admin, `entity=api_token&id=${r.id}`);
      assert.deepEqual(a.items.map((e) => e.action), ['revoke', 'create']);
      assert.equal(a.items[0].request_id, del.headers.get('x-request-id'));
    });

    it('a token can revoke itself', async () => {
      const r = (await operator.post('/api/v1/tokens', { name: 'self revoke' })).json;
      const b = bearer(base(), r.token);
      assert.equal((await b.del(`/api/v1/tokens/${r.id}`)).status, 204);
      expectError(await b.get('/api/v1/me'), 401);
    });

    it('a user cannot revoke another user\'s token (404), and it keeps working', async () => {
      const r = (await operator.post('/api/v1/tokens', { name: 'not yours' })).json;
      const fin = await signedIn(base(), 'finance');
      const audit0 = (await auditAll(admin)).total;
      expectError(await admin.del(`/api/v1/tokens/${r.id}`), 404, 'not_found');
      expectError(await fin.del(`/api/v1/tokens/${r.id}`), 404, 'not_found');
      const finTok = (await fin.post('/api/v1/tokens', { name: 'finance token' })).json;
      expectError(await bearer(base(), finTok.token).del(`/api/v1/tokens/${r.id}`), 404, 'not_found');
      assert.equal((await bearer(base(), r.token).get('/api/v1/me')).status, 200);
      // only the finance token creation was recorded
      assert.equal((await auditAll(admin)).total, audit0 + 1);
    });

    it('bad token ids are 404', async () => {
      for (const id of ['abc', '0', '-3', '1x', '99999999999999999999', '999999']) {
        expectError(await operator.del(`/api/v1/tokens/${id}`), 404, 'not_found');
      }
    });

    it('rejects bad names, creating nothing', async () => {
      const before = (await operator.get('/api/v1/tokens')).json.items.length;
      expectError(await operator.post('/api/v1/tokens', {}), 400, 'missing_field', 'name');
      expectError(await operator.post('/api/v1/tokens', { name: '' }), 400, 'invalid_field', 'name');
      expectError(await operator.post('/api/v1/tokens', { name: 5 }), 400, 'invalid_field', 'name');
      expectError(await operator.post('/api/v1/tokens', { name: 'n'.repeat(101) }), 400, 'invalid_field', 'name');
      expectError(await operator.post('/api/v1/tokens', { name: 'ok', scope: 'all' }), 400, 'unknown_field', 'scope');
      expectError(await operator.post('/api/v1/tokens', undefined, { raw: '' }), 400, 'bad_json');
      assert.equal((await operator.get('/api/v1/tokens')).json.items.length, before);
    });

    it('malformed or unknown Bearer credentials are 401', async () => {
      const headers = [
        'Bearer', 'Bearer ', 'Bearer short', 'Basic YWRtaW46YXNzaXN0LWRlbW8=', 'bearer ' + 'A'.repeat(43),
        'Bearer ' + 'A'.repeat(43), 'Bearer ' + 'A'.repeat(44), 'Bearer ' + '*'.repeat(43), 'Token abc',
      ];
      for (const authorization of headers) {
        const r = await new Client(base()).get('/api/v1/me', { headers: { authorization } });
        expectError(r, 401, 'unauthorized', null);
      }
      // a public route does not care
      const hz = await fetch(base() + '/healthz', { headers: { authorization: 'Bearer nonsense' } });
      assert.equal(hz.status, 200);
    });

    it('an admin\'s token can administer users', async () => {
      const t = (await admin.post('/api/v1/tokens', { name: 'admin automation' })).json.token;
      const b = bearer(base(), t);
      const u = await b.post('/api/v1/users', { login: 'made-by-token', role: 'finance', password: STRONG_PASSWORD });
      assert.equal(u.status, 201, u.text);
      const entry = (await auditAll(admin, `entity=user&id=${u.json.id}`)).items[0];
      assert.equal(entry.actor.login, 'admin');
      assert.equal(entry.request_id, u.headers.get('x-request-id'));
    });

    it('a disabled user\'s tokens stop working', async () => {
      const u = await createUser(admin, 'token-owner', 'reviewer');
      const c = new Client(base());
      await c.login('token-owner', STRONG_PASSWORD);
      const t = (await c.post('/api/v1/tokens', { name: 'owner token' })).json.token;
      assert.equal((await bearer(base(), t).get('/api/v1/me')).status, 200);
      assert.equal((await admin.del(`/api/v1/users/${u.id}`)).status, 200);
      expectError(await bearer(base(), t).get('/api/v1/me'), 401);
      expectError(await bearer(base(), t).post('/api/v1/tokens', { name: 'after disable' }), 401);
    });
  });
}
