// Tasks on cases (issue 4): creating them for a department, the default list
// (my department's unfinished tasks, overdue first) and its filters, who may
// change what (the holder cannot move the due time nor forward; a supervisor
// can, audited), reminders at the due time (task.due from the housekeeping
// loop, once, also with two servers on one PostgreSQL database) and live
// events of a case, on SQLite and PostgreSQL.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { backends, startServer } from '../lib/server.mjs';
import { useServer, signedIn, expectError, createUser, STRONG_PASSWORD } from './helpers.mjs';

const iso = (offsetMs) => new Date(Date.now() + offsetMs).toISOString();
const HOUR = 3600 * 1000;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Open a case for the demo person of policy number; returns it. */
async function openCase(c, number = 'DEMO-26-0000001', extra = {}) {
  const person = (await c.get(`/api/v1/policies/${number}`)).json.person_id;
  const r = await c.post('/api/v1/cases', { person_id: person, type: 'medical', description: 'for tasks', ...extra });
  assert.equal(r.status, 201, r.text);
  return r.json;
}

async function newTask(c, body) {
  const r = await c.post('/api/v1/tasks', { due_at: iso(HOUR), text: 'do it', ...body });
  assert.equal(r.status, 201, r.text);
  return r.json;
}

async function auditOf(sup, id) {
  const r = await sup.get(`/api/v1/audit?entity=task&id=${id}&limit=500`);
  assert.equal(r.status, 200, r.text);
  return r.json.items;
}

/** Open an event stream as client c; returns {next(pred, ms), all(pred), close()}. */
async function openStream(base, c, topics) {
  const ac = new AbortController();
  const res = await fetch(`${base}/api/v1/events/stream?topics=${encodeURIComponent(topics)}`, {
    headers: { cookie: c.cookieHeader(), accept: 'text/event-stream' }, signal: ac.signal,
  });
  assert.equal(res.status, 200);
  const reader = res.body.getReader();
  const dec = new TextDecoder();
  let text = '';
  const blocks = [], seen = [];
  const pump = (async () => {
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        text += dec.decode(value, { stream: true });
        let i;
        while ((i = text.indexOf('\n\n')) >= 0) {
          blocks.push(text.slice(0, i));
          seen.push(text.slice(0, i));
          text = text.slice(i + 2);
        }
      }
    } catch { /* aborted */ }
    blocks.push('<end>');
  })();
  const s = {
    blocks, seen,
    async next(pred, ms = 5000) {
      const t0 = Date.now();
      for (;;) {
        const k = blocks.findIndex(pred);
        if (k >= 0) return blocks.splice(0, k + 1).pop();
        if (Date.now() - t0 > ms) return null;
        await sleep(25);
      }
    },
    /** Every block seen so far (consumed or not) matching pred. */
    all: (pred) => seen.filter(pred),
    async close() { ac.abort(); await pump; },
  };
  assert.ok(await s.next((b) => b.includes(': connected')), 'the stream opens');
  return s;
}

const dataOf = (b) => JSON.parse(b.split('\n').find((l) => l.startsWith('data: ')).slice(6));
const isEvent = (type, pred = () => true) => (b) => b.startsWith(`event: ${type}\n`) && pred(dataOf(b));

