// Limits and bad input: each gets the documented error, and the server keeps
// serving (checked after every test).
import { describe, it, before, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { backends, Client, DEMO_PASSWORD } from '../lib/server.mjs';
import {
  useServer, signedIn, expectError, assertHealthy, snapshot, assertUnchanged, rawRequest,
  chunkedRequest, expectRawError, STRONG_PASSWORD,
} from './helpers.mjs';

const KIB = 1024, MIB = 1024 * 1024;

/** A JSON object padded with trailing spaces to exactly n bytes. */
function padded(obj, n) {
  const s = JSON.stringify(obj);
  assert.ok(s.length <= n);
  return s + ' '.repeat(n - s.length);
}

function nest(depth, inner = '1') {
  return '['.repeat(depth) + inner + ']'.repeat(depth);
}

for (const backend of backends()) {
  describe(`limits and bad input (${backend})`, () => {
    const h = useServer({ backend });
    const base = () => h.srv.base;
    const hostHdr = () => `Host: ${new URL(base()).host}`;
    let admin, op;
    before(async () => {
      admin = await signedIn(base(), 'admin');
      op = await signedIn(base(), 'operator');
    });
    afterEach(async () => { await assertHealthy(base()); });

    /** A raw request head with the admin's cookie and CSRF token. */
    const authHead = (method, path, extra = []) => [
      `${method} ${path} HTTP/1.1`, hostHdr(), `Cookie: ${admin.cookieHeader()}`, `X-CSRF-Token: ${admin.csrf}`,
      'Content-Type: application/json', 'Connection: close', ...extra,
    ].join('\r\n');

    describe('malformed JSON', () => {
      it('is 400 bad_json with no field, and writes nothing', async () => {
        const snap = await snapshot(admin);
        const bodies = [
          '{', '{"login":', '{"login":"x",}', "{'login':'x'}", '{"login":"x"} trailing', 'nul', '[1,2',
          '{"login":"x","login":"y","role":"operator","password":"correct horse"}', // duplicate keys
          '{"a":NaN}', '{"a":01}', '"\\x41"', '{"login":"\\ud800","role":"operator","password":"correct horse"}',
          '\u0000', '{}\u0000',
        ];
        for (const raw of bodies) {
          const r = await admin.post('/api/v1/users', undefined, { raw, headers: { 'content-type': 'application/json' } });
          expectError(r, 400, 'bad_json', null);
        }
        await assertUnchanged(admin, snap);
      });

      it('a body that is JSON but not an object is 400', async () => {
        for (const raw of ['[]', '[{"login":"x"}]', '"text"', '42', 'true', 'null']) {
          const r = await admin.post('/api/v1/users', undefined, { raw, headers: { 'content-type': 'application/json' } });
          const e = expectError(r, 400);
          assert.ok(['bad_json', 'invalid_field'].includes(e.code), raw + ': ' + e.code);
        }
      });

      it('an empty body where one is needed is 400 bad_json', async () => {
        for (const [m, p] of [['POST', '/api/v1/users'], ['POST', '/api/v1/session'], ['PATCH', '/api/v1/me'],
          ['POST', '/api/v1/me/password'], ['POST', '/api/v1/tokens'], ['PATCH', '/api/v1/users/1']]) {
          const r = await admin.request(m, p, undefined, { raw: '' });
          expectError(r, 400, 'bad_json', null);
          const ws = await admin.request(m, p, undefined, { raw: '   \n ' });
          expectError(ws, 400, 'bad_json', null);
        }
      });

      it('non-JSON content is 400 bad_json', async () => {
        const cases = [
          ['application/x-www-form-urlencoded', 'login=admin&password=assist-demo'],
          ['text/plain', 'hello'],
          ['multipart/form-data; boundary=x', '--x\r\nContent-Disposition: form-data; name="login"\r\n\r\nadmin\r\n--x--\r\n'],
          ['application/xml', '<login>admin</login>'],
        ];
        for (const [type, raw] of cases) {
          expectError(await new Client(base()).post('/api/v1/session', undefined, { raw, headers: { 'content-type': type } }), 400, 'bad_json', null);
          expectError(await admin.patch('/api/v1/me', undefined, { raw, headers: { 'content-type': type } }), 400, 'bad_json', null);
        }
      });
    });

    describe('who gets to hear about a bad body', () => {
      it('only callers allowed on the route: anonymous 401, wrong role 403, before any body check', async () => {
        const raw = '{"login": broken';
        const anon = await new Client(base()).post('/api/v1/users', undefined, { raw, headers: { 'content-type': 'application/json' } });
        expectError(anon, 401, 'unauthorized');
        expectError(await op.post('/api/v1/users', undefined, { raw, headers: { 'content-type': 'application/json' } }), 403, 'forbidden');
        expectError(await op.post('/api/v1/users', { nonsense: true }), 403, 'forbidden');
        expectError(await op.post('/api/v1/users', undefined, { raw, csrf: false, headers: { 'content-type': 'application/json' } }), 403);
        expectError(await admin.post('/api/v1/users', undefined, { raw, csrf: false, headers: { 'content-type': 'application/json' } }), 403, 'csrf_failed');
        expectError(await admin.post('/api/v1/users', undefined, { raw, headers: { 'content-type': 'application/json' } }), 400, 'bad_json');
        // an oversized body is refused whoever sends it
        expectError(await new Client(base()).post('/api/v1/users', undefined, { raw: 'x'.repeat(9000) }), 413, 'too_large');
      });
    });

    describe('wrong types and unknown fields', () => {
      it('name the field', async () => {
        const snap = await snapshot(admin);
        const good = { login: 'typed-user', role: 'operator', password: STRONG_PASSWORD };
        for (const bad of [1, 1.5, true, [], {}, ['a']]) {
          for (const f of ['login', 'role', 'password', 'full_name', 'language']) {
            expectError(await admin.post('/api/v1/users', { ...good, [f]: bad }), 400, 'invalid_field', f);
          }
        }
        expectError(await admin.post('/api/v1/users', { ...good, extra: 1 }), 400, 'unknown_field', 'extra');
        expectError(await admin.post('/api/v1/users', { ...good, Login: 'x' }), 400, 'unknown_field', 'Login');
        expectError(await admin.post('/api/v1/users', { ...good, 'логин': 'x' }), 400, 'unknown_field', 'логин');
        // a very long unknown key is still rejected, the reply stays small
        const r = await admin.post('/api/v1/users', { ...good, ['k'.repeat(3000)]: 1 });
        expectError(r, 400, 'unknown_field');
        assert.ok(r.text.length < 1000, 'the error echoes the whole key');
        expectError(await admin.patch('/api/v1/users/1', { disabled: 'false' }), 400, 'invalid_field', 'disabled');
        expectError(await admin.patch('/api/v1/users/1', { disabled: 0 }), 400, 'invalid_field', 'disabled');
        // a NUL inside a string: refused by the parser or by the field check
        const nul = expectError(await admin.patch('/api/v1/me', { full_name: 'a\u0000b' }), 400);
        assert.ok(['bad_json', 'invalid_field'].includes(nul.code), nul.code);
        await assertUnchanged(admin, snap);
      });
    });

    describe('JSON nesting', () => {
      it('32 levels parse; 33 and far deeper are 400 bad_json', async () => {
        // {"full_name": <31 arrays>} is 32 levels: parsed, then refused as a wrong type
        const ok = await admin.patch('/api/v1/me', undefined, { raw: `{"full_name":${nest(31)}}`, headers: { 'content-type': 'application/json' } });
        expectError(ok, 400, 'invalid_field', 'full_name');
        const deep = await admin.patch('/api/v1/me', undefined, { raw: `{"full_name":${nest(32)}}`, headers: { 'content-type': 'application/json' } });
        expectError(deep, 400, 'bad_json', null);
        const objs = '{"a":'.repeat(33) + '1' + '}'.repeat(33);
        expectError(await admin.post('/api/v1/users', undefined, { raw: objs, headers: { 'content-type': 'application/json' } }), 400, 'bad_json');
        // brackets inside strings do not count
        const inStr = await admin.patch('/api/v1/me', { full_name: '[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[{{{{{{{{{{{' });
        assert.equal(inStr.status, 200, inStr.text);
        // 100 000 levels within the 1 MiB default limit (an unknown API path reads it too)
        const huge = nest(100000);
        const r = await admin.request('DELETE', '/api/v1/tokens/999999', undefined, { raw: huge, headers: { 'content-type': 'application/json' } });
        assert.ok(r.status !== 500, r.text);
        const unclosed = '['.repeat(3000);
        expectError(await admin.post('/api/v1/users', undefined, { raw: unclosed, headers: { 'content-type': 'application/json' } }), 400, 'bad_json');
        assert.equal((await admin.patch('/api/v1/me', { full_name: '' })).status, 200);
      });
    });

    describe('invalid UTF-8', () => {
      it('in a string is 400 bad_json, and nothing is written', async () => {
        const snap = await snapshot(admin);
        const bad = [
          Buffer.from([0xff, 0xfe]), Buffer.from([0xc3]), Buffer.from([0xc0, 0xaf]), // lone, truncated, overlong
          Buffer.from([0xed, 0xa0, 0x80]), // an encoded surrogate
          Buffer.from([0xf4, 0x90, 0x80, 0x80]), // above U+10FFFF
          Buffer.from([0xe0, 0x80, 0xaf]), Buffer.from([0x80]),
        ];
        for (const b of bad) {
          const body = Buffer.concat([Buffer.from('{"login":"utf8-'), b, Buffer.from('","role":"operator","password":"correct horse battery"}')]);
          const res = await fetch(base() + '/api/v1/users', {
            method: 'POST', body,
            headers: { cookie: admin.cookieHeader(), 'x-csrf-token': admin.csrf, 'content-type': 'application/json' },
          });
          const text = await res.text();
          expectError({ status: res.status, json: JSON.parse(text), text, headers: res.headers }, 400, 'bad_json', null);
          // in a value of PATCH /me and in a key as well
          const pbody = Buffer.concat([Buffer.from('{"full_name":"x'), b, Buffer.from('"}')]);
          const p = await fetch(base() + '/api/v1/me', { method: 'PATCH', body: pbody, headers: { cookie: admin.cookieHeader(), 'x-csrf-token': admin.csrf } });
          assert.equal(p.status, 400);
          assert.equal((await p.json()).error.code, 'bad_json');
          const kbody = Buffer.concat([Buffer.from('{"'), b, Buffer.from('":1}')]);
          const k = await fetch(base() + '/api/v1/me', { method: 'PATCH', body: kbody, headers: { cookie: admin.cookieHeader(), 'x-csrf-token': admin.csrf } });
          assert.equal(k.status, 400);
          assert.equal((await k.json()).error.code, 'bad_json');
        }
        await assertUnchanged(admin, snap);
        // valid multi-byte text is fine
        const ok = await admin.patch('/api/v1/me', { full_name: 'Åsa Ølund — Ёжиков 张伟 😀' });
        assert.equal(ok.status, 200);
        assert.equal(ok.json.full_name, 'Åsa Ølund — Ёжиков 张伟 😀');
      });
    });

    describe('invalid UTF-8 in the URL', () => {
      it('in a query value: 400 naming the parameter (or nothing found), never a 500', async () => {
        for (const [q, field] of [['entity=%ff', 'entity'], ['entity=%C3%28', 'entity'], ['entity=user&id=%ff%fe', 'id'],
          ['entity=user&id=%ED%A0%80', 'id']]) {
          const r = await admin.get('/api/v1/audit?' + q);
          if (r.status === 200) {
            assert.deepEqual(r.json.items, [], q);
          } else {
            expectError(r, 400, 'invalid_field', field);
          }
        }
      });

      it('in a path segment: 404 or 400, never a 500', async () => {
        for (const p of ['/api/v1/users/%ff', '/api/v1/tokens/%ff', '/api/v1/programs/%ff', '/api/v1/programs/%C3%28',
          '/api/v1/policies/%ff', '/api/v1/policies/%ff/coverage', '/api/v1/persons/%ff']) {
          const r = await admin.get(p);
          assert.ok([400, 404, 405].includes(r.status), `GET ${p}: ${r.status} ${r.text}`);
          expectError(r, r.status);
        }
        const d = await admin.del('/api/v1/tokens/%ff');
        expectError(d, 404, 'not_found');
      });
    });

    describe('body size', () => {
      it('sign-in: 4 KiB is read, one byte more is 413 too_large', async () => {
        const c = new Client(base());
        const at = await c.post('/api/v1/session', undefined, { raw: padded({ login: 'operator', password: DEMO_PASSWORD }, 4 * KIB), headers: { 'content-type': 'application/json' } });
        assert.equal(at.status, 200, at.text);
        const over = await c.post('/api/v1/session', undefined, { raw: padded({ login: 'operator', password: DEMO_PASSWORD }, 4 * KIB + 1), headers: { 'content-type': 'application/json' } });
        expectError(over, 413, 'too_large', null);
        assert.equal(over.headers.getSetCookie().length, 0);
      });

      it('user creation: 8 KiB is read, one byte more is 413 and creates nothing', async () => {
        const snap = await snapshot(admin);
        const over = await admin.post('/api/v1/users', undefined, { raw: padded({ login: 'big-body-2', role: 'operator', password: STRONG_PASSWORD }, 8 * KIB + 1), headers: { 'content-type': 'application/json' } });
        expectError(over, 413, 'too_large', null);
        await assertUnchanged(admin, snap);
        const at = await admin.post('/api/v1/users', undefined, { raw: padded({ login: 'big-body-1', role: 'operator', password: STRONG_PASSWORD }, 8 * KIB), headers: { 'content-type': 'application/json' } });
        assert.equal(at.status, 201, at.text);
      });

      it('other 4 KiB routes', async () => {
        for (const [m, p] of [['PATCH', '/api/v1/me'], ['POST', '/api/v1/me/password'], ['POST', '/api/v1/tokens']]) {
          const r = await op.request(m, p, undefined, { raw: padded({}, 4 * KIB + 1), headers: { 'content-type': 'application/json' } });
          expectError(r, 413, 'too_large', null);
        }
      });

      it('the 1 MiB default, with Content-Length (answered before the body is read)', async () => {
        for (const [m, p] of [['DELETE', '/api/v1/session'], ['DELETE', '/api/v1/tokens/1'], ['POST', '/api/v1/no-such-thing'], ['GET', '/api/v1/me']]) {
          const r = await rawRequest(base(), authHead(m, p, [`Content-Length: ${MIB + 1}`]), { body: Buffer.alloc(MIB + 1, 0x20) });
          expectRawError(r, 413, 'too_large', null);
        }
        // a huge declared length
        const r = await rawRequest(base(), authHead('POST', '/api/v1/users', ['Content-Length: 99999999999']), { body: Buffer.alloc(64 * KIB, 0x20) });
        expectRawError(r, 413, 'too_large');
        // the session still works
        assert.equal((await admin.get('/api/v1/me')).status, 200);
      });

      it('over the limit with chunked transfer encoding: 413, nothing written', async () => {
        const snap = await snapshot(admin);
        const headers = { cookie: admin.cookieHeader(), 'x-csrf-token': admin.csrf };
        const body = padded({ login: 'chunked-big', role: 'operator', password: STRONG_PASSWORD }, 8 * KIB + 1);
        const chunks = body.match(/[\s\S]{1,1000}/g);
        const r = await chunkedRequest(base(), { path: '/api/v1/users', headers, chunks });
        expectRawError(r, 413, 'too_large');
        await assertUnchanged(admin, snap);
        // 2 MiB chunked to a default-limit route, and to sign-in
        const big = Array.from({ length: 32 }, () => Buffer.alloc(64 * KIB, 0x20));
        expectRawError(await chunkedRequest(base(), { method: 'DELETE', path: '/api/v1/tokens/1', headers, chunks: big }), 413, 'too_large');
        expectRawError(await chunkedRequest(base(), { path: '/api/v1/session', chunks: big }), 413, 'too_large');
        // within the limit, chunked works
        const okBody = JSON.stringify({ login: 'chunked-ok', role: 'operator', password: STRONG_PASSWORD });
        const ok = await chunkedRequest(base(), { path: '/api/v1/users', headers, chunks: okBody.match(/[\s\S]{1,7}/g) });
        assert.equal(ok.status, 201, ok.body);
        assert.equal(ok.json.login, 'chunked-ok');
      });

      it('exactly 1 MiB is read under the default limit', async () => {
        const r = await rawRequest(base(), authHead('POST', '/api/v1/nothing', [`Content-Length: ${MIB}`]), { body: Buffer.alloc(MIB, 0x20) });
        expectRawError(r, 404, 'not_found');
      });
    });

    describe('headers', () => {
      const head = (n, extra = []) => {
        const lines = ['GET /api/v1/me HTTP/1.1', hostHdr(), 'Connection: close', `Cookie: ${admin.cookieHeader()}`, ...extra];
        for (let i = lines.length - 1; i < n; i++) lines.push(`X-Filler-${i}: ${i}`);
        return lines.join('\r\n');
      };

      it('64 request headers are fine; 65 and more are 431', async () => {
        const at = await rawRequest(base(), head(64));
        assert.equal(at.status, 200, at.body);
        const over = await rawRequest(base(), head(65));
        assert.equal(over.status, 431, over.body);
        assert.equal(over.json?.error?.code, 'too_many_headers');
        const many = await rawRequest(base(), head(500));
        assert.equal(many.status, 431, many.body);
        // through node's http client as well
        const hdrs = {};
        for (let i = 0; i < 100; i++) hdrs[`x-many-${i}`] = String(i);
        const r = await fetch(base() + '/healthz', { headers: hdrs });
        assert.equal(r.status, 431);
        assert.equal((await r.json()).error.code, 'too_many_headers');
      });

      it('a header over 64 KiB is refused without harm', async () => {
        for (const size of [65 * KIB, 200 * KIB, 1 * MIB]) {
          const r = await rawRequest(base(), head(3, [`X-Huge: ${'h'.repeat(size)}`]));
          assert.equal(r.status, 431, `X-Huge of ${size} bytes`);
          const c = await rawRequest(base(), head(3, [`Cookie: assist_session=${'c'.repeat(size)}`]));
          assert.equal(c.status, 431, `a cookie of ${size} bytes`);
        }
        // many medium headers adding up to more than 64 KiB
        const lines = [];
        for (let i = 0; i < 40; i++) lines.push(`X-Medium-${i}: ${'m'.repeat(4000)}`);
        const r = await rawRequest(base(), head(3, lines));
        assert.equal(r.status, 431);
        assert.equal((await admin.get('/api/v1/me')).status, 200);
      });

      it('a long URL and query are refused or answered, never a crash', async () => {
        const r = await rawRequest(base(), [`GET /api/v1/audit?entity=${'e'.repeat(70 * KIB)} HTTP/1.1`, hostHdr(), 'Connection: close'].join('\r\n'));
        assert.ok([414, 431].includes(r.status), `status ${r.status}`);
        const q = await admin.get('/api/v1/audit?entity=' + 'e'.repeat(1000));
        expectError(q, 400, 'invalid_field', 'entity');
      });
    });

    describe('paths and methods', () => {
      it('unknown /api/ paths are 404 not_found in the error shape', async () => {
        for (const p of ['/api/v1/nothing', '/api/v2/me', '/api/', '/api/v1/users/1/extra', '/api/v1/users/', '/api/v1/me/', '/api/v1//users']) {
          expectError(await admin.get(p), 404, 'not_found', null);
        }
        expectError(await admin.post('/api/v1/nothing', { a: 1 }), 404, 'not_found');
        expectError(await new Client(base()).get('/api/v1/nothing'), 404, 'not_found');
      });

      it('a known path with another method is 405 with Allow', async () => {
        const cases = [
          ['PUT', '/api/v1/users/1', ['DELETE', 'GET', 'PATCH']],
          ['POST', '/api/v1/users/1', ['DELETE', 'GET', 'PATCH']],
          ['DELETE', '/api/v1/users', ['GET', 'POST']],
          ['PUT', '/api/v1/me', ['GET', 'PATCH']],
          ['GET', '/api/v1/session', ['DELETE', 'POST']],
          ['GET', '/api/v1/me/password', ['POST']],
          ['POST', '/healthz', ['GET']],
          ['PATCH', '/api/v1/tokens/3', ['DELETE']],
        ];
        for (const [m, p, allow] of cases) {
          for (const c of [admin, new Client(base())]) {
            const r = await c.request(m, p, m === 'GET' ? undefined : {});
            expectError(r, 405, 'method_not_allowed', null);
            const got = (r.headers.get('allow') || '').split(',').map((s) => s.trim()).filter(Boolean).sort();
            assert.deepEqual(got, allow, `Allow for ${m} ${p}`);
          }
        }
      });

      it('HEAD of an API route answers like GET without a body', async () => {
        const r = await fetch(base() + '/healthz', { method: 'HEAD' });
        assert.equal(r.status, 200);
        assert.equal(await r.text(), '');
      });
    });
  });

  describe(`--body-limit (${backend})`, () => {
    const h = useServer({ backend, args: ['--body-limit', '2048'] });
    it('sets the default limit', async () => {
      const head = (n) => [`POST /api/v1/nothing HTTP/1.1`, `Host: ${new URL(h.srv.base).host}`, 'Connection: close',
        'Content-Type: application/json', `Content-Length: ${n}`].join('\r\n');
      expectRawError(await rawRequest(h.srv.base, head(2049), { body: Buffer.alloc(2049, 0x20) }), 413, 'too_large');
      expectRawError(await rawRequest(h.srv.base, head(2048), { body: Buffer.alloc(2048, 0x20) }), 404, 'not_found');
      await assertHealthy(h.srv.base);
    });
  });
}
