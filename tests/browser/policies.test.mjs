// Policies: find by number (a typo is named, what was typed stays), the
// policy card (person, renewal links both ways, active today, remaining
// coverage with a date picker), the supervisor's edit (PATCH) whose diff
// then shows in the history, a version conflict named, and an operator who
// may look but not edit. Screenshots: policy-*.png.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useServer, open, shot, waitText, waitContains, textOf, signIn, switchLang, unlabelled, expectFocus } from './harness.mjs';

const env = useServer();

const rowOf = (key) => `#coverage-table tr[data-key="${key}"]`;

test('supervisor (ru): find, card, coverage on a date, edit → history shows old → new', async (t) => {
  const { page, problems } = await open(env, t, { locale: 'ru-RU', allow404: ['/api/v1/policies/DEMO-99', '/api/v1/policies/demo-26'] });
  await signIn(env, page, 'supervisor');
  // the start page is the search; g then o opens Policies
  await page.waitForFunction(() => location.hash === '#/search');
  await page.keyboard.press('Escape');
  await page.keyboard.press('g');
  await page.keyboard.press('o');
  await page.waitForFunction(() => location.hash === '#/policies');
  await waitText(page, '.page-head h1', 'Полисы');
  await expectFocus(page, 'policy-find', 'the number box has the focus');
  await page.waitForSelector('[data-empty="recent"]');
  await shot(page, 'policy-find-ru');

  // a number that does not exist: named under the box, the text stays
  await page.keyboard.type('DEMO-99-0000001');
  await page.keyboard.press('Enter');
  await waitText(page, '#policy-find-form .field-error', 'Полиса DEMO-99-0000001 нет. Проверьте номер на полисе.');
  assert.equal(await page.inputValue('#policy-find'), 'DEMO-99-0000001');
  assert.equal(await page.getAttribute('#policy-find', 'aria-invalid'), 'true');

  // the right number (typed in lower case: found all the same)
  await page.fill('#policy-find', 'demo-26-0000001');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => location.hash === '#/policies/DEMO-26-0000001');
  await page.waitForSelector('#coverage-table');
  await waitText(page, '#policy-title', 'DEMO-26-0000001');
  await waitText(page, '#policy-status .badge', 'Действует');
  await waitText(page, '#person-name', 'Иванов Матвей Михайлович');
  await waitText(page, '[data-fact="program"] a', 'ДМС «Стандарт»');
  await waitText(page, '[data-fact="packages"]', 'Все пакеты программы');
  await waitText(page, '[data-fact="sum_insured"]', '1 500 000,00 ₽');
  await waitText(page, '#previous-link', 'DEMO-25-0000001');
  await page.waitForSelector('#policy-banner[data-active]');

  // coverage: every limit with used and remaining in its window
  await waitText(page, `${rowOf('sum_insured')} td.num.strong`, '1 500 000,00 ₽');
  await waitText(page, `${rowOf('service:MRI|count|policy_year')} th`, 'Услуга: МРТ MRI');
  await waitText(page, `${rowOf('service:MRI|count|policy_year')} .limit-text`, 'не более 2 за полисный год');
  await waitText(page, `${rowOf('service:MRI|count|policy_year')} td.num.strong`, '2');
  await waitText(page, `${rowOf('package:DENT|amount|policy_year')} td.num.strong`, '30 000,00 ₽');
  await waitText(page, `${rowOf('service:AMB|count|case')} td.num.strong`, 'на случай');
  assert.ok(await page.$(`${rowOf('package:DENT|amount|policy_year')} .bar-fill`), 'a bar shows what remains');

  // another date: the month window moves; out of the term: not active
  await page.fill('#coverage-date', '2026-03-10');
  await page.dispatchEvent('#coverage-date', 'change');
  await waitText(page, `${rowOf('category:consult|count|month')} .window`, '1–31 мар. 2026 г.');
  await page.waitForSelector('.cov-state[data-active="true"]');
  await page.fill('#coverage-date', '2027-02-01');
  await page.dispatchEvent('#coverage-date', 'change');
  await page.waitForSelector('.cov-state[data-active="false"]');
  await waitContains(page, '.cov-state', 'Полис не действует на 1 февр. 2027 г.');
  await page.fill('#coverage-date', '2026-03-10');
  await page.dispatchEvent('#coverage-date', 'change');
  await page.waitForSelector('.cov-state[data-active="true"]');
  await page.waitForSelector('#history-list, #hist-body .empty');
  await shot(page, 'policy-card-ru');

  // the renewal chain: the previous policy says which policy renewed it
  await page.click('#previous-link');
  await page.waitForFunction(() => location.hash === '#/policies/DEMO-25-0000001');
  await waitText(page, '#policy-title', 'DEMO-25-0000001');
  await waitText(page, '#renewed-link', 'DEMO-26-0000001');
  // it ended: the banner says so and points to the policy active today (the demo's 2026 one, while it is 2026)
  await page.waitForSelector('#policy-banner[data-active="false"]');
  const today = await page.evaluate(() => new Date().toLocaleDateString('sv'));
  if (today >= '2026-01-01' && today <= '2026-12-31') await waitText(page, '#active-instead a', 'DEMO-26-0000001');
  await page.goBack();
  await waitText(page, '#policy-title', 'DEMO-26-0000001');

  // ---- edit: `e` opens the form; end date and status change ----
  await page.evaluate(() => document.activeElement.blur());
  await page.keyboard.press('e');
  await page.waitForSelector('#policy-edit-form');
  assert.equal(await page.evaluate(() => document.activeElement.name), 'status');
  assert.deepEqual(await unlabelled(page), []);
  // a date out of order is named before anything is sent
  await page.fill('#policy-edit-form input[name="end_date"]', '2025-12-31');
  await page.press('#policy-edit-form input[name="end_date"]', 'Control+Enter');
  await waitText(page, '#policy-edit-form .field[data-field="end_date"] .field-error', 'Дата окончания раньше даты начала.');
  // a bad amount is named too
  await page.fill('#policy-edit-form input[name="end_date"]', '2027-06-30');
  await page.fill('#policy-edit-form input[name="sum_insured"]', '1 500 000,005');
  await page.press('#policy-edit-form input[name="sum_insured"]', 'Control+Enter');
  await waitText(page, '#policy-edit-form .field[data-field="sum_insured"] .field-error', 'У этой валюты после запятой знаков: 2.');
  await page.fill('#policy-edit-form input[name="sum_insured"]', '1 750 000,50');
  await page.selectOption('#policy-edit-form select[name="status"]', 'suspended');
  await shot(page, 'policy-edit-ru');
  const [res] = await Promise.all([
    page.waitForResponse((r) => r.request().method() === 'PATCH' && new URL(r.url()).pathname === '/api/v1/policies/DEMO-26-0000001'),
    page.press('#policy-edit-form select[name="status"]', 'Control+Enter'),
  ]);
  assert.equal(res.status(), 200);
  const sent = JSON.parse(res.request().postData());
  assert.deepEqual(sent, { status: 'suspended', end_date: '2027-06-30', sum_insured: 175000050, version: 1 });
  await page.waitForSelector('#policy-edit-form', { state: 'detached' });
  await waitText(page, '#policy-status .badge', 'Приостановлен');
  await waitText(page, '#policy-version', 'версия 2');
  await page.waitForSelector('#policy-banner[data-active="false"]');
  await waitText(page, '#policy-banner', 'Сегодня не действует Статус полиса: Приостановлен.');

  // the history: who, when, field: old → new
  const upd = '#history-list li[data-action="update"]';
  await page.waitForSelector(`${upd} .diff-row[data-field="end_date"]`);
  await waitText(page, `${upd} .diff-row[data-field="end_date"] dt`, 'Дата окончания');
  await waitText(page, `${upd} .diff-row[data-field="end_date"] del`, '31 дек. 2026 г.');
  await waitText(page, `${upd} .diff-row[data-field="end_date"] ins`, '30 июн. 2027 г.');
  await waitText(page, `${upd} .diff-row[data-field="status"] del`, 'Действует');
  await waitText(page, `${upd} .diff-row[data-field="status"] ins`, 'Приостановлен');
  await waitText(page, `${upd} .diff-row[data-field="sum_insured"] del`, '1 500 000,00 ₽');
  await waitText(page, `${upd} .diff-row[data-field="sum_insured"] ins`, '1 750 000,50 ₽');
  await waitContains(page, `${upd} .hist-meta`, 'supervisor');
  await waitContains(page, `${upd} .hist-meta`, 'версия 2');
  assert.deepEqual(await page.$$eval(`${upd} .diff-row`, (rows) => rows.map((r) => r.dataset.field)),
    ['status', 'end_date', 'sum_insured'], 'fields in a fixed order; bookkeeping fields are not shown');
  await page.evaluate(() => document.getElementById('policy-history').scrollIntoView());
  await shot(page, 'policy-history-ru');

  // ---- someone else saves meanwhile: the conflict is said, what was typed stays ----
  await page.keyboard.press('e');
  await page.waitForSelector('#policy-edit-form');
  await page.evaluate(async () => {
    const me = await (await fetch('/api/v1/me')).json();
    await fetch('/api/v1/policies/DEMO-26-0000001', {
      method: 'PATCH', headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': me.csrf_token },
      body: JSON.stringify({ status: 'active' }),
    });
  });
  await page.fill('#policy-edit-form input[name="end_date"]', '2027-12-31');
  await page.press('#policy-edit-form input[name="end_date"]', 'Control+Enter');
  await waitContains(page, '#policy-edit-form .form-alert', 'Полис только что изменил кто-то другой');
  assert.equal(await page.inputValue('#policy-edit-form input[name="end_date"]'), '2027-12-31');
  // Esc: the first warns (unsaved), the second closes
  await page.keyboard.press('Escape');
  await page.waitForSelector('.toast[data-i18n="toast.unsaved_esc"]');
  await page.keyboard.press('Escape');
  await page.waitForSelector('#policy-edit-form', { state: 'detached' });

  // the policy is in "opened lately"
  await page.keyboard.press('g');
  await page.keyboard.press('o');
  await page.waitForSelector('#recent-table tr.row[data-number="DEMO-26-0000001"]');
  assert.deepEqual(await page.$$eval('#recent-table tr.row', (rs) => rs.map((r) => r.dataset.number)), ['DEMO-26-0000001', 'DEMO-25-0000001']);
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => location.hash === '#/policies/DEMO-26-0000001');
  await page.waitForSelector('#coverage-table');
  assert.deepEqual(problems, []);
});

