// Gateways (issue 5): SMSC and SMTP connections from the admin API, the
// config file and the command line. Passwords are write-only (never in a
// reply nor in the audit trail); fields are checked by name; names are
// unique across all three sources. Several SMSC connections route SMS by
// the longest number prefix, each to its own real SMPP peer; a number no
// connection takes fails as no_route; a change of prefixes in the API
// re-routes what is still waiting, without a restart.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { backends, startServer, run } from '../lib/server.mjs';
import { signedIn, expectError, auditAll } from './helpers.mjs';
import { startPeer } from '../peers/smpp-peer.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function until(what, fn, ms = 15000) {
  const end = Date.now() + ms;
  let last;
  while (Date.now() < end) {
    last = await fn();
    if (last) return last;
    await sleep(50);
  }
  assert.fail(`timed out waiting for ${what}`);
}

const messageIs = (c, id, pred) => until(`message ${id}`, async () => {
  const m = (await c.get(`/api/v1/messages/${id}`)).json;
  return pred(m) ? m : null;
});

const gatewayNamed = async (admin, name) => (await admin.get('/api/v1/gateways')).json.items.find((g) => g.name === name);

function configFile(obj) {
  const dir = mkdtempSync(path.join(tmpdir(), 'assist-conf-'));
  const file = path.join(dir, 'assist.json');
  writeFileSync(file, typeof obj === 'string' ? obj : JSON.stringify(obj));
  return { file, drop: () => rmSync(dir, { recursive: true, force: true }) };
}

