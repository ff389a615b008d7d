// The coverage calculator: from the policy card (c), lines typed with the
// keyboard only (Enter adds a line, Ctrl+Enter evaluates, Ctrl+Delete
// removes one), amounts parsed exactly, per-line results with reasons and
// the limits touched, totals equal to the server's and to the sum of the
// lines; errors name the line's field; the result re-translates in Chinese.
// Screenshots: calculator-*.png.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useServer, open, shot, waitText, waitContains, textOf, signIn, switchLang, unlabelled } from './harness.mjs';

const env = useServer();

const line = (n, col) => `#calc-lines tr.line:nth-child(${n}) input[data-col="${col}"]`;
const res = (n) => `#calc-result-table tr.res-line[data-line="${n}"]`;

test('admin (en): from the card, two lines by keyboard, reasons, limits, totals; zh', async (t) => {
  const { page, problems } = await open(env, t, { allow404: ['/api/v1/policies/NOPE'] });
  await signIn(env, page, 'admin');
  await page.evaluate(() => { location.hash = '#/policies/DEMO-26-0000004'; });
  await page.waitForSelector('#coverage-table');
  await page.evaluate(() => document.activeElement.blur());
  await page.keyboard.press('c');
  await page.waitForFunction(() => location.hash === '#/coverage?policy=DEMO-26-0000004');
  await page.waitForSelector('#calc-policy-summary .person-link');
  assert.equal(await page.evaluate(() => document.activeElement.dataset.col), 'service', 'focus is in the first line');
  assert.deepEqual(await unlabelled(page), []);
  // the service list offers the policy's services by name
  assert.ok(await page.$('#calc-services option[value="MRI"]'));
  assert.equal(await page.$eval('#calc-services option[value="MRI"]', (o) => o.textContent), 'MRI scan');

  // the date: in March
  await page.fill('#calc-form input[name="date"]', '2026-03-10');
  await page.focus(line(1, 'service'));

  // line 1: a specialist visit (a 500.00 per-visit deductible), typed with the keyboard
  await page.keyboard.type('SPEC');
  await waitText(page, '#calc-lines tr.line:nth-child(1) .svc-name', 'Specialist visit · visit');
  await page.keyboard.press('Tab');
  await page.keyboard.press('Tab');
  await page.keyboard.type('2,500');
  // Enter adds a line and moves to it
  await page.keyboard.press('Enter');
  await page.waitForSelector('#calc-lines tr.line:nth-child(2)');
  assert.equal(await page.evaluate(() => document.activeElement.name), 'lines[1].service');
  // line 2: two dental fillings at 4 500.50 (20 % co-payment, at least 500.00)
  await page.keyboard.type('DENT-FILL');
  await page.keyboard.press('Tab');
  await page.keyboard.press('Control+A');
  await page.keyboard.type('2');
  await page.keyboard.press('Tab');
  await page.keyboard.type('4500.50');
  await waitText(page, '#calc-lines tr.line:nth-child(2) .line-amount', '₽9,001.00');
  await waitText(page, '#lines-total', 'Lines total: ₽11,501.00');
  // a third line, then removed with Ctrl+Delete
  await page.keyboard.press('Enter');
  await page.keyboard.type('XRAY');
  await page.keyboard.press('Control+Delete');
  await page.waitForFunction(() => document.querySelectorAll('#calc-lines tr.line').length === 2);

  // a bad price is named on its line, nothing is sent
  await page.fill(line(2, 'unit_price'), '45,00,50');
  await page.keyboard.press('Control+Enter');
  await page.waitForSelector(`${line(2, 'unit_price')}[aria-invalid="true"]`);
  await waitContains(page, '#calc-lines tr.line:nth-child(2) .col-price .field-error', 'Enter an amount in digits');
  await page.fill(line(2, 'unit_price'), '4 500,50');

  // Ctrl+Enter evaluates
  const [resp] = await Promise.all([
    page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/api/v1/coverage/evaluate'),
    page.keyboard.press('Control+Enter'),
  ]);
  const sent = JSON.parse(resp.request().postData());
  assert.deepEqual(sent, {
    policy_number: 'DEMO-26-0000004', date: '2026-03-10',
    lines: [{ service: 'SPEC', quantity: 1, unit_price: 250000 }, { service: 'DENT-FILL', quantity: 2, unit_price: 450050 }],
  });
  const body = await resp.json();
  await page.waitForSelector('#calc-result:not([hidden])');

  // line 1: 2 500.00, 500.00 deductible → 2 000.00 covered
  await waitText(page, `${res(1)} td:nth-child(4)`, '₽2,500.00');
  await waitText(page, `${res(1)} td.covered`, '₽2,000.00');
  await waitText(page, `${res(1)} td.pays`, '₽500.00');
  await waitText(page, `${res(1)} .reasons li[data-code="deductible"]`, 'A deductible applies');
  await waitText(page, `${res(1)} .badge`, 'Partly covered');
  // line 2: 9 001.00, 20 % = 1 800.20 → 7 200.80 covered
  await waitText(page, `${res(2)} td.covered`, '₽7,200.80');
  await waitText(page, `${res(2)} td.pays`, '₽1,800.20');
  // the limits each line touched: remaining before → after
  const touch = (n, key) => `#calc-result-table tr.res-touches[data-line="${n}"] li[data-key="${key}"]`;
  await waitText(page, `${touch(1, 'category:consult|count|month')} .before`, '6');
  await waitText(page, `${touch(1, 'category:consult|count|month')} .after`, '5');
  await waitText(page, `${touch(1, 'category:consult|count|month')} .touch-period`, 'Month (1 – 31 Mar 2026)');
  await waitText(page, `${touch(2, 'package:DENT|amount|policy_year')} .before`, '₽30,000.00');
  await waitText(page, `${touch(2, 'package:DENT|amount|policy_year')} .after`, '₽22,799.20');
  await waitText(page, `${touch(2, 'sum_insured')} .after`, '₽1,490,799.20');
  // totals: the server's, and the sum of the lines
  await waitText(page, '#calc-totals [data-total="amount"]', '₽11,501.00');
  await waitText(page, '#calc-totals [data-total="covered_amount"]', '₽9,200.80');
  await waitText(page, '#calc-totals [data-total="insured_pays"]', '₽2,300.20');
  assert.deepEqual(body.totals, { amount: 1150100, covered_amount: 920080, insured_pays: 230020 });
  assert.equal(body.lines.reduce((s, l) => s + l.covered_amount, 0), body.totals.covered_amount);
  await waitText(page, '#total-pays', '₽2,300.20');
  await shot(page, 'calculator-result-en');

  // a refused line: an implant is excluded from the dental package; the reason is the program's
  await page.focus(line(2, 'unit_price'));
  await page.keyboard.press('Enter');
  await page.keyboard.type('DENT-IMPLANT');
  await page.keyboard.press('Tab');
  await page.keyboard.press('Tab');
  await page.keyboard.type('90000');
  await Promise.all([
    page.waitForResponse((r) => new URL(r.url()).pathname === '/api/v1/coverage/evaluate'),
    page.keyboard.press('Control+Enter'),
  ]);
  await waitText(page, `${res(3)} .reasons li[data-code="excluded"]`, 'Excluded: Implants are outside the dental package');
  await waitText(page, `${res(3)} .badge`, 'Not covered');
  await waitText(page, '#calc-totals [data-total="insured_pays"]', '₽92,300.20');

  // Chinese: labels, reasons and money follow in place
  await switchLang(page, 'zh');
  await waitText(page, '#calc-result-h', '计算结果');
  await waitText(page, `${res(1)} .reasons li[data-code="deductible"]`, '适用免赔额');
  await waitText(page, `${res(3)} .reasons li[data-code="excluded"]`, '除外责任：种植牙不在牙科套餐内');
  await waitText(page, `${res(3)} .badge`, '不承保');
  await waitText(page, '#calc-result-table thead th:nth-child(6)', '被保险人自付');
  await waitText(page, '#calc-lines tr.line:nth-child(1) .svc-name', '专科医生门诊 · 次');
  await page.setViewportSize({ width: 1920, height: 1080 });
  await page.evaluate(() => document.querySelector('#calc-result').scrollIntoView());
  await shot(page, 'calculator-result-zh-1920');

  // an unknown policy is named on its field
  await page.fill('#calc-form input[name="policy_number"]', 'NOPE-1');
  await page.press('#calc-form input[name="policy_number"]', 'Enter');
  await waitText(page, '#calc-form .field[data-field="policy_number"] .field-error', '没有保单 NOPE-1。请核对保险卡上的号码。');
  assert.deepEqual(problems, []);
});

