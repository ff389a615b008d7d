// Assistance cases (issue 4): opening a case with its policy linked, the
// status life cycle and its audit, lists and their filters, the active case
// of a person, the person card, the contact log, quality answers and the NPS
// report, and the case questionnaire (PDF, checked with pdftotext), on
// SQLite and PostgreSQL. Tasks and reminders are in tasks.test.mjs.
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { backends, Client } from '../lib/server.mjs';
import { useServer, signedIn, expectError, createUser } from './helpers.mjs';

const day = (offsetDays = 0) => new Date(Date.now() + offsetDays * 86400000).toISOString().slice(0, 10);
const iso = (offsetMs) => new Date(Date.now() + offsetMs).toISOString();
// the demo's policies: DEMO-26-N for 2026 for everyone, DEMO-25-N for 2025 for
// persons 1, 4, 7, ... (src/cli/demo.c)
const THIS_YEAR = 2026;

/** The person id of a demo policy. */
async function personOf(c, number) {
  const r = await c.get(`/api/v1/policies/${number}`);
  assert.equal(r.status, 200, r.text);
  return r.json.person_id;
}

/** Open a case; asserts 201 and returns it. */
async function openCase(c, body) {
  const r = await c.post('/api/v1/cases', { type: 'medical', description: 'test case', ...body });
  assert.equal(r.status, 201, r.text);
  return r.json;
}

/** The audit entries of one entity, newest first (as a supervisor). */
async function auditOf(sup, entity, id) {
  const r = await sup.get(`/api/v1/audit?entity=${entity}&id=${id}&limit=500`);
  assert.equal(r.status, 200, r.text);
  return r.json.items;
}

async function caseTotal(c) {
  const r = await c.get('/api/v1/cases?status=all&limit=1');
  assert.equal(r.status, 200, r.text);
  return r.json.total;
}

/** The PDF's text through pdftotext. */
function pdfText(bytes) {
  return execFileSync('pdftotext', ['-enc', 'UTF-8', '-', '-'], { input: bytes }).toString('utf8');
}

async function getPdf(base, c, path) {
  const res = await fetch(base + path, { headers: { cookie: c.cookieHeader() } });
  return { status: res.status, type: res.headers.get('content-type'), disposition: res.headers.get('content-disposition'),
    bytes: Buffer.from(await res.arrayBuffer()) };
}

const squash = (s) => s.replace(/\s+/g, '');

