// Import of policy lists: a supervisor picks a CSV made here, the check
// (dry run) reports the bad rows with row, column and a translated reason
// and keeps Import off; the fixed file checks clean, Import writes it and
// says what was created; the same file again changes nothing. A wrong file
// type and a dropped file; the template downloads; an operator has no
// import. Screenshots: import-*.png.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useServer, open, shot, waitText, waitContains, textOf, signIn, switchLang, unlabelled, xlsx, expectFocus } from './harness.mjs';

const env = useServer();

const HEAD = 'policy_number,program,packages,start_date,end_date,last_name,first_name,middle_name,birth_date,sex,phone';
const GOOD1 = 'UI-26-0000001,NORD-DMS-STD,OUT DENT,2026-01-01,2026-12-31,Петров,Пётр,Ильич,1980-01-01,M,+7 916 123-45-67';
const BAD2 = 'UI-26-0000002,NORD-DMS-STD,,2026-13-01,2026-12-31,Сидорова,Анна,,1985-05-05,F,';
const GOOD2 = 'UI-26-0000002,NORD-DMS-STD,,01.02.2026,31.12.2026,Сидорова,Анна,,1985-05-05,F,';
const BAD3 = 'UI-26-0000003,NOPE,,2026-01-01,2026-12-31,Smith,John,,1970-02-02,M,';
const GOOD3 = 'UI-26-0000003,ALB-TRAVEL,,2026-01-01,2026-12-31,Smith,John,,1970-02-02,M,+44 20 7946 0958';
const csv = (...rows) => Buffer.from([HEAD, ...rows].join('\r\n') + '\r\n', 'utf8');

async function pick(page, name, buffer, mimeType = 'text/csv') {
  await page.setInputFiles('#import-file', { name, mimeType, buffer });
  await waitText(page, '#file-name', name);
}

async function check(page) {
  const [res] = await Promise.all([
    page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/api/v1/imports/policies'),
    page.click('#check-btn'),
  ]);
  assert.equal(new URL(res.url()).searchParams.get('dry_run'), 'true');
  await page.waitForSelector('#import-report:not([hidden]) #report-alert');
  return res.json();
}

