// The audit trail: GET /api/v1/audit (admin, supervisor).
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { backends, Client } from '../lib/server.mjs';
import { useServer, signedIn, expectError, auditAll, createUser, STRONG_PASSWORD } from './helpers.mjs';

const ENTRY_KEYS = ['action', 'actor', 'after', 'at', 'before', 'entity', 'entity_id', 'id', 'request_id'];

for (const backend of backends()) {
  describe(`audit (${backend})`, () => {
    const h = useServer({ backend });
    const base = () => h.srv.base;
    let admin, adminId;
    before(async () => {
      admin = await signedIn(base(), 'admin');
      adminId = (await admin.get('/api/v1/me')).json.id;
    });

    it('records a creation: actor, action, entity, before -> after, request id', async () => {
      const r = await admin.post('/api/v1/users', { login: 'audited', role: 'finance', password: STRONG_PASSWORD, full_name: 'Audited One' });
      assert.equal(r.status, 201);
      const rid = r.headers.get('x-request-id');
      assert.match(rid || '', /^[0-9a-f]{8,}$/);
      const a = await admin.get(`/api/v1/audit?entity=user&id=${r.json.id}`);
      assert.equal(a.status, 200, a.text);
      assert.equal(a.json.total, 1);
      const e = a.json.items[0];
      assert.deepEqual(Object.keys(e).sort(), ENTRY_KEYS);
      assert.deepEqual(e.actor, { id: adminId, login: 'admin' });
      assert.equal(e.action, 'create');
      assert.equal(e.entity, 'user');
      assert.equal(e.entity_id, String(r.json.id));
      assert.equal(e.before, null);
      assert.equal(e.after.login, 'audited');
      assert.equal(e.after.role, 'finance');
      assert.equal(e.after.full_name, 'Audited One');
      assert.equal(e.request_id, rid);
      assert.match(e.at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
      const text = JSON.stringify(a.json);
      assert.ok(!text.includes(STRONG_PASSWORD) && !/argon2/.test(text), 'a password in the audit');
    });

    it('records an update with before and after, newest first', async () => {
      const u = await createUser(admin, 'audited-2', 'operator');
      const p1 = await admin.patch(`/api/v1/users/${u.id}`, { full_name: 'First' });
      const p2 = await admin.patch(`/api/v1/users/${u.id}`, { full_name: 'Second', language: 'ru' });
      assert.equal(p2.status, 200);
      const items = (await admin.get(`/api/v1/audit?entity=user&id=${u.id}`)).json.items;
      assert.deepEqual(items.map((e) => e.action), ['update', 'update', 'create']);
      assert.deepEqual(items.map((e) => e.request_id), [p2.headers.get('x-request-id'), p1.headers.get('x-request-id'), items[2].request_id]);
      assert.equal(items[0].before.full_name, 'First');
      assert.equal(items[0].after.full_name, 'Second');
      assert.equal(items[0].before.language, 'en');
      assert.equal(items[0].after.language, 'ru');
      assert.equal(items[1].before.full_name, '');
      assert.equal(items[1].after.full_name, 'First');
      for (let i = 1; i < items.length; i++) assert.ok(items[i - 1].id > items[i].id, 'not newest first');
    });

    it('a change that changes nothing is not audited', async () => {
      const u = await createUser(admin, 'no-op', 'operator');
      const t0 = (await auditAll(admin)).total;
      const r = await admin.patch(`/api/v1/users/${u.id}`, { full_name: '', role: 'operator', language: 'en', disabled: false });
      assert.equal(r.status, 200, r.text);
      assert.equal(r.json.updated_at, u.updated_at);
      assert.equal((await auditAll(admin)).total, t0);
    });

    it('every request id is unique and each write is found by it', async () => {
      const ids = new Set();
      for (let i = 0; i < 5; i++) {
        const r = await admin.get('/healthz');
        ids.add(r.headers.get('x-request-id'));
      }
      assert.equal(ids.size, 5);
      const op = await signedIn(base(), 'operator');
      const w = await op.patch('/api/v1/me', { language: 'zh' });
      const hit = (await auditAll(admin)).items.filter((e) => e.request_id === w.headers.get('x-request-id'));
      assert.equal(hit.length, 1);
      assert.equal(hit[0].actor.login, 'operator');
      assert.equal(hit[0].entity, 'user');
      assert.equal(hit[0].entity_id, String(w.json.id));
      assert.equal(hit[0].after.language, 'zh');
    });

    it('filters by entity, and by entity and id; pages with limit and offset', async () => {
      const all = await admin.get('/api/v1/audit');
      assert.equal(all.status, 200);
      assert.equal(all.json.limit, 50);
      assert.equal(all.json.offset, 0);
      assert.ok(all.json.total >= all.json.items.length);
      const users = (await admin.get('/api/v1/audit?entity=user&limit=500')).json;
      assert.ok(users.items.length > 0);
      assert.ok(users.items.every((e) => e.entity === 'user'));
      const tok = await admin.post('/api/v1/tokens', { name: 'audit filter' });
      const tokens = (await admin.get('/api/v1/audit?entity=api_token')).json;
      assert.ok(tokens.items.every((e) => e.entity === 'api_token'));
      assert.ok(tokens.items.some((e) => e.entity_id === String(tok.json.id)));
      assert.equal((await admin.get('/api/v1/audit?entity=nothing-like-this')).json.total, 0);
      assert.equal((await admin.get('/api/v1/audit?entity=user&id=999999')).json.items.length, 0);

      const full = (await admin.get('/api/v1/audit?limit=500')).json;
      const page = (await admin.get('/api/v1/audit?limit=3&offset=2')).json;
      assert.equal(page.limit, 3);
      assert.equal(page.offset, 2);
      assert.equal(page.total, full.total);
      assert.deepEqual(page.items, full.items.slice(2, 5));
      for (let i = 1; i < full.items.length; i++) assert.ok(full.items[i - 1].id > full.items[i].id, 'not newest first');
    });

    it('rejects bad queries with the field named', async () => {
      expectError(await admin.get('/api/v1/audit?id=3'), 400, 'missing_field', 'entity');
      expectError(await admin.get('/api/v1/audit?entity='), 400, 'invalid_field', 'entity');
      expectError(await admin.get('/api/v1/audit?entity=' + 'e'.repeat(65)), 400, 'invalid_field', 'entity');
      expectError(await admin.get('/api/v1/audit?limit=0'), 400, 'invalid_field', 'limit');
      expectError(await admin.get('/api/v1/audit?limit=501'), 400, 'invalid_field', 'limit');
      expectError(await admin.get('/api/v1/audit?offset=-1'), 400, 'invalid_field', 'offset');
      expectError(await admin.get('/api/v1/audit?limit=ten'), 400, 'invalid_field', 'limit');
    });

    it('the demo and CLI writes are there too, with a cli actor', async () => {
      const items = (await admin.get('/api/v1/audit?entity=user&limit=500')).json.items;
      const demo = items.filter((e) => e.action === 'create' && e.actor.login.startsWith('cli:'));
      assert.ok(demo.length >= 6, 'demo users were not audited');
      assert.ok(demo.every((e) => e.actor.id === null));
    });

    it('supervisor may read it; other roles may not', async () => {
      const sup = await signedIn(base(), 'supervisor');
      assert.equal((await sup.get('/api/v1/audit')).status, 200);
      for (const role of ['operator', 'case_manager', 'reviewer', 'finance']) {
        expectError(await (await signedIn(base(), role)).get('/api/v1/audit'), 403, 'forbidden');
      }
    });

    it('secrets and personal data stay out of the server log', async () => {
      await createUser(admin, 'ivan.petrovsky', 'operator', { full_name: 'Иван Петровский', password: 'secret-pass-4321' });
      await new Client(base()).post('/api/v1/session', { login: 'ivan.petrovsky', password: 'wrong-pass-9876' });
      const c = await signedIn(base(), 'ivan.petrovsky', 'secret-pass-4321');
      const tok = (await c.post('/api/v1/tokens', { name: 'log check' })).json.token;
      await admin.get('/api/v1/audit?entity=user&id=searchterm-in-query');
      const log = h.srv.logs();
      assert.match(log, /"event":"http"/, 'no access log at all');
      for (const secret of ['secret-pass-4321', 'wrong-pass-9876', 'ivan.petrovsky', 'Иван', 'Петровский', c.csrf,
        c.cookieHeader().split('=')[1], tok, 'searchterm-in-query']) {
        assert.ok(!log.includes(secret), `the server log holds ${secret}`);
      }
    });

    it('reading the audit is not itself a write', async () => {
      const t0 = (await auditAll(admin)).total;
      await admin.get('/api/v1/audit');
      await admin.get('/api/v1/users');
      await admin.get('/api/v1/me');
      assert.equal((await auditAll(admin)).total, t0);
    });
  });
}
