// Cases and tasks around the operator's flow: a reminder at a task's due time
// shows on any screen (the server's housekeeping runs every second here),
// the Tasks screen marks overdue tasks and filters; a supervisor may move a
// due time where an operator is not offered it; the cases list filters; the
// NPS report for supervisors (and "no access" for an operator); "/" opens
// the search from any screen. Screenshots: tasks-*.png, cases-*.png, nps-*.png.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useServer, open, shot, waitText, waitContains, textOf, signIn, switchLang, expectFocus } from './harness.mjs';
import { Client } from '../lib/server.mjs';

const env = useServer({ args: ['--housekeeping-interval', '1'] });

const iso = (ms) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** A case on a demo person (with a contact and tasks), made through the API as `login`. */
async function makeCase(login, personId, type = 'medical') {
  const c = new Client(env.server.base);
  await c.login(login);
  const r = await c.post('/api/v1/cases', { person_id: personId, type, description: `Case for the browser test (${type})` });
  assert.equal(r.status, 201, r.text);
  return { client: c, kase: r.json };
}

test('reminder: at the due time the department is alerted on any screen, and the Tasks row is marked', async (t) => {
  const { client, kase } = await makeCase('operator', 4);
  const { page, problems } = await open(env, t, { locale: 'ru-RU' });
  await signIn(env, page, 'manager');
  // the manager works on the cases list meanwhile
  await page.evaluate(() => { location.hash = '#/cases'; });
  await page.waitForSelector('#cases-table tbody tr, #cases-empty:not([hidden])');
  await page.waitForSelector('html[data-live="open"]');
  // a second tab on the Tasks screen
  const tab = await page.context().newPage();
  tab.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  await tab.goto(`${env.server.base}/#/tasks`);
  await tab.waitForSelector('#task-filters');
  await tab.waitForSelector('html[data-live="open"]');

  const r = await client.post('/api/v1/tasks', {
    case_id: kase.id, department: 'assistance', due_at: iso(Date.now() + 2000), urgency: 'urgent',
    text: 'Уточнить у клиники время приёма',
  });
  assert.equal(r.status, 201, r.text);
  const id = r.json.id;
  // the task appears at once (live), then comes due
  await tab.waitForSelector(`#tasks-table tr[data-id="${id}"]`);
  const alert = `.alert-card[data-task-id="${id}"]`;
  await page.waitForSelector(alert, { timeout: 15000 });
  await waitContains(page, `${alert} .alert-title`, `Срок задачи · дело № ${kase.id}`);
  await waitContains(page, `${alert} .alert-text`, 'Уточнить у клиники время приёма');
  await waitText(page, 'a[data-nav="tasks"] .nav-badge', '1');
  await shot(page, 'tasks-reminder-ru');
  // the Tasks tab marks the row: reminded and overdue
  await tab.waitForSelector(`#tasks-table tr.is-reminded[data-id="${id}"]`, { timeout: 15000 });
  await tab.waitForSelector(`#tasks-table tr.is-overdue[data-id="${id}"] .overdue-badge`);
  // "due now" for the first minute, then "overdue by …", in red
  await tab.waitForSelector(`#tasks-table tr[data-id="${id}"] .col-due time.due.late`);
  assert.match(await textOf(tab, `#tasks-table tr[data-id="${id}"] .col-due time.due`), /^(срок наступил|просрочена на .+)$/);
  await shot(tab, 'tasks-overdue-ru');
  // "Open the case" goes there and the alert is gone; the badge clears on the Tasks screen
  await page.click(`${alert} a`);
  await page.waitForFunction((cid) => location.hash === `#/cases/${cid}`, kase.id);
  await page.waitForSelector(alert, { state: 'detached' });
  await page.waitForSelector(`#task-list li.task.is-overdue[data-id="${id}"]`);
  await page.keyboard.press('g');
  await page.keyboard.press('t');
  await page.waitForFunction(() => location.hash === '#/tasks');
  await page.waitForSelector('a[data-nav="tasks"] .nav-badge[hidden]', { state: 'attached' });
  assert.deepEqual(problems, []);
});

