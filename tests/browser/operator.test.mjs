// The operator's flow of issue 4, keyboard first, in Russian: sign in → the
// search box has the focus → a Latin query finds a Cyrillic name → arrows and
// Enter open the person card → N opens a case → a call is logged → a task is
// added; a second browser context (the case manager, same department) sees
// the contact on the case screen and the task on its Tasks screen appear
// live, without a reload. Screenshots: operator-*.png.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useServer, open, shot, waitText, waitContains, signIn, switchLang, unlabelled, expectFocus } from './harness.mjs';
import { Client } from '../lib/server.mjs';

const env = useServer();

const year = new Date().getFullYear();
const PERSON = {
  last_name: 'Белозерская', first_name: 'Варвара', middle_name: 'Игоревна', birth_date: '1987-04-12',
  sex: 'F', phone: '+7 916 555-12-34', city: 'Москва', language: 'ru',
};
let personId = 0;

/** The insured of these tests, with last year's policy renewed by this year's (made once, through the API). */
async function setup() {
  if (personId) return;
  const sup = new Client(env.server.base);
  await sup.login('supervisor');
  const prev = await sup.post('/api/v1/policies', {
    number: `OPR-${year - 1}-0001`, program: 'NORD-DMS-STD', start_date: `${year - 1}-01-01`, end_date: `${year - 1}-12-31`,
    person: PERSON,
  });
  assert.equal(prev.status, 201, prev.text);
  personId = prev.json.person_id;
  const cur = await sup.post('/api/v1/policies', {
    number: `OPR-${year}-0001`, program: 'NORD-DMS-STD', start_date: `${year}-01-01`, end_date: `${year}-12-31`,
    previous: `OPR-${year - 1}-0001`, person: { id: personId },
  });
  assert.equal(cur.status, 201, cur.text);
}

const noReload = (page) => page.evaluate(() => { window.__noReload = true; });
const stillNoReload = async (page) => assert.equal(await page.evaluate(() => window.__noReload === true), true, 'the page was not reloaded');