for (const backend of backends()) {
  describe(`tasks (${backend})`, () => {
    const h = useServer({ backend });
    let op, mgr, sup, admin, ids;
    before(async () => {
      op = await signedIn(h.srv.base, 'operator');
      mgr = await signedIn(h.srv.base, 'manager');
      sup = await signedIn(h.srv.base, 'supervisor');
      admin = await signedIn(h.srv.base, 'admin');
      const users = (await admin.get('/api/v1/users?limit=100')).json.items;
      ids = Object.fromEntries(users.map((u) => [u.login, u.id]));
    });

    it('lists the staff of a department for everyone, without disabled users or secrets', async () => {
      const gone = await createUser(admin, 'gone-staff', 'operator', { department: 'assistance' });
      assert.equal((await admin.del(`/api/v1/users/${gone.id}`)).status, 200);
      const fin = await signedIn(h.srv.base, 'finance');
      const r = await fin.get('/api/v1/staff?department=assistance');
      assert.equal(r.status, 200, r.text);
      assert.deepEqual(r.json.items.map((u) => u.login).sort(), ['manager', 'operator', 'supervisor']);
      for (const u of r.json.items) {
        assert.deepEqual(Object.keys(u).sort(), ['department', 'full_name', 'id', 'login', 'role']);
        assert.equal(u.department, 'assistance');
      }
      const all = (await op.get('/api/v1/staff')).json.items.map((u) => u.login);
      assert.ok(all.includes('admin') && all.includes('reviewer') && !all.includes('gone-staff'));
      expectError(await op.get('/api/v1/staff?department=Bad%20Code'), 400, 'invalid_field', 'department');
    });

    it('creates a task for my department by default, normal urgency, audited', async () => {
      const c = await openCase(op);
      const due = '2030-01-02T15:00:00+03:00';
      const r = await op.post('/api/v1/tasks', { case_id: c.id, due_at: due, text: 'Позвонить в клинику' });
      assert.equal(r.status, 201, r.text);
      const t = r.json;
      assert.ok(t.id > 0);
      assert.equal(t.case_id, c.id);
      assert.equal(t.department, 'assistance', "the author's department");
      assert.equal(t.urgency, 'normal');
      assert.equal(t.status, 'open');
      assert.equal(t.assignee_id, null);
      assert.equal(t.assignee, null);
      assert.equal(t.due_at, '2030-01-02T12:00:00Z', 'kept as an instant, shown in UTC');
      assert.equal(t.text, 'Позвонить в клинику');
      assert.equal(t.overdue, false);
      assert.deepEqual(t.created_by, { id: ids.operator, login: 'operator' });
      assert.equal(t.done_at, null);
      assert.equal(t.reminded_at, null);
      assert.equal(t.version, 1);
      assert.deepEqual(t.case, { id: c.id, type: 'medical', status: 'open', person_id: c.person_id,
        last_name: c.person.last_name, first_name: c.person.first_name });
      assert.deepEqual((await op.get(`/api/v1/tasks/${t.id}`)).json, t);
      const a = await auditOf(sup, t.id);
      assert.deepEqual(a.map((x) => x.action), ['create']);
      assert.equal(a[0].actor.login, 'operator');
      assert.equal(a[0].after.text, 'Позвонить в клинику');
      assert.equal(a[0].after.department, 'assistance');
      // the case counts its open tasks
      assert.equal((await op.get(`/api/v1/cases/${c.id}`)).json.open_tasks, 1);

      // everything given; finance too may leave a task
      const fin = await signedIn(h.srv.base, 'finance');
      const r2 = await fin.post('/api/v1/tasks', { case_id: c.id, department: 'medical', assignee: ids.manager, due_at: iso(-HOUR),
        urgency: 'critical', text: 'Счёт из клиники' });
      assert.equal(r2.status, 201, r2.text);
      assert.equal(r2.json.department, 'medical');
      assert.equal(r2.json.assignee_id, ids.manager);
      assert.deepEqual(r2.json.assignee, { id: ids.manager, login: 'manager', full_name: 'Павел Менеджеров' });
      assert.equal(r2.json.urgency, 'critical');
      assert.equal(r2.json.overdue, true, 'due in the past');
      const t3 = await newTask(fin, { case_id: c.id });
      assert.equal(t3.department, 'finance');
      // a user without a department must name one
      expectError(await admin.post('/api/v1/tasks', { case_id: c.id, due_at: iso(HOUR), text: 'x' }), 400, undefined, 'department');
      assert.equal((await newTask(admin, { case_id: c.id, department: 'quality' })).department, 'quality');
      const cc = (await op.get(`/api/v1/cases/${c.id}`)).json;
      assert.deepEqual([cc.open_tasks, cc.overdue_tasks], [4, 1]);
    });

    it('refuses bad tasks naming the field, and stores nothing', async () => {
      const c = await openCase(op, 'DEMO-26-0000002');
      const count = async () => (await op.get(`/api/v1/tasks?case_id=${c.id}&status=all`)).json.total;
      const ok = { case_id: c.id, due_at: iso(HOUR), text: 'x' };
      const bad = async (body, status, code, field) => expectError(await op.post('/api/v1/tasks', body), status, code, field);
      await bad({ ...ok, due_at: 'tomorrow' }, 400, 'invalid_field', 'due_at');
      await bad({ ...ok, due_at: '2026-13-01T10:00:00Z' }, 400, 'invalid_field', 'due_at');
      await bad({ ...ok, due_at: '2026-12-01' }, 400, 'invalid_field', 'due_at');
      await bad({ ...ok, due_at: undefined }, 400, undefined, 'due_at');
      await bad({ ...ok, urgency: 'whenever' }, 400, 'invalid_field', 'urgency');
      await bad({ ...ok, text: '' }, 400, 'invalid_field', 'text');
      await bad({ ...ok, text: undefined }, 400, undefined, 'text');
      await bad({ ...ok, department: 'Night Desk' }, 400, 'invalid_field', 'department');
      await bad({ ...ok, assignee: 999999 }, 400, 'unknown_user', 'assignee');
      await bad({ ...ok, assignee: 'manager' }, 400, undefined, 'assignee');
      await bad({ ...ok, case_id: 999999 }, 400, 'unknown_case', 'case_id');
      await bad({ ...ok, case_id: undefined }, 400, undefined, 'case_id');
      await bad({ ...ok, colour: 'red' }, 400, 'unknown_field', 'colour');
      // the assignee must be an enabled user
      const gone = await createUser(admin, `gone-task-${backend}`, 'operator', { department: 'assistance' });
      assert.equal((await admin.patch(`/api/v1/users/${gone.id}`, { disabled: true })).status, 200);
      await bad({ ...ok, assignee: gone.id }, 400, 'unknown_user', 'assignee');
      // a closed case takes no tasks; a resolved one does
      assert.equal((await op.patch(`/api/v1/cases/${c.id}`, { status: 'resolved' })).status, 200);
      await newTask(op, { case_id: c.id });
      assert.equal((await op.patch(`/api/v1/cases/${c.id}`, { status: 'closed' })).status, 200);
      await bad(ok, 422, 'case_closed', 'case_id');
      assert.equal(await count(), 1);
      // reopened, it does again
      assert.equal((await op.patch(`/api/v1/cases/${c.id}`, { status: 'in_progress' })).status, 200);
      await newTask(op, { case_id: c.id });
      assert.equal(await count(), 2);
      expectError(await op.get('/api/v1/tasks/999999'), 404, 'not_found');
      expectError(await op.patch('/api/v1/tasks/999999', { status: 'done' }), 404, 'not_found');
    });

    it("lists my department's unfinished tasks, overdue first, then by urgency, and filters", async () => {
      // a department of its own, so that other tests' tasks stay out
      await createUser(admin, `desk-${backend}`, 'operator', { department: 'listdesk' });
      const desk = await signedIn(h.srv.base, `desk-${backend}`, STRONG_PASSWORD);
      const deskId = (await desk.get('/api/v1/me')).json.id;
      const c = await openCase(op, 'DEMO-26-0000003');
      const other = await openCase(op, 'DEMO-26-0000004');
      const d = 'listdesk';
      const sameDue = iso(HOUR);
      const t = {};
      t.past2 = await newTask(op, { case_id: c.id, department: d, due_at: iso(-2 * HOUR), text: 'two hours late' });
      t.past1 = await newTask(op, { case_id: c.id, department: d, due_at: iso(-HOUR), urgency: 'critical', text: 'an hour late' });
      t.soonNormal = await newTask(op, { case_id: c.id, department: d, due_at: sameDue, text: 'soon, normal' });
      t.soonCritical = await newTask(op, { case_id: c.id, department: d, due_at: sameDue, urgency: 'critical', text: 'soon, critical' });
      t.later = await newTask(op, { case_id: other.id, department: d, due_at: iso(2 * HOUR), urgency: 'urgent', assignee: deskId, text: 'later, mine' });
      t.done = await newTask(op, { case_id: c.id, department: d, due_at: iso(-3 * HOUR), text: 'done already' });
      const r = await op.patch(`/api/v1/tasks/${t.done.id}`, { status: 'done' });
      assert.equal(r.status, 200, r.text);
      t.elsewhere = await newTask(op, { case_id: c.id, department: 'assistance', due_at: iso(-5 * HOUR), text: 'not ours' });

      const list = async (q = '', who = desk) => {
        const res = await who.get('/api/v1/tasks' + (q ? '?' + q : ''));
        assert.equal(res.status, 200, `${q}: ${res.text}`);
        return res.json;
      };
      const keysOf = (page) => page.items.map((x) => Object.keys(t).find((k) => t[k].id === x.id) || x.id);

      let page = await list();
      assert.equal(page.department, 'listdesk');
      assert.deepEqual(keysOf(page), ['past2', 'past1', 'soonCritical', 'soonNormal', 'later']);
      assert.deepEqual(page.items.map((x) => x.overdue), [true, true, false, false, false]);
      assert.equal(page.total, 5);
      assert.equal(page.items[4].assignee.login, `desk-${backend}`);
      assert.equal(page.items[0].case.id, c.id);

      assert.deepEqual(keysOf(await list('overdue=true')), ['past2', 'past1']);
      assert.deepEqual(keysOf(await list('overdue=false')), ['past2', 'past1', 'soonCritical', 'soonNormal', 'later']);
      page = await list('status=done');
      assert.deepEqual(keysOf(page), ['done']);
      assert.equal(page.items[0].overdue, false, 'a done task is never overdue');
      assert.ok(page.items[0].done_at);
      assert.deepEqual(keysOf(await list('status=all')), ['done', 'past2', 'past1', 'soonCritical', 'soonNormal', 'later']);
      assert.deepEqual(keysOf(await list('status=open')), ['past2', 'past1', 'soonCritical', 'soonNormal', 'later']);
      assert.deepEqual(keysOf(await list('status=cancelled')), []);
      assert.deepEqual(keysOf(await list('assignee=me')), ['later']);
      assert.deepEqual(keysOf(await list(`assignee=${deskId}`, op)), ['later']);
      assert.deepEqual(keysOf(await list('assignee=none&department=listdesk')), ['past2', 'past1', 'soonCritical', 'soonNormal']);
      assert.deepEqual(keysOf(await list(`case_id=${c.id}`)), ['elsewhere', 'past2', 'past1', 'soonCritical', 'soonNormal'],
        "a case's tasks, whatever their department");
      assert.deepEqual(keysOf(await list(`case_id=${c.id}&status=all`)), ['elsewhere', 'done', 'past2', 'past1', 'soonCritical', 'soonNormal']);
      assert.deepEqual(keysOf(await list('department=listdesk', op)), ['past2', 'past1', 'soonCritical', 'soonNormal', 'later']);
      // operator's own department holds "elsewhere" but none of these
      let mine = keysOf(await list('', op));
      assert.ok(mine.includes('elsewhere') && !mine.includes('past2'), JSON.stringify(mine));
      assert.equal((await list('', op)).department, 'assistance');
      for (const q of ['department=all', '']) {
        const who = q ? desk : admin; // admin has no department: all of them
        mine = keysOf(await list(q, who));
        assert.ok(mine.includes('elsewhere') && mine.includes('past2') && !mine.includes('done'), `${q}: ${JSON.stringify(mine)}`);
      }
      assert.equal((await list('', admin)).department, null);
      page = await list('limit=2&offset=1');
      assert.deepEqual(keysOf(page), ['past1', 'soonCritical']);
      assert.deepEqual([page.total, page.limit, page.offset], [5, 2, 1]);
      const cc = (await op.get(`/api/v1/cases/${c.id}`)).json;
      assert.deepEqual([cc.open_tasks, cc.overdue_tasks], [5, 3]);

      // the default follows the user's department as it is now
      const deskUser = (await admin.get('/api/v1/users?limit=100')).json.items.find((u) => u.login === `desk-${backend}`);
      assert.equal(deskUser.department, 'listdesk');
      assert.equal((await admin.patch(`/api/v1/users/${deskUser.id}`, { department: 'assistance' })).status, 200);
      page = await list();
      assert.equal(page.department, 'assistance');
      mine = keysOf(page);
      assert.ok(mine.includes('elsewhere') && !mine.includes('past2'), JSON.stringify(mine));
      assert.equal((await admin.patch(`/api/v1/users/${deskUser.id}`, { department: null })).status, 200);
      page = await list();
      assert.equal(page.department, null, 'no department: every department');
      mine = keysOf(page);
      assert.ok(mine.includes('elsewhere') && mine.includes('past2'), JSON.stringify(mine));
      // and a task made without naming a department needs one now
      expectError(await desk.post('/api/v1/tasks', { case_id: c.id, due_at: iso(HOUR), text: 'x' }), 400, undefined, 'department');
      assert.equal((await admin.patch(`/api/v1/users/${deskUser.id}`, { department: 'listdesk' })).status, 200);

      for (const [q, field] of [['status=lost', 'status'], ['overdue=yes', 'overdue'], ['assignee=boss', 'assignee'],
        ['assignee=0', 'assignee'], ['case_id=x', 'case_id'], ['department=Night%20Desk', 'department'], ['limit=0', 'limit']]) {
        expectError(await desk.get(`/api/v1/tasks?${q}`), 400, 'invalid_field', field);
      }
    });

    it('keeps the due time and the forwarding to supervisors, and lets the department work the task', async () => {
      const op2 = await (async () => {
        await createUser(admin, `op2-${backend}`, 'operator', { department: 'assistance' });
        return signedIn(h.srv.base, `op2-${backend}`, STRONG_PASSWORD);
      })();
      const op2Id = (await op2.get('/api/v1/me')).json.id;
      const rev = await signedIn(h.srv.base, 'reviewer');
      const c = await openCase(op, 'DEMO-26-0000005');
      // held by the manager, written by the operator
      const held = await newTask(op, { case_id: c.id, assignee: ids.manager, text: 'held by the manager' });
      const path = `/api/v1/tasks/${held.id}`;
      const refused = async (who, body, field) => {
        const e = expectError(await who.patch(path, body), 403, 'forbidden', field);
        return e;
      };
      // the holder may neither move the due time nor forward
      await refused(mgr, { due_at: iso(5 * HOUR) }, 'due_at');
      await refused(mgr, { due_at: iso(5 * HOUR), status: 'in_progress' }, 'due_at');
      await refused(mgr, { department: 'medical' }, 'department');
      await refused(mgr, { assignee: op2Id }, 'assignee');
      await refused(mgr, { assignee: null }, 'assignee');
      // nor may the author
      await refused(op, { due_at: iso(5 * HOUR) }, 'due_at');
      await refused(op, { department: 'claims' }, 'department');
      // a colleague may not take someone else's task, nor work it
      await refused(op2, { assignee: op2Id }, 'assignee');
      await refused(op2, { status: 'done' }, null);
      // an outsider may not touch it
      await refused(rev, { status: 'in_progress' }, null);
      await refused(rev, { text: 'mine now' }, null);
      let now = (await op.get(path)).json;
      assert.equal(now.version, 1, 'a refused change changed the task');
      assert.deepEqual((await auditOf(sup, held.id)).map((x) => x.action), ['create']);
      // sending the same due time and assignee is no change
      let r = await mgr.patch(path, { due_at: held.due_at, assignee: ids.manager, department: 'assistance' });
      assert.equal(r.status, 200, r.text);
      assert.equal(r.json.version, 1);

      // the holder works it: status, urgency, text
      r = await mgr.patch(path, { status: 'in_progress', urgency: 'urgent', text: 'held, and being done' });
      assert.equal(r.status, 200, r.text);
      assert.deepEqual([r.json.status, r.json.urgency, r.json.text, r.json.version], ['in_progress', 'urgent', 'held, and being done', 2]);
      assert.equal(r.json.done_at, null);
      // the author may close it: done sets done_at
      r = await op.patch(path, { status: 'done' });
      assert.equal(r.status, 200, r.text);
      assert.equal(r.json.status, 'done');
      assert.ok(r.json.done_at && Math.abs(Date.parse(r.json.done_at) - Date.now()) < 60000, r.json.done_at);
      assert.equal(r.json.overdue, false);
      // and open it again, which clears done_at
      r = await mgr.patch(path, { status: 'open' });
      assert.equal(r.json.done_at, null);
      r = await mgr.patch(path, { status: 'cancelled' });
      assert.ok(r.json.done_at, 'cancelled is finished too');
      // an outsider still may not
      await refused(rev, { status: 'open' }, null);
      assert.deepEqual((await auditOf(sup, held.id)).map((x) => x.action), ['update', 'update', 'update', 'update', 'create']);

      // an unassigned task of the department: a colleague works it and takes it
      const free = await newTask(sup, { case_id: c.id, text: 'for anyone' });
      const fpath = `/api/v1/tasks/${free.id}`;
      r = await op2.patch(fpath, { status: 'in_progress' });
      assert.equal(r.status, 200, r.text);
      expectError(await rev.patch(fpath, { assignee: ids.reviewer }), 403, 'forbidden', 'assignee');
      expectError(await op2.patch(fpath, { assignee: ids.operator }), 403, 'forbidden', 'assignee');
      r = await op2.patch(fpath, { assignee: op2Id });
      assert.equal(r.status, 200, r.text);
      assert.equal(r.json.assignee_id, op2Id);
      let a = await auditOf(sup, free.id);
      assert.equal(a[0].action, 'take');
      assert.equal(a[0].actor.login, `op2-${backend}`);
      assert.equal(a[0].before.assignee_id, null);
      assert.equal(a[0].after.assignee_id, op2Id);
      // now it is op2's: the operator, a colleague, may no longer work it
      expectError(await op.patch(fpath, { status: 'done' }), 403, 'forbidden');
      expectError(await op.patch(fpath, { assignee: ids.operator }), 403, 'forbidden', 'assignee');

      // the supervisor moves the due time and forwards, each audited
      const newDue = new Date(Date.now() + 30 * HOUR);
      newDue.setUTCMilliseconds(0);
      r = await sup.patch(fpath, { due_at: newDue.toISOString() });
      assert.equal(r.status, 200, r.text);
      assert.equal(Date.parse(r.json.due_at), newDue.getTime());
      a = await auditOf(sup, free.id);
      assert.equal(a[0].action, 'reschedule');
      assert.equal(a[0].actor.login, 'supervisor');
      assert.equal(a[0].before.due_at, free.due_at);
      assert.equal(Date.parse(a[0].after.due_at), newDue.getTime());
      r = await sup.patch(fpath, { department: 'medical', assignee: null });
      assert.equal(r.status, 200, r.text);
      assert.deepEqual([r.json.department, r.json.assignee_id], ['medical', null]);
      a = await auditOf(sup, free.id);
      assert.equal(a[0].action, 'forward');
      assert.deepEqual([a[0].before.department, a[0].after.department], ['assistance', 'medical']);
      assert.deepEqual([a[0].before.assignee_id, a[0].after.assignee_id], [op2Id, null]);
      // giving an unassigned task to someone else is forwarding, not taking
      r = await sup.patch(fpath, { assignee: ids.reviewer });
      assert.equal(r.status, 200, r.text);
      a = await auditOf(sup, free.id);
      assert.equal(a[0].action, 'forward');
      assert.equal(a[0].after.assignee_id, ids.reviewer);
      // a supervisor taking one is taking
      const free2 = await newTask(op, { case_id: c.id, text: 'the supervisor takes it' });
      r = await sup.patch(`/api/v1/tasks/${free2.id}`, { assignee: ids.supervisor });
      assert.equal(r.status, 200, r.text);
      assert.equal((await auditOf(sup, free2.id))[0].action, 'take');
      // the new holder, from another department, works it; the old one cannot
      r = await rev.patch(fpath, { status: 'done' });
      assert.equal(r.status, 200, r.text);
      expectError(await op2.patch(fpath, { status: 'open' }), 403, 'forbidden');
      // the admin may too
      r = await admin.patch(fpath, { due_at: iso(40 * HOUR), status: 'open' });
      assert.equal(r.status, 200, r.text);
      assert.equal((await auditOf(sup, free.id))[0].action, 'reschedule');
      // a supervisor forwarding to nobody who exists is refused
      expectError(await sup.patch(fpath, { assignee: 999999 }), 400, 'unknown_user', 'assignee');
      now = (await op.get(fpath)).json;
      assert.equal(now.assignee_id, ids.reviewer);
    });

    it('refuses a stale version and bad values', async () => {
      const c = await openCase(op, 'DEMO-26-0000006');
      const t = await newTask(op, { case_id: c.id });
      const path = `/api/v1/tasks/${t.id}`;
      let r = await op.patch(path, { text: 'first', version: 1 });
      assert.equal(r.status, 200, r.text);
      assert.equal(r.json.version, 2);
      expectError(await op.patch(path, { text: 'stale', version: 1 }), 409, 'version_conflict', 'version');
      r = await op.patch(path, { text: 'second', version: 2 });
      assert.equal(r.json.version, 3);
      // the same once more: nothing changes, not even the version
      r = await op.patch(path, { text: 'second', urgency: 'normal' });
      assert.equal(r.json.version, 3);
      assert.equal((await auditOf(sup, t.id)).length, 3);
      expectError(await op.patch(path, { status: 'finished' }), 400, 'invalid_field', 'status');
      expectError(await op.patch(path, { urgency: 'asap' }), 400, 'invalid_field', 'urgency');
      expectError(await op.patch(path, { text: '' }), 400, 'invalid_field', 'text');
      expectError(await sup.patch(path, { due_at: 'soon' }), 400, 'invalid_field', 'due_at');
      expectError(await sup.patch(path, { department: 'Med Dept' }), 400, 'invalid_field', 'department');
      expectError(await op.patch(path, { case_id: 2 }), 400, 'unknown_field', 'case_id');
      assert.equal((await op.get(path)).json.version, 3);
    });
  });

  describe(`task reminders and live events (${backend})`, () => {
    const h = useServer({ backend, args: ['--housekeeping-interval', '1'] });
    const streams = [];
    after(async () => { for (const s of streams) await s.close(); });
    const stream = async (base, c, topics) => { const s = await openStream(base, c, topics); streams.push(s); return s; };

    it('alerts the department when a task comes due, once', async () => {
      const op = await signedIn(h.srv.base, 'operator');
      const mgr = await signedIn(h.srv.base, 'manager');
      const sup = await signedIn(h.srv.base, 'supervisor');
      const s = await stream(h.srv.base, mgr, 'department:assistance');
      const c = await openCase(op);
      const t = await newTask(op, { case_id: c.id, due_at: iso(1500), text: 'due in a moment' });
      const later = await newTask(op, { case_id: c.id, due_at: iso(HOUR), text: 'due in an hour' });
      const done = await newTask(op, { case_id: c.id, due_at: iso(1500), text: 'done before it was due' });
      assert.equal((await op.patch(`/api/v1/tasks/${done.id}`, { status: 'done' })).status, 200);
      const ev = await s.next(isEvent('task.due', (d) => d.id === t.id), 8000);
      assert.ok(ev, `no task.due: ${JSON.stringify(s.seen)}`);
      assert.deepEqual(dataOf(ev), { id: t.id, case_id: c.id, department: 'assistance', assignee_id: null });
      const got = (await op.get(`/api/v1/tasks/${t.id}`)).json;
      assert.ok(got.reminded_at, 'reminded_at is set');
      assert.equal(got.overdue, true);
      // the next runs of the housekeeping loop do not remind it again
      await sleep(2500);
      assert.equal(s.all(isEvent('task.due', (d) => d.id === t.id)).length, 1, 'the reminder came more than once');
      assert.equal(s.all(isEvent('task.due', (d) => d.id === later.id)).length, 0, 'a task due later was reminded');
      assert.equal(s.all(isEvent('task.due', (d) => d.id === done.id)).length, 0, 'a done task was reminded');
      assert.equal((await op.get(`/api/v1/tasks/${later.id}`)).json.reminded_at, null);

      // moved by a supervisor to a new time, it is reminded again then
      const r = await sup.patch(`/api/v1/tasks/${t.id}`, { due_at: iso(1500) });
      assert.equal(r.status, 200, r.text);
      assert.equal(r.json.reminded_at, null);
      assert.ok(await s.next(isEvent('task.due', (d) => d.id === t.id), 8000), 'no reminder at the new due time');
      assert.equal(s.all(isEvent('task.due', (d) => d.id === t.id)).length, 2);
    });

    it("alerts the assignee on their own stream, whatever its topics, and not another department's", async () => {
      const op = await signedIn(h.srv.base, 'operator');
      const mgr = await signedIn(h.srv.base, 'manager');
      const rev = await signedIn(h.srv.base, 'reviewer');
      const mine = await stream(h.srv.base, mgr, 'case:999999');
      const claims = await stream(h.srv.base, rev, 'department:claims');
      const c = await openCase(op, 'DEMO-26-0000002');
      const t = await newTask(op, { case_id: c.id, department: 'medical', assignee: (await mgr.get('/api/v1/me')).json.id, due_at: iso(1000) });
      const due = await mine.next(isEvent('task.due', (d) => d.id === t.id), 8000);
      assert.ok(due, `no reminder for the assignee: ${JSON.stringify(mine.seen)}`);
      assert.equal(dataOf(due).assignee_id, t.assignee_id, 'the reminder names its assignee');
      assert.equal(await claims.next(isEvent('task.due', (d) => d.id === t.id), 500), null, 'another department heard it');
    });

    it("shows another user's contacts and tasks on a case's stream, and a forward on the old department's", async () => {
      const op = await signedIn(h.srv.base, 'operator');
      const mgr = await signedIn(h.srv.base, 'manager');
      const sup = await signedIn(h.srv.base, 'supervisor');
      const c = await openCase(op, 'DEMO-26-0000003');
      const s = await stream(h.srv.base, op, `case:${c.id}`);
      const quiet = await stream(h.srv.base, op, 'case:999998');
      const k = await mgr.post(`/api/v1/cases/${c.id}/contacts`, { direction: 'out', channel: 'phone', summary: 'called back' });
      assert.equal(k.status, 201, k.text);
      let ev = await s.next(isEvent('case.contact_added'));
      assert.ok(ev, JSON.stringify(s.seen));
      assert.deepEqual(dataOf(ev), { case_id: c.id, id: k.json.id });
      const t = await newTask(mgr, { case_id: c.id, department: 'claims', text: 'send the papers' });
      ev = await s.next(isEvent('task.created'));
      assert.ok(ev, JSON.stringify(s.seen));
      assert.deepEqual(dataOf(ev), { id: t.id, case_id: c.id, department: 'claims', status: 'open', version: 1 });
      const p = await op.patch(`/api/v1/cases/${c.id}`, { status: 'waiting' });
      ev = await s.next(isEvent('case.updated'));
      assert.deepEqual(dataOf(ev), { id: c.id, person_id: c.person_id, status: 'waiting', version: p.json.version });
      // refused writes announce nothing
      expectError(await mgr.post(`/api/v1/cases/${c.id}/contacts`, { direction: 'in', channel: 'pigeon', summary: 'x' }), 400);
      expectError(await mgr.patch(`/api/v1/tasks/${t.id}`, { due_at: iso(HOUR * 3) }), 403);
      // a forward reaches the department it left
      const rev = await signedIn(h.srv.base, 'reviewer');
      const claims = await stream(h.srv.base, rev, 'department:claims');
      const f = await sup.patch(`/api/v1/tasks/${t.id}`, { department: 'medical' });
      assert.equal(f.status, 200, f.text);
      ev = await claims.next(isEvent('task.updated', (d) => d.id === t.id));
      assert.ok(ev, 'the old department heard of the forward');
      assert.equal(dataOf(ev).department, 'medical');
      ev = await s.next(isEvent('task.updated', (d) => d.id === t.id));
      assert.equal(dataOf(ev).version, 2);
      assert.equal(s.all(isEvent('case.contact_added')).length, 1, 'the refused contact was announced');
      assert.equal(s.all(isEvent('task.updated')).length, 1, 'the refused change was announced');
      assert.equal(quiet.all((b) => b.startsWith('event: ')).length, 0, 'another case heard something');
    });

    if (backend === 'pg') {
      it('sends a reminder once with two servers on one database, and carries case events across', async () => {
        const second = await startServer({ backend, shareDb: h.srv.dbUrl, args: ['--housekeeping-interval', '1'] });
        try {
          const op = await signedIn(h.srv.base, 'operator');
          const mgr2 = await signedIn(second.base, 'manager');
          const op2 = await signedIn(second.base, 'operator');
          const one = await openStream(h.srv.base, op, 'department:assistance');
          const two = await openStream(second.base, mgr2, 'department:assistance');
          const c = await openCase(op, 'DEMO-26-0000007');
          const caseOnTwo = await openStream(second.base, op2, `case:${c.id}`);
          const ts = [];
          for (let i = 0; i < 4; i++) ts.push(await newTask(op, { case_id: c.id, due_at: iso(1200 + 100 * i), text: `both servers ${i}` }));
          for (const t of ts) {
            assert.ok(await two.next(isEvent('task.due', (d) => d.id === t.id), 8000), `the second server's stream missed task ${t.id}`);
          }
          assert.ok(await one.next(isEvent('task.due', (d) => d.id === ts[3].id), 8000));
          await sleep(2500); // more rounds of both housekeeping loops
          for (const t of ts) {
            for (const [name, s] of [['first', one], ['second', two]]) {
              assert.equal(s.all(isEvent('task.due', (d) => d.id === t.id)).length, 1, `task ${t.id} reminded more than once on the ${name} server's stream`);
            }
          }
          // a contact and a task made on the first server reach a stream on the second
          const k = await op.post(`/api/v1/cases/${c.id}/contacts`, { direction: 'in', channel: 'email', summary: 'wrote in' });
          assert.equal(k.status, 201);
          let ev = await caseOnTwo.next(isEvent('case.contact_added'));
          assert.ok(ev, 'the contact reached the other server');
          assert.equal(dataOf(ev).id, k.json.id);
          const t = await newTask(op, { case_id: c.id, text: 'across servers' });
          ev = await caseOnTwo.next(isEvent('task.created', (d) => d.id === t.id));
          assert.ok(ev, 'the task reached the other server');
          for (const s of [one, two, caseOnTwo]) await s.close();
        } finally {
          const st = await second.stop();
          assert.equal(st.code, 0);
        }
      });
    }
  });
}
