// The Templates screen (issue 5, admins): pick a template, edit it with the
// live preview (rendered text, SMS parts, GSM-7 or UCS-2, the fault with
// its line and column), save a new version; switch a trigger off and on;
// add, rename and delete a holiday. Screenshots: templates-*.png.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useServer, open, shot, waitText, waitContains, signIn, switchLang, unlabelled, expectFocus } from './harness.mjs';
import { Client } from '../lib/server.mjs';

const env = useServer();

test('templates: edit with a live preview, save a version, toggle a trigger', async (t) => {
  const { page, problems } = await open(env, t);
  await signIn(env, page, 'admin');
  // Templates is an admin's screen in the user menu (the bar keeps room for the work screens)
  await page.click('#usermenu-btn');
  await page.click('#usermenu a[data-nav="templates"]');
  await page.waitForSelector('#tpl-table tr[data-key="renewal_due/sms/ru"]');
  await page.click('button[data-edit="renewal_due/sms/ru"]');
  await page.waitForSelector('#tpl-text');
  // the preview of the stored text with the sample values: Cyrillic, UCS-2
  await page.waitForSelector('#tpl-measure[data-coding="UCS-2"]');
  await waitContains(page, '#tpl-out', 'POL-26-0000042');

  // a typo: the fault with its place, live
  await page.fill('#tpl-text', 'Hello {{first_name}},\nyour policy {{policy_number ends');
  await page.waitForSelector('#tpl-preview .tpl-fault');
  await waitContains(page, '#tpl-preview .tpl-fault', 'Line 2, column 13');
  await shot(page, 'templates-fault');

  // fixed: GSM-7, one part, the values in place
  await page.fill('#tpl-text', 'Hello {{first_name}}, your policy {{policy_number}} ends on {{end_date}}.');
  await page.waitForSelector('#tpl-measure[data-coding="GSM-7"][data-parts="1"]');
  await waitText(page, '#tpl-out', 'Hello Anna, your policy POL-26-0000042 ends on 2026-12-31.');
  await page.fill('#tpl-var-first_name', 'Boris');
  await waitText(page, '#tpl-out', 'Hello Boris, your policy POL-26-0000042 ends on 2026-12-31.');
  await shot(page, 'templates-preview');
  await page.click('#tpl-save');
  await waitContains(page, '#tpl-status', 'version 2');
  await waitText(page, '#tpl-table tr[data-key="renewal_due/sms/ru"] td:nth-child(4)', '2');
  const c = new Client(env.server.base);
  await c.login('admin');
  const saved = (await c.get('/api/v1/templates/renewal_due/sms/ru')).json;
  assert.equal(saved.text, 'Hello {{first_name}}, your policy {{policy_number}} ends on {{end_date}}.');
  assert.equal(saved.version, 2);

  // a trigger off and on
  const first = await page.$eval('#trg-table tbody tr', (tr) => tr.dataset.trigger);
  await page.click(`#trg-on-${first}`);
  await page.waitForFunction(async (id) => {
    const r = await fetch('/api/v1/triggers');
    return !(await r.json()).items.find((x) => String(x.id) === id).enabled;
  }, first);
  await page.click(`#trg-on-${first}`);
  await page.waitForFunction(async (id) => {
    const r = await fetch('/api/v1/triggers');
    return (await r.json()).items.find((x) => String(x.id) === id).enabled;
  }, first);

  assert.deepEqual(await unlabelled(page), []);
  await switchLang(page, 'ru');
  await page.waitForSelector('h1:has-text("Шаблоны сообщений")');
  await shot(page, 'templates-ru');
  await switchLang(page, 'zh');
  await page.waitForSelector('h1:has-text("消息模板")');
  await switchLang(page, 'en');
  assert.deepEqual(problems, []);
});