for (const backend of backends()) {
  describe(`gateways (${backend})`, () => {
    let ru, world, cn, srv, admin, op, conf;
    before(async () => {
      ru = await startPeer({ systemId: 'ru', password: 'ru-pw' });
      world = await startPeer({ systemId: 'world', password: 'w-pw' });
      cn = await startPeer({ systemId: 'cn', password: 'cn-pw' });
      // the Russian SMSC comes from the config file; the others from the API
      conf = configFile({ smpp: [{ name: 'ru-main', url: ru.url(), prefixes: ['+7'], window: 20, rate: 0 }] });
      srv = await startServer({ backend, persons: 10, args: ['--config', conf.file] });
      admin = await signedIn(srv.base, 'admin');
      op = await signedIn(srv.base, 'operator');
      for (const t of (await admin.get('/api/v1/triggers')).json.items.filter((x) => x.event === 'case_opened')) {
        assert.equal((await admin.patch(`/api/v1/triggers/${t.id}`, { enabled: false })).status, 200);
      }
    });
    after(async () => {
      await srv?.stop();
      await Promise.all([ru?.stop(), world?.stop(), cn?.stop()]);
      conf?.drop();
    });

    it('lists the config file\'s SMSC read-only, bound, and without its password', async () => {
      const g = await until('ru-main bound', async () => {
        const x = await gatewayNamed(admin, 'ru-main');
        return x?.state === 'bound' ? x : null;
      });
      assert.equal(g.id, null);
      assert.equal(g.source, 'config');
      assert.equal(g.kind, 'smpp');
      assert.deepEqual(g.prefixes, ['+7']);
      assert.equal(g.window, 20);
      assert.equal(g.username, 'ru');
      assert.equal(g.password_set, true);
      assert.ok(!('password' in g));
      assert.ok(!JSON.stringify(g).includes('ru-pw'));
      assert.ok(ru.isBound());
    });

    it('is for admins only', async () => {
      expectError(await op.get('/api/v1/gateways'), 403, 'forbidden');
      expectError(await op.post('/api/v1/gateways', { kind: 'smpp', name: 'x', host: '127.0.0.1', username: 'x' }), 403, 'forbidden');
    });

    it('refuses bad fields by name, and names taken', async () => {
      const base = { kind: 'smpp', name: 'bad', host: '127.0.0.1', port: world.port, username: 'world', password: 'w-pw' };
      expectError(await admin.post('/api/v1/gateways', { ...base, kind: 'fax' }), 400, 'invalid_field', 'kind');
      expectError(await admin.post('/api/v1/gateways', { ...base, prefixes: ['7-9'] }), 400, 'invalid_field', 'prefixes');
      expectError(await admin.post('/api/v1/gateways', { ...base, port: 70000 }), 400, 'invalid_field', 'port');
      expectError(await admin.post('/api/v1/gateways', { ...base, password: 'longer-than-8' }), 400, 'invalid_field', 'password');
      expectError(await admin.post('/api/v1/gateways', { ...base, window: 0 }), 400, 'invalid_field', 'window');
      expectError(await admin.post('/api/v1/gateways', { ...base, host: 'bad host' }), 400, 'invalid_field', 'host');
      expectError(await admin.post('/api/v1/gateways', { ...base, extra: 1 }), 400, 'unknown_field', 'extra');
      const { username, ...noUser } = base;
      expectError(await admin.post('/api/v1/gateways', noUser), 400, 'missing_field', 'username');
      expectError(await admin.post('/api/v1/gateways', { kind: 'smtp', name: 'm', host: '127.0.0.1' }), 400, 'missing_field', 'mail_from');
      expectError(await admin.post('/api/v1/gateways', { kind: 'smtp', name: 'm', host: '127.0.0.1', mail_from: 'not an address' }), 400, 'invalid_field', 'mail_from');
      expectError(await admin.post('/api/v1/gateways', { kind: 'smtp', name: 'm', host: '127.0.0.1', mail_from: 'a@b.example', tls: 'maybe' }), 400, 'invalid_field', 'tls');
      expectError(await admin.post('/api/v1/gateways', { ...base, name: 'ru-main' }), 409, 'name_taken', 'name');
      assert.equal((await admin.get('/api/v1/gateways')).json.items.filter((g) => g.source === 'admin').length, 0);
    });

    let worldId;
    it('adds an SMSC: it binds within seconds, the password never comes back, the audit has none', async () => {
      const r = await admin.post('/api/v1/gateways', { kind: 'smpp', name: 'world', host: '127.0.0.1', port: world.port, username: 'world', password: 'w-pw', window: 10, rate: 500 });
      assert.equal(r.status, 201, r.text);
      worldId = r.json.id;
      assert.equal(r.json.source, 'admin');
      assert.equal(r.json.password_set, true);
      assert.deepEqual(r.json.prefixes, []);
      assert.equal(r.json.rate, 500);
      assert.ok(!r.text.includes('w-pw'));
      await until('world bound', async () => (await admin.get(`/api/v1/gateways/${worldId}`)).json.state === 'bound');
      assert.ok(world.binds.some((b) => b.system_id === 'world' && b.ok));
      // unchanged gateways keep their connections across the re-reads
      const binds = world.binds.length + ru.binds.length;
      await sleep(4500);
      assert.equal(world.binds.length + ru.binds.length, binds, 'an unchanged SMSC was bound again');
      assert.ok(!srv.logs().includes('smpp_link_stopped'), 'an unchanged SMSC connection was stopped');
      expectError(await admin.post('/api/v1/gateways', { kind: 'smpp', name: 'world', host: '127.0.0.1', username: 'x' }), 409, 'name_taken', 'name');
      const audit = (await auditAll(admin, `entity=gateway&id=${worldId}`)).items;
      assert.ok(audit.length >= 1);
      assert.ok(!JSON.stringify(audit).includes('w-pw'));
    });

    it('routes by the longest prefix: +7 to the config file\'s SMSC, the rest to the default', async () => {
      const a = (await op.post('/api/v1/messages', { channel: 'sms', to: '+79161230001', text: 'to Russia', urgent: true })).json;
      const b = (await op.post('/api/v1/messages', { channel: 'sms', to: '+8613800138000', text: 'to China', urgent: true })).json;
      const ma = await messageIs(op, a.id, (m) => m.status === 'delivered');
      const mb = await messageIs(op, b.id, (m) => m.status === 'delivered');
      assert.equal(ma.connection, 'ru-main');
      assert.equal(mb.connection, 'world');
      assert.ok(ru.submits.some((s) => s.text === 'to Russia'));
      assert.ok(!ru.submits.some((s) => s.text === 'to China'));
      assert.ok(world.submits.some((s) => s.text === 'to China'));
      assert.ok(!world.submits.some((s) => s.text === 'to Russia'));
    });

    let cnId;
    it('a more specific SMSC takes its numbers from the default; disabled, it gives them back', async () => {
      const r = await admin.post('/api/v1/gateways', { kind: 'smpp', name: 'china', host: '127.0.0.1', port: cn.port, username: 'cn', password: 'cn-pw', prefixes: '+86, 852' });
      assert.equal(r.status, 201, r.text);
      cnId = r.json.id;
      assert.deepEqual(r.json.prefixes, ['+86', '+852']);
      await until('china bound', async () => (await admin.get(`/api/v1/gateways/${cnId}`)).json.state === 'bound');
      const m = (await op.post('/api/v1/messages', { channel: 'sms', to: '+8613800138001', text: 'via china', urgent: true })).json;
      assert.equal((await messageIs(op, m.id, (x) => x.status === 'delivered')).connection, 'china');
      assert.ok(cn.submits.some((s) => s.text === 'via china'));
      assert.ok(!world.submits.some((s) => s.text === 'via china'));
      // switched off: the next Chinese number goes through the default again
      const off = await admin.put(`/api/v1/gateways/${cnId}`, { enabled: false });
      assert.equal(off.status, 200, off.text);
      assert.equal(off.json.state, 'off');
      assert.equal(off.json.password_set, true, 'an absent password is kept');
      await until('china unbound', async () => !cn.isBound());
      const n = (await op.post('/api/v1/messages', { channel: 'sms', to: '+8613800138002', text: 'back to world', urgent: true })).json;
      assert.equal((await messageIs(op, n.id, (x) => x.status === 'delivered')).connection, 'world');
    });

    it('without a default, a number nobody takes fails as no_route; a new prefix re-routes what waits', async () => {
      const binds = world.binds.length;
      assert.equal((await admin.put(`/api/v1/gateways/${worldId}`, { prefixes: ['+44'] })).status, 200);
      // the server re-reads gateways every 2 s: the changed connection is
      // opened again, and the routes are made in the same step
      await until('world bound again', async () => world.binds.length > binds && (await admin.get(`/api/v1/gateways/${worldId}`)).json.state === 'bound');
      const m = (await op.post('/api/v1/messages', { channel: 'sms', to: '+4915112345678', text: 'to Germany', urgent: true })).json;
      const failed = await messageIs(op, m.id, (x) => x.status === 'failed');
      assert.equal(failed.reason, 'no_route');
      assert.ok(!world.submits.some((s) => s.text === 'to Germany'));
      const uk = (await op.post('/api/v1/messages', { channel: 'sms', to: '+447700900123', text: 'to UK', urgent: true })).json;
      assert.equal((await messageIs(op, uk.id, (x) => x.status === 'delivered')).connection, 'world');
    });

    it('changes need the right version, keep or clear the password, and delete', async () => {
      const g = (await admin.get(`/api/v1/gateways/${cnId}`)).json;
      expectError(await admin.put(`/api/v1/gateways/${cnId}`, { version: g.version - 1, rate: 5 }), 409, 'version_conflict', 'version');
      expectError(await admin.put(`/api/v1/gateways/${cnId}`, { kind: 'smtp' }), 400, 'invalid_field', 'kind');
      const cleared = await admin.put(`/api/v1/gateways/${cnId}`, { version: g.version, password: '' });
      assert.equal(cleared.status, 200, cleared.text);
      assert.equal(cleared.json.password_set, false);
      assert.equal(cleared.json.version, g.version + 1);
      assert.equal((await admin.del(`/api/v1/gateways/${cnId}`)).status, 204);
      expectError(await admin.get(`/api/v1/gateways/${cnId}`), 404, 'not_found');
      const actions = (await auditAll(admin, `entity=gateway&id=${cnId}`)).items.map((a) => a.action).sort();
      assert.deepEqual(actions, ['create', 'delete', 'update', 'update']);
    });

    it('an SMTP gateway from the API is the one email goes through', async () => {
      const r = await admin.post('/api/v1/gateways', { kind: 'smtp', name: 'relay', host: '127.0.0.1', port: 2525, tls: 'starttls', username: 'u', password: 'p', mail_from: 'assist@example.com' });
      assert.equal(r.status, 201, r.text);
      assert.equal(r.json.tls, 'starttls');
      assert.equal(r.json.mail_from, 'assist@example.com');
      assert.equal(r.json.window, null);
      await until('relay active', async () => (await admin.get(`/api/v1/gateways/${r.json.id}`)).json.state === 'active');
      const s = await admin.post('/api/v1/gateways', { kind: 'smtp', name: 'relay-2', host: '127.0.0.1', port: 2526, mail_from: 'assist@example.com' });
      assert.equal(s.status, 201, s.text);
      assert.equal(s.json.state, 'standby');
    });
  });
}