test('a reminder for another department or another person stays quiet', async (t) => {
  const { client, kase } = await makeCase('operator', 5);
  const { page, problems } = await open(env, t, { locale: 'en-US' });
  await signIn(env, page, 'reviewer'); // claims department
  await page.waitForSelector('html[data-live="open"]');
  const r = await client.post('/api/v1/tasks', {
    case_id: kase.id, department: 'assistance', due_at: iso(Date.now() + 1000), urgency: 'normal', text: 'Not for claims',
  });
  assert.equal(r.status, 201);
  await page.waitForTimeout(3500);
  assert.equal(await page.$('.alert-card'), null, 'no alert for the claims department');
  assert.deepEqual(problems, []);
});

test('Tasks: filters, take, start, done; the operator is not offered to move a due time, the supervisor is', async (t) => {
  const { client, kase } = await makeCase('supervisor', 6, 'dental');
  const soon = iso(Date.now() + 3 * 3600 * 1000);
  const later = iso(Date.now() + 26 * 3600 * 1000);
  const t1 = await client.post('/api/v1/tasks', { case_id: kase.id, department: 'assistance', due_at: soon, urgency: 'critical', text: 'Согласовать лечение с клиникой' });
  const t2 = await client.post('/api/v1/tasks', { case_id: kase.id, department: 'medical', due_at: later, urgency: 'normal', text: 'Проверить счёт стоматологии' });
  assert.equal(t1.status, 201);
  assert.equal(t2.status, 201);

  const op = await open(env, t, { locale: 'ru-RU' });
  await signIn(env, op.page, 'operator');
  await op.page.evaluate(() => { location.hash = '#/tasks'; });
  await op.page.waitForSelector(`#tasks-table tr[data-id="${t1.json.id}"]`);
  assert.equal(await op.page.$(`#tasks-table tr[data-id="${t2.json.id}"]`), null, 'another department is not in "my department"');
  await waitText(op.page, `#tasks-table tr[data-id="${t1.json.id}"] .chip.urgency`, 'Критичная');
  // all departments
  await op.page.selectOption('#tf-department', 'all');
  await op.page.waitForFunction(() => location.hash === '#/tasks?department=all');
  await op.page.waitForSelector(`#tasks-table tr[data-id="${t2.json.id}"]`);
  await shot(op.page, 'tasks-all-ru');
  // unassigned → take → it is mine
  await op.page.selectOption('#tf-department', 'assistance');
  await op.page.waitForFunction(() => location.hash === '#/tasks');
  await op.page.click(`#tasks-table tr[data-id="${t1.json.id}"] button[data-action="take"]`);
  await waitContains(op.page, `#tasks-table tr[data-id="${t1.json.id}"] .col-assignee`, 'Ольга Операторова');
  await op.page.click('label:has(> span[data-i18n="tasks.filter.whose.me"]), label[data-i18n="tasks.filter.whose.me"]');
  await op.page.waitForFunction(() => location.hash === '#/tasks?assignee=me');
  await op.page.waitForSelector(`#tasks-table tr[data-id="${t1.json.id}"]`);
  await op.page.click(`#tasks-table tr[data-id="${t1.json.id}"] button[data-action="start"]`);
  await waitText(op.page, `#tasks-table tr[data-id="${t1.json.id}"] .col-status .badge`, 'В работе');
  // on the case: no way to move the due time for an operator
  await op.page.evaluate((id) => { location.hash = `#/cases/${id}`; }, kase.id);
  await op.page.waitForSelector(`#task-list li.task[data-id="${t1.json.id}"]`);
  assert.equal(await op.page.$('#task-list [data-action="reschedule"]'), null, 'an operator may not move a due time');
  // done: the task moves to the finished ones
  await op.page.click(`#task-list li.task[data-id="${t1.json.id}"] button[data-action="done"]`);
  await op.page.waitForSelector(`#done-tasks li.task[data-id="${t1.json.id}"]`, { state: 'attached' });
  assert.deepEqual(op.problems, []);

  // the supervisor moves the other task's due time; an operator's attempt is refused by the server in its words
  const sv = await open(env, t, { locale: 'en-US' });
  await signIn(env, sv.page, 'supervisor');
  await switchLang(sv.page, 'en');
  await sv.page.evaluate((id) => { location.hash = `#/cases/${id}`; }, kase.id);
  const li = `#task-list li.task[data-id="${t2.json.id}"]`;
  await sv.page.waitForSelector(li);
  await sv.page.click(`${li} [data-action="reschedule"]`);
  await sv.page.waitForSelector(`${li} .task-edit`);
  const when = new Date(Date.now() + 2 * 24 * 3600 * 1000);
  when.setHours(10, 30, 0, 0);
  const local = `${when.getFullYear()}-${String(when.getMonth() + 1).padStart(2, '0')}-${String(when.getDate()).padStart(2, '0')}T10:30`;
  await sv.page.fill(`${li} .task-edit input[name="due_at"]`, local);
  await shot(sv.page, 'tasks-reschedule-en');
  const [res] = await Promise.all([
    sv.page.waitForResponse((r) => r.request().method() === 'PATCH' && new URL(r.url()).pathname === `/api/v1/tasks/${t2.json.id}`),
    sv.page.press(`${li} .task-edit input[name="due_at"]`, 'Enter'),
  ]);
  assert.equal(res.status(), 200);
  assert.equal(Date.parse((await res.json()).due_at), when.getTime());
  await sv.page.waitForSelector(`${li} .task-edit`, { state: 'detached' });
  await waitContains(sv.page, `${li} .task-meta time.due`, 'in 2 days');
  // the server's refusal, as the UI would word it
  const msg = await op.page.evaluate(async (id) => {
    const { patch } = await import('/js/api.js');
    const { errorMessage } = await import('/js/forms.js');
    const { t } = await import('/js/i18n.js');
    try { await patch(`/api/v1/tasks/${id}`, { due_at: '2030-01-01T09:00:00Z' }); return 'allowed'; } catch (e) {
      const m = errorMessage(e);
      return t(m.key, m.params);
    }
  }, t2.json.id);
  assert.equal(msg, 'Переносить срок задачи может только супервайзер.');
  assert.deepEqual(sv.problems, []);
});

