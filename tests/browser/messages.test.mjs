// Delivery feedback (issue 5) in the browser, against a server bound to a
// real SMPP peer on 127.0.0.1: an operator sends an SMS from the case screen
// and its chip turns "delivered" live (the receipt comes through the
// dispatcher and `message.status` on case:ID); a field error names the
// field; an email with the case questionnaire attached lists the PDF with
// its size; an opt-out is switched on a person card (with the inline confirm)
// and then refuses a non-urgent SMS; a supervisor opens the Messages report
// (delivery by day / channel / reason, costs, contact data to fix).
// Screenshots: messages-*.png.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { useServer, open, shot, waitText, waitContains, textOf, signIn, switchLang, unlabelled } from './harness.mjs';
import { Client } from '../lib/server.mjs';
import { startPeer, ESME } from '../peers/smpp-peer.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const args = [];
let smsc;
before(async () => {
  smsc = await startPeer({ systemId: 'assist', password: 's3cret' });
  args.push('--smpp', smsc.url());
});
after(async () => { await smsc?.stop(); });
const env = useServer({ args });

async function client(login) {
  const c = new Client(env.server.base);
  await c.login(login);
  return c;
}

// Only the messages these tests send are on the screens: the SMS that
// opening a case sends by itself (the case_opened trigger) is switched off.
let triggersOff = false;
async function noCaseOpenedSms() {
  if (triggersOff) return;
  const admin = await client('admin');
  for (const t of (await admin.get('/api/v1/triggers')).json.items.filter((x) => x.event === 'case_opened')) {
    assert.equal((await admin.patch(`/api/v1/triggers/${t.id}`, { enabled: false })).status, 200);
  }
  triggersOff = true;
}

async function bound() {
  await noCaseOpenedSms();
  const end = Date.now() + 10000;
  while (!smsc.isBound() && Date.now() < end) await sleep(50);
  assert.ok(smsc.isBound(), 'the server binds to the SMSC');
}

/** A demo person with a phone. */
async function personWithPhone(c) {
  for (let id = 3; id < 20; id++) {
    const r = await c.get(`/api/v1/persons/${id}`);
    if (r.status === 200 && r.json.phone) return r.json;
  }
  assert.fail('no demo person with a phone');
}

test('case screen: send an SMS, see it turn delivered live; a wrong number is named next to the field', async (t) => {
  await bound();
  const op = await client('operator');
  const p = await personWithPhone(op);
  const r = await op.post('/api/v1/cases', { person_id: p.id, type: 'medical', description: 'Ambulance to the hotel' });
  assert.equal(r.status, 201, r.text);
  const kase = r.json;
  const { page, problems } = await open(env, t, { locale: 'ru-RU' });
  await signIn(env, page, 'operator');
  await page.evaluate((id) => { location.hash = `#/cases/${id}`; }, kase.id);
  await page.waitForSelector('#message-form');
  await page.waitForSelector('#case-messages [data-empty="messages"]');
  await page.waitForSelector('html[data-live="open"]');
  // the recipient defaults to the person's phone
  await page.waitForFunction((ph) => document.querySelector('#message-form input[name="to"]').value === ph, p.phone);
  assert.deepEqual(await unlabelled(page), []);

  // a wrong number: the error is next to "to", and what was typed stays
  await page.fill('#message-form input[name="to"]', '12');
  await page.fill('#message-form textarea[name="text"]', 'Скорая будет в отеле через 20 минут.');
  await page.press('#message-form textarea[name="text"]', 'Control+Enter');
  await page.waitForSelector('#message-form input[name="to"][aria-invalid="true"]');
  await waitContains(page, '#message-form [data-field="to"] .field-error', 'номер');
  assert.equal(await page.inputValue('#message-form textarea[name="text"]'), 'Скорая будет в отеле через 20 минут.');
  await shot(page, 'messages-case-error-ru');

  // the right number, urgent (whatever the hour), Ctrl+Enter sends
  await page.fill('#message-form input[name="to"]', p.phone);
  await page.check('#message-form input[name="urgent"]');
  await page.press('#message-form textarea[name="text"]', 'Control+Enter');
  await page.waitForSelector('#message-list li.message');
  const id = await page.$eval('#message-list li.message', (li) => li.dataset.id);
  await waitContains(page, `#message-list li[data-id="${id}"] .msg-text`, 'Скорая будет в отеле');
  // the receipt arrives: the chip turns green "Доставлено" without a reload
  await page.waitForSelector(`#message-list li[data-id="${id}"] .msg-chip[data-status="delivered"]`, { timeout: 15000 });
  await waitText(page, `#message-list li[data-id="${id}"] .msg-chip`, 'Доставлено');
  assert.ok(smsc.submits.some((s) => s.short_message || s.text), 'the SMSC got it');
  // the form is empty again; the message is logged as an outgoing contact of the case
  assert.equal(await page.inputValue('#message-form textarea[name="text"]'), '');
  await page.waitForSelector('#contact-log li.contact');

  // a template: the text field gives way to a note
  await page.selectOption('#message-form select[name="template"]', 'case_closed');
  await page.waitForSelector('#message-form [data-field="text"][hidden]', { state: 'attached' });
  await page.selectOption('#message-form select[name="template"]', '');
  await shot(page, 'messages-case-ru');

  // a message the gateway refuses: red chip with the reason
  smsc.set({ reject: { [p.phone.replace(/^\+/, '')]: ESME.RINVDSTADR } });
  await page.fill('#message-form textarea[name="text"]', 'Second try');
  await page.check('#message-form input[name="urgent"]');
  await page.click('#message-send');
  await page.waitForFunction(() => document.querySelectorAll('#message-list li.message').length === 2);
  const id2 = await page.$eval('#message-list li.message', (li) => li.dataset.id);
  await page.waitForSelector(`#message-list li[data-id="${id2}"] .msg-chip[data-status="failed"]`, { timeout: 15000 });
  assert.match(await textOf(page, `#message-list li[data-id="${id2}"] .msg-chip`), /^Не доставлено/);
  smsc.set({ reject: {} });
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.$eval('#case-messages', (el) => el.scrollIntoView({ block: 'start' }));
  await shot(page, 'messages-case-failed-ru');
  assert.deepEqual(problems, []);
});