test('operator (ru): search → person → new case → call → task; the manager sees both live', async (t) => {
  await setup();
  const a = await open(env, t, { locale: 'ru-RU' });
  const page = a.page;
  await signIn(env, page, 'operator');

  // ---- the start page is the search, with the focus in the box ----
  await page.waitForFunction(() => location.hash === '#/search');
  await waitText(page, '.page-head h1', 'Поиск застрахованного');
  await expectFocus(page, 'search-q', 'the search box has the focus');
  await page.waitForSelector('[data-empty="start"]');
  await shot(page, 'operator-search-empty-ru');

  // a query nobody matches says so; Esc empties the box
  await page.keyboard.type('Щщщщщщ');
  await page.waitForSelector('[data-empty="none"]');
  await waitText(page, '[data-empty="none"] .empty-title', 'По запросу «Щщщщщщ» никого не нашлось');
  await shot(page, 'operator-search-none-ru');
  await page.keyboard.press('Escape');
  assert.equal(await page.inputValue('#search-q'), '');
  await page.waitForSelector('[data-empty="start"]');

  // ---- a Latin query finds the Cyrillic name, as you type ----
  await page.keyboard.type('belozerskaya varvara');
  await page.waitForSelector(`#search-list .result[data-person-id="${personId}"]`);
  await page.waitForFunction(() => location.hash.startsWith('#/search?q='));
  const rows = await page.$$eval('#search-list .result', (rs) => rs.map((r) => r.dataset.personId));
  const idx = rows.indexOf(String(personId));
  await waitContains(page, `#search-list .result[data-person-id="${personId}"] .res-name`, 'Белозерская Варвара Игоревна');
  await waitText(page, `#search-list .result[data-person-id="${personId}"] .match-badge`, 'по ФИО');
  await waitContains(page, `#search-list .result[data-person-id="${personId}"] .res-policies`, `OPR-${year}-0001`);
  // arrows move the choice (the focus stays in the box), Enter opens the card
  const selected = () => page.$eval('#search-list .result[aria-selected="true"]', (r) => Number(r.dataset.index));
  assert.equal(await selected(), 0, 'the first result is chosen');
  if (rows.length > 1) {
    await page.keyboard.press('ArrowDown');
    assert.equal(await selected(), 1);
    await page.keyboard.press('ArrowUp');
    assert.equal(await selected(), 0);
  }
  for (let i = 0; i < idx; i++) await page.keyboard.press('ArrowDown');
  assert.equal(await selected(), idx);
  await expectFocus(page, 'search-q');
  assert.equal(await page.getAttribute('#search-q', 'aria-activedescendant'), `res-${personId}`);
  await shot(page, 'operator-search-ru');
  await page.keyboard.press('Enter');

  // ---- the person card ----
  await page.waitForFunction((id) => location.hash === `#/persons/${id}`, personId);
  await waitText(page, '#person-title', 'Белозерская Варвара Игоревна');
  await page.waitForSelector('#person-banner[data-active="true"]');
  await waitContains(page, '#person-banner', `OPR-${year}-0001`);
  // every period, the renewal linked both ways
  await waitContains(page, `#person-policies li[data-number="OPR-${year}-0001"] [data-link="previous"]`, `OPR-${year - 1}-0001`);
  await waitContains(page, `#person-policies li[data-number="OPR-${year - 1}-0001"] [data-link="next"]`, `OPR-${year}-0001`);
  await page.waitForSelector('#person-coverage-table');
  await page.waitForSelector('#person-cases [data-empty="cases"]');
  await shot(page, 'operator-person-ru');
  // Back returns to the same results with the same person chosen; Enter opens the card again
  await page.goBack();
  await page.waitForSelector(`#search-list .result[data-person-id="${personId}"][aria-selected="true"]`);
  assert.equal(await page.inputValue('#search-q'), 'belozerskaya varvara');
  await expectFocus(page, 'search-q');
  await page.keyboard.press('Enter');
  await waitText(page, '#person-title', 'Белозерская Варвара Игоревна');

  // ---- N: no open case, so the form opens at once ----
  await page.keyboard.press('n');
  await page.waitForSelector('#new-case-form');
  assert.equal(await page.evaluate(() => document.activeElement.name), 'type');
  assert.deepEqual(await unlabelled(page), []);
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.name), 'description');
  await page.keyboard.type('Высокая температура, просит врача на дом. Находится по месту жительства.');
  await shot(page, 'operator-new-case-ru');
  const [created] = await Promise.all([
    page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/api/v1/cases'),
    page.keyboard.press('Control+Enter'),
  ]);
  assert.equal(created.status(), 201);
  const caseId = (await created.json()).id;
  await page.waitForFunction((id) => location.hash === `#/cases/${id}`, caseId);
  await waitText(page, '#case-title', `Дело № ${caseId}`);
  await waitText(page, '#case-status .badge', 'Открыто');
  await waitText(page, '#case-policy', `OPR-${year}-0001`);
  // the contact form is ready for the call
  await page.waitForFunction(() => document.activeElement && document.activeElement.name === 'summary');
  assert.deepEqual(await unlabelled(page), [], 'every input of the case screen has a label');

  // ---- the manager (same department) watches the case and the Tasks screen ----
  const b = await open(env, t, { locale: 'ru-RU' });
  await signIn(env, b.page, 'manager');
  await b.page.evaluate((id) => { location.hash = `#/cases/${id}`; }, caseId);
  await waitText(b.page, '#case-title', `Дело № ${caseId}`);
  // opening the case sent the insured an SMS by itself (the case_opened trigger): the log starts with it
  await waitContains(b.page, '#contact-log', 'Исходящее · СМС');
  const b2 = await b.ctx.newPage();
  b2.on('pageerror', (e) => b.problems.push(`page error: ${e.message}`));
  await b2.goto(`${env.server.base}/#/tasks`);
  await b2.waitForSelector('#task-filters');
  await b2.waitForSelector('#tasks-empty:not([hidden]), #tasks-table tbody tr');
  await noReload(b.page);
  await noReload(b2);
  // both pages hear the live stream before anything happens
  await b.page.waitForSelector('html[data-live="open"]');
  await b2.waitForSelector('html[data-live="open"]');

  // ---- log the call: incoming phone call is the default ----
  await page.keyboard.type('Звонок от застрахованной: температура 39, просит врача. Обещали перезвонить.');
  await page.keyboard.press('Control+Enter');
  await waitContains(page, '#contact-log', 'Входящее · Звонок');
  assert.equal(await page.inputValue('#contact-form textarea[name="summary"]'), '', 'the box is ready for the next note');

  // ---- Esc leaves the box, t opens the task form ----
  await page.keyboard.press('Escape');
  await page.keyboard.press('t');
  assert.equal(await page.evaluate(() => document.activeElement.name), 'text');
  await page.keyboard.type('Перезвонить застрахованной и подтвердить визит врача');
  const [taskRes] = await Promise.all([
    page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/api/v1/tasks'),
    page.keyboard.press('Control+Enter'),
  ]);
  assert.equal(taskRes.status(), 201);
  const task = await taskRes.json();
  assert.equal(task.department, 'assistance', 'the task goes to the operator\'s department by default');
  assert.equal(task.assignee_id, null);
  await page.waitForSelector(`#task-list li.task[data-id="${task.id}"]`);
  await waitContains(page, `#task-list li.task[data-id="${task.id}"] .task-meta`, 'через');
  await page.evaluate(() => document.activeElement.blur());
  await page.waitForTimeout(400);
  await shot(page, 'operator-case-ru');

  // ---- the manager saw both without a reload ----
  await waitContains(b.page, '#contact-log', 'температура 39');
  await b.page.waitForSelector(`#task-list li.task[data-id="${task.id}"]`);
  await b2.waitForSelector(`#tasks-table tr[data-id="${task.id}"]`);
  await waitContains(b2, `#tasks-table tr[data-id="${task.id}"] .task-text`, 'Перезвонить застрахованной');
  await waitContains(b2, `#tasks-table tr[data-id="${task.id}"] .col-case`, 'Белозерская');
  await stillNoReload(b.page);
  await stillNoReload(b2);
  assert.deepEqual(await unlabelled(b2), [], 'every filter of the Tasks screen has a label');
  await shot(b.page, 'operator-case-live-manager-ru');
  await shot(b2, 'operator-tasks-live-manager-ru');

  // quality: the caller's score, with the keyboard (arrows move along the 0–10 scale)
  await page.focus('#quality-form input[name="score"][value="8"]');
  await page.keyboard.press('ArrowRight');
  assert.equal(await page.$eval('#quality-form input[name="score"]:checked', (r) => r.value), '9');
  await page.keyboard.press('Tab');
  await page.keyboard.type('Быстро и вежливо');
  await page.keyboard.press('Control+Enter');
  await page.waitForSelector('#quality-list li[data-id]');
  await waitText(page, '#quality-list li .nps-score', '9');
  await page.evaluate(() => document.getElementById('case-quality').scrollIntoView({ block: 'end' }));
  await page.evaluate(() => document.activeElement.blur());
  await shot(page, 'operator-quality-ru');

  // the manager takes the task from the list; the operator's case screen follows
  await b2.click(`#tasks-table tr[data-id="${task.id}"] button[data-action="take"]`);
  await waitContains(b2, `#tasks-table tr[data-id="${task.id}"] .col-assignee`, 'Павел Менеджеров');
  await waitContains(page, `#task-list li.task[data-id="${task.id}"] .task-meta`, 'Павел Менеджеров');
  // and a row opens its case with Enter
  await b2.focus(`#tasks-table tr[data-id="${task.id}"]`);
  await b2.keyboard.press('Enter');
  await b2.waitForFunction((id) => location.hash === `#/cases/${id}`, caseId);

  assert.deepEqual(a.problems, []);
  assert.deepEqual(b.problems, []);
});

