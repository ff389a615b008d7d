// Programs: the list (names in the UI language, money exact, a filter that
// also finds services), the viewer (packages → categories → services with
// their limits, deductibles, conditions, exclusions, program-wide rules),
// keyboard use, and the admin's "Edit as JSON" with a server error that
// names the field. Screenshots: programs-*.png.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useServer, open, shot, waitText, waitContains, textOf, signIn, switchLang, norm, unlabelled } from './harness.mjs';

const env = useServer();

test('operator (ru): list, filter by a service, viewer with limits, keyboard only', async (t) => {
  const { page, problems } = await open(env, t, { locale: 'ru-RU' });
  await signIn(env, page, 'operator');
  // the operator's saved language is Russian; the start page is the search
  await page.waitForFunction(() => location.hash === '#/search');
  await waitText(page, 'a[data-nav="programs"]', 'Программы');

  // g then r opens Programs
  await page.evaluate(() => document.activeElement.blur());
  await page.keyboard.press('g');
  await page.keyboard.press('r');
  await page.waitForSelector('#programs-table tbody tr.row');
  assert.equal(await page.evaluate(() => location.hash), '#/programs');
  assert.deepEqual(await page.$$eval('#programs-table tr.row', (rs) => rs.map((r) => r.dataset.code)),
    ['ALB-TRAVEL', 'HXM-MED', 'NORD-DMS-STD']);
  await waitText(page, '#programs-table tr[data-code="NORD-DMS-STD"] .prog-name', 'ДМС «Стандарт»');
  // 150000000 kopecks, exactly, the Russian way
  await waitText(page, '#programs-table tr[data-code="NORD-DMS-STD"] td.num .money', '1 500 000,00 ₽');
  await waitText(page, '#programs-table tr[data-code="HXM-MED"] td.num .money', '500 000,00 ¥');
  // the contract dates come from each program's definition
  await waitText(page, '#programs-table tr[data-code="NORD-DMS-STD"] .contract-cell .dates', '1 янв. – 31 дек. 2026 г.');
  assert.equal(await page.evaluate(() => document.activeElement.type), 'search', 'the filter has the focus');
  await shot(page, 'programs-list-ru');

  // the filter finds programs by the services they hold ("МРТ" is a service name)
  await page.keyboard.type('МРТ');
  await page.waitForFunction(() => document.querySelectorAll('#programs-table tr.row:not([hidden])').length === 1);
  assert.equal(await page.$eval('#programs-table tr.row:not([hidden])', (r) => r.dataset.code), 'NORD-DMS-STD');
  await waitText(page, '.list-head .count', '1 из 3');
  await page.keyboard.type('zzz');
  await page.waitForSelector('.empty:not([hidden]) .empty-title');
  await waitContains(page, '.empty .empty-title', 'Нет программ по запросу');
  for (let i = 0; i < 3; i++) await page.keyboard.press('Backspace');
  await page.waitForFunction(() => document.querySelectorAll('#programs-table tr.row:not([hidden])').length === 1);

  // ↓ moves into the list, Enter opens the viewer
  await page.keyboard.press('ArrowDown');
  assert.equal(await page.evaluate(() => document.activeElement.dataset.code), 'NORD-DMS-STD');
  await page.keyboard.press('Enter');
  await page.waitForSelector('#program-tree');
  assert.equal(await page.evaluate(() => location.hash), '#/programs/NORD-DMS-STD');
  await waitText(page, '#program-title', 'ДМС «Стандарт»');
  await waitText(page, '[data-fact="sum-insured"] .money', '1 500 000,00 ₽');

  // the tree: package → category → service, each with its rules
  const mri = 'li.svc[data-service="MRI"]';
  await waitText(page, `.tree-pkg[data-package="OUT"] .tree-cat[data-category="diagnostics"] ${mri} .svc-name`, 'МРТ');
  await waitText(page, `${mri} .rule-limit`, 'Лимит не более 2 за полисный год');
  await waitText(page, '.tree-pkg[data-package="OUT"] > .node-body > .rules .rule-limit', 'Лимит до 150 000,00 ₽ в квартал');
  await waitText(page, '.tree-pkg[data-package="DENT"] > .node-body > .rules .rule-deductible',
    'Франшиза доплата 20 %, не менее 500,00 ₽, не более 5 000,00 ₽');
  await waitText(page, '.tree-pkg[data-package="DENT"] > .node-body > .rules .rule-waiting', 'Период ожидания 30 дней с начала действия полиса');
  await waitText(page, 'li.svc[data-service="PREG-CARE"] .rule-condition', 'Условие только женщины, возраст 16–50');
  await waitText(page, 'li.svc[data-service="HOSP-DAY"] .rule-limit', 'Лимит не более 20 дней за полисный год');
  await waitText(page, 'li.svc[data-service="AMB"] .rule-limit', 'Лимит не более 2 на страховой случай');
  // program-wide: the sum insured; exclusions with level, match and reason
  await waitText(page, '#program-rules .rule-sum', 'Страховая сумма 1 500 000,00 ₽ за срок полиса');
  assert.equal(await page.$$eval('#exclusions-list li.excl', (li) => li.length), 3);
  await waitContains(page, '#exclusions-list li[data-level="general"]', 'F10–F19');
  await waitContains(page, '#exclusions-list li[data-level="general"] .excl-reason', 'Заболевания, вызванные алкоголем');
  await waitContains(page, '#exclusions-list li[data-level="package"] .excl-level', 'Стоматология');
  assert.equal(await page.$('#program-edit'), null, 'an operator gets no editor');
  await shot(page, 'programs-viewer-ru');

  // `/` finds a service in the tree; Esc clears the search, a second Esc goes back to the list
  await page.keyboard.press('/');
  await page.keyboard.type('пломба');
  await page.waitForFunction(() => [...document.querySelectorAll('#program-tree li.svc')].filter((li) => !li.hidden).length === 1);
  assert.equal(await page.$eval('#program-tree li.svc:not([hidden])', (li) => li.dataset.service), 'DENT-FILL');
  assert.equal(await page.$eval('.tree-pkg[data-package="OUT"]', (d) => d.hidden), true);
  await page.keyboard.press('Escape');
  await page.waitForFunction(() => [...document.querySelectorAll('#program-tree li.svc')].every((li) => !li.hidden));
  await page.keyboard.press('Escape');
  await page.waitForFunction(() => location.hash === '#/programs');
  await page.waitForSelector('#programs-table tr.row:not([hidden])');
  assert.equal(await page.evaluate(() => document.activeElement.dataset.code), 'NORD-DMS-STD', 'focus returns to the program');
  assert.equal(await page.inputValue('.list-tools input[type="search"]'), 'МРТ', 'the filter is kept');
  assert.deepEqual(await unlabelled(page), []);
  assert.deepEqual(problems, []);
});