test('case screen: an email with the case questionnaire attached lists the PDF with its size', async (t) => {
  await noCaseOpenedSms();
  const op = await client('operator');
  const p = await personWithPhone(op);
  const r = await op.post('/api/v1/cases', { person_id: p.id, type: 'medical', description: 'Questionnaire by email' });
  assert.equal(r.status, 201, r.text);
  const kase = r.json;
  const { page, problems } = await open(env, t, { locale: 'en-US' });
  await signIn(env, page, 'operator');
  if (!(await page.evaluate(() => document.documentElement.lang.startsWith('en')))) await switchLang(page, 'en');
  await page.evaluate((id) => { location.hash = `#/cases/${id}`; }, kase.id);
  await page.waitForSelector('#message-form');
  // an SMS carries no files: the option shows for an email only
  await page.waitForSelector('#message-form [data-field="attachments"][hidden]', { state: 'attached' });
  await page.click('#message-form label[for$="-email"]');
  await page.waitForSelector('#message-form [data-field="attachments"]:not([hidden])');
  await waitContains(page, '#message-form [data-field="attachments"] label', 'Attach the case questionnaire (PDF)');
  assert.deepEqual(await unlabelled(page), []);
  await page.fill('#message-form input[name="to"]', 'client@example.test');
  await page.fill('#message-form input[name="subject"]', 'Your case');
  await page.fill('#message-form textarea[name="text"]', 'The questionnaire is attached.');
  await page.check('#message-form input[name="attachments"]');
  await page.click('#message-send');
  const name = `questionnaire-${kase.id}.pdf`;
  await page.waitForSelector(`#message-list li.message .msg-attachment[data-name="${name}"]`);
  assert.match(await textOf(page, `#message-list .msg-attachment[data-name="${name}"]`), new RegExp(`^${name} \\d+ KB$`));
  assert.equal(await page.isChecked('#message-form input[name="attachments"]'), false, 'the form is reset');
  // the server rendered it and keeps it with the message
  const list = (await op.get(`/api/v1/cases/${kase.id}/messages`)).json.items;
  assert.equal(list[0].attachments.length, 1);
  assert.equal(list[0].attachments[0].name, name);
  assert.ok(list[0].attachments[0].size > 1000);
  await page.$eval('#case-messages', (el) => el.scrollIntoView({ block: 'start' }));
  await shot(page, 'messages-case-attachment-en');
  assert.deepEqual(problems, []);
});

