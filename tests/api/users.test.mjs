// User administration: /api/v1/users and /api/v1/users/{id} (admin).
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { backends, Client } from '../lib/server.mjs';
import {
  useServer, signedIn, expectError, assertHealthy, snapshot, assertUnchanged, createUser,
  auditAll, STRONG_PASSWORD,
} from './helpers.mjs';

const USER_KEYS = ['created_at', 'department', 'disabled', 'email', 'full_name', 'id', 'language', 'login', 'phone', 'role', 'updated_at'];

for (const backend of backends()) {
  describe(`users (${backend})`, () => {
    const h = useServer({ backend });
    let admin;
    const base = () => h.srv.base;
    before(async () => { admin = await signedIn(base(), 'admin'); });

    describe('list and get', () => {
      it('lists the demo users with paging', async () => {
        const r = await admin.get('/api/v1/users');
        assert.equal(r.status, 200, r.text);
        assert.equal(r.json.limit, 50);
        assert.equal(r.json.offset, 0);
        assert.ok(r.json.total >= 6);
        const logins = r.json.items.map((u) => u.login);
        for (const l of ['admin', 'operator', 'manager', 'reviewer', 'finance', 'supervisor']) assert.ok(logins.includes(l), l);
        for (const u of r.json.items) assert.deepEqual(Object.keys(u).sort(), USER_KEYS);
        assert.ok(!/argon2|password/.test(r.text), 'a password (hash) in the list');

        const p = await admin.get('/api/v1/users?limit=2&offset=1');
        assert.equal(p.status, 200);
        assert.equal(p.json.items.length, 2);
        assert.equal(p.json.limit, 2);
        assert.equal(p.json.offset, 1);
        assert.deepEqual(p.json.items, r.json.items.slice(1, 3));
        const far = await admin.get('/api/v1/users?offset=100000');
        assert.equal(far.status, 200);
        assert.deepEqual(far.json.items, []);
      });

      it('rejects bad paging with the field named', async () => {
        for (const [q, field] of [['limit=0', 'limit'], ['limit=501', 'limit'], ['limit=abc', 'limit'], ['limit=', 'limit'],
          ['limit=1.5', 'limit'], ['offset=-1', 'offset'], ['offset=x', 'offset'], ['limit=99999999999999999999', 'limit']]) {
          expectError(await admin.get('/api/v1/users?' + q), 400, 'invalid_field', field);
        }
      });

      it('gets one user; unknown and non-numeric ids are 404', async () => {
        const list = (await admin.get('/api/v1/users')).json.items;
        const op = list.find((u) => u.login === 'operator');
        const r = await admin.get(`/api/v1/users/${op.id}`);
        assert.equal(r.status, 200);
        assert.deepEqual(r.json, op);
        for (const id of ['999999', '0', '-1', 'abc', '1abc', '1.0', '1e2', '99999999999999999999', '%20', 'null']) {
          expectError(await admin.get(`/api/v1/users/${id}`), 404, 'not_found', null);
        }
        expectError(await admin.patch('/api/v1/users/abc', { full_name: 'x' }), 404, 'not_found');
        expectError(await admin.del('/api/v1/users/abc'), 404, 'not_found');
        expectError(await admin.patch('/api/v1/users/999999', { full_name: 'x' }), 404, 'not_found');
        expectError(await admin.del('/api/v1/users/999999'), 404, 'not_found');
        await assertHealthy(base());
      });
    });

    describe('create', () => {
      it('gives a user a department, changes it, clears it, and refuses a bad code', async () => {
        const r = await admin.post('/api/v1/users', { login: 'dept.user', role: 'operator', password: STRONG_PASSWORD, department: 'medical' });
        assert.equal(r.status, 201, r.text);
        assert.equal(r.json.department, 'medical');
        let p = await admin.patch(`/api/v1/users/${r.json.id}`, { department: 'claims' });
        assert.equal(p.status, 200, p.text);
        assert.equal(p.json.department, 'claims');
        p = await admin.patch(`/api/v1/users/${r.json.id}`, { department: null });
        assert.equal(p.json.department, null);
        expectError(await admin.patch(`/api/v1/users/${r.json.id}`, { department: 'Medical Dept' }), 400, 'invalid_field', 'department');
        expectError(await admin.post('/api/v1/users', { login: 'dept.bad', role: 'operator', password: STRONG_PASSWORD, department: '' }), 400, 'invalid_field', 'department');
        assert.equal((await admin.get(`/api/v1/users/${r.json.id}`)).json.department, null);
      });

      it('creates a user (login lowercased) who can sign in', async () => {
        const r = await admin.post('/api/v1/users', {
          login: 'New.User@Example', full_name: 'Иван Иванов', role: 'reviewer', password: STRONG_PASSWORD, language: 'ru',
        });
        assert.equal(r.status, 201, r.text);
        assert.deepEqual(Object.keys(r.json).sort(), USER_KEYS);
        assert.equal(r.json.login, 'new.user@example');
        assert.equal(r.json.full_name, 'Иван Иванов');
        assert.equal(r.json.role, 'reviewer');
        assert.equal(r.json.language, 'ru');
        assert.equal(r.json.disabled, false);
        assert.ok(!/argon2|password/.test(r.text));
        const got = await admin.get(`/api/v1/users/${r.json.id}`);
        assert.deepEqual(got.json, r.json);
        const c = new Client(base());
        const s = await c.login('NEW.USER@example', STRONG_PASSWORD);
        assert.equal(s.user.id, r.json.id);
        assert.equal((await c.get('/api/v1/me')).json.role, 'reviewer');
        // the longest login
        assert.equal((await admin.post('/api/v1/users', { login: 'l'.repeat(64), role: 'operator', password: STRONG_PASSWORD })).status, 201);
        // defaults
        const d = await createUser(admin, 'defaults-user', 'finance');
        assert.equal(d.language, 'en');
        assert.equal(d.full_name, '');
      });

      it('rejects bad input with the field named, creating nothing', async () => {
        const good = { login: 'bad-input-user', role: 'operator', password: STRONG_PASSWORD };
        const snap = await snapshot(admin);
        const cases = [
          [{ ...good, login: undefined }, 400, 'missing_field', 'login'],
          [{ ...good, role: undefined }, 400, 'missing_field', 'role'],
          [{ ...good, password: undefined }, 400, 'missing_field', 'password'],
          [{ ...good, login: null }, 400, 'missing_field', 'login'],
          [{ ...good, login: 42 }, 400, 'invalid_field', 'login'],
          [{ ...good, login: 'a' }, 400, 'invalid_field', 'login'],
          [{ ...good, login: 'has space' }, 400, 'invalid_field', 'login'],
          [{ ...good, login: 'Ольга' }, 400, 'invalid_field', 'login'],
          [{ ...good, login: '-dash' }, 400, 'invalid_field', 'login'],
          [{ ...good, login: 'x'.repeat(65) }, 400, 'invalid_field', 'login'],
          [{ ...good, role: 'boss' }, 400, 'invalid_field', 'role'],
          [{ ...good, role: 'ADMIN ' }, 400, 'invalid_field', 'role'],
          [{ ...good, role: ['admin'] }, 400, 'invalid_field', 'role'],
          [{ ...good, password: 'short' }, 400, 'weak_password', 'password'],
          [{ ...good, password: 'seven77' }, 400, 'weak_password', 'password'],
          [{ ...good, password: 'tab\there-pass' }, 400, 'weak_password', 'password'],
          [{ ...good, password: 'p'.repeat(257) }, 400, 'weak_password', 'password'],
          [{ ...good, password: 12345678 }, 400, 'invalid_field', 'password'],
          [{ ...good, language: 'de' }, 400, 'invalid_field', 'language'],
          [{ ...good, language: true }, 400, 'invalid_field', 'language'],
          [{ ...good, full_name: 'n'.repeat(201) }, 400, 'invalid_field', 'full_name'],
          [{ ...good, full_name: 7 }, 400, 'invalid_field', 'full_name'],
          [{ ...good, disabled: true }, 400, 'unknown_field', 'disabled'],
          [{ ...good, id: 1 }, 400, 'unknown_field', 'id'],
          [{ ...good, password_hash: 'x' }, 400, 'unknown_field', 'password_hash'],
        ];
        for (const [body, status, code, field] of cases) {
          expectError(await admin.post('/api/v1/users', body), status, code, field);
        }
        expectError(await admin.post('/api/v1/users', [good]), 400, 'invalid_field', null);
        expectError(await admin.post('/api/v1/users', undefined, { raw: '' }), 400, 'bad_json');
        await assertUnchanged(admin, snap, 'after rejected creations');
        // 8 code points is enough, even in Cyrillic or Chinese (more bytes)
        assert.equal((await admin.post('/api/v1/users', { ...good, login: 'cp8-ru', password: 'пароль12' })).status, 201);
        assert.equal((await admin.post('/api/v1/users', { ...good, login: 'cp8-zh', password: '密码密码密码密码' })).status, 201);
        await new Client(base()).login('cp8-zh', '密码密码密码密码');
      });

      it('refuses a taken login with 409 login_taken, whatever its case', async () => {
        const snap = await snapshot(admin);
        for (const login of ['operator', 'OPERATOR', 'Admin']) {
          expectError(await admin.post('/api/v1/users', { login, role: 'admin', password: STRONG_PASSWORD }), 409, 'login_taken', 'login');
        }
        await assertUnchanged(admin, snap, 'after 409');
        // the existing user kept their password and role
        const c = await signedIn(base(), 'operator');
        assert.equal((await c.get('/api/v1/me')).json.role, 'operator');
      });
    });

    describe('email and phone (where staff notices go)', () => {
      it('creates with them (phone in E.164), changes, clears with null or "", and audits before and after', async () => {
        const r = await admin.post('/api/v1/users', {
          login: 'contact.user', role: 'case_manager', password: STRONG_PASSWORD, email: 'anna.k@example.com', phone: '8 (916) 123-45-67',
        });
        assert.equal(r.status, 201, r.text);
        assert.equal(r.json.email, 'anna.k@example.com');
        assert.equal(r.json.phone, '+79161234567');
        assert.deepEqual((await admin.get(`/api/v1/users/${r.json.id}`)).json, r.json);
        const listed = (await admin.get('/api/v1/users?limit=500')).json.items.find((u) => u.id === r.json.id);
        assert.deepEqual(listed, r.json);
        let entry = (await auditAll(admin, `entity=user&id=${r.json.id}`)).items[0];
        assert.equal(entry.action, 'create');
        assert.equal(entry.after.phone, '+79161234567');
        assert.equal(entry.after.email, 'anna.k@example.com');

        let p = await admin.patch(`/api/v1/users/${r.json.id}`, { phone: '+44 20 7946 0958' });
        assert.equal(p.status, 200, p.text);
        assert.equal(p.json.phone, '+442079460958');
        assert.equal(p.json.email, 'anna.k@example.com', 'an absent field stays');
        entry = (await auditAll(admin, `entity=user&id=${r.json.id}`)).items[0];
        assert.equal(entry.action, 'update');
        assert.equal(entry.before.phone, '+79161234567');
        assert.equal(entry.after.phone, '+442079460958');

        p = await admin.patch(`/api/v1/users/${r.json.id}`, { email: null, phone: '' });
        assert.equal(p.status, 200, p.text);
        assert.equal(p.json.email, null);
        assert.equal(p.json.phone, null);
        assert.deepEqual((await admin.get(`/api/v1/users/${r.json.id}`)).json, p.json);
        entry = (await auditAll(admin, `entity=user&id=${r.json.id}`)).items[0];
        assert.equal(entry.before.email, 'anna.k@example.com');
        assert.equal(entry.after.email, null);
        assert.equal(entry.after.phone, null);
        // the same values again: nothing to write, nothing audited
        const total = (await auditAll(admin, `entity=user&id=${r.json.id}`)).total;
        assert.equal((await admin.patch(`/api/v1/users/${r.json.id}`, { email: '' })).status, 200);
        assert.equal((await auditAll(admin, `entity=user&id=${r.json.id}`)).total, total);
        // without them, a new user has none
        const d = await createUser(admin, 'no-contacts', 'operator');
        assert.equal(d.email, null);
        assert.equal(d.phone, null);
      });

      it('rejects a bad email or phone with the field named, changing nothing', async () => {
        const good = { login: 'bad-contact', role: 'operator', password: STRONG_PASSWORD };
        const u = await createUser(admin, 'bad-contact-patch', 'operator', { email: 'ok@example.com', phone: '+79161112233' });
        const snap = await snapshot(admin);
        const bad = [
          [{ email: 'not-an-address' }, 'email'], [{ email: 'two@@example.com' }, 'email'],
          [{ email: 'a b@example.com' }, 'email'], [{ email: 'x@example.com\r\nBcc: y@example.com' }, 'email'],
          [{ email: '"q"@example.com' }, 'email'], [{ email: 7 }, 'email'], [{ email: 'a@' + 'd'.repeat(260) + '.com' }, 'email'],
          [{ phone: 'call me' }, 'phone'], [{ phone: '123' }, 'phone'], [{ phone: 79161234567 }, 'phone'],
          [{ phone: '+7 916 123 45 67 89 00 11' }, 'phone'],
          [{ full_name: 'Should Not Stick', phone: 'nope' }, 'phone'],
        ];
        for (const [body, field] of bad) {
          expectError(await admin.post('/api/v1/users', { ...good, ...body }), 400, 'invalid_field', field);
          expectError(await admin.patch(`/api/v1/users/${u.id}`, body), 400, 'invalid_field', field);
        }
        await assertUnchanged(admin, snap, 'after rejected contacts');
        const now = (await admin.get(`/api/v1/users/${u.id}`)).json;
        assert.equal(now.email, 'ok@example.com');
        assert.equal(now.phone, '+79161112233');
      });

      it('a user sees and sets their own on /me; others see nobody\'s', async () => {
        await createUser(admin, 'self-contact', 'operator');
        const c = new Client(base());
        await c.login('self-contact', STRONG_PASSWORD);
        let me = (await c.get('/api/v1/me')).json;
        assert.equal(me.email, null);
        assert.equal(me.phone, null);
        const p = await c.patch('/api/v1/me', { email: 'self@example.org', phone: '00 49 30 1234567' });
        assert.equal(p.status, 200, p.text);
        assert.equal(p.json.email, 'self@example.org');
        assert.equal(p.json.phone, '+49301234567');
        me = (await c.get('/api/v1/me')).json;
        assert.equal(me.email, 'self@example.org');
        assert.equal(me.phone, '+49301234567');
        const entry = (await auditAll(admin, `entity=user&id=${me.id}`)).items[0];
        assert.equal(entry.action, 'update');
        assert.equal(entry.before.phone, null);
        assert.equal(entry.after.phone, '+49301234567');
        expectError(await c.patch('/api/v1/me', { phone: 'x' }), 400, 'invalid_field', 'phone');
        expectError(await c.patch('/api/v1/me', { email: 'x' }), 400, 'invalid_field', 'email');
        // an absent field stays; null clears
        assert.equal((await c.patch('/api/v1/me', { phone: null })).json.email, 'self@example.org');
        assert.equal((await c.get('/api/v1/me')).json.phone, null);
        // only admins list users; the staff directory shows no contacts
        expectError(await c.get('/api/v1/users'), 403, 'forbidden');
        expectError(await c.get(`/api/v1/users/${me.id}`), 403, 'forbidden');
        const staff = await c.get('/api/v1/staff');
        assert.equal(staff.status, 200, staff.text);
        assert.ok(!staff.text.includes('self@example.org'));
        for (const s of staff.json.items) assert.ok(!('email' in s) && !('phone' in s));
      });
    });

    describe('change', () => {
      it('changes name, role and language, with before and after in the audit', async () => {
        const u = await createUser(admin, 'patch-me', 'operator');
        const r = await admin.patch(`/api/v1/users/${u.id}`, { full_name: 'Li Wei 李伟', role: 'supervisor', language: 'zh' });
        assert.equal(r.status, 200, r.text);
        assert.equal(r.json.full_name, 'Li Wei 李伟');
        assert.equal(r.json.role, 'supervisor');
        assert.equal(r.json.language, 'zh');
        assert.equal(r.json.login, 'patch-me');
        assert.deepEqual((await admin.get(`/api/v1/users/${u.id}`)).json, r.json);
        const entry = (await auditAll(admin, `entity=user&id=${u.id}`)).items[0];
        assert.equal(entry.action, 'update');
        assert.equal(entry.request_id, r.headers.get('x-request-id'));
        assert.equal(entry.before.role, 'operator');
        assert.equal(entry.after.role, 'supervisor');
        // the role takes effect for the user's next request
        const c = new Client(base());
        await c.login('patch-me', STRONG_PASSWORD);
        assert.equal((await c.get('/api/v1/audit')).status, 200);
        assert.equal((await admin.patch(`/api/v1/users/${u.id}`, { role: 'operator' })).status, 200);
        expectError(await c.get('/api/v1/audit'), 403, 'forbidden');
      });

      it('rejects bad changes with the field named, changing nothing', async () => {
        const u = await createUser(admin, 'patch-bad', 'finance');
        const snap = await snapshot(admin);
        const cases = [
          [{ role: 'root' }, 'invalid_field', 'role'],
          [{ role: 3 }, 'invalid_field', 'role'],
          [{ language: 'fr' }, 'invalid_field', 'language'],
          [{ disabled: 'yes' }, 'invalid_field', 'disabled'],
          [{ disabled: 1 }, 'invalid_field', 'disabled'],
          [{ full_name: ['x'] }, 'invalid_field', 'full_name'],
          [{ password: 'short' }, 'weak_password', 'password'],
          [{ login: 'renamed' }, 'unknown_field', 'login'],
          [{ full_name: 'ok', created_at: 'now' }, 'unknown_field', 'created_at'],
          // a valid field next to a bad one changes nothing either
          [{ full_name: 'Should Not Stick', role: 'nope' }, 'invalid_field', 'role'],
        ];
        for (const [body, code, field] of cases) {
          expectError(await admin.patch(`/api/v1/users/${u.id}`, body), 400, code, field);
        }
        expectError(await admin.patch(`/api/v1/users/${u.id}`, 'just a string'), 400);
        await assertUnchanged(admin, snap, 'after rejected changes');
      });

      it('a password reset by the admin ends the user\'s sessions and tokens; the new password works', async () => {
        const u = await createUser(admin, 'reset-me', 'operator');
        const c = new Client(base());
        await c.login('reset-me', STRONG_PASSWORD);
        const tok = await c.post('/api/v1/tokens', { name: 'before reset' });
        assert.equal(tok.status, 201);
        const r = await admin.patch(`/api/v1/users/${u.id}`, { password: 'a brand new secret' });
        assert.equal(r.status, 200, r.text);
        assert.ok(!/argon2|password/.test(r.text), r.text);
        expectError(await c.get('/api/v1/me'), 401, 'unauthorized');
        const b = new Client(base());
        b.token = tok.json.token;
        expectError(await b.get('/api/v1/me'), 401, 'unauthorized');
        expectError(await new Client(base()).post('/api/v1/session', { login: 'reset-me', password: STRONG_PASSWORD }), 401);
        await new Client(base()).login('reset-me', 'a brand new secret');
        const text = JSON.stringify(await auditAll(admin, `entity=user&id=${u.id}`));
        assert.ok(!text.includes('a brand new secret') && !/argon2/.test(text), 'password in the audit');
      });
    });

    describe('disable', () => {
      it('DELETE disables: sessions and tokens stop working, sign-in fails the usual way', async () => {
        const u = await createUser(admin, 'disable-me', 'case_manager');
        const c = new Client(base());
        await c.login('disable-me', STRONG_PASSWORD);
        const tok = await c.post('/api/v1/tokens', { name: 'before disable' });
        assert.equal(tok.status, 201);
        const r = await admin.del(`/api/v1/users/${u.id}`);
        assert.equal(r.status, 200, r.text);
        assert.equal(r.json.disabled, true);
        assert.equal(r.json.id, u.id);
        expectError(await c.get('/api/v1/me'), 401, 'unauthorized');
        const b = new Client(base());
        b.token = tok.json.token;
        expectError(await b.get('/api/v1/me'), 401, 'unauthorized');
        const fail = await new Client(base()).post('/api/v1/session', { login: 'disable-me', password: STRONG_PASSWORD });
        const wrong = await new Client(base()).post('/api/v1/session', { login: 'operator', password: 'wrong-password' });
        expectError(fail, 401);
        assert.deepEqual(fail.json, wrong.json, 'a disabled account must look like a wrong password');
        // still listed (users are never deleted), marked disabled
        assert.equal((await admin.get(`/api/v1/users/${u.id}`)).json.disabled, true);
        const entry = (await auditAll(admin, `entity=user&id=${u.id}`)).items[0];
        assert.equal(entry.action, 'disable');
        assert.equal(entry.before.disabled, false);
        assert.equal(entry.after.disabled, true);
        // enable again: sign-in works
        const en = await admin.patch(`/api/v1/users/${u.id}`, { disabled: false });
        assert.equal(en.status, 200);
        assert.equal(en.json.disabled, false);
        await new Client(base()).login('disable-me', STRONG_PASSWORD);
      });

      it('PATCH disabled:true also ends the sessions', async () => {
        const u = await createUser(admin, 'disable-me-2', 'reviewer');
        const c = new Client(base());
        await c.login('disable-me-2', STRONG_PASSWORD);
        assert.equal((await admin.patch(`/api/v1/users/${u.id}`, { disabled: true })).status, 200);
        expectError(await c.get('/api/v1/me'), 401);
      });
    });

    describe('the last admin', () => {
      it('cannot be disabled or demoted (422 last_admin), and nothing changes', async () => {
        const me = (await admin.get('/api/v1/me')).json;
        const admins = (await admin.get('/api/v1/users?limit=500')).json.items.filter((u) => u.role === 'admin' && !u.disabled);
        assert.deepEqual(admins.map((u) => u.login), ['admin'], 'this test needs admin to be the only enabled admin');
        // a disabled admin does not count
        const sleeper = await createUser(admin, 'sleeping-admin', 'admin');
        assert.equal((await admin.del(`/api/v1/users/${sleeper.id}`)).status, 200);
        const snap = await snapshot(admin);
        expectError(await admin.del(`/api/v1/users/${me.id}`), 422, 'last_admin');
        expectError(await admin.patch(`/api/v1/users/${me.id}`, { disabled: true }), 422, 'last_admin', 'disabled');
        expectError(await admin.patch(`/api/v1/users/${me.id}`, { role: 'supervisor' }), 422, 'last_admin', 'role');
        expectError(await admin.patch(`/api/v1/users/${me.id}`, { role: 'operator', full_name: 'Not Saved' }), 422, 'last_admin');
        await assertUnchanged(admin, snap, 'after last_admin');
        assert.equal((await admin.get('/api/v1/me')).status, 200, 'the admin lost the session');
        // with a second enabled admin, the first may step down
        const second = await createUser(admin, 'second-admin', 'admin');
        const c2 = new Client(base());
        await c2.login('second-admin', STRONG_PASSWORD);
        const demote = await c2.patch(`/api/v1/users/${me.id}`, { role: 'supervisor' });
        assert.equal(demote.status, 200, demote.text);
        // now second-admin is the last one
        expectError(await c2.del(`/api/v1/users/${second.id}`), 422, 'last_admin');
        // and admin (now supervisor) is not an admin any more
        expectError(await admin.get('/api/v1/users'), 403, 'forbidden');
        assert.equal((await c2.patch(`/api/v1/users/${me.id}`, { role: 'admin' })).status, 200);
        assert.equal((await admin.get('/api/v1/users')).status, 200);
        // with admin back, the second admin may be disabled
        assert.equal((await admin.patch(`/api/v1/users/${second.id}`, { disabled: true })).status, 200);
      });
    });
  });
}

