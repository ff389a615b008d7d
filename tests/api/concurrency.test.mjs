// Requests at the same time: parallel creations, and races that must not
// lose an admin's change or leave nobody able to administer.
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { backends, Client } from '../lib/server.mjs';
import { useServer, signedIn, expectError, assertHealthy, auditAll, createUser, STRONG_PASSWORD } from './helpers.mjs';

/** Run SQL on the server's database with the backend's own client. */
function sql(db, query) {
  if (db.startsWith('postgresql://')) return execFileSync('psql', [db, '-XAtqc', query], { encoding: 'utf8' }).trim();
  return execFileSync('sqlite3', [db, query], { encoding: 'utf8' }).trim();
}

const ROUNDS = 8;

for (const backend of backends()) {
  describe(`concurrency (${backend})`, () => {
    const h = useServer({ backend });
    const base = () => h.srv.base;
    let admin;
    before(async () => { admin = await signedIn(base(), 'admin'); });

    it('20 parallel creations with distinct logins all succeed', async () => {
      const rs = await Promise.all(Array.from({ length: 20 }, (_, i) => admin.post('/api/v1/users',
        { login: `parallel-${i}`, role: 'operator', password: STRONG_PASSWORD })));
      assert.deepEqual(rs.map((r) => r.status), Array(20).fill(201), rs.map((r) => r.text).join('\n'));
      assert.equal(new Set(rs.map((r) => r.json.id)).size, 20);
      const logins = (await admin.get('/api/v1/users?limit=500')).json.items.map((u) => u.login);
      for (let i = 0; i < 20; i++) assert.ok(logins.includes(`parallel-${i}`));
    });

    it('10 parallel creations of one login: exactly one 201, the rest 409', async () => {
      const audit0 = (await auditAll(admin, 'entity=user')).total;
      const rs = await Promise.all(Array.from({ length: 10 }, (_, i) => admin.post('/api/v1/users',
        { login: 'same-login', role: 'operator', password: STRONG_PASSWORD, full_name: `try ${i}` })));
      const statuses = rs.map((r) => r.status).sort();
      assert.deepEqual(statuses, [201, ...Array(9).fill(409)], rs.map((r) => r.text).join('\n'));
      for (const r of rs.filter((x) => x.status === 409)) expectError(r, 409, 'login_taken', 'login');
      const same = (await admin.get('/api/v1/users?limit=500')).json.items.filter((u) => u.login === 'same-login');
      assert.equal(same.length, 1);
      assert.equal((await auditAll(admin, 'entity=user')).total, audit0 + 1, 'one audit entry for one creation');
      await assertHealthy(base());
    });

    it('many parallel sign-ins and reads all succeed', async () => {
      const logins = ['admin', 'operator', 'manager', 'reviewer', 'finance', 'supervisor'];
      const rs = await Promise.all(logins.flatMap((l) => [l, l]).map(async (l) => {
        const c = new Client(base());
        await c.login(l);
        return Promise.all([c.get('/api/v1/me'), c.get('/api/v1/tokens'), c.patch('/api/v1/me', { language: 'en' })]);
      }));
      for (const trio of rs) assert.deepEqual(trio.map((r) => r.status), [200, 200, 200]);
    });

    it('an admin\'s role change is not undone by the user\'s own PATCH /me at the same time', async () => {
      for (let round = 0; round < ROUNDS; round++) {
        const u = await createUser(admin, `racer-${round}`, 'supervisor');
        const x = new Client(base());
        await x.login(u.login, STRONG_PASSWORD);
        const own = Array.from({ length: 20 }, (_, i) => x.patch('/api/v1/me', { full_name: `name ${i}` }));
        const demote = await admin.patch(`/api/v1/users/${u.id}`, { role: 'operator' });
        await Promise.all(own);
        assert.equal(demote.status, 200, demote.text);
        const now = (await admin.get(`/api/v1/users/${u.id}`)).json;
        assert.equal(now.role, 'operator', `round ${round}: the demotion was lost (role is ${now.role} again)`);
        expectError(await x.get('/api/v1/audit'), 403, 'forbidden');
      }
    });

    it('a user disabled while PATCHing /me stays disabled', async () => {
      for (let round = 0; round < ROUNDS; round++) {
        const u = await createUser(admin, `racer-d-${round}`, 'finance');
        const x = new Client(base());
        await x.login(u.login, STRONG_PASSWORD);
        const own = Array.from({ length: 20 }, (_, i) => x.patch('/api/v1/me', { language: ['en', 'ru', 'zh'][i % 3] }));
        const dis = await admin.del(`/api/v1/users/${u.id}`);
        await Promise.all(own);
        assert.equal(dis.status, 200, dis.text);
        const now = (await admin.get(`/api/v1/users/${u.id}`)).json;
        assert.equal(now.disabled, true, `round ${round}: the user was enabled again by their own PATCH /me`);
        expectError(await new Client(base()).post('/api/v1/session', { login: u.login, password: STRONG_PASSWORD }), 401);
      }
    });
  });

  describe(`the last admin under concurrency (${backend})`, () => {
    describe('pairs', () => {
      const h = useServer({ backend });
      const base = () => h.srv.base;
      let admin;
      before(async () => { admin = await signedIn(base(), 'admin'); });

      it('two admins demoting each other at once leave one enabled admin', async () => {
        let a = admin;
        let aLogin = 'admin';
        for (let round = 0; round < 2 * ROUNDS; round++) {
          const bUser = await createUser(a, `pair-admin-${round}`, 'admin');
          const b = new Client(base());
          await b.login(bUser.login, STRONG_PASSWORD);
          // a and b are the only enabled admins
          const others = (await a.get('/api/v1/users?limit=500')).json.items
            .filter((u) => u.role === 'admin' && !u.disabled && u.login !== aLogin && u.login !== bUser.login);
          for (const o of others) assert.equal((await a.del(`/api/v1/users/${o.id}`)).status, 200);
          const aId = (await a.get('/api/v1/me')).json.id;
          const [ra, rb] = await Promise.all([
            a.patch(`/api/v1/users/${bUser.id}`, { role: 'operator' }),
            b.patch(`/api/v1/users/${aId}`, { role: 'operator' }),
          ]);
          const enabled = Number(sql(h.srv.dbUrl, "SELECT COUNT(*) FROM users WHERE role = 'admin' AND disabled = 0"));
          assert.ok(enabled >= 1, `round ${round}: no enabled admin left (answers ${ra.status} and ${rb.status})`);
          const wins = [ra, rb].filter((r) => r.status === 200).length;
          assert.equal(wins, 1, `round ${round}: answers ${ra.status} ${ra.text} / ${rb.status} ${rb.text}`);
          for (const r of [ra, rb].filter((x) => x.status !== 200)) {
            assert.ok([403, 422].includes(r.status), `the loser got ${r.status} ${r.text}`);
          }
          // the winner goes on as the admin of the next round
          if (rb.status === 200) { a = b; aLogin = bUser.login; }
        }
      });
    });

    describe('rings', () => {
      const h = useServer({ backend });
      const base = () => h.srv.base;
      let admin;
      before(async () => { admin = await signedIn(base(), 'admin'); });

      it('admins demoting each other at once leave at least one enabled admin', async () => {
        // each round: four admins, the only enabled ones, each demotes the next at once
        let lead = { client: admin, login: 'admin' };
        for (let round = 0; round < ROUNDS; round++) {
          const ring = [lead];
          for (let i = 0; i < 3; i++) {
            const u = await createUser(lead.client, `ring-${round}-${i}`, 'admin');
            const c = new Client(base());
            await c.login(u.login, STRONG_PASSWORD);
            ring.push({ client: c, login: u.login });
          }
          const users = (await lead.client.get('/api/v1/users?limit=500')).json.items;
          const inRing = new Set(ring.map((m) => m.login));
          for (const o of users.filter((u) => u.role === 'admin' && !u.disabled && !inRing.has(u.login))) {
            assert.equal((await lead.client.del(`/api/v1/users/${o.id}`)).status, 200);
          }
          const idOf = Object.fromEntries(users.map((u) => [u.login, u.id]));
          const rs = await Promise.all(ring.map((m, i) =>
            m.client.patch(`/api/v1/users/${idOf[ring[(i + 1) % ring.length].login]}`, { role: 'operator' })));
          const statuses = rs.map((r) => r.status);
          const left = sql(h.srv.dbUrl, "SELECT login FROM users WHERE role = 'admin' AND disabled = 0 ORDER BY id").split('\n').filter(Boolean);
          assert.ok(left.length >= 1, `round ${round}: no enabled admin left (answers ${statuses.join(' ')})`);
          for (const r of rs.filter((x) => x.status !== 200)) {
            assert.ok([403, 422].includes(r.status), `round ${round}: ${r.status} ${r.text}`);
          }
          // one of those left leads the next round
          lead = ring.find((m) => left.includes(m.login));
          assert.ok(lead, `round ${round}: the admins left (${left}) are not from the ring`);
        }
      });
    });
  });
}