test('reviewer (zh, then en): may look, not edit; the card at 1920×1080; c opens the calculator', async (t) => {
  const { page, problems } = await open(env, t, { width: 1920, height: 1080 });
  await signIn(env, page, 'reviewer');
  await page.evaluate(() => { location.hash = '#/policies/DEMO-26-0000003'; });
  await page.waitForSelector('#coverage-table');
  // the reviewer's saved language is Chinese
  await waitText(page, '#cov-h', '剩余保障');
  await waitText(page, '#policy-status .badge', '有效');
  await waitText(page, '[data-fact="sum_insured"]', '₽1,500,000.00');
  assert.equal(await page.$('#edit-btn'), null, 'no edit button');
  await page.evaluate(() => document.activeElement.blur());
  await page.keyboard.press('e');
  await page.waitForTimeout(200);
  assert.equal(await page.$('#policy-edit-form'), null, 'e does nothing for a reviewer');
  await page.waitForSelector('#hist-body .empty, #history-list');
  await shot(page, 'policy-card-zh-1920');

  // the same card in English
  await switchLang(page, 'en');
  await waitText(page, '#cov-h', 'Remaining coverage');
  await waitText(page, `${rowOf('service:HOSP-DAY|days|policy_year')} .limit-text`, 'up to 20 days per policy year');
  await waitText(page, `${rowOf('service:HOSP-DAY|days|policy_year')} td.num.strong`, '20 days');
  // `c` opens the calculator for this policy
  await page.keyboard.press('c');
  await page.waitForFunction(() => location.hash.startsWith('#/coverage?policy=DEMO-26-0000003'));
  await page.waitForSelector('#calc-policy-summary a');
  assert.equal(await page.inputValue('#calc-form input[name="policy_number"]'), 'DEMO-26-0000003');
  assert.ok((await textOf(page, '#calc-policy-summary a')).length > 3, 'the insured is named');
  assert.deepEqual(problems, []);
});