test('Cases list: active by default, filters in the URL, Enter opens a case', async (t) => {
  const a = await makeCase('operator', 7, 'ambulance');
  const b = await makeCase('supervisor', 8, 'complaint');
  const closed = await a.client.patch(`/api/v1/cases/${a.kase.id}`, { status: 'closed' });
  assert.equal(closed.status, 200, closed.text);
  const { page, problems } = await open(env, t, { locale: 'ru-RU' });
  await signIn(env, page, 'operator');
  await page.keyboard.press('Escape');
  await page.keyboard.press('g');
  await page.keyboard.press('a');
  await page.waitForFunction(() => location.hash === '#/cases');
  await page.waitForSelector(`#cases-table tr[data-id="${b.kase.id}"]`);
  assert.equal(await page.$(`#cases-table tr[data-id="${a.kase.id}"]`), null, 'a closed case is not active');
  // live: a case another user opens appears, the row the operator is on stays theirs
  await page.focus(`#cases-table tr[data-id="${b.kase.id}"]`);
  const c = await makeCase('supervisor', 9, 'travel');
  await page.waitForSelector(`#cases-table tr[data-id="${c.kase.id}"]`);
  assert.equal(await page.evaluate(() => document.activeElement?.dataset?.id), String(b.kase.id), 'the focused row is still the same case');
  // and a status another user changes shows without a reload
  assert.equal((await c.client.patch(`/api/v1/cases/${c.kase.id}`, { status: 'waiting' })).status, 200);
  await waitText(page, `#cases-table tr[data-id="${c.kase.id}"] .badge`, 'Ожидание');
  await shot(page, 'cases-list-ru');
  await page.selectOption('#cf-status', 'closed');
  await page.waitForFunction(() => location.hash === '#/cases?status=closed');
  await page.waitForSelector(`#cases-table tr[data-id="${a.kase.id}"]`);
  await waitText(page, `#cases-table tr[data-id="${a.kase.id}"] .badge`, 'Закрыто');
  await page.selectOption('#cf-status', 'all');
  await page.check('#case-filters input[name="manager"]');
  await page.waitForFunction(() => location.hash === '#/cases?status=all&manager=me');
  await page.waitForSelector(`#cases-table tr[data-id="${a.kase.id}"]`);
  assert.equal(await page.$(`#cases-table tr[data-id="${b.kase.id}"]`), null, 'the supervisor\'s case is not mine');
  // keyboard: into the list, Enter opens
  await page.focus(`#cases-table tr[data-id="${a.kase.id}"]`);
  await page.keyboard.press('Enter');
  await page.waitForFunction((id) => location.hash === `#/cases/${id}`, a.kase.id);
  // a closed case takes no tasks until reopened; the resolved button is not offered
  await page.waitForSelector('#task-closed-note:not([hidden])');
  assert.equal(await page.$eval('#case-status-buttons [data-status="resolved"]', (b2) => b2.disabled), true);
  await page.click('#case-status-buttons [data-status="in_progress"]');
  await waitText(page, '#case-status .badge', 'В работе');
  await page.waitForSelector('#task-closed-note[hidden]', { state: 'attached' });
  // a task, then closing again: the screen says first that open tasks will be cancelled
  await page.evaluate(() => document.activeElement.blur());
  await page.keyboard.press('t');
  await page.keyboard.type('Запросить выписку');
  await page.keyboard.press('Control+Enter');
  await page.waitForSelector('#task-list li.task[data-status="open"]');
  await page.click('#case-status-buttons [data-status="closed"]');
  await waitContains(page, '#status-confirm .q', 'открытые задачи (1) будут отменены');
  await expectFocus(page, 'close-yes');
  await shot(page, 'case-close-confirm-ru');
  await page.keyboard.press('Enter');
  await waitText(page, '#case-status .badge', 'Закрыто');
  await page.waitForSelector('#done-tasks li.task[data-status="cancelled"]', { state: 'attached' });
  await page.waitForSelector('#task-closed-note:not([hidden])');
  // "/" opens the search from here
  await page.evaluate(() => document.activeElement.blur());
  await page.keyboard.press('/');
  await page.waitForFunction(() => location.hash === '#/search');
  await expectFocus(page, 'search-q');
  assert.deepEqual(problems, []);
});

