// Security headers, /healthz, the OpenAPI document, and the static files of
// the web UI (ETag, 304, no way out of the web directory).
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, writeFileSync, readFileSync, existsSync, rmSync, utimesSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { backends, ROOT, Client, run } from '../lib/server.mjs';
import { useServer, signedIn, expectError, rawRequest, assertHealthy } from './helpers.mjs';

function checkSecurityHeaders(headers, { api }, what) {
  const get = (k) => (typeof headers.get === 'function' ? headers.get(k) : headers[k]);
  const csp = get('content-security-policy');
  assert.ok(csp, `${what}: no Content-Security-Policy`);
  assert.ok(!/unsafe-inline|unsafe-eval/.test(csp), `${what}: CSP allows inline/eval: ${csp}`);
  assert.match(csp, /frame-ancestors 'none'/, `${what}: CSP`);
  assert.match(csp, /default-src 'self'/, `${what}: CSP`);
  const scriptSrc = (csp.match(/script-src([^;]*)/) || [])[1];
  if (scriptSrc !== undefined) assert.ok(!/\*|data:|http:|https:/.test(scriptSrc), `${what}: script-src ${scriptSrc}`);
  assert.equal(get('x-content-type-options'), 'nosniff', `${what}: nosniff`);
  assert.ok(get('referrer-policy'), `${what}: no Referrer-Policy`);
  assert.ok(/^[0-9a-f]{8,}$/.test(get('x-request-id') || ''), `${what}: X-Request-Id ${get('x-request-id')}`);
  if (api) assert.equal(get('cache-control'), 'no-store', `${what}: Cache-Control`);
}