// The trigger editor under the triggers: add one by the keyboard (a refused
// value shown next to its field, what was typed kept), change every kind of
// field of it, see it listed; Esc closes the form. Screenshots:
// templates-trigger-{error,en,ru,zh}.png.
test('triggers: add one, change it, see it listed', async (t) => {
  const { page, problems } = await open(env, t);
  await signIn(env, page, 'admin');
  await page.click('#usermenu-btn');
  await page.click('#usermenu a[data-nav="templates"]');
  await page.waitForSelector('#trg-table tbody tr');
  const c = new Client(env.server.base);
  await c.login('admin');
  const before = (await c.get('/api/v1/triggers')).json.items.map((x) => x.id);

  // a new trigger: the lapse warning a week before a policy ends
  await page.click('#trg-new');
  await page.waitForSelector('#trg-form');
  await expectFocus(page, 'trg-event', 'the form opens with the event focused');
  assert.equal(await page.isVisible('#trg-offset-days'), false, 'no days for a case event');
  assert.equal(await page.isVisible('#trg-department'), false);
  await page.selectOption('#trg-event', 'lapse_warning');
  assert.equal(await page.inputValue('#trg-template'), 'lapse_warning', 'the event\'s own template is offered');
  assert.equal(await page.isVisible('#trg-offset-days'), true);
  // a value the server refuses: the error by the field, the rest kept
  await page.fill('#trg-offset-days', '400');
  await page.press('#trg-offset-days', 'Control+Enter');
  await page.waitForSelector('#trg-offset-days[aria-invalid="true"]');
  await page.waitForSelector('#trg-offset-days-err:not([hidden])');
  await waitContains(page, '#trg-offset-days-err', 'from −366 to 366');
  await expectFocus(page, 'trg-offset-days');
  assert.equal(await page.inputValue('#trg-event'), 'lapse_warning');
  await shot(page, 'templates-trigger-error');
  assert.deepEqual((await c.get('/api/v1/triggers')).json.items.map((x) => x.id), before, 'nothing added');
  await page.fill('#trg-offset-days', '7');
  await page.press('#trg-offset-days', 'Control+Enter');
  await page.waitForSelector('#trg-list .trg-saved');
  let all = (await c.get('/api/v1/triggers')).json.items;
  const made = all.find((x) => !before.includes(x.id));
  assert.ok(made, 'a trigger was added');
  assert.deepEqual([made.event, made.channel, made.template, made.audience, made.class, made.offset_days, made.urgent, made.enabled],
    ['lapse_warning', 'sms', 'lapse_warning', 'person', 'service', 7, false, true]);
  const row = `#trg-table tr[data-trigger="${made.id}"]`;
  await waitContains(page, `${row} td:nth-child(2)`, 'Lapse warning');
  await waitText(page, `${row} td:nth-child(7)`, '7');
  assert.equal(await page.isVisible('#trg-form'), false, 'the form closes once saved');
  assert.equal(await page.evaluate(() => document.activeElement.dataset.editTrigger), String(made.id), 'the focus on the row\'s Edit');

  // change it: a staff notice by email to the claims department when a case closes, off for now
  await page.click(`button[data-edit-trigger="${made.id}"]`);
  await page.waitForSelector('#trg-form');
  assert.equal(await page.inputValue('#trg-offset-days'), '7');
  await page.selectOption('#trg-event', 'case_closed');
  assert.equal(await page.isVisible('#trg-offset-days'), false);
  await page.selectOption('#trg-channel', 'email');
  await page.selectOption('#trg-template', 'staff_notice');
  await page.selectOption('#trg-audience', 'department');
  await page.selectOption('#trg-department', 'claims');
  await page.check('#trg-urgent');
  await page.uncheck('#trg-enabled');
  await page.click('#trg-save');
  await page.waitForSelector('#trg-list .trg-saved');
  all = (await c.get('/api/v1/triggers')).json.items;
  const changed = all.find((x) => x.id === made.id);
  assert.deepEqual([changed.event, changed.channel, changed.template, changed.audience, changed.urgent, changed.enabled, changed.offset_days],
    ['case_closed', 'email', 'staff_notice', 'department:claims', true, false, 0]);
  assert.equal(all.length, before.length + 1, 'changed, not added');
  await waitContains(page, `${row} td:nth-child(2)`, 'Case closed');
  await waitContains(page, `${row} td:nth-child(5)`, 'Claims');
  await waitContains(page, `${row} td:nth-child(6)`, 'urgent');
  assert.equal(await page.isChecked(`#trg-on-${made.id}`), false);

  // a refused change names its field: the sending window of a class that is gone
  await page.click(`button[data-edit-trigger="${made.id}"]`);
  await page.waitForSelector('#trg-form');
  await page.evaluate(() => { const s = document.querySelector('#trg-class'); s.append(new Option('nightly', 'nightly')); s.value = 'nightly'; });
  await page.press('#trg-class', 'Control+Enter');
  await page.waitForSelector('#trg-class[aria-invalid="true"]');
  await waitContains(page, '#trg-class-err', 'no sending window');
  // Esc closes the form without saving
  await page.keyboard.press('Escape');
  await page.waitForSelector('#trg-editor', { state: 'hidden' });
  assert.equal(await page.evaluate(() => document.activeElement.dataset.editTrigger), String(made.id), 'the focus back on the row');
  assert.equal((await c.get('/api/v1/triggers')).json.items.find((x) => x.id === made.id).class, 'service');

  await page.click(`button[data-edit-trigger="${made.id}"]`);
  await page.waitForSelector('#trg-form');
  assert.deepEqual(await unlabelled(page), []);
  await shot(page, 'templates-trigger-en');
  await switchLang(page, 'ru');
  await waitContains(page, '#trg-form h2', 'Триггер');
  await waitContains(page, `${row} td:nth-child(5)`, 'Урегулирование убытков');
  await shot(page, 'templates-trigger-ru');
  await switchLang(page, 'zh');
  await waitContains(page, '#trg-form h2', '触发器');
  await shot(page, 'templates-trigger-zh');
  await switchLang(page, 'en');
  assert.deepEqual(problems, []);
});