for (const backend of backends()) {
  describe(`cases (${backend})`, () => {
    const h = useServer({ backend });
    let op, sup, ids;
    before(async () => {
      op = await signedIn(h.srv.base, 'operator');
      sup = await signedIn(h.srv.base, 'supervisor');
      const admin = await signedIn(h.srv.base, 'admin');
      const users = (await admin.get('/api/v1/users?limit=100')).json.items;
      ids = Object.fromEntries(users.map((u) => [u.login, u.id]));
      // the contacts counted here are the ones these tests log: the SMS that
      // opening a case sends by itself (the case_opened trigger, which logs a
      // contact too; see triggers.test.mjs) is switched off
      for (const t of (await admin.get('/api/v1/triggers')).json.items.filter((x) => x.event === 'case_opened')) {
        assert.equal((await admin.patch(`/api/v1/triggers/${t.id}`, { enabled: false })).status, 200);
      }
    });

    it('opens a case with the active policy on the event date and its insurer linked', async () => {
      const ivanov = await personOf(op, `DEMO-${THIS_YEAR % 100}-0000001`);
      const y = THIS_YEAR % 100;
      const before = await caseTotal(op);
      const r = await op.post('/api/v1/cases', { person_id: ivanov, type: 'medical', description: 'Боль в груди', event_date: `${THIS_YEAR}-03-01` });
      assert.equal(r.status, 201, r.text);
      const c = r.json;
      assert.ok(Number.isInteger(c.id) && c.id > 0);
      assert.equal(c.person_id, ivanov);
      assert.equal(c.person.id, ivanov);
      assert.equal(c.person.last_name, 'Иванов');
      assert.equal(c.type, 'medical');
      assert.equal(c.description, 'Боль в груди');
      assert.equal(c.status, 'open');
      assert.equal(c.event_date, `${THIS_YEAR}-03-01`);
      assert.equal(c.policy_number, `DEMO-${y}-0000001`);
      assert.deepEqual(c.insurer, { code: 'NORD', name: 'Северная страховая компания' });
      assert.equal(c.manager_id, ids.operator, 'who opens the case manages it');
      assert.equal(c.manager.login, 'operator');
      assert.equal(c.created_by, ids.operator);
      assert.equal(c.closed_at, null);
      assert.equal(c.version, 1);
      assert.equal(c.open_tasks, 0);
      assert.equal(c.overdue_tasks, 0);
      assert.ok(Math.abs(Date.parse(c.created_at) - Date.now()) < 60000, c.created_at);
      assert.equal(await caseTotal(op), before + 1);

      // the event date picks the policy: last year's for an event last year
      const old = await openCase(op, { person_id: ivanov, event_date: `${THIS_YEAR - 1}-06-15` });
      assert.equal(old.policy_number, `DEMO-${(THIS_YEAR - 1) % 100}-0000001`);
      assert.equal(old.insurer.code, 'NORD');
      // the default event date is today, and the policy is the one active today
      const card = (await op.get(`/api/v1/persons/${ivanov}`)).json;
      const today = await openCase(op, { person_id: ivanov });
      assert.equal(today.event_date, day());
      assert.equal(today.policy_number, card.active_policy);
      // an explicit policy wins, even when another is active on the date
      const explicit = await openCase(op, { person_id: ivanov, event_date: `${THIS_YEAR}-03-01`, policy_number: `DEMO-${(THIS_YEAR - 1) % 100}-0000001` });
      assert.equal(explicit.policy_number, `DEMO-${(THIS_YEAR - 1) % 100}-0000001`);
      // another insurer's person
      const white = await personOf(op, `DEMO-${y}-0000005`);
      const travel = await openCase(op, { person_id: white, type: 'travel', event_date: `${THIS_YEAR}-02-02` });
      assert.deepEqual(travel.insurer, { code: 'ALB', name: 'Albion Assurance' });
      // no active policy on the event date: a case all the same, without a policy
      const none = await openCase(op, { person_id: ivanov, event_date: '2019-05-05' });
      assert.equal(none.policy_number, null);
      assert.equal(none.insurer, null);
      // a manager given by id
      const given = await openCase(op, { person_id: ivanov, manager_id: ids.manager });
      assert.equal(given.manager_id, ids.manager);
      assert.equal(given.manager.login, 'manager');
      // audited
      const a = await auditOf(sup, 'case', c.id);
      assert.equal(a.length, 1);
      assert.equal(a[0].action, 'create');
      assert.equal(a[0].actor.login, 'operator');
      assert.equal(a[0].after.person_id, ivanov);
      assert.equal(a[0].after.status, 'open');
      assert.equal(a[0].after.description, 'Боль в груди');
    });

    it('refuses bad cases naming the field, and writes nothing', async () => {
      const y = THIS_YEAR % 100;
      const ivanov = await personOf(op, `DEMO-${y}-0000001`);
      const before = await caseTotal(op);
      const ok = { person_id: ivanov, type: 'medical', description: 'x' };
      expectError(await op.post('/api/v1/cases', { ...ok, policy_number: `DEMO-${y}-0000002` }), 400, 'policy_not_of_person', 'policy_number');
      expectError(await op.post('/api/v1/cases', { ...ok, policy_number: 'NO-SUCH-POLICY' }), 400, 'unknown_policy', 'policy_number');
      expectError(await op.post('/api/v1/cases', { ...ok, person_id: 999999 }), 400, 'unknown_person', 'person_id');
      expectError(await op.post('/api/v1/cases', { ...ok, person_id: 0 }), 400, undefined, 'person_id');
      expectError(await op.post('/api/v1/cases', { ...ok, person_id: 'one' }), 400, undefined, 'person_id');
      expectError(await op.post('/api/v1/cases', { type: 'medical' }), 400, undefined, 'person_id');
      expectError(await op.post('/api/v1/cases', { person_id: ivanov }), 400, undefined, 'type');
      expectError(await op.post('/api/v1/cases', { ...ok, type: 'Medical Care' }), 400, 'invalid_field', 'type');
      expectError(await op.post('/api/v1/cases', { ...ok, type: '' }), 400, 'invalid_field', 'type');
      expectError(await op.post('/api/v1/cases', { ...ok, event_date: `${THIS_YEAR}-02-30` }), 400, 'invalid_field', 'event_date');
      expectError(await op.post('/api/v1/cases', { ...ok, event_date: '2026-3-1' }), 400, 'invalid_field', 'event_date');
      expectError(await op.post('/api/v1/cases', { ...ok, event_date: `${THIS_YEAR}-03-01T10:00:00Z` }), 400, undefined, 'event_date');
      expectError(await op.post('/api/v1/cases', { ...ok, manager_id: 999999 }), 400, 'unknown_user', 'manager_id');
      expectError(await op.post('/api/v1/cases', { ...ok, description: 42 }), 400, undefined, 'description');
      expectError(await op.post('/api/v1/cases', { ...ok, colour: 'red' }), 400, 'unknown_field', 'colour');
      expectError(await op.post('/api/v1/cases', [ok]), 400);
      expectError(await op.request('POST', '/api/v1/cases', undefined, { raw: '{"person_id":', headers: { 'content-type': 'application/json' } }), 400);
      // a disabled manager is no manager
      const admin = await signedIn(h.srv.base, 'admin');
      const gone = await createUser(admin, `gone-${backend}`, 'case_manager', { department: 'assistance' });
      assert.equal((await admin.patch(`/api/v1/users/${gone.id}`, { disabled: true })).status, 200);
      expectError(await op.post('/api/v1/cases', { ...ok, manager_id: gone.id }), 400, 'unknown_user', 'manager_id');
      assert.equal(await caseTotal(op), before, 'a refused case was stored');
    });

    it('gets a case, and 404 for an unknown one', async () => {
      const person = await personOf(op, `DEMO-${THIS_YEAR % 100}-0000002`);
      const c = await openCase(op, { person_id: person, description: 'get me' });
      const r = await op.get(`/api/v1/cases/${c.id}`);
      assert.equal(r.status, 200, r.text);
      const { quality, ...rest } = r.json;
      assert.deepEqual(rest, c, 'GET shows what POST returned');
      assert.deepEqual(quality, []);
      // every role reads cases
      const fin = await signedIn(h.srv.base, 'finance');
      assert.equal((await fin.get(`/api/v1/cases/${c.id}`)).status, 200);
      expectError(await op.get('/api/v1/cases/999999'), 404, 'not_found');
      assert.equal((await new Client(h.srv.base).get(`/api/v1/cases/${c.id}`)).status, 401);
    });

    it('changes each field of a case into a new version, and refuses bad changes', async () => {
      const y = THIS_YEAR % 100;
      const ivanov = await personOf(op, `DEMO-${y}-0000001`);
      const c = await openCase(op, { person_id: ivanov, event_date: `${THIS_YEAR}-03-01` });
      const path = `/api/v1/cases/${c.id}`;
      let v = c.version;
      const step = async (body, check) => {
        const r = await op.patch(path, body);
        assert.equal(r.status, 200, r.text);
        assert.equal(r.json.version, ++v, `a change makes a new version: ${JSON.stringify(body)}`);
        check(r.json);
        assert.deepEqual((await op.get(path)).json.version, v);
        return r.json;
      };
      await step({ type: 'dental' }, (x) => assert.equal(x.type, 'dental'));
      await step({ description: 'Зубная боль, 小明' }, (x) => assert.equal(x.description, 'Зубная боль, 小明'));
      await step({ manager_id: ids.manager }, (x) => { assert.equal(x.manager_id, ids.manager); assert.equal(x.manager.login, 'manager'); });
      await step({ manager_id: null }, (x) => { assert.equal(x.manager_id, null); assert.equal(x.manager, null); });
      // a new event date picks the policy again
      await step({ event_date: `${THIS_YEAR - 1}-07-07` }, (x) => {
        assert.equal(x.event_date, `${THIS_YEAR - 1}-07-07`);
        assert.equal(x.policy_number, `DEMO-${(THIS_YEAR - 1) % 100}-0000001`);
      });
      await step({ policy_number: `DEMO-${y}-0000001` }, (x) => { assert.equal(x.policy_number, `DEMO-${y}-0000001`); assert.equal(x.insurer.code, 'NORD'); });
      await step({ policy_number: null }, (x) => { assert.equal(x.policy_number, null); assert.equal(x.insurer, null); });
      const last = await step({ event_date: `${THIS_YEAR}-04-04`, status: 'in_progress' }, (x) => {
        assert.equal(x.policy_number, `DEMO-${y}-0000001`);
        assert.equal(x.status, 'in_progress');
      });

      // the same again changes nothing: no version, no audit entry
      const audits = (await auditOf(sup, 'case', c.id)).length;
      let r = await op.patch(path, { event_date: `${THIS_YEAR}-04-04`, status: 'in_progress', type: 'dental', manager_id: null });
      assert.equal(r.status, 200, r.text);
      assert.equal(r.json.version, v);
      assert.equal(r.json.updated_at, last.updated_at);
      r = await op.patch(path, {});
      assert.equal(r.json.version, v);
      assert.equal((await auditOf(sup, 'case', c.id)).length, audits, 'a change to nothing was audited');
      // the update entries hold before and after
      const upd = (await auditOf(sup, 'case', c.id))[0];
      assert.equal(upd.action, 'update');
      assert.equal(upd.before.status, 'open');
      assert.equal(upd.after.status, 'in_progress');

      // optimistic locking
      expectError(await op.patch(path, { description: 'stale', version: v - 1 }), 409, 'version_conflict', 'version');
      r = await op.patch(path, { description: 'fresh', version: v });
      assert.equal(r.status, 200, r.text);
      assert.equal(r.json.version, ++v);

      // bad changes name the field and change nothing
      expectError(await op.patch(path, { type: 'Not A Code' }), 400, 'invalid_field', 'type');
      expectError(await op.patch(path, { status: 'lost' }), 400, 'invalid_field', 'status');
      expectError(await op.patch(path, { status: 5 }), 400, undefined, 'status');
      expectError(await op.patch(path, { event_date: '31.12.2026' }), 400, 'invalid_field', 'event_date');
      expectError(await op.patch(path, { manager_id: 999999 }), 400, 'unknown_user', 'manager_id');
      expectError(await op.patch(path, { manager_id: 'boss' }), 400, undefined, 'manager_id');
      expectError(await op.patch(path, { policy_number: `DEMO-${y}-0000003` }), 400, 'policy_not_of_person', 'policy_number');
      expectError(await op.patch(path, { policy_number: 'NO-SUCH' }), 400, 'unknown_policy', 'policy_number');
      expectError(await op.patch(path, { person_id: 3 }), 400, 'unknown_field', 'person_id');
      expectError(await op.patch(path, { version: 0 }), 400, undefined, 'version');
      expectError(await op.patch('/api/v1/cases/999999', { status: 'open' }), 404, 'not_found');
      const now = (await op.get(path)).json;
      assert.equal(now.version, v);
      assert.equal(now.description, 'fresh');
      assert.equal(now.type, 'dental');
    });

    it('follows the life cycle: closed_at on closing, closed -> resolved refused, reopening audited as reopen', async () => {
      const person = await personOf(op, `DEMO-${THIS_YEAR % 100}-0000004`);
      const c = await openCase(op, { person_id: person });
      const path = `/api/v1/cases/${c.id}`;
      const to = async (status) => {
        const r = await op.patch(path, { status });
        assert.equal(r.status, 200, `${status}: ${r.text}`);
        assert.equal(r.json.status, status);
        return r.json;
      };
      for (const s of ['in_progress', 'waiting', 'resolved']) assert.equal((await to(s)).closed_at, null, s);
      const closed = await to('closed');
      assert.ok(closed.closed_at && Math.abs(Date.parse(closed.closed_at) - Date.now()) < 60000, closed.closed_at);
      const e = expectError(await op.patch(path, { status: 'resolved' }), 422, 'invalid_transition', 'status');
      assert.match(e.message, /closed/);
      assert.equal((await op.get(path)).json.status, 'closed');
      const reopened = await to('open');
      assert.equal(reopened.closed_at, null, 'reopening clears closed_at');
      // active statuses move freely, and may close at once
      await to('waiting');
      await to('open');
      const closedAgain = await to('closed');
      assert.ok(closedAgain.closed_at);
      // resolved back to work is a reopen too
      await to('in_progress');
      await to('resolved');
      await to('waiting');
      const actions = (await auditOf(sup, 'case', c.id)).map((x) => x.action).reverse();
      assert.deepEqual(actions, ['create', 'update', 'update', 'update', 'update', 'reopen', 'update', 'update', 'update',
        'reopen', 'update', 'reopen']);
      const reopen = (await auditOf(sup, 'case', c.id)).find((x) => x.action === 'reopen' && x.before.status === 'closed');
      assert.equal(reopen.after.status, 'in_progress');
      assert.equal(reopen.actor.login, 'operator');
    });

    it('shows a person\'s active case: the open one touched last, none once all are closed', async () => {
      const person = await personOf(op, `DEMO-${THIS_YEAR % 100}-0000008`);
      const path = `/api/v1/persons/${person}/active-case`;
      let r = await op.get(path);
      assert.equal(r.status, 200, r.text);
      assert.deepEqual(r.json, { case: null, open_cases: [], total: 0 });
      const first = await openCase(op, { person_id: person, description: 'first call' });
      await new Promise((res) => setTimeout(res, 5));
      const second = await openCase(op, { person_id: person, description: 'second call' });
      r = await op.get(path);
      assert.equal(r.json.case.id, second.id, 'the newest case');
      assert.equal(r.json.total, 2);
      assert.deepEqual(r.json.open_cases.map((x) => x.id).sort(), [first.id, second.id].sort());
      // a change to the first makes it the one to continue
      await new Promise((res) => setTimeout(res, 5));
      assert.equal((await op.patch(`/api/v1/cases/${first.id}`, { status: 'waiting' })).status, 200);
      r = await op.get(path);
      assert.equal(r.json.case.id, first.id, 'the case touched last, a waiting case is still open');
      assert.equal(r.json.case.status, 'waiting');
      // so does a contact logged on the second, or a task made on it
      await new Promise((res) => setTimeout(res, 5));
      assert.equal((await op.post(`/api/v1/cases/${second.id}/contacts`, { direction: 'IN', channel: 'phone', summary: 'called again' })).status, 201);
      assert.equal((await op.get(path)).json.case.id, second.id, 'a contact touches the case');
      await new Promise((res) => setTimeout(res, 5));
      assert.equal((await op.post('/api/v1/tasks', { case_id: first.id, due_at: iso(3600e3), text: 'call back' })).status, 201);
      assert.equal((await op.get(path)).json.case.id, first.id, 'a task touches the case');
      // closed and resolved cases are not active
      assert.equal((await op.patch(`/api/v1/cases/${first.id}`, { status: 'closed' })).status, 200);
      r = await op.get(path);
      assert.equal(r.json.case.id, second.id);
      assert.equal(r.json.total, 1);
      assert.equal((await op.patch(`/api/v1/cases/${second.id}`, { status: 'resolved' })).status, 200);
      r = await op.get(path);
      assert.deepEqual(r.json, { case: null, open_cases: [], total: 0 });
      // another person's cases never show here
      const other = await personOf(op, `DEMO-${THIS_YEAR % 100}-0000009`);
      await openCase(op, { person_id: other });
      assert.equal((await op.get(path)).json.case, null);
      expectError(await op.get('/api/v1/persons/999999/active-case'), 404, 'not_found');
    });

    it('cancels the unfinished tasks of a case it closes, audited, and refuses blank summaries', async () => {
      const person = await personOf(op, `DEMO-${THIS_YEAR % 100}-0000010`);
      const c = await openCase(op, { person_id: person });
      const t1 = (await op.post('/api/v1/tasks', { case_id: c.id, due_at: iso(-60e3), text: 'overdue one' })).json;
      const t2 = (await op.post('/api/v1/tasks', { case_id: c.id, due_at: iso(3600e3), text: 'later one' })).json;
      const t3 = (await op.post('/api/v1/tasks', { case_id: c.id, due_at: iso(3600e3), text: 'done one' })).json;
      assert.equal((await op.patch(`/api/v1/tasks/${t3.id}`, { status: 'done' })).status, 200);
      let r = await op.get(`/api/v1/cases/${c.id}`);
      assert.equal(r.json.open_tasks, 2);
      assert.equal(r.json.overdue_tasks, 1);
      r = await op.patch(`/api/v1/cases/${c.id}`, { status: 'closed' });
      assert.equal(r.status, 200, r.text);
      assert.equal(r.json.open_tasks, 0, 'nothing left open on a closed case');
      assert.equal(r.json.overdue_tasks, 0);
      for (const t of [t1, t2]) {
        const g = (await op.get(`/api/v1/tasks/${t.id}`)).json;
        assert.equal(g.status, 'cancelled');
        assert.ok(g.done_at);
        const audit = await auditOf(sup, 'task', t.id);
        assert.equal(audit[0].action, 'cancel');
        assert.equal(audit[0].actor.login, 'operator');
      }
      assert.equal((await op.get(`/api/v1/tasks/${t3.id}`)).json.status, 'done', 'a done task stays done');
      expectError(await op.post(`/api/v1/cases/${c.id}/contacts`, { direction: 'in', channel: 'phone', summary: ' \n\t ' }), 400, 'invalid_field', 'summary');
      const open = await openCase(op, { person_id: person });
      expectError(await op.post('/api/v1/tasks', { case_id: open.id, due_at: iso(60e3), text: '   ' }), 400, 'invalid_field', 'text');
    });

    it('shows the cases, contacts and active policy on the person card', async () => {
      const y = THIS_YEAR % 100;
      const person = await personOf(op, `DEMO-${y}-0000006`);
      let card = (await op.get(`/api/v1/persons/${person}`)).json;
      assert.deepEqual(card.cases, []);
      assert.equal(card.cases_total, 0);
      assert.deepEqual(card.contacts, []);
      assert.equal(card.active_policy, `DEMO-${y}-0000006`);
      const c1 = await openCase(op, { person_id: person, description: 'card one' });
      const c2 = await openCase(op, { person_id: person, description: 'card two', type: 'dental' });
      const k1 = await op.post(`/api/v1/cases/${c1.id}/contacts`, { direction: 'in', channel: 'phone', summary: 'called about one' });
      const k2 = await op.post(`/api/v1/cases/${c2.id}/contacts`, { direction: 'out', channel: 'sms', summary: 'texted about two' });
      assert.equal(k1.status, 201, k1.text);
      assert.equal(k2.status, 201, k2.text);
      card = (await op.get(`/api/v1/persons/${person}`)).json;
      assert.deepEqual(card.cases.map((x) => x.id), [c2.id, c1.id], 'cases, newest first');
      assert.equal(card.cases[0].type, 'dental');
      assert.equal(card.cases_total, 2);
      assert.deepEqual(card.contacts.map((x) => x.summary), ['texted about two', 'called about one'], 'contacts, newest first');
      assert.deepEqual(card.contacts.map((x) => x.case_id), [c2.id, c1.id]);
      assert.ok(card.policies.length >= 1);

      // a person whose only policy has ended: no active policy, and a case without one
      const prog = (await sup.get('/api/v1/programs')).json.items[0].code;
      const pol = await sup.post('/api/v1/policies', {
        number: `ENDED-${backend}`, program: prog, start_date: '2020-01-01', end_date: '2020-12-31',
        person: { last_name: 'Прошлый', first_name: 'Пётр', birth_date: '1970-01-01', sex: 'M' },
      });
      assert.equal(pol.status, 201, pol.text);
      const past = pol.json.person_id;
      card = (await op.get(`/api/v1/persons/${past}`)).json;
      assert.equal(card.active_policy, null);
      const c3 = await openCase(op, { person_id: past });
      assert.equal(c3.policy_number, null);
      const c4 = await openCase(op, { person_id: past, event_date: '2020-06-01' });
      assert.equal(c4.policy_number, `ENDED-${backend}`);
      expectError(await op.get('/api/v1/persons/999999'), 404);
    });

    it('lets every role but finance open and change cases', async () => {
      const person = await personOf(op, `DEMO-${THIS_YEAR % 100}-0000011`);
      const c = await openCase(op, { person_id: person });
      const fin = await signedIn(h.srv.base, 'finance');
      const before = await caseTotal(op);
      expectError(await fin.post('/api/v1/cases', { person_id: person, type: 'medical' }), 403, 'forbidden');
      expectError(await fin.patch(`/api/v1/cases/${c.id}`, { status: 'closed' }), 403, 'forbidden');
      expectError(await fin.post(`/api/v1/cases/${c.id}/contacts`, { direction: 'in', channel: 'phone', summary: 'x' }), 403, 'forbidden');
      expectError(await fin.post(`/api/v1/cases/${c.id}/quality`, { score: 5 }), 403, 'forbidden');
      assert.equal((await fin.get('/api/v1/cases')).status, 200);
      assert.equal((await fin.get(`/api/v1/cases/${c.id}/contacts`)).status, 200);
      assert.equal(await caseTotal(op), before);
      assert.equal((await op.get(`/api/v1/cases/${c.id}`)).json.version, c.version);
      for (const who of ['manager', 'reviewer', 'supervisor', 'admin']) {
        const u = await signedIn(h.srv.base, who);
        const r = await u.post('/api/v1/cases', { person_id: person, type: 'consultation' });
        assert.equal(r.status, 201, `${who}: ${r.text}`);
        assert.equal(r.json.manager.login, who);
        const p = await u.patch(`/api/v1/cases/${r.json.id}`, { status: 'in_progress' });
        assert.equal(p.status, 200, `${who}: ${p.text}`);
      }
      const anon = new Client(h.srv.base);
      assert.equal((await anon.post('/api/v1/cases', { person_id: person, type: 'medical' })).status, 401);
      assert.equal((await anon.get('/api/v1/cases')).status, 401);
      // a write without the CSRF token is refused
      assert.equal((await op.post('/api/v1/cases', { person_id: person, type: 'medical' }, { csrf: false })).status, 403);
    });

    it('logs contacts in and out on every channel, oldest first, audited', async () => {
      const person = await personOf(op, `DEMO-${THIS_YEAR % 100}-0000012`);
      const c = await openCase(op, { person_id: person });
      const path = `/api/v1/cases/${c.id}/contacts`;
      const sent = [
        ['in', 'phone', 'in'], ['out', 'email', 'out'], ['incoming', 'meeting', 'in'],
        ['outgoing', 'fax', 'out'], ['in', 'SMS', 'in'], ['out', 'Web', 'out'],
      ];
      const made = [];
      for (const [direction, channel, dir] of sent) {
        const r = await op.post(path, { direction, channel, summary: `${direction} by ${channel}` });
        assert.equal(r.status, 201, r.text);
        assert.equal(r.json.case_id, c.id);
        assert.equal(r.json.direction, dir);
        assert.equal(r.json.channel, channel.toLowerCase());
        assert.equal(r.json.summary, `${direction} by ${channel}`);
        assert.equal(r.json.user.login, 'operator');
        assert.equal(r.json.user.id, ids.operator);
        assert.ok(Math.abs(Date.parse(r.json.at) - Date.now()) < 60000);
        made.push(r.json);
      }
      // a contact logged afterwards with the time it happened goes first
      const earlier = iso(-3600 * 1000);
      const mgr = await signedIn(h.srv.base, 'manager');
      let r = await mgr.post(path, { direction: 'in', channel: 'phone', summary: 'the first call, logged late', at: earlier });
      assert.equal(r.status, 201, r.text);
      assert.equal(Date.parse(r.json.at), Math.floor(Date.parse(earlier) / 1000) * 1000);
      assert.equal(r.json.user.login, 'manager');
      const late = r.json;

      r = await op.get(path);
      assert.equal(r.status, 200, r.text);
      assert.equal(r.json.total, 7);
      assert.deepEqual(r.json.items.map((x) => x.id), [late.id, ...made.map((x) => x.id)]);
      assert.deepEqual(r.json.items[1], made[0]);

      // audited
      const a = await auditOf(sup, 'case_contact', late.id);
      assert.equal(a.length, 1);
      assert.equal(a[0].action, 'create');
      assert.equal(a[0].actor.login, 'manager');
      assert.equal(a[0].after.summary, 'the first call, logged late');
      assert.equal(a[0].after.case_id, c.id);

      // refusals name the field and store nothing
      expectError(await op.post(path, { direction: 'in', channel: 'pigeon', summary: 'x' }), 400, 'invalid_field', 'channel');
      expectError(await op.post(path, { direction: 'sideways', channel: 'phone', summary: 'x' }), 400, 'invalid_field', 'direction');
      expectError(await op.post(path, { direction: 'in', channel: 'phone', summary: '' }), 400, 'invalid_field', 'summary');
      expectError(await op.post(path, { direction: 'in', channel: 'phone' }), 400, undefined, 'summary');
      expectError(await op.post(path, { channel: 'phone', summary: 'x' }), 400, undefined, 'direction');
      expectError(await op.post(path, { direction: 'in', summary: 'x' }), 400, undefined, 'channel');
      expectError(await op.post(path, { direction: 'in', channel: 'phone', summary: 'x', at: iso(86400 * 1000) }), 400, 'invalid_field', 'at');
      expectError(await op.post(path, { direction: 'in', channel: 'phone', summary: 'x', at: 'yesterday' }), 400, 'invalid_field', 'at');
      expectError(await op.post(path, { direction: 'in', channel: 'phone', summary: 'x', mood: 'calm' }), 400, 'unknown_field', 'mood');
      expectError(await op.post(path, { direction: 'in', channel: 'phone', summary: 'x'.repeat(4001) }), 400, undefined, 'summary');
      expectError(await op.post('/api/v1/cases/999999/contacts', { direction: 'in', channel: 'phone', summary: 'x' }), 404, 'not_found');
      expectError(await op.get('/api/v1/cases/999999/contacts'), 404, 'not_found');
      assert.equal((await op.get(path)).json.total, 7, 'a refused contact was stored');
    });

    it('lists the departments with their names and every code in use', async () => {
      const admin = await signedIn(h.srv.base, 'admin');
      await createUser(admin, `dept-${backend}`, 'operator', { department: 'night-desk' });
      const r = await op.get('/api/v1/departments');
      assert.equal(r.status, 200, r.text);
      const by = Object.fromEntries(r.json.items.map((d) => [d.code, d.name]));
      assert.deepEqual(by.assistance, { en: 'Assistance', ru: 'Ассистанс', zh: '救援' });
      for (const d of ['medical', 'claims', 'finance', 'quality']) assert.ok(by[d], d);
      assert.deepEqual(by['night-desk'], { en: 'night-desk', ru: 'night-desk', zh: 'night-desk' });
      const codes = r.json.items.map((d) => d.code);
      assert.deepEqual(codes, [...codes].sort());
    });
  });

  describe(`case lists (${backend})`, () => {
    const h = useServer({ backend });
    let op, mgr, made, managerId;

    before(async () => {
      op = await signedIn(h.srv.base, 'operator');
      mgr = await signedIn(h.srv.base, 'manager');
      const sup = await signedIn(h.srv.base, 'supervisor');
      managerId = (await mgr.get('/api/v1/me')).json.id;
      const y = THIS_YEAR % 100;
      const p = async (n) => personOf(op, `DEMO-${y}-${String(n).padStart(7, '0')}`);
      const [p1, p5, p10, p2] = [await p(1), await p(5), await p(10), await p(2)];
      made = {};
      made.a = await openCase(op, { person_id: p1, type: 'medical' });
      made.b = await openCase(mgr, { person_id: p5, type: 'travel' });
      assert.equal((await mgr.patch(`/api/v1/cases/${made.b.id}`, { status: 'in_progress' })).status, 200);
      made.c = await openCase(op, { person_id: p10, type: 'medical', manager_id: managerId });
      assert.equal((await op.patch(`/api/v1/cases/${made.c.id}`, { status: 'closed' })).status, 200);
      made.d = await openCase(sup, { person_id: p2, type: 'dental' });
      assert.equal((await sup.patch(`/api/v1/cases/${made.d.id}`, { status: 'resolved' })).status, 200);
      made.e = await openCase(op, { person_id: p1, type: 'medical', event_date: '2019-01-01' });
      assert.equal(made.e.insurer, null);
    });

    const list = async (q, c = op) => {
      const r = await c.get('/api/v1/cases' + (q ? '?' + q : ''));
      assert.equal(r.status, 200, `${q}: ${r.text}`);
      return r.json;
    };
    const idsOf = (page) => page.items.map((x) => x.id);
    const expect = async (q, keys) => {
      const page = await list(q);
      assert.deepEqual(idsOf(page), keys.map((k) => made[k].id), `?${q}`);
      assert.equal(page.total, keys.length, `?${q} total`);
    };

    it('lists all cases newest first, and filters by status', async () => {
      await expect('', ['e', 'd', 'c', 'b', 'a']);
      await expect('status=all', ['e', 'd', 'c', 'b', 'a']);
      await expect('status=open', ['e', 'a']);
      await expect('status=in_progress', ['b']);
      await expect('status=waiting', []);
      await expect('status=resolved', ['d']);
      await expect('status=closed', ['c']);
      await expect('status=active', ['e', 'b', 'a']);
      const page = await list('status=closed');
      assert.equal(page.items[0].status, 'closed');
      assert.ok(page.items[0].closed_at);
      expectError(await op.get('/api/v1/cases?status=lost'), 400, 'invalid_field', 'status');
    });

    it('filters by manager (me or an id), insurer, person and type', async () => {
      await expect('manager=me', ['e', 'a']);
      assert.deepEqual(idsOf(await list('manager=me', mgr)), [made.c.id, made.b.id]);
      await expect(`manager=${managerId}`, ['c', 'b']);
      await expect('manager=me&status=active', ['e', 'a']);
      await expect('insurer=NORD', ['d', 'a']);
      await expect('insurer=ALB', ['b']);
      await expect('insurer=HXM', ['c']);
      await expect('insurer=NOPE', []);
      await expect(`person_id=${made.a.person_id}`, ['e', 'a']);
      await expect(`person_id=${made.a.person_id}&insurer=NORD`, ['a']);
      await expect('type=medical', ['e', 'c', 'a']);
      await expect('type=dental&status=resolved', ['d']);
      expectError(await op.get('/api/v1/cases?manager=boss'), 400, 'invalid_field', 'manager');
      expectError(await op.get('/api/v1/cases?manager=0'), 400, 'invalid_field', 'manager');
      expectError(await op.get('/api/v1/cases?person_id=x'), 400, 'invalid_field', 'person_id');
    });

    it('filters by the day a case was opened', async () => {
      await expect(`from=${day()}`, ['e', 'd', 'c', 'b', 'a']);
      await expect(`to=${day()}`, ['e', 'd', 'c', 'b', 'a']);
      await expect(`from=${day()}&to=${day()}`, ['e', 'd', 'c', 'b', 'a']);
      await expect(`from=${day(1)}`, []);
      await expect(`to=${day(-1)}`, []);
      await expect(`from=${day(-30)}&to=${day(-1)}`, []);
      await expect(`from=${day(-1)}&status=open`, ['e', 'a']);
      expectError(await op.get('/api/v1/cases?from=yesterday'), 400, 'invalid_field', 'from');
      expectError(await op.get(`/api/v1/cases?to=${THIS_YEAR}-02-30`), 400, 'invalid_field', 'to');
    });

    it('pages with the total of all matches', async () => {
      let page = await list('limit=2');
      assert.deepEqual(idsOf(page), [made.e.id, made.d.id]);
      assert.deepEqual([page.total, page.limit, page.offset], [5, 2, 0]);
      page = await list('limit=2&offset=2');
      assert.deepEqual(idsOf(page), [made.c.id, made.b.id]);
      page = await list('limit=2&offset=4');
      assert.deepEqual(idsOf(page), [made.a.id]);
      assert.equal(page.total, 5);
      page = await list('offset=10');
      assert.deepEqual([page.items.length, page.total], [0, 5]);
      page = await list('status=active&limit=1&offset=1');
      assert.deepEqual(idsOf(page), [made.b.id]);
      assert.equal(page.total, 3);
      assert.equal((await list('')).limit, 50);
      expectError(await op.get('/api/v1/cases?limit=0'), 400, 'invalid_field', 'limit');
      expectError(await op.get('/api/v1/cases?limit=501'), 400, 'invalid_field', 'limit');
      expectError(await op.get('/api/v1/cases?offset=-1'), 400, 'invalid_field', 'offset');
    });
  });

  describe(`quality and NPS (${backend})`, () => {
    const h = useServer({ backend });

    it('records scores with comments on the case, and reports NPS by month, manager and insurer', async () => {
      const op = await signedIn(h.srv.base, 'operator');
      const mgr = await signedIn(h.srv.base, 'manager');
      const sup = await signedIn(h.srv.base, 'supervisor');
      const y = THIS_YEAR % 100;
      const nord = await openCase(mgr, { person_id: await personOf(op, `DEMO-${y}-0000001`) });
      const alb = await openCase(op, { person_id: await personOf(op, `DEMO-${y}-0000005`), type: 'travel' });
      const give = async (c, who, body) => {
        const r = await who.post(`/api/v1/cases/${c.id}/quality`, body);
        assert.equal(r.status, 201, r.text);
        return r.json;
      };
      const q1 = await give(nord, op, { score: 10, comment: 'Отлично', question: 'Довольны ли вы?' });
      assert.equal(q1.case_id, nord.id);
      assert.equal(q1.score, 10);
      assert.equal(q1.comment, 'Отлично');
      assert.equal(q1.question, 'Довольны ли вы?');
      assert.equal(q1.source, 'operator');
      assert.equal(q1.user.login, 'operator');
      await give(nord, op, { score: 9 });
      await give(alb, op, { score: 8, comment: 'ok' });
      const q4 = await give(alb, op, { score: 3, comment: 'slow' });
      assert.equal(q4.question, null);

      // refused
      expectError(await op.post(`/api/v1/cases/${alb.id}/quality`, { score: 11 }), 400, undefined, 'score');
      expectError(await op.post(`/api/v1/cases/${alb.id}/quality`, { score: -1 }), 400, undefined, 'score');
      expectError(await op.post(`/api/v1/cases/${alb.id}/quality`, { score: 7.5 }), 400, undefined, 'score');
      expectError(await op.post(`/api/v1/cases/${alb.id}/quality`, { score: '9' }), 400, undefined, 'score');
      expectError(await op.post(`/api/v1/cases/${alb.id}/quality`, { comment: 'no score' }), 400, undefined, 'score');
      expectError(await op.post(`/api/v1/cases/${alb.id}/quality`, { score: 5, stars: 5 }), 400, 'unknown_field', 'stars');
      expectError(await op.post('/api/v1/cases/999999/quality', { score: 5 }), 404, 'not_found');

      // the case shows its answers, oldest first
      const got = (await op.get(`/api/v1/cases/${alb.id}`)).json;
      assert.deepEqual(got.quality.map((x) => [x.score, x.comment]), [[8, 'ok'], [3, 'slow']]);
      assert.equal(got.quality[0].user.full_name, 'Ольга Операторова', 'who recorded it, by name');
      const a = await auditOf(sup, 'case_quality', q4.id);
      assert.equal(a.length, 1);
      assert.equal(a[0].action, 'create');
      assert.equal(a[0].after.score, 3);

      // 2 promoters, 1 passive, 1 detractor of 4: NPS 50 - 25 = 25, mean 7.5
      let r = await sup.get('/api/v1/reports/nps');
      assert.equal(r.status, 200, r.text);
      assert.equal(r.json.by, 'month');
      assert.equal(r.json.to, day());
      assert.ok(r.json.from < r.json.to && r.json.from.endsWith('-01'), r.json.from);
      assert.deepEqual(r.json.total, { responses: 4, promoters: 2, passives: 1, detractors: 1, nps: 25, mean_score: '7.5' });
      assert.equal(r.json.groups.length, 1);
      assert.equal(r.json.groups[0].key, day().slice(0, 7));
      assert.equal(r.json.groups[0].nps, 25);
      assert.equal(r.json.groups[0].responses, 4);

      r = await sup.get('/api/v1/reports/nps?by=manager');
      assert.equal(r.status, 200, r.text);
      assert.deepEqual(r.json.groups.map((g) => [g.key, g.label, g.responses, g.nps, g.mean_score]), [
        ['manager', 'Павел Менеджеров', 2, 100, '9.5'],
        ['operator', 'Ольга Операторова', 2, -50, '5.5'],
      ]);
      assert.equal(r.json.total.nps, 25);

      r = await sup.get('/api/v1/reports/nps?by=insurer');
      assert.equal(r.status, 200, r.text);
      assert.deepEqual(r.json.groups.map((g) => [g.key, g.label, g.promoters, g.passives, g.detractors, g.nps]), [
        ['ALB', 'Albion Assurance', 0, 1, 1, -50],
        ['NORD', 'Северная страховая компания', 2, 0, 0, 100],
      ]);

      // a period without answers
      r = await sup.get(`/api/v1/reports/nps?from=${day(-60)}&to=${day(-1)}`);
      assert.equal(r.status, 200, r.text);
      assert.deepEqual(r.json.total, { responses: 0, promoters: 0, passives: 0, detractors: 0, nps: 0, mean_score: '' });
      assert.deepEqual(r.json.groups, []);
      assert.deepEqual([r.json.from, r.json.to], [day(-60), day(-1)]);
      r = await sup.get(`/api/v1/reports/nps?from=${day()}&to=${day()}&by=insurer`);
      assert.equal(r.json.total.responses, 4);

      // who may see it, and bad queries
      const admin = await signedIn(h.srv.base, 'admin');
      assert.equal((await admin.get('/api/v1/reports/nps')).status, 200);
      for (const who of ['operator', 'manager', 'reviewer', 'finance']) {
        expectError(await (await signedIn(h.srv.base, who)).get('/api/v1/reports/nps'), 403, 'forbidden');
      }
      expectError(await sup.get('/api/v1/reports/nps?by=week'), 400, 'invalid_field', 'by');
      expectError(await sup.get('/api/v1/reports/nps?from=2026-13-01'), 400, 'invalid_field', 'from');
      expectError(await sup.get(`/api/v1/reports/nps?from=${day()}&to=${day(-1)}`), 400, 'invalid_field', 'to');
    });
  });

  describe(`case questionnaire (${backend})`, () => {
    const h = useServer({ backend });

    it('prints the person, policy, case, contacts, tasks and quality in en, ru and zh', async () => {
      const op = await signedIn(h.srv.base, 'operator');
      const y = THIS_YEAR % 100;
      const number = `DEMO-${y}-0000001`;
      const person = (await op.get(`/api/v1/policies/${number}`)).json.person;
      const c = await openCase(op, { person_id: person.id, description: 'Перелом руки на горнолыжном курорте' });
      let r = await op.post(`/api/v1/cases/${c.id}/contacts`, { direction: 'in', channel: 'phone', summary: 'Звонок жены застрахованного' });
      assert.equal(r.status, 201, r.text);
      r = await op.post('/api/v1/tasks', { case_id: c.id, due_at: iso(3600 * 1000), urgency: 'urgent', text: 'Найти клинику рядом с отелем' });
      assert.equal(r.status, 201, r.text);
      r = await op.post(`/api/v1/cases/${c.id}/quality`, { score: 9, comment: 'Быстро помогли' });
      assert.equal(r.status, 201, r.text);

      const labels = {
        en: ['Case questionnaire', 'Insured person', 'Contacts', 'Tasks', 'Incoming', 'Phone', 'Urgent'],
        ru: ['Анкета ассистанского дела', 'Застрахованное лицо', 'Контакты', 'Задачи', 'Входящий', 'Срочная'],
        zh: ['救援案件调查表', '被保险人', '联络记录', '任务', '紧急'],
      };
      // words that must not be broken across lines in a narrow table column
      const whole = {
        en: ['Direction', 'Incoming', 'Channel', 'Urgency', 'Urgent', 'Department'],
        ru: ['Направление', 'Входящий', 'Телефон', 'Срочность', 'Срочная', 'Статус'],
        zh: ['方向', '紧急程度', '截止时间'],
      };
      for (const lang of ['en', 'ru', 'zh']) {
        const pdf = await getPdf(h.srv.base, op, `/api/v1/cases/${c.id}/questionnaire.pdf?lang=${lang}`);
        assert.equal(pdf.status, 200, `${lang}: ${pdf.bytes.toString().slice(0, 300)}`);
        assert.match(pdf.type, /^application\/pdf/);
        assert.match(pdf.disposition || '', new RegExp(`case-${c.id}\\.pdf`));
        assert.equal(pdf.bytes.subarray(0, 5).toString('latin1'), '%PDF-');
        const raw = pdfText(pdf.bytes);
        for (const w of whole[lang]) assert.ok(raw.includes(w), `${lang}: "${w}" is broken or missing:\n${raw}`);
        const text = squash(raw);
        for (const piece of [person.last_name, person.first_name, number, 'Перелом руки на горнолыжном курорте',
          'Звонок жены застрахованного', 'Найти клинику рядом с отелем', 'Быстро помогли', String(c.id), ...labels[lang]]) {
          assert.ok(text.includes(squash(piece)), `${lang}: "${piece}" not in the PDF text:\n${text.slice(0, 2000)}`);
        }
      }
      // the default is the user's language (the operator reads Russian)
      const pdf = await getPdf(h.srv.base, op, `/api/v1/cases/${c.id}/questionnaire.pdf`);
      assert.equal(pdf.status, 200);
      assert.ok(squash(pdfText(pdf.bytes)).includes(squash('Анкета ассистанского дела')));

      // a case without a policy, contacts or tasks says so
      const bare = await openCase(op, { person_id: person.id, event_date: '2019-02-02', description: '' });
      const t = squash(pdfText((await getPdf(h.srv.base, op, `/api/v1/cases/${bare.id}/questionnaire.pdf?lang=en`)).bytes));
      assert.ok(t.includes(squash('No active policy on the event date')), t);
      assert.ok(t.includes('None'));

      expectError(await op.get('/api/v1/cases/999999/questionnaire.pdf'), 404, 'not_found');
      expectError(await op.get(`/api/v1/cases/${c.id}/questionnaire.pdf?lang=fr`), 400, 'invalid_field', 'lang');
      const fin = await signedIn(h.srv.base, 'finance');
      assert.equal((await getPdf(h.srv.base, fin, `/api/v1/cases/${c.id}/questionnaire.pdf`)).status, 200);
      assert.equal((await fetch(`${h.srv.base}/api/v1/cases/${c.id}/questionnaire.pdf`)).status, 401);
    });
  });
}