for (const backend of backends()) {
  describe(`security headers, health, OpenAPI (${backend})`, () => {
    const h = useServer({ backend });
    const base = () => h.srv.base;

    it('GET /healthz is public: status, version, database', async () => {
      const r = await fetch(base() + '/healthz');
      assert.equal(r.status, 200);
      assert.match(r.headers.get('content-type'), /^application\/json/);
      const j = await r.json();
      const v = await run(['--version']);
      assert.deepEqual(Object.keys(j).sort(), ['database', 'status', 'version']);
      assert.equal(j.status, 'ok');
      assert.equal(`assist ${j.version}\n`, v.stdout);
      assert.equal(j.database, backend === 'pg' ? 'postgresql' : 'sqlite');
    });

    it('GET /api/v1/openapi.json is public and identical to docs/openapi.json', async () => {
      const r = await fetch(base() + '/api/v1/openapi.json');
      assert.equal(r.status, 200);
      assert.match(r.headers.get('content-type'), /^application\/json/);
      const text = await r.text();
      const file = readFileSync(path.join(ROOT, 'docs/openapi.json'), 'utf8');
      assert.deepEqual(JSON.parse(text), JSON.parse(file));
      assert.equal(text.trim(), file.trim(), 'the served document is not byte-identical');
      const doc = JSON.parse(text);
      assert.match(doc.openapi, /^3\.1/);
      const hz = await (await fetch(base() + '/healthz')).json();
      assert.equal(doc.info.version, hz.version, 'the document names another version');
    });

    it('every kind of API response carries the security headers and no-store', async () => {
      const admin = await signedIn(base(), 'admin');
      const seen = [
        ['200 healthz', await admin.get('/healthz')],
        ['200 me', await admin.get('/api/v1/me')],
        ['201', await admin.post('/api/v1/tokens', { name: 'headers' })],
        ['204', await admin.del('/api/v1/tokens/' + (await admin.get('/api/v1/tokens')).json.items[0].id)],
        ['400', await admin.post('/api/v1/users', {})],
        ['401', await new Client(base()).get('/api/v1/me')],
        ['403', await (await signedIn(base(), 'operator')).get('/api/v1/users')],
        ['403 csrf', await admin.patch('/api/v1/me', { language: 'en' }, { csrf: false })],
        ['404', await admin.get('/api/v1/nothing')],
        ['405', await admin.put('/api/v1/users/1', {})],
        ['413', await admin.patch('/api/v1/me', undefined, { raw: 'x'.repeat(5000) })],
        ['openapi', await admin.get('/api/v1/openapi.json')],
      ];
      for (const [what, r] of seen) {
        checkSecurityHeaders(r.headers, { api: true }, what);
        if (r.status >= 400) expectError(r, r.status);
      }
      // the sign-in reply too (it carries the session cookie)
      const s = await new Client(base()).post('/api/v1/session', { login: 'reviewer', password: 'assist-demo' });
      checkSecurityHeaders(s.headers, { api: true }, 'sign-in');
      // and the early replies made before the body is read
      const big = await rawRequest(base(), [`POST /api/v1/users HTTP/1.1`, `Host: ${new URL(base()).host}`, 'Connection: close', 'Content-Length: 99999999'].join('\r\n'), { body: 'x' });
      assert.equal(big.status, 413);
      checkSecurityHeaders(big.headers, { api: true }, '413 early');
      const lines = ['GET /healthz HTTP/1.1', `Host: ${new URL(base()).host}`, 'Connection: close'];
      for (let i = 0; i < 70; i++) lines.push(`X-F-${i}: ${i}`);
      const many = await rawRequest(base(), lines.join('\r\n'));
      assert.equal(many.status, 431);
      checkSecurityHeaders(many.headers, { api: true }, '431');
    });

    it('request ids differ between requests', async () => {
      const ids = new Set();
      for (let i = 0; i < 10; i++) ids.add((await fetch(base() + '/healthz')).headers.get('x-request-id'));
      assert.equal(ids.size, 10);
    });
  });

  // The mechanics of static files, on a web directory made here.
  describe(`static files (${backend})`, () => {
    const top = mkdtempSync(path.join(tmpdir(), 'assist-web-'));
    const web = path.join(top, 'web');
    mkdirSync(path.join(web, 'js'), { recursive: true });
    mkdirSync(path.join(web, '.git'), { recursive: true });
    mkdirSync(path.join(web, 'sub'), { recursive: true });
    writeFileSync(path.join(web, 'index.html'), '<!doctype html><title>test index</title>\n');
    writeFileSync(path.join(web, 'js', 'app.js'), 'console.log("app");\n');
    writeFileSync(path.join(web, 'style.css'), 'body{}\n');
    writeFileSync(path.join(web, '.git', 'config'), '[core]\nsecret = yes\n');
    writeFileSync(path.join(web, '.env'), 'SECRET=1\n');
    writeFileSync(path.join(top, 'secret.txt'), 'outside the web directory\n');
    symlinkSync(path.join(top, 'secret.txt'), path.join(web, 'link.txt'));
    const h = useServer({ backend, args: ['--web', web] });
    const base = () => h.srv.base;
    after(() => rmSync(top, { recursive: true, force: true }));

    it('GET / is index.html with an ETag, security headers, and no-store not forced', async () => {
      const r = await fetch(base() + '/');
      assert.equal(r.status, 200);
      assert.equal(await r.text(), '<!doctype html><title>test index</title>\n');
      assert.match(r.headers.get('content-type'), /^text\/html/);
      assert.ok(r.headers.get('etag'), 'no ETag');
      checkSecurityHeaders(r.headers, { api: false }, 'GET /');
      const same = await fetch(base() + '/index.html');
      assert.equal(same.status, 200);
      assert.equal(same.headers.get('etag'), r.headers.get('etag'));
    });

    it('If-None-Match with the ETag is 304 without a body; a changed file gets a new ETag', async () => {
      const r = await fetch(base() + '/js/app.js');
      assert.equal(r.status, 200);
      assert.match(r.headers.get('content-type'), /javascript/);
      const etag = r.headers.get('etag');
      const nm = await fetch(base() + '/js/app.js', { headers: { 'if-none-match': etag } });
      assert.equal(nm.status, 304);
      assert.equal(await nm.text(), '');
      assert.equal(nm.headers.get('etag'), etag);
      checkSecurityHeaders(nm.headers, { api: false }, '304');
      const other = await fetch(base() + '/js/app.js', { headers: { 'if-none-match': '"something-else"' } });
      assert.equal(other.status, 200);
      // change the file (content and time): a new ETag, and the old one no longer matches
      writeFileSync(path.join(web, 'js', 'app.js'), 'console.log("app v2");\n');
      const t = new Date(Date.now() + 5000);
      utimesSync(path.join(web, 'js', 'app.js'), t, t);
      const changed = await fetch(base() + '/js/app.js', { headers: { 'if-none-match': etag } });
      assert.equal(changed.status, 200);
      assert.equal(await changed.text(), 'console.log("app v2");\n');
      assert.notEqual(changed.headers.get('etag'), etag);
    });

    it('HEAD works; other methods are 405', async () => {
      const r = await fetch(base() + '/style.css', { method: 'HEAD' });
      assert.equal(r.status, 200);
      assert.equal(await r.text(), '');
      const p = await fetch(base() + '/index.html', { method: 'POST', body: 'x' });
      assert.equal(p.status, 405);
      assert.match(p.headers.get('allow') || '', /GET/);
    });

    it('unknown files are 404', async () => {
      for (const p of ['/nothing.html', '/js/', '/js', '/sub/', '/sub']) {
        const r = await fetch(base() + p);
        assert.equal(r.status, 404, p);
        checkSecurityHeaders(r.headers, { api: false }, '404 ' + p);
      }
    });

    it('no way out of the web directory, and no hidden files', async () => {
      const host = `Host: ${new URL(base()).host}`;
      const paths = [
        '/../secret.txt', '/../../../../etc/passwd', '/%2e%2e/secret.txt', '/%2E%2E/secret.txt', '/..%2fsecret.txt',
        '/js/../../secret.txt', '/js/%2e%2e/%2e%2e/secret.txt', '/.git/config', '/.git/', '/.env', '/%2egit/config',
        '/js/..%5c..%5csecret.txt', '//etc/passwd', '/link.txt', '/./index.html', '/js/./app.js',
        '/index.html/', '/..', '/.',
      ];
      for (const p of paths) {
        const r = await rawRequest(base(), [`GET ${p} HTTP/1.1`, host, 'Connection: close'].join('\r\n'));
        assert.ok(r.status === 404 || r.status === 400, `${p}: ${r.status}`);
        assert.ok(!/outside the web directory|secret = yes|SECRET=1|root:/.test(r.body), `${p} leaked a file`);
      }
      await assertHealthy(base());
    });
  });

  // The real web UI, when it is there.
  describe(`the web UI's own files (${backend})`, () => {
    const index = path.join(ROOT, 'web', 'index.html');
    const h = useServer({ backend });
    it('GET / serves web/index.html without inline script', { skip: !existsSync(index) && 'web/index.html is not there yet' }, async () => {
      const r = await fetch(h.srv.base + '/');
      assert.equal(r.status, 200);
      const text = await r.text();
      assert.equal(text, readFileSync(index, 'utf8'));
      assert.ok(r.headers.get('etag'));
      checkSecurityHeaders(r.headers, { api: false }, 'web/index.html');
      // a CSP without 'unsafe-inline' only works if the page has no inline script or handlers
      assert.ok(!/<script(?![^>]*\bsrc=)[^>]*>\s*\S/i.test(text), 'index.html has an inline script');
      assert.ok(!/\son[a-z]+\s*=/i.test(text), 'index.html has an inline event handler');
    });
  });
}
