// The Templates screen (issue 5, admins): pick a template, edit it with the
// live preview (rendered text, SMS parts, GSM-7 or UCS-2, the fault with
// its line and column), save a new version; switch a trigger off and on.
// Screenshots: templates-*.png.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useServer, open, shot, waitText, waitContains, signIn, switchLang, unlabelled } from './harness.mjs';
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