test('NPS report: supervisor by month, manager and insurer; an operator has no access', async (t) => {
  for (const [login, pid, score] of [['operator', 9, 10], ['operator', 10, 9], ['manager', 11, 8], ['manager', 12, 3]]) {
    const { client, kase } = await makeCase(login, pid);
    const q = await client.post(`/api/v1/cases/${kase.id}/quality`, { score, comment: `score ${score}` });
    assert.equal(q.status, 201, q.text);
  }
  const { page, problems } = await open(env, t, { locale: 'ru-RU' });
  await signIn(env, page, 'supervisor');
  await switchLang(page, 'ru'); // another test may have left the supervisor in English
  await page.keyboard.press('Escape');
  await page.keyboard.press('g');
  await page.keyboard.press('n');
  await page.waitForFunction(() => location.hash === '#/reports/nps');
  await waitText(page, '.page-head h1', 'Отчёт NPS');
  await page.waitForSelector('#nps-table');
  await waitText(page, '#nps-table tfoot td:nth-child(2)', '4');
  // 2 promoters, 1 passive, 1 detractor: (2 − 1) / 4 = +25
  await waitText(page, '#nps-table tfoot .nps-val', '+25');
  await shot(page, 'nps-month-ru');
  await page.click('label[for="nps-by-manager"]');
  await page.waitForFunction(() => location.hash === '#/reports/nps?by=manager');
  await page.waitForSelector('#nps-table tr[data-key="operator"]');
  await waitText(page, '#nps-table tr[data-key="operator"] .nps-val', '+100');
  await page.waitForSelector('#nps-table tr[data-key="manager"] .nps-val.neg');
  await waitContains(page, '#nps-table tr[data-key="manager"] .nps-val', '50');
  await shot(page, 'nps-manager-ru');
  await page.click('label[for="nps-by-insurer"]');
  await page.waitForSelector('#nps-table tr[data-key="NORD"]');
  assert.deepEqual(problems, []);

  const op = await open(env, t, { locale: 'ru-RU' });
  await signIn(env, op.page, 'operator');
  assert.equal(await op.page.$('a[data-nav="reports"]'), null, 'no Reports entry for an operator');
  await op.page.evaluate(() => { location.hash = '#/reports/nps'; });
  await op.page.waitForSelector('[data-page="forbidden"]');
  await waitText(op.page, '#msg-title', 'Нет доступа');
  assert.deepEqual(op.problems, []);
});