describe('the config file', () => {
  it('refuses a bad file with the field at fault, before serving', async () => {
    for (const [content, field] of [
      [{ smpp: [{ name: 'a', url: 'smpp://x:y@127.0.0.1:1', prefixes: ['+7x'] }] }, 'smpp[0].prefixes'],
      [{ smpp: [{ name: 'a', host: '127.0.0.1', port: 1, username: 'x', passwrd: 'y' }] }, 'smpp[0].passwrd'],
      [{ smtp: [{ name: 'm', host: '127.0.0.1', port: 25, tls: 'sometimes' }] }, 'smtp[0].tls'],
      [{ smpp: [{ name: 'a', url: 'smpp://x:y@127.0.0.1:1' }, { name: 'a', url: 'smpp://x:y@127.0.0.1:2' }] }, 'smpp[1].name'],
      [{ sms: [] }, 'config'],
      ['{"smpp": [', 'config'],
    ]) {
      const c = configFile(content);
      try {
        const r = await run(['serve', '--db', path.join(path.dirname(c.file), 'none.db'), '--config', c.file]);
        assert.equal(r.code, 2, r.stderr);
        assert.ok(r.stderr.includes(field), `${JSON.stringify(content)}: ${r.stderr}`);
        assert.ok(!r.stderr.includes('"y"'), r.stderr);
      } finally {
        c.drop();
      }
    }
  });
});