test('admin (en → zh): viewer at 1920×1080, Edit as JSON saves a new version, a bad field is named', async (t) => {
  const { page, problems } = await open(env, t, { width: 1920, height: 1080 });
  await signIn(env, page, 'admin');
  await page.evaluate(() => { location.hash = '#/programs/HXM-MED'; });
  await page.waitForSelector('#program-tree');
  await waitText(page, '#program-title', 'Outpatient and inpatient care');
  await waitText(page, '[data-fact="sum-insured"] .money', '¥500,000.00');
  await waitText(page, 'li.svc[data-service="OPD-MED"] .rule-deductible', 'Deductible 10% co-payment');
  await waitText(page, 'li.svc[data-service="IPD-DAY"] .rule-limit', 'Limit up to 30 days per assistance case');
  await waitText(page, '.tree-pkg[data-package="TCM"] > .node-body > .rules .rule-waiting', 'Waiting period 60 days after the policy starts');
  await shot(page, 'programs-viewer-en-1920');

  // the editor: a bad period is refused and the message names the field
  await page.click('#program-json-details summary');
  const ta = '#program-json';
  const def = JSON.parse(await page.inputValue(ta));
  assert.equal(def.code, 'HXM-MED');
  assert.equal(def.version, undefined, 'bookkeeping fields are not in the editor');
  def.limits[2].period = 'decade';
  await page.fill(ta, JSON.stringify(def, null, 2));
  await Promise.all([
    page.waitForResponse((r) => r.request().method() === 'PUT'),
    page.press(ta, 'Control+Enter'),
  ]);
  await page.waitForSelector(`${ta}[aria-invalid="true"]`);
  const msg = await textOf(page, '#program-json-form .field-error');
  assert.match(msg, /limits\[2\]\.period/, `the error names the field: ${msg}`);
  assert.equal(JSON.parse(await page.inputValue(ta)).limits[2].period, 'decade', 'what was typed stays');

  // not JSON at all: said before anything is sent
  await page.fill(ta, '{"code": "HXM-MED",');
  await page.press(ta, 'Control+Enter');
  await waitContains(page, '#program-json-form .field-error', 'The text is not valid JSON');

  // a real change: the sum insured; a new version, and the viewer shows it
  def.limits[2].period = 'quarter';
  def.sum_insured = 60000050;
  await page.fill(ta, JSON.stringify(def, null, 2));
  await Promise.all([
    page.waitForResponse((r) => r.request().method() === 'PUT' && r.status() === 200),
    page.press(ta, 'Control+Enter'),
  ]);
  await waitText(page, '.page-head .sub', 'version 2');
  await waitText(page, '[data-fact="sum-insured"] .money', '¥600,000.50');

  // Chinese: names and rules follow the language in place
  await switchLang(page, 'zh');
  await waitText(page, '#program-title', '门诊及住院医疗');
  await waitText(page, 'li.svc[data-service="IPD-DAY"] .rule-limit', '限额 每个救援案件最多 30天');
  await waitText(page, '#tree-h', '套餐与服务');
  assert.equal(norm(await textOf(page, '[data-fact="sum-insured"] .money')), '¥600,000.50');
  await shot(page, 'programs-viewer-zh-1920');
  assert.deepEqual(problems, []);
});