test('supervisor (ru): check shows bad rows, fix, import creates, again changes nothing', async (t) => {
  const { page, problems } = await open(env, t, { locale: 'ru-RU', allow404: ['/api/v1/policies/UI-26-0000001'] });
  await signIn(env, page, 'supervisor');
  await page.evaluate(() => document.activeElement.blur());
  await page.keyboard.press('g');
  await page.keyboard.press('i');
  await page.waitForSelector('#dropzone');
  assert.equal(await page.evaluate(() => location.hash), '#/imports');
  await waitText(page, '.page-head h1', 'Импорт полисов');
  await expectFocus(page, 'choose-file', 'the file button has the focus');
  assert.equal(await page.$eval('#check-btn', (b) => b.disabled), true);
  assert.equal(await page.$eval('#import-btn', (b) => b.disabled), true);
  assert.deepEqual(await unlabelled(page), []);
  await shot(page, 'import-empty-ru');

  // the template
  const href = await page.getAttribute('#template-link', 'href');
  const tpl = await page.evaluate(async (u) => (await fetch(u)).text(), href);
  assert.match(tpl, /^policy_number,program,packages,start_date,end_date/);

  // a file that is neither .xlsx nor .csv is refused here
  await page.setInputFiles('#import-file', { name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('hello') });
  await waitText(page, '#import-status .alert', '«notes.txt» — не .xlsx и не .csv. Сохраните список в одном из этих форматов.');
  assert.equal(await page.$eval('#check-btn', (b) => b.disabled), true);

  // ---- the bad file: row 3 has a bad date, row 4 an unknown program ----
  await pick(page, 'policies-bad.csv', csv(GOOD1, BAD2, BAD3));
  await expectFocus(page, 'check-btn', 'Check is next');
  const rep = await check(page);
  assert.equal(rep.errors, 2);
  await page.waitForSelector('#report-alert[data-state="errors"]');
  await waitText(page, '#report-alert', 'Ошибок: 2, в строках: 2. Ничего не записано. Исправьте эти строки и проверьте снова.');
  await waitText(page, '#report-stats [data-stat="rows"] dd', '3');
  await waitText(page, '#report-stats [data-stat="errors"] dd', '2');
  assert.deepEqual(await page.$$eval('#issues-table tbody tr', (rs) => rs.map((r) => [r.dataset.row, r.dataset.column])),
    [['3', 'start_date'], ['4', 'program']]);
  await waitText(page, '#issues-table tr[data-row="3"] td:nth-child(3)', '«start_date» — не дата (2026-01-31 или 31.01.2026).');
  await waitText(page, '#issues-table tr[data-row="4"] td:nth-child(3)', 'Программы NOPE нет.');
  await waitText(page, '#issues-table thead th:nth-child(2)', 'Столбец');
  assert.equal(await page.$eval('#import-btn', (b) => b.disabled), true, 'no import after a check with problems');
  await shot(page, 'import-errors-ru');

  // ---- the fixed file: clean, then imported ----
  await pick(page, 'policies.csv', csv(GOOD1, GOOD2, GOOD3));
  assert.equal(await page.$('#import-report:not([hidden])'), null, 'a new file clears the old report');
  const clean = await check(page);
  assert.equal(clean.errors, 0);
  await page.waitForSelector('#report-alert[data-state="clean"]');
  await waitText(page, '#report-alert', 'Ошибок нет: можно импортировать строк: 3.');
  assert.equal(await page.$eval('#import-btn', (b) => b.disabled), false, 'Import after a clean check');
  await expectFocus(page, 'import-btn');
  const before = await page.evaluate(async () => (await fetch('/api/v1/policies/UI-26-0000001')).status);
  assert.equal(before, 404, 'the check wrote nothing');
  const [res] = await Promise.all([
    page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/api/v1/imports/policies'),
    page.keyboard.press('Enter'),
  ]);
  assert.equal(new URL(res.url()).searchParams.get('dry_run'), 'false');
  await page.waitForSelector('#report-alert[data-state="applied"]');
  await waitText(page, '#report-alert', 'Импорт выполнен. Создано: 3, изменено: 0, без изменений: 0.');
  await waitText(page, '#report-stats [data-stat="created"] dt', 'Создано');
  await waitText(page, '#report-stats [data-stat="created"] dd', '3');
  assert.equal(await page.$eval('#import-btn', (b) => b.disabled), true, 'one file is imported once');
  await shot(page, 'import-done-ru');
  const pol = await page.evaluate(async () => (await fetch('/api/v1/policies/UI-26-0000002')).json());
  assert.equal(pol.start_date, '2026-02-01');
  assert.equal(pol.person.last_name, 'Сидорова');

  // ---- the same list again: nothing changes ----
  await pick(page, 'policies-again.csv', csv(GOOD1, GOOD2, GOOD3));
  await check(page);
  await page.waitForSelector('#report-alert[data-state="clean"]');
  await Promise.all([
    page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/api/v1/imports/policies'),
    page.click('#import-btn'),
  ]);
  await page.waitForSelector('#report-alert[data-state="applied"]');
  await waitText(page, '#report-stats [data-stat="unchanged"] dd', '3');
  await waitText(page, '#report-stats [data-stat="created"] dd', '0');

  // ---- a file dropped on the page is taken as if chosen ----
  await page.evaluate(() => {
    const dt = new DataTransfer();
    dt.items.add(new File(['policy_number\r\n'], 'dropped.csv', { type: 'text/csv' }));
    const zone = document.getElementById('dropzone');
    zone.dispatchEvent(new DragEvent('dragover', { bubbles: true, cancelable: true, dataTransfer: dt }));
    zone.dispatchEvent(new DragEvent('drop', { bubbles: true, cancelable: true, dataTransfer: dt }));
  });
  await waitText(page, '#file-name', 'dropped.csv');
  await check(page);
  await page.waitForSelector('#report-alert[data-state="errors"]');
  await waitContains(page, '#issues-table', 'Нет обязательного столбца program.');
  await waitText(page, '#issues-table tbody tr:first-child td:first-child', '1');

  // ---- a slow upload shows its progress and can be cancelled ----
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 20, downloadThroughput: -1, uploadThroughput: 40 * 1024 });
  const many = Array.from({ length: 3000 }, (_, i) => `UI-BIG-${String(i).padStart(6, '0')},NORD-DMS-STD,,2026-01-01,2026-12-31,Иванов,Иван,Иванович,1980-01-01,M,`);
  await pick(page, 'big.csv', csv(...many));
  await page.click('#check-btn');
  await page.waitForSelector('#import-progress:not([hidden])');
  await page.waitForFunction(() => /^Загрузка… \d+ %$/.test(document.getElementById('import-progress-text').textContent.replace(/\s+/g, ' ')));
  assert.equal(await page.$eval('#check-btn', (b) => b.disabled), true, 'no second upload meanwhile');
  await shot(page, 'import-progress-ru');
  await page.click('#cancel-btn');
  await waitText(page, '#import-status .alert', 'Проверка отменена.');
  assert.equal(await page.$eval('#import-progress', (p) => p.hidden), true);
  assert.equal(await page.$eval('#check-btn', (b) => b.disabled), false, 'the file can be checked again');
  await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
  assert.deepEqual(problems, []);
});