// The holidays under the triggers: the seeded ones listed with their date
// in the UI language; one added by the keyboard (month and day pickers, a
// name), a day the server refuses shown next to the day, a day that is one
// already refused before anything is sent, renamed in the row, deleted
// after a confirmation in the row (Esc keeps it). Screenshots:
// templates-holidays-{error,rename,en,ru,zh,delete}.png.
test('holidays: add one, rename it, delete it', async (t) => {
  const { page, problems } = await open(env, t);
  await signIn(env, page, 'admin');
  await page.click('#usermenu-btn');
  await page.click('#usermenu a[data-nav="templates"]');
  await page.waitForSelector('#hol-table tr[data-holiday="03-08"]');
  const c = new Client(env.server.base);
  await c.login('admin');
  const list = async () => (await c.get('/api/v1/holidays')).json.items.map((x) => [x.month_day, x.name]);
  const before = await list();
  await waitText(page, '#hol-table tr[data-holiday="03-08"] td.hol-date', '8 March');
  await waitText(page, '#hol-table tr[data-holiday="01-01"] td.hol-name', 'New Year');
  // the demo has no holiday trigger: the list says nobody is greeted yet
  await waitContains(page, '#hol-no-trigger', 'No holiday trigger is on');

  // a day that is a holiday already: said before anything is sent
  await page.focus('#hol-month');
  await page.selectOption('#hol-month', '03');
  await page.selectOption('#hol-day', '08');
  await page.fill('#hol-name', 'Spring Day');
  await page.press('#hol-name', 'Enter');
  await page.waitForSelector('#hol-day[aria-invalid="true"]');
  await waitContains(page, '#hol-date-err', 'International Women');
  assert.deepEqual(await list(), before, 'nothing sent');

  // February has 29 days; a day the server refuses is shown by the day, what was typed kept
  await page.selectOption('#hol-month', '02');
  assert.equal(await page.$$eval('#hol-day option', (o) => o.length), 29);
  await page.evaluate(() => { const s = document.querySelector('#hol-day'); s.append(new Option('30', '30')); s.value = '30'; });
  await page.press('#hol-name', 'Control+Enter');
  await page.waitForSelector('#hol-day[aria-invalid="true"]');
  await waitContains(page, '#hol-date-err', 'day that exists');
  await expectFocus(page, 'hol-day');
  assert.equal(await page.inputValue('#hol-name'), 'Spring Day');
  await page.locator('.hol-section').scrollIntoViewIfNeeded();
  await shot(page, 'templates-holidays-error');
  assert.deepEqual(await list(), before, 'nothing added');

  // added: 9 May, by the keyboard
  await page.selectOption('#hol-month', '05');
  await page.selectOption('#hol-day', '09');
  await page.fill('#hol-name', 'Victory Day');
  await page.press('#hol-name', 'Enter');
  await page.waitForSelector('#hol-table tr[data-holiday="05-09"]');
  await waitText(page, '#hol-table tr[data-holiday="05-09"] td.hol-date', '9 May');
  await waitContains(page, '#hol-list .hol-saved', 'Victory Day');
  assert.deepEqual(await list(), [...before, ['05-09', 'Victory Day']].sort((a, b) => a[0].localeCompare(b[0])));
  assert.equal(await page.inputValue('#hol-name'), '', 'the form is ready for the next one');
  const order = await page.$$eval('#hol-table tbody tr', (trs) => trs.map((tr) => tr.dataset.holiday));
  assert.deepEqual(order, [...order].sort(), 'by month and day');

  // renamed in the row: Enter saves; Esc puts the row back
  await page.click('button[data-rename-holiday="05-09"]');
  await expectFocus(page, 'hol-rename');
  await page.fill('#hol-rename', 'Changed my mind');
  await page.keyboard.press('Escape');
  await waitText(page, '#hol-table tr[data-holiday="05-09"] td.hol-name', 'Victory Day');
  assert.equal(await page.evaluate(() => document.activeElement.dataset.renameHoliday), '05-09');
  await page.keyboard.press('Enter');
  await expectFocus(page, 'hol-rename');
  await page.fill('#hol-rename', 'День Победы');
  await shot(page, 'templates-holidays-rename');
  await page.press('#hol-rename', 'Enter');
  await waitText(page, '#hol-table tr[data-holiday="05-09"] td.hol-name', 'День Победы');
  assert.deepEqual((await list()).find((x) => x[0] === '05-09'), ['05-09', 'День Победы']);

  assert.deepEqual(await unlabelled(page), []);
  await page.locator('.hol-section').scrollIntoViewIfNeeded();
  await shot(page, 'templates-holidays-en');
  await switchLang(page, 'ru');
  await waitText(page, '#hol-table tr[data-holiday="05-09"] td.hol-date', '9 мая');
  await waitText(page, '#hol-title', 'Праздники');
  await page.locator('.hol-section').scrollIntoViewIfNeeded();
  await shot(page, 'templates-holidays-ru');
  await switchLang(page, 'zh');
  await waitText(page, '#hol-table tr[data-holiday="05-09"] td.hol-date', '5月9日');
  await page.locator('.hol-section').scrollIntoViewIfNeeded();
  await shot(page, 'templates-holidays-zh');
  await switchLang(page, 'en');

  // with a holiday trigger on, the note is gone
  const trg = await c.post('/api/v1/triggers', { event: 'holiday', channel: 'sms', template: 'holiday', audience: 'person', class: 'greeting' });
  assert.equal(trg.status, 201, trg.text);
  await page.reload();
  await page.waitForSelector('#hol-table tr[data-holiday="05-09"]');
  await page.waitForSelector('#hol-no-trigger', { state: 'hidden' });

  // deleted after a confirmation in the row; Esc keeps it
  await page.click('button[data-delete-holiday="05-09"]');
  await page.waitForSelector('#hol-del-yes');
  await page.keyboard.press('Escape');
  await page.waitForSelector('#hol-del-yes', { state: 'detached' });
  assert.equal(await page.evaluate(() => document.activeElement.dataset.deleteHoliday), '05-09', 'the focus back on Delete');
  assert.ok((await list()).some((x) => x[0] === '05-09'), 'kept');
  await page.keyboard.press('Enter');
  await page.waitForSelector('#hol-del-yes');
  await shot(page, 'templates-holidays-delete');
  await page.click('#hol-del-yes');
  await page.waitForSelector('#hol-table tr[data-holiday="05-09"]', { state: 'detached' });
  await waitContains(page, '#hol-list .hol-saved', 'deleted');
  assert.deepEqual(await list(), before);
  const audit = (await c.get('/api/v1/audit?entity=holiday')).json.items.map((a) => a.action);
  assert.deepEqual(audit, ['delete', 'update', 'create']);
  assert.deepEqual(problems, []);
});