test('operator (ru) at 1366×768: the calculator from the menu, a waiting period and an inactive date', async (t) => {
  const { page, problems } = await open(env, t, { locale: 'ru-RU' });
  await signIn(env, page, 'operator');
  await page.evaluate(() => document.activeElement.blur());
  await page.keyboard.press('g');
  await page.keyboard.press('c');
  await page.waitForSelector('#calc-form');
  await waitText(page, '.page-head h1', 'Расчёт покрытия');
  assert.equal(await page.evaluate(() => document.activeElement.name), 'policy_number');
  await page.keyboard.type('DEMO-26-0000006');
  await page.keyboard.press('Enter');
  await page.waitForSelector('#calc-policy-summary .person-link');
  assert.equal(await page.evaluate(() => document.activeElement.dataset.col), 'service');
  await page.fill('#calc-form input[name="date"]', '2026-01-15');
  await page.focus(line(1, 'service'));
  await page.keyboard.type('DENT-CLEAN');
  await page.keyboard.press('Tab');
  await page.keyboard.press('Tab');
  await page.keyboard.type('3 000');
  await page.keyboard.press('Enter');
  await page.keyboard.type('MRI');
  await page.keyboard.press('Tab');
  await page.keyboard.press('Tab');
  await page.keyboard.type('12000');
  await Promise.all([
    page.waitForResponse((r) => new URL(r.url()).pathname === '/api/v1/coverage/evaluate'),
    page.keyboard.press('Control+Enter'),
  ]);
  await waitText(page, `${res(1)} .reasons li[data-code="waiting_period"]`, 'Не истёк период ожидания');
  await waitText(page, `${res(1)} td.pays`, '3 000,00 ₽');
  await waitText(page, `${res(2)} td.covered`, '12 000,00 ₽');
  await waitText(page, `${res(2)} td.reasons-cell`, 'Покрыто полностью');
  await waitText(page, '#calc-totals th', 'Итого');
  await waitText(page, '#calc-totals [data-total="amount"]', '15 000,00 ₽');
  await shot(page, 'calculator-result-ru');

  // a date outside the term: said by the summary, and every line is refused
  await page.fill('#calc-form input[name="date"]', '2027-03-01');
  await page.dispatchEvent('#calc-form input[name="date"]', 'change');
  await waitContains(page, '#calc-policy-summary', 'не действует на 1 мар. 2027 г.');
  await Promise.all([
    page.waitForResponse((r) => new URL(r.url()).pathname === '/api/v1/coverage/evaluate'),
    page.press('#calc-form input[name="date"]', 'Control+Enter'),
  ]);
  await waitText(page, `${res(2)} .reasons li[data-code="no_active_policy"]`, 'Нет действующего полиса на эту дату');
  await waitText(page, '#calc-totals [data-total="covered_amount"]', '0,00 ₽');
  assert.equal(await textOf(page, '#calc-result-h'), 'Результат');
  assert.deepEqual(problems, []);
});