test('admin (en → zh) at 1920×1080: an .xlsx workbook checked and imported, the report in Chinese; an operator has no import', async (t) => {
  const { page, problems } = await open(env, t, { width: 1920, height: 1080 });
  await signIn(env, page, 'admin');
  await page.evaluate(() => { location.hash = '#/imports'; });
  await page.waitForSelector('#dropzone');
  await switchLang(page, 'zh');
  await waitText(page, '.page-head h1', '导入保单');
  await pick(page, 'zh-bad.csv', csv('ZH-1,HXM-MED,,2026-01-01,2025-12-31,张,伟,,1985-07-12,X,'));
  await check(page);
  await page.waitForSelector('#report-alert[data-state="errors"]');
  await waitText(page, '#issues-table tr[data-column="end_date"] td:nth-child(3)', '终止日期早于起始日期。');
  await waitText(page, '#issues-table tr[data-column="sex"] td:nth-child(3)', '性别必须是 F 或 M（Ж/М、女/男）。');
  await waitText(page, '#report-stats [data-stat="errors"] dt', '问题');
  await page.click('#columns-details summary');
  await shot(page, 'import-errors-zh-1920');

  // an Excel workbook: the same checks, then imported
  const head = HEAD.split(',');
  const row = (s) => s.split(',');
  const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
  await pick(page, '保单.xlsx', xlsx([head, row('ZH-26-0000001,HXM-MED,,2026-01-01,2026-12-31,张,伟,,1985-07-12,男,'),
    row('ZH-26-0000002,HXM-MED,BASIC,2026-01-01,2026-12-31,李,娜,,1990-03-08,Q,')]), XLSX_TYPE);
  await waitText(page, '#file-info .file-kind', 'XLSX');
  const [bad] = await Promise.all([
    page.waitForResponse((r) => new URL(r.url()).pathname === '/api/v1/imports/policies'),
    page.keyboard.press('Control+Enter'),
  ]);
  assert.equal(bad.request().headers()['content-type'], XLSX_TYPE);
  await page.waitForSelector('#report-alert[data-state="errors"]');
  assert.deepEqual(await page.$$eval('#issues-table tbody tr', (rs) => rs.map((r) => [r.dataset.row, r.dataset.column])), [['3', 'sex']]);
  await pick(page, '保单-改.xlsx', xlsx([head, row('ZH-26-0000001,HXM-MED,,2026-01-01,2026-12-31,张,伟,,1985-07-12,男,'),
    row('ZH-26-0000002,HXM-MED,BASIC,2026-01-01,2026-12-31,李,娜,,1990-03-08,女,')]), XLSX_TYPE);
  await check(page);
  await page.waitForSelector('#report-alert[data-state="clean"]');
  await Promise.all([
    page.waitForResponse((r) => new URL(r.url()).pathname === '/api/v1/imports/policies' && r.status() === 200),
    page.click('#import-btn'),
  ]);
  await page.waitForSelector('#report-alert[data-state="applied"]');
  await waitText(page, '#report-alert', '导入完成。新建 2，更新 0，未变 0。');
  const pol = await page.evaluate(async () => (await fetch('/api/v1/policies/ZH-26-0000002')).json());
  assert.deepEqual([pol.person.last_name, pol.person.first_name, pol.person.sex, pol.packages], ['李', '娜', 'F', ['BASIC']]);
  await shot(page, 'import-xlsx-done-zh-1920');
  assert.deepEqual(problems, []);

  const op = await open(env, t, { locale: 'ru-RU' });
  await signIn(env, op.page, 'operator');
  assert.equal(await op.page.$('a[data-nav="imports"]'), null, 'no Import entry for an operator');
  await op.page.evaluate(() => { location.hash = '#/imports'; });
  await op.page.waitForSelector('[data-page="forbidden"]');
  assert.equal(await textOf(op.page, '#msg-title'), 'Нет доступа');
  assert.deepEqual(op.problems, []);
});
