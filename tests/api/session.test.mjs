// Sign-in, sign-out, the session cookie, /me, own password, throttling, CSRF.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { backends, startServer, Client, DEMO_PASSWORD } from '../lib/server.mjs';
import {
  useServer, signedIn, expectError, assertHealthy, auditAll, createUser, STRONG_PASSWORD,
} from './helpers.mjs';

function sessionCookie(res) {
  const all = res.headers.getSetCookie();
  const c = all.filter((s) => s.startsWith('assist_session='));
  assert.equal(c.length, 1, `one assist_session cookie expected: ${JSON.stringify(all)}`);
  return c[0];
}

function cookieAttrs(setCookie) {
  const [pair, ...attrs] = setCookie.split(';').map((s) => s.trim());
  return { value: pair.slice(pair.indexOf('=') + 1), attrs: attrs.map((a) => a.toLowerCase()) };
}

/** GET /api/v1/me with an explicit Cookie header (to replay a saved cookie). */
async function meWithCookie(base, cookie) {
  const r = await fetch(base + '/api/v1/me', { headers: { cookie } });
  return r.status;
}

for (const backend of backends()) {
  describe(`session (${backend})`, () => {
    const h = useServer({ backend });
    const base = () => h.srv.base;

    describe('sign-in', () => {
      it('answers 200 with csrf_token and the user, and sets a strict HttpOnly cookie', async () => {
        const c = new Client(base());
        const r = await c.post('/api/v1/session', { login: 'admin', password: DEMO_PASSWORD });
        assert.equal(r.status, 200, r.text);
        assert.equal(typeof r.json.csrf_token, 'string');
        assert.ok(r.json.csrf_token.length >= 32, 'csrf token too short');
        const u = r.json.user;
        assert.equal(u.login, 'admin');
        assert.equal(u.role, 'admin');
        assert.equal(u.disabled, false);
        assert.equal(typeof u.id, 'number');
        for (const k of ['password', 'password_hash']) assert.ok(!(k in u), `user has ${k}`);
        assert.ok(!/argon2/.test(r.text), 'the password hash leaked');

        const { value, attrs } = cookieAttrs(sessionCookie(r));
        assert.ok(value.length >= 32, 'session token too short');
        assert.ok(attrs.includes('path=/'), attrs.join(';'));
        assert.ok(attrs.includes('httponly'), attrs.join(';'));
        assert.ok(attrs.includes('samesite=strict'), attrs.join(';'));
        assert.ok(!attrs.includes('secure'), 'Secure over plain HTTP without a trusted proxy');
        assert.equal(r.headers.get('strict-transport-security'), null);
        assert.ok(!r.text.includes(value), 'the session token is in the body');
      });

      it('gives each sign-in its own session and CSRF token', async () => {
        const a = new Client(base()), b = new Client(base());
        const ja = await a.login('operator'), jb = await b.login('operator');
        assert.notEqual(ja.csrf_token, jb.csrf_token);
        assert.notEqual(a.cookieHeader(), b.cookieHeader());
      });

      it('treats logins case-insensitively', async () => {
        const c = new Client(base());
        const j = await c.login('ADMIN');
        assert.equal(j.user.login, 'admin');
        const c2 = new Client(base());
        assert.equal((await c2.login('Supervisor')).user.role, 'supervisor');
      });

      it('never says which part was wrong', async () => {
        const c = new Client(base());
        const wrongPw = await c.post('/api/v1/session', { login: 'finance', password: 'not-the-password' });
        const unknown = await c.post('/api/v1/session', { login: 'nobody-here', password: 'not-the-password' });
        const badLogin = await c.post('/api/v1/session', { login: '!!', password: 'not-the-password' });
        const e1 = expectError(wrongPw, 401, undefined, null);
        const e2 = expectError(unknown, 401, undefined, null);
        const e3 = expectError(badLogin, 401, undefined, null);
        assert.deepEqual(e1, e2);
        assert.deepEqual(e1, e3);
        assert.equal(wrongPw.headers.getSetCookie().length, 0, 'a failed sign-in set a cookie');
        // the right password still works (2 failures are under the limit)
        await c.login('finance');
      });

      it('rejects bad bodies with the documented errors', async () => {
        const c = new Client(base());
        expectError(await c.post('/api/v1/session', { login: 'admin' }), 400, 'missing_field', 'password');
        expectError(await c.post('/api/v1/session', { password: 'x' }), 400, 'missing_field', 'login');
        expectError(await c.post('/api/v1/session', { login: 5, password: 'x' }), 400, 'invalid_field', 'login');
        expectError(await c.post('/api/v1/session', { login: 'admin', password: ['x'] }), 400, 'invalid_field', 'password');
        expectError(await c.post('/api/v1/session', { login: 'admin', password: 'x', remember: true }), 400, 'unknown_field', 'remember');
        expectError(await c.post('/api/v1/session', undefined, { raw: '{"login":"admin",' , headers: { 'content-type': 'application/json' } }), 400, 'bad_json', null);
        expectError(await c.post('/api/v1/session', undefined, { raw: '' }), 400, 'bad_json');
        await assertHealthy(base());
      });

    });

    describe('sign-out', () => {
      it('answers 204, clears the cookie, and the old cookie stops working', async () => {
        const c = await signedIn(base(), 'operator');
        const saved = c.cookieHeader();
        assert.equal(await meWithCookie(base(), saved), 200);
        const r = await c.del('/api/v1/session');
        assert.equal(r.status, 204, r.text);
        assert.equal(r.text, '');
        const { value, attrs } = cookieAttrs(sessionCookie(r));
        assert.equal(value, '');
        assert.ok(attrs.includes('max-age=0'), attrs.join(';'));
        assert.equal(await meWithCookie(base(), saved), 401);
        expectError(await new Client(base()).get('/api/v1/me', { headers: { cookie: saved } }), 401, 'unauthorized');
        // a sign-out with the dead cookie is 401 too
        const again = await fetch(base() + '/api/v1/session', { method: 'DELETE', headers: { cookie: saved, 'x-csrf-token': c.csrf } });
        assert.equal(again.status, 401);
      });

      it('ends only this session', async () => {
        const a = await signedIn(base(), 'finance');
        const b = await signedIn(base(), 'finance');
        assert.equal((await a.del('/api/v1/session')).status, 204);
        assert.equal((await b.get('/api/v1/me')).status, 200);
      });

      it('needs the CSRF token', async () => {
        const c = await signedIn(base(), 'operator');
        expectError(await c.del('/api/v1/session', { csrf: false }), 403, 'csrf_failed', null);
        assert.equal((await c.get('/api/v1/me')).status, 200, 'the session ended without CSRF');
      });

      it('signs the sign-in and sign-out in the audit trail', async () => {
        const c = await signedIn(base(), 'reviewer');
        const del = await c.del('/api/v1/session');
        assert.equal(del.status, 204);
        const admin = await signedIn(base(), 'admin');
        const items = (await auditAll(admin, 'entity=user')).items;
        const logout = items.find((e) => e.action === 'logout' && e.request_id === del.headers.get('x-request-id'));
        assert.ok(logout, 'no logout entry with the request id');
        assert.equal(logout.actor.login, 'reviewer');
        assert.ok(items.some((e) => e.action === 'login' && e.actor.login === 'reviewer'), 'no login entry');
      });
    });

    describe('/me', () => {
      it('GET returns the user, the CSRF token and how the caller is authenticated', async () => {
        const c = new Client(base());
        const s = await c.login('manager');
        const r = await c.get('/api/v1/me');
        assert.equal(r.status, 200, r.text);
        assert.equal(r.json.login, 'manager');
        assert.equal(r.json.role, 'case_manager');
        assert.equal(r.json.id, s.user.id);
        assert.equal(r.json.csrf_token, s.csrf_token);
        assert.equal(r.json.auth, 'session');
        assert.ok(['en', 'ru', 'zh'].includes(r.json.language));
        assert.ok(!('password_hash' in r.json));
      });

      it('anonymous and garbage cookies get 401', async () => {
        expectError(await new Client(base()).get('/api/v1/me'), 401, 'unauthorized', null);
        for (const cookie of ['assist_session=nonsense', 'assist_session=' + 'A'.repeat(43), 'assist_session=']) {
          const r = await new Client(base()).get('/api/v1/me', { headers: { cookie } });
          expectError(r, 401, 'unauthorized');
        }
        // a bad cookie does not stop a public route
        const h2 = await fetch(base() + '/healthz', { headers: { cookie: 'assist_session=nonsense' } });
        assert.equal(h2.status, 200);
      });

      it('PATCH changes language and full name, and they persist', async () => {
        const c = await signedIn(base(), 'operator');
        const r = await c.patch('/api/v1/me', { language: 'ru', full_name: 'Ольга Петрова 王芳' });
        assert.equal(r.status, 200, r.text);
        assert.equal(r.json.language, 'ru');
        assert.equal(r.json.full_name, 'Ольга Петрова 王芳');
        const me = await (await signedIn(base(), 'operator')).get('/api/v1/me');
        assert.equal(me.json.language, 'ru');
        assert.equal(me.json.full_name, 'Ольга Петрова 王芳');
        assert.equal((await c.patch('/api/v1/me', { language: 'zh' })).json.language, 'zh');
        assert.equal((await c.patch('/api/v1/me', { language: 'en' })).json.full_name, 'Ольга Петрова 王芳');
      });

      it('PATCH rejects bad values and fields it does not own, changing nothing', async () => {
        const c = await signedIn(base(), 'reviewer');
        const admin = await signedIn(base(), 'admin');
        const before = (await c.get('/api/v1/me')).json;
        const audit0 = (await auditAll(admin)).total;
        expectError(await c.patch('/api/v1/me', { language: 'de' }), 400, 'invalid_field', 'language');
        expectError(await c.patch('/api/v1/me', { language: 5 }), 400, 'invalid_field', 'language');
        expectError(await c.patch('/api/v1/me', { full_name: 'x'.repeat(201) }), 400, 'invalid_field', 'full_name');
        expectError(await c.patch('/api/v1/me', { full_name: 'x'.repeat(5000) }), 413, 'too_large');
        expectError(await c.patch('/api/v1/me', { full_name: { a: 1 } }), 400, 'invalid_field', 'full_name');
        expectError(await c.patch('/api/v1/me', { role: 'admin' }), 400, 'unknown_field', 'role');
        expectError(await c.patch('/api/v1/me', { language: 'ru', login: 'boss' }), 400, 'unknown_field', 'login');
        expectError(await c.patch('/api/v1/me', { language: 'ru', disabled: false }), 400, 'unknown_field', 'disabled');
        expectError(await c.patch('/api/v1/me', [1, 2]), 400, 'invalid_field', null);
        expectError(await c.patch('/api/v1/me', undefined, { raw: '' }), 400, 'bad_json');
        const afterMe = (await c.get('/api/v1/me')).json;
        assert.deepEqual(afterMe, before);
        assert.equal((await auditAll(admin)).total, audit0, 'a failed PATCH left an audit entry');
      });
    });

    describe('own password', () => {
      it('changes it: other sessions end, this one continues, the new one works next time', async () => {
        const a = await signedIn(base(), 'finance');
        const b = await signedIn(base(), 'finance');
        const r = await a.post('/api/v1/me/password', { current_password: DEMO_PASSWORD, new_password: STRONG_PASSWORD });
        assert.equal(r.status, 204, r.text);
        assert.equal((await a.get('/api/v1/me')).status, 200, 'the session that changed the password ended');
        // its CSRF token still works for writes
        assert.equal((await a.patch('/api/v1/me', { language: 'en' })).status, 200);
        expectError(await b.get('/api/v1/me'), 401, 'unauthorized');
        expectError(await new Client(base()).post('/api/v1/session', { login: 'finance', password: DEMO_PASSWORD }), 401, 'invalid_credentials');
        await new Client(base()).login('finance', STRONG_PASSWORD);
        // and back, so that other tests can use the demo password
        const back = await a.post('/api/v1/me/password', { current_password: STRONG_PASSWORD, new_password: DEMO_PASSWORD });
        assert.equal(back.status, 204, back.text);
        await new Client(base()).login('finance');
        // the audit names the change without the password
        const admin = await signedIn(base(), 'admin');
        const items = (await auditAll(admin, 'entity=user')).items.filter((e) => e.action === 'password');
        assert.ok(items.length >= 2, 'no password audit entries');
        const text = JSON.stringify(items);
        assert.ok(!text.includes(STRONG_PASSWORD) && !text.includes(DEMO_PASSWORD) && !/argon2/.test(text),
          'the audit holds a password or hash');
      });

      it('refuses a wrong current password (422) and a weak new one (400), changing nothing', async () => {
        const c = await signedIn(base(), 'supervisor');
        const other = await signedIn(base(), 'supervisor');
        expectError(await c.post('/api/v1/me/password', { current_password: 'wrong-password', new_password: STRONG_PASSWORD }),
          422, 'wrong_password', 'current_password');
        expectError(await c.post('/api/v1/me/password', { current_password: DEMO_PASSWORD, new_password: 'short' }),
          400, 'weak_password', 'new_password');
        expectError(await c.post('/api/v1/me/password', { current_password: DEMO_PASSWORD }), 400, 'missing_field', 'new_password');
        expectError(await c.post('/api/v1/me/password', { new_password: STRONG_PASSWORD }), 400, 'missing_field', 'current_password');
        expectError(await c.post('/api/v1/me/password', { current_password: DEMO_PASSWORD, new_password: 12345678 }), 400, 'invalid_field', 'new_password');
        expectError(await c.post('/api/v1/me/password', { current_password: DEMO_PASSWORD, new_password: STRONG_PASSWORD, confirm: 'x' }), 400, 'unknown_field', 'confirm');
        assert.equal((await other.get('/api/v1/me')).status, 200, 'a failed change ended another session');
        await new Client(base()).login('supervisor', DEMO_PASSWORD);
        expectError(await new Client(base()).post('/api/v1/session', { login: 'supervisor', password: STRONG_PASSWORD }), 401);
      });

      it('wrong current passwords count as failed sign-ins: a stolen session cannot guess', async () => {
        const u = await createUser(await signedIn(base(), 'admin'), 'guess-target', 'operator');
        const c = new Client(base());
        await c.login('guess-target', STRONG_PASSWORD);
        for (let i = 0; i < 5; i++) {
          expectError(await c.post('/api/v1/me/password', { current_password: `guess-${i}-guess`, new_password: 'whatever it is 1' }), 422, 'wrong_password');
        }
        const r = await c.post('/api/v1/me/password', { current_password: STRONG_PASSWORD, new_password: 'whatever it is 1' });
        expectError(r, 429, 'too_many_attempts');
        assert.match(r.headers.get('retry-after') || '', /^\d+$/);
        expectError(await new Client(base()).post('/api/v1/session', { login: 'guess-target', password: STRONG_PASSWORD }), 429, 'too_many_attempts');
        assert.equal(u.login, 'guess-target');
      });

      it('needs the CSRF token', async () => {
        const c = await signedIn(base(), 'supervisor');
        expectError(await c.post('/api/v1/me/password', { current_password: DEMO_PASSWORD, new_password: STRONG_PASSWORD }, { csrf: false }),
          403, 'csrf_failed');
        await new Client(base()).login('supervisor', DEMO_PASSWORD);
      });
    });

    describe('CSRF', () => {
      it('a cookie write without the header, or with a wrong one, is 403 csrf_failed and changes nothing', async () => {
        const c = await signedIn(base(), 'manager');
        const other = await signedIn(base(), 'manager');
        const admin = await signedIn(base(), 'admin');
        const before = (await c.get('/api/v1/me')).json;
        const audit0 = (await auditAll(admin)).total;
        const attempts = [
          () => c.patch('/api/v1/me', { language: 'zh' }, { csrf: false }),
          () => c.patch('/api/v1/me', { language: 'zh' }, { csrf: false, headers: { 'x-csrf-token': 'wrong' } }),
          () => c.patch('/api/v1/me', { language: 'zh' }, { csrf: false, headers: { 'x-csrf-token': c.csrf.slice(0, -1) + (c.csrf.endsWith('A') ? 'B' : 'A') } }),
          () => c.patch('/api/v1/me', { language: 'zh' }, { csrf: false, headers: { 'x-csrf-token': c.csrf + 'x' } }),
          () => c.patch('/api/v1/me', { language: 'zh' }, { csrf: false, headers: { 'x-csrf-token': '' } }),
          // another session's token is not this session's
          () => c.patch('/api/v1/me', { language: 'zh' }, { csrf: false, headers: { 'x-csrf-token': other.csrf } }),
          () => c.post('/api/v1/tokens', { name: 'csrf' }, { csrf: false }),
          () => admin.post('/api/v1/users', { login: 'csrf-victim', role: 'admin', password: STRONG_PASSWORD }, { csrf: false }),
          () => admin.del('/api/v1/users/' + before.id, { csrf: false }),
        ];
        for (const f of attempts) expectError(await f(), 403, 'csrf_failed', null);
        assert.deepEqual((await c.get('/api/v1/me')).json, before);
        assert.equal((await c.get('/api/v1/tokens')).json.items.length, 0);
        assert.equal((await admin.get('/api/v1/users?limit=500')).json.items.some((u) => u.login === 'csrf-victim'), false);
        assert.equal((await auditAll(admin)).total, audit0);
        // with the right token it works
        assert.equal((await c.patch('/api/v1/me', { language: 'zh' })).status, 200);
        assert.equal((await c.patch('/api/v1/me', { language: 'en' })).status, 200);
      });

      it('reads need no CSRF token', async () => {
        const c = await signedIn(base(), 'admin');
        for (const p of ['/api/v1/me', '/api/v1/users', '/api/v1/tokens', '/api/v1/audit']) {
          assert.equal((await c.get(p, { csrf: false })).status, 200, p);
        }
      });
    });
  });

  describe(`sign-in throttling (${backend})`, () => {
    const h = useServer({ backend });
    const base = () => h.srv.base;

    it('throttles 5 failures for one login with 429 and Retry-After, even with the right password', async () => {
      const c = new Client(base());
      // failures in mixed case count for the same (lowercased) login
      const tries = ['reviewer', 'REVIEWER', 'Reviewer', 'reviewer', 'reviewer'];
      for (const login of tries) {
        expectError(await c.post('/api/v1/session', { login, password: 'guess-guess' }), 401);
      }
      const r = await c.post('/api/v1/session', { login: 'reviewer', password: DEMO_PASSWORD });
      expectError(r, 429, 'too_many_attempts');
      const ra = r.headers.get('retry-after');
      assert.match(ra || '', /^\d+$/, `Retry-After: ${ra}`);
      assert.ok(Number(ra) >= 1 && Number(ra) <= 15 * 60, `Retry-After ${ra}`);
      assert.equal(r.headers.getSetCookie().length, 0);
      // another login is not affected
      await new Client(base()).login('supervisor');
      // still locked
      expectError(await c.post('/api/v1/session', { login: 'Reviewer', password: DEMO_PASSWORD }), 429, 'too_many_attempts');
    });

    it('throttles unknown logins the same way (no way to tell they do not exist)', async () => {
      const c = new Client(base());
      for (let i = 0; i < 5; i++) {
        expectError(await c.post('/api/v1/session', { login: 'ghost-user', password: 'guess-guess' }), 401);
      }
      const r = await c.post('/api/v1/session', { login: 'ghost-user', password: 'guess-guess' });
      expectError(r, 429, 'too_many_attempts');
      assert.match(r.headers.get('retry-after') || '', /^\d+$/);
    });

    it('a success clears earlier failures of that login', async () => {
      const c = new Client(base());
      for (let i = 0; i < 4; i++) {
        expectError(await c.post('/api/v1/session', { login: 'manager', password: 'guess-guess' }), 401);
      }
      await c.login('manager');
      for (let i = 0; i < 4; i++) {
        expectError(await c.post('/api/v1/session', { login: 'manager', password: 'guess-guess' }), 401);
      }
      await c.login('manager'); // 8 failures in all, but never 5 in a row
    });

    it('30 failures from one address within the window block every login from it', async () => {
      const c = new Client(base());
      // so far from 127.0.0.1: 5 (reviewer) + 5 (ghost-user) failures (the manager's
      // were cleared by its successes); 20 distinct logins make it 30
      for (let i = 0; i < 20; i++) {
        expectError(await c.post('/api/v1/session', { login: `someone-${i}`, password: 'guess-guess' }), 401);
      }
      const r = await c.post('/api/v1/session', { login: 'admin', password: DEMO_PASSWORD });
      expectError(r, 429, 'too_many_attempts');
      assert.match(r.headers.get('retry-after') || '', /^\d+$/);
    });
  });

  describe(`session behind a trusted TLS proxy (${backend})`, () => {
    let proxied, direct;
    before(async () => {
      proxied = await startServer({ backend, args: ['--trust-proxy'] });
      direct = await startServer({ backend });
    });
    after(async () => {
      if (proxied) assert.equal((await proxied.stop()).code, 0);
      if (direct) assert.equal((await direct.stop()).code, 0);
    });

    it('with --trust-proxy and X-Forwarded-Proto: https the cookie is Secure and HSTS is sent', async () => {
      const c = new Client(proxied.base);
      const r = await c.post('/api/v1/session', { login: 'admin', password: DEMO_PASSWORD }, { headers: { 'x-forwarded-proto': 'https' } });
      assert.equal(r.status, 200, r.text);
      const { attrs } = cookieAttrs(sessionCookie(r));
      assert.ok(attrs.includes('secure'), attrs.join(';'));
      assert.ok(attrs.includes('httponly') && attrs.includes('samesite=strict'));
      assert.match(r.headers.get('strict-transport-security') || '', /max-age=\d+/);
      c.csrf = r.json.csrf_token;
      const out = await c.del('/api/v1/session', { headers: { 'x-forwarded-proto': 'https' } });
      assert.equal(out.status, 204);
      assert.match(out.headers.get('strict-transport-security') || '', /max-age=\d+/);
      assert.ok(cookieAttrs(sessionCookie(out)).attrs.includes('secure'));
      // plain http through the same proxy: no Secure, no HSTS
      const plain = await new Client(proxied.base).post('/api/v1/session', { login: 'admin', password: DEMO_PASSWORD }, { headers: { 'x-forwarded-proto': 'http' } });
      assert.equal(plain.status, 200);
      assert.ok(!cookieAttrs(sessionCookie(plain)).attrs.includes('secure'));
      assert.equal(plain.headers.get('strict-transport-security'), null);
    });

    it('with --trust-proxy the throttle counts per login and the rightmost X-Forwarded-For address', async () => {
      const c = new Client(proxied.base);
      const from = (xff) => ({ headers: { 'x-forwarded-for': xff } });
      // forged entries to the left change nothing: the proxy's entry is the last one
      for (let i = 0; i < 5; i++) {
        expectError(await c.post('/api/v1/session', { login: 'operator', password: 'guess-guess' }, from(`192.0.2.${i}, 10.0.0.1`)), 401);
      }
      const locked = await c.post('/api/v1/session', { login: 'operator', password: DEMO_PASSWORD }, from('203.0.113.7, 10.0.0.1'));
      expectError(locked, 429, 'too_many_attempts');
      assert.match(locked.headers.get('retry-after') || '', /^\d+$/);
      // a colleague at another address is not locked out by those guesses
      const other = await new Client(proxied.base).post('/api/v1/session', { login: 'operator', password: DEMO_PASSWORD }, from('10.0.0.2'));
      assert.equal(other.status, 200, other.text);
    });

    it('with --trust-proxy 20 failures for one login from many addresses lock it everywhere', async () => {
      const c = new Client(proxied.base);
      for (let a = 1; a <= 5; a++) {
        for (let i = 0; i < 4; i++) {
          expectError(await c.post('/api/v1/session', { login: 'finance', password: 'guess-guess' }, { headers: { 'x-forwarded-for': `10.0.1.${a}` } }), 401);
        }
      }
      const r = await c.post('/api/v1/session', { login: 'finance', password: DEMO_PASSWORD }, { headers: { 'x-forwarded-for': '10.0.1.99' } });
      expectError(r, 429, 'too_many_attempts');
      // other logins from those addresses still work
      const ok = await new Client(proxied.base).post('/api/v1/session', { login: 'reviewer', password: DEMO_PASSWORD }, { headers: { 'x-forwarded-for': '10.0.1.1' } });
      assert.equal(ok.status, 200, ok.text);
    });

    it('without --trust-proxy X-Forwarded-Proto is ignored', async () => {
      const r = await new Client(direct.base).post('/api/v1/session', { login: 'admin', password: DEMO_PASSWORD }, { headers: { 'x-forwarded-proto': 'https' } });
      assert.equal(r.status, 200, r.text);
      assert.ok(!cookieAttrs(sessionCookie(r)).attrs.includes('secure'));
      assert.equal(r.headers.get('strict-transport-security'), null);
    });

    it('without --trust-proxy X-Forwarded-For does not dodge the per-login throttle', async () => {
      const c = new Client(direct.base);
      for (let i = 0; i < 5; i++) {
        const r = await c.post('/api/v1/session', { login: 'operator', password: 'guess-guess' }, { headers: { 'x-forwarded-for': `10.0.0.${i}` } });
        expectError(r, 401);
      }
      expectError(await c.post('/api/v1/session', { login: 'operator', password: DEMO_PASSWORD }, { headers: { 'x-forwarded-for': '10.0.0.99' } }), 429, 'too_many_attempts');
    });
  });
}