test('a caller with an open case is offered that case instead of a duplicate', async (t) => {
  await setup();
  const { page, problems } = await open(env, t, { locale: 'en-US' });
  await signIn(env, page, 'operator');
  await switchLang(page, 'en'); // the operator's saved language is Russian
  await page.evaluate((id) => { location.hash = `#/persons/${id}`; }, personId);
  await waitText(page, '#person-title', 'Белозерская Варвара Игоревна');
  await page.waitForSelector('#person-cases tr.row');
  await page.keyboard.press('n');
  await page.waitForSelector('#case-offer');
  const offered = await page.getAttribute('#case-offer', 'data-case-id');
  await waitText(page, '#offer-h', 'This person already has an open case');
  await waitContains(page, '#continue-case', `Continue case #${offered}`);
  await expectFocus(page, 'continue-case', 'continuing is the default');
  await shot(page, 'operator-offer-en');
  // Esc closes the offer; N again, and Enter continues the open case
  await page.keyboard.press('Escape');
  await page.waitForSelector('#case-offer', { state: 'detached' });
  await page.keyboard.press('n');
  await page.waitForSelector('#case-offer');
  await page.keyboard.press('Enter');
  await page.waitForFunction((id) => location.hash === `#/cases/${id}`, offered);
  await waitText(page, '#case-title', `Case #${offered}`);
  // back on the card, "Open a new case anyway" still opens the form
  await page.goBack();
  await waitText(page, '#person-title', 'Белозерская Варвара Игоревна');
  await page.keyboard.press('n');
  await page.waitForSelector('#case-offer');
  await page.click('#open-new-anyway');
  await page.waitForSelector('#new-case-form');
  assert.equal(await page.evaluate(() => document.activeElement.name), 'type');
  assert.deepEqual(problems, []);
});

test('no active policy: the card says so plainly', async (t) => {
  const sup = new Client(env.server.base);
  await sup.login('supervisor');
  const r = await sup.post('/api/v1/policies', {
    number: `OPR-${year - 2}-0777`, program: 'NORD-DMS-STD', start_date: `${year - 2}-01-01`, end_date: `${year - 2}-12-31`,
    person: { last_name: 'Zhang', first_name: 'Wei', birth_date: '1979-09-30', sex: 'M', phone: '+86 138 0013 8000', language: 'zh' },
  });
  assert.equal(r.status, 201, r.text);
  const { page, problems } = await open(env, t, { locale: 'zh-CN' });
  await signIn(env, page, 'reviewer'); // Chinese
  await page.evaluate((id) => { location.hash = `#/persons/${id}`; }, r.json.person_id);
  await page.waitForSelector('#person-banner[data-active="false"]');
  await waitContains(page, '#person-banner', '今日无有效保单');
  await waitContains(page, '#person-banner', `OPR-${year - 2}-0777`);
  await page.waitForSelector('#person-coverage [data-empty="coverage"]');
  await shot(page, 'person-no-policy-zh');
  assert.deepEqual(problems, []);
});
