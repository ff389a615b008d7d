// Graceful stop: requests in flight when SIGTERM (or SIGINT) arrives finish,
// and the process exits 0.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { backends, startServer, DEMO_PASSWORD } from '../lib/server.mjs';

/** A sign-in over a given keep-alive agent; resolves {status, body} or {error}. */
function signIn(base, agent, login) {
  const u = new URL(base);
  const body = JSON.stringify({ login, password: DEMO_PASSWORD });
  return new Promise((resolve) => {
    const req = http.request({
      host: u.hostname, port: Number(u.port), method: 'POST', path: '/api/v1/session', agent,
      headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
    }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d) => { text += d; });
      res.on('end', () => resolve({ status: res.statusCode, body: text }));
      res.on('error', (error) => resolve({ error: error.message }));
    });
    req.on('error', (error) => resolve({ error: error.message }));
    req.end(body);
  });
}

function get(base, agent, p) {
  const u = new URL(base);
  return new Promise((resolve) => {
    const req = http.request({ host: u.hostname, port: Number(u.port), path: p, agent }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode));
    });
    req.on('error', (e) => resolve(e.message));
    req.end();
  });
}

// more requests than the server's 4 worker threads, so some wait their turn
const LOGINS = ['admin', 'operator', 'manager', 'reviewer', 'finance', 'supervisor'].flatMap((l) => [l, l]);
const N = LOGINS.length;

/** One GET on a new connection (no keep-alive pool): the status. */
function getOnce(url) {
  return new Promise((resolve, reject) => {
    http.get(url, { agent: false }, (res) => { res.resume(); res.on('end', () => resolve(res.statusCode)); }).on('error', reject);
  });
}

async function stopWhileBusy(backend, signal) {
  const srv = await startServer({ backend });
  let stopped = false;
  try {
    // open N connections first, so the sign-ins travel on connections the
    // server has already accepted
    const agent = new http.Agent({ keepAlive: true, maxSockets: N });
    const warm = await Promise.all(Array.from({ length: N }, () => get(srv.base, agent, '/healthz')));
    assert.deepEqual(warm, Array(N).fill(200));
    const exited = new Promise((resolve) => srv.proc.on('exit', (code, sig) => resolve({ code, sig })));
    const pending = LOGINS.map((l) => signIn(srv.base, agent, l));
    // each sign-in hashes a password for ~0.1 s, two at a time: when the first
    // answer comes, the server is busy with the others (all of them sent)
    await Promise.race(pending);
    srv.proc.kill(signal);
    const results = await Promise.all(pending);
    for (const [i, r] of results.entries()) {
      assert.equal(r.status, 200, `sign-in ${LOGINS[i]} during ${signal}: ${JSON.stringify(r)}`);
      assert.equal(JSON.parse(r.body).user.login, LOGINS[i]);
    }
    const st = await exited;
    agent.destroy();
    assert.equal(st.code, 0, `exit ${JSON.stringify(st)}\n${srv.logs().slice(-3000)}`);
    assert.match(srv.logs(), /"event":"stopped"/);
    // no longer listening
    const after = await fetch(srv.base + '/healthz').then((r) => r.status, (e) => e.cause?.code || e.message);
    assert.notEqual(after, 200);
  } finally {
    if (!stopped) { stopped = true; await srv.stop(); }
  }
}

for (const backend of backends()) {
  describe(`graceful stop (${backend})`, () => {
    it('SIGTERM lets the sign-ins in flight finish with 200 and exits 0', async () => {
      await stopWhileBusy(backend, 'SIGTERM');
    });

    it('SIGINT does the same', async () => {
      await stopWhileBusy(backend, 'SIGINT');
    });

    it('--timeout closes a connection that stalls mid-request; others are served meanwhile', async () => {
      const srv = await startServer({ backend, demo: false, args: ['--timeout', '1'] });
      try {
        const u = new URL(srv.base);
        const sock = net.connect(Number(u.port), u.hostname);
        await new Promise((r) => sock.once('connect', r));
        sock.write(`GET /healthz HTTP/1.1\r\nHost: ${u.host}\r\n`); // never finished
        let answer = '';
        sock.on('data', (d) => { answer += d; });
        sock.on('error', () => {});
        assert.equal(await getOnce(srv.base + '/healthz'), 200);
        const closed = await new Promise((resolve) => {
          const t = setTimeout(() => resolve(false), 20000);
          sock.on('close', () => { clearTimeout(t); resolve(true); });
        });
        assert.ok(closed, 'the stalled connection was never closed');
        assert.doesNotMatch(answer, /^HTTP\/1\.1 200/, 'a half request was answered');
        assert.equal(await getOnce(srv.base + '/healthz'), 200);
      } finally {
        assert.equal((await srv.stop()).code, 0);
      }
    });

    it('an idle server stops at once with status 0', async () => {
      const srv = await startServer({ backend, demo: false });
      const st = await srv.stop();
      assert.equal(st.code, 0);
      assert.equal(st.signal, null);
    });
  });
}