test('person card: opt out of SMS with the inline confirm; a plain SMS is then refused, naming the recipient', async (t) => {
  const op = await client('operator');
  const p = await personWithPhone(op);
  const r = await op.post('/api/v1/cases', { person_id: p.id, type: 'medical', description: 'Opt-out check' });
  assert.equal(r.status, 201, r.text);
  const { page, problems } = await open(env, t, { locale: 'en-US' });
  await signIn(env, page, 'operator');
  // the first test may have left the operator in Russian
  if (!(await page.evaluate(() => document.documentElement.lang.startsWith('en')))) await switchLang(page, 'en');
  await page.evaluate((id) => { location.hash = `#/persons/${id}`; }, p.id);
  await page.waitForSelector('#person-optouts #optout-sms');
  assert.equal(await page.isChecked('#optout-sms'), true, 'receives SMS at first');
  await page.click('#optout-sms');
  // nothing changes before the confirm
  assert.equal(await page.isChecked('#optout-sms'), true);
  await page.waitForSelector('#person-optouts li[data-channel="sms"] .confirm-inline');
  await waitContains(page, '#person-optouts li[data-channel="sms"] .confirm-inline .q', 'asked not to get SMS');
  await shot(page, 'messages-optout-confirm-en');
  await page.click('#person-optouts li[data-channel="sms"] [data-action="confirm"]');
  await page.waitForSelector('#person-optouts li[data-channel="sms"][data-opted-out="true"]');
  assert.equal(await page.isChecked('#optout-sms'), false);
  await waitText(page, '#person-optouts li[data-channel="sms"] .badge', 'Opted out');
  const after = (await op.get(`/api/v1/persons/${p.id}`)).json;
  assert.deepEqual(after.opt_outs, ['sms']);
  await shot(page, 'messages-optout-en');

  // the case screen warns, and a plain SMS is refused next to "To"
  await page.evaluate((id) => { location.hash = `#/cases/${id}`; }, r.json.id);
  await page.waitForSelector('#message-form');
  await waitContains(page, '#message-form [data-field="to"] .hint', 'opted out of SMS');
  await page.fill('#message-form textarea[name="text"]', 'Plain news');
  await page.click('#message-send');
  await waitContains(page, '#message-form [data-field="to"] .field-error', 'opted out of this channel');

  // back on the card: opt back in
  await page.evaluate((id) => { location.hash = `#/persons/${id}`; }, p.id);
  await page.waitForSelector('#optout-sms');
  await page.click('#optout-sms');
  await page.click('#person-optouts li[data-channel="sms"] [data-action="confirm"]');
  await page.waitForSelector('#person-optouts li[data-channel="sms"][data-opted-out="false"]');
  assert.deepEqual((await op.get(`/api/v1/persons/${p.id}`)).json.opt_outs, []);
  assert.deepEqual(problems, []);
});

test('Messages report: delivery by day, channel and reason, costs in money, contact data with tabs', async (t) => {
  const { page, problems } = await open(env, t, { locale: 'zh-CN', width: 1600, height: 1000 });
  await signIn(env, page, 'supervisor');
  if (!(await page.evaluate(() => document.documentElement.lang.startsWith('zh')))) await switchLang(page, 'zh');
  await page.evaluate(() => { location.hash = '#/reports/nps'; });
  await page.waitForSelector('.report-tabs a[data-report="messages"]');
  await page.click('.report-tabs a[data-report="messages"]');
  await page.waitForFunction(() => location.hash === '#/reports/messages');
  await page.waitForSelector('#mr-table tfoot tr[data-key="total"]');
  const total = Number((await textOf(page, '#mr-table tfoot tr[data-key="total"] td.num.strong')).replace(/\D/g, ''));
  assert.ok(total >= 2, `messages counted: ${total}`);
  await page.waitForSelector('#cost-table tr[data-channel="sms"]');
  // money from integer minor units: 2.50 RUB a part
  assert.match(await textOf(page, '#cost-table tr[data-channel="sms"] td:nth-child(5)'), /2[.,]50/);
  await page.waitForSelector('#cd-tabs [role="tab"][aria-selected="true"]');
  assert.deepEqual(await unlabelled(page), []);
  await shot(page, 'messages-report-zh');
  // by channel, then by reason (URL follows)
  await page.click('label[for="mr-by-channel"]');
  await page.waitForSelector('#mr-table tr[data-key="sms"]');
  await page.click('label[for="mr-by-reason"]');
  await page.waitForFunction(() => location.hash.includes('by=reason'));
  await page.waitForSelector('#mr-table tr[data-key="delivered"]');
  await page.waitForSelector('#mr-table tr[data-key="invalid_number"], #mr-table tr[data-key="rejected"]');
  // contact data: another tab, rows link to the person card
  await page.click('#cd-tab-failed_invalid');
  await page.waitForSelector('#cd-tab-failed_invalid[aria-selected="true"]');
  await page.waitForSelector('#cd-body table, #cd-body .empty');
  await page.$eval('#contact-data', (el) => el.scrollIntoView({ block: 'start' }));
  await shot(page, 'messages-report-contact-data-zh');
  const link = await page.$('#cd-table a.person-link');
  if (link) {
    await link.click();
    await page.waitForFunction(() => /^#\/persons\/\d+$/.test(location.hash));
  }
  assert.deepEqual(problems, []);
});

test('an operator has no Messages report', async (t) => {
  const { page, problems } = await open(env, t, { locale: 'en-US' });
  await signIn(env, page, 'operator');
  await page.evaluate(() => { location.hash = '#/reports/messages'; });
  await page.waitForSelector('[data-page="forbidden"]');
  assert.equal(await page.$('#mr-table'), null);
  assert.equal(await page.$('a[data-nav="reports"]'), null);
  assert.deepEqual(problems, []);
});