test('live: a change made by another user shows on an open card without a reload', async (t) => {
  const a = await open(env, t, { locale: 'ru-RU' });
  await signIn(env, a.page, 'operator');
  await a.page.goto(`${env.server.base}/#/policies/DEMO-26-0000009`);
  await a.page.waitForSelector('#coverage-table');
  await waitText(a.page, '#policy-status .badge', 'Действует');
  // a second browser context, the supervisor, suspends the policy
  const b = await open(env, t, { locale: 'zh-CN' });
  await signIn(env, b.page, 'supervisor');
  const status = await b.page.evaluate(async () => {
    const me = await (await fetch('/api/v1/me')).json();
    const r = await fetch('/api/v1/policies/DEMO-26-0000009', {
      method: 'PATCH', headers: { 'content-type': 'application/json', 'x-csrf-token': me.csrf_token },
      body: JSON.stringify({ status: 'suspended' }),
    });
    return r.status;
  });
  assert.equal(status, 200);
  // the operator's card follows, the history shows the change, no reload happened
  const marker = await a.page.evaluate(() => { window.__noReload = true; return true; });
  assert.ok(marker);
  await waitText(a.page, '#policy-status .badge', 'Приостановлен');
  await a.page.waitForSelector('.toast');
  assert.match(await textOf(a.page, '.toast'), /Полис изменён другим пользователем: теперь версия 2/);
  await shot(a.page, 'policy-live-ru');
  await waitContains(a.page, '#hist-body', 'supervisor');
  assert.equal(await a.page.evaluate(() => window.__noReload === true), true, 'the page was not reloaded');
  assert.deepEqual(a.problems, []);
  assert.deepEqual(b.problems, []);
});
