// The Gateways screen (admins): SMSC and SMTP connections. Add an SMPP
// connection (nothing listens on its port: it keeps connecting), see it
// listed with its prefixes and its state, edit it with the password left
// empty (the stored one stays), a field error next to the field it names,
// switch it off, delete it; a gateway of the config file is read-only; a
// non-admin has no menu entry. Screenshots: gateways-*.png.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { useServer, open, shot, waitText, waitContains, signIn, switchLang, unlabelled } from './harness.mjs';
import { Client } from '../lib/server.mjs';

/** A TCP port nobody listens on (taken from the system, then let go). */
function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
  });
}

// one SMSC connection of the config file: listed, read-only
const cfgDir = mkdtempSync(path.join(tmpdir(), 'assist-gw-'));
const cfgFile = path.join(cfgDir, 'gateways.json');
const cfgPort = await freePort();
writeFileSync(cfgFile, JSON.stringify({
  smpp: [{ name: 'SMSC Minsk', host: '127.0.0.1', port: cfgPort, username: 'minsk', password: 'pw', prefixes: '+375' }],
}));
const env = useServer({ args: ['--config', cfgFile] });

async function api(env) {
  const c = new Client(env.server.base);
  await c.login('admin');
  return c;
}
const byName = async (c, name) => (await c.get('/api/v1/gateways')).json.items.find((g) => g.name === name);

test('gateways: add, edit (password kept), a field error, disable, delete', async (t) => {
  const { page, problems } = await open(env, t);
  await signIn(env, page, 'admin');
  // Gateways is an admin's screen in the user menu, next to Templates
  await page.click('#usermenu-btn');
  const menu = await page.$$eval('#usermenu [role="menuitem"]', (els) => els.map((e) => e.dataset.nav || e.dataset.action || e.getAttribute('href')));
  assert.equal(menu[menu.indexOf('templates') + 1], 'gateways', `menu order: ${menu}`);
  await page.click('#usermenu a[data-nav="gateways"]');
  assert.equal(new URL(page.url()).hash, '#/gateways');

  // the config file's connection: a badge, no edit or delete
  await page.waitForSelector('#gw-smpp-table tr[data-gw="config:SMSC Minsk"]');
  const cfgRow = 'tr[data-gw="config:SMSC Minsk"]';
  await waitContains(page, `${cfgRow} .gw-source`, 'config file');
  assert.equal(await page.$(`${cfgRow} [data-edit], ${cfgRow} [data-del]`), null);
  assert.equal(await page.$eval(`${cfgRow} input.switch`, (el) => el.disabled), true);
  await waitText(page, `${cfgRow} .gw-prefixes`, '+375');
  await page.waitForSelector('#gw-smtp [data-empty="smtp"]');
  await shot(page, 'gateways-start');

  // add an SMPP connection: the form opens on its first field; Enter saves
  const port = await freePort();
  await page.click('#gw-add-smpp');
  await page.waitForSelector('#gw-form[data-kind="smpp"]');
  assert.equal(new URL(page.url()).hash, '#/gateways/new/smpp');
  assert.equal(await page.evaluate(() => document.activeElement.name), 'name');
  assert.deepEqual(await unlabelled(page), []);
  await page.keyboard.type('SMSC Moscow');
  await page.fill('#gw-form [name="host"]', '127.0.0.1');
  await page.fill('#gw-form [name="port"]', String(port));
  await page.fill('#gw-form [name="username"]', 'assist');
  await page.fill('#gw-form [name="password"]', 'secret1');
  await page.fill('#gw-form [name="prefixes"]', '+7 +995');
  await page.fill('#gw-form [name="window"]', '20');
  await page.fill('#gw-form [name="rate"]', '30');
  await shot(page, 'gateways-new');
  await page.press('#gw-form [name="prefixes"]', 'Enter');
  await page.waitForSelector('#gw-form', { state: 'detached' });
  const made = await byName(await api(env), 'SMSC Moscow');
  assert.ok(made && made.id, 'the connection was not created');
  assert.equal(made.password_set, true);
  assert.equal('password' in made, false);
  const row = `#gw-smpp-table tr[data-gw="${made.id}"]`;
  await waitText(page, `${row} .gw-prefixes`, '+7 +995');
  await waitContains(page, `${row} .gw-addr`, `127.0.0.1:${port}`);
  // nothing listens there: this server keeps connecting, and the chip says so by itself
  await page.waitForSelector(`${row} .gw-state[data-state="connecting"]`, { timeout: 15000 });
  await waitText(page, `${row} .gw-state`, 'Connecting…');

  // an email connection too (the one email goes through)
  await page.click('#gw-add-smtp');
  await page.waitForSelector('#gw-form[data-kind="smtp"]');
  await page.keyboard.type('Mail relay');
  await page.fill('#gw-form [name="host"]', 'localhost');
  await page.fill('#gw-form [name="port"]', String(await freePort()));
  await page.selectOption('#gw-form [name="tls"]', 'none');
  await page.fill('#gw-form [name="mail_from"]', 'noreply@example.com');
  await page.press('#gw-form [name="mail_from"]', 'Enter');
  await page.waitForSelector('#gw-form', { state: 'detached' });
  await page.waitForSelector('#gw-smtp-table .gw-state[data-state="active"]', { timeout: 15000 });
  await shot(page, 'gateways-list');

  // edit: the password is not shown, and left empty it stays stored
  await page.click(`[data-edit="${made.id}"]`);
  await page.waitForSelector(`#gw-editor[data-id="${made.id}"]`);
  assert.equal(new URL(page.url()).hash, `#/gateways/${made.id}`);
  assert.equal(await page.evaluate(() => document.activeElement.name), 'name');
  assert.equal(await page.inputValue('#gw-form [name="password"]'), '');
  assert.equal(await page.getAttribute('#gw-form [name="password"]', 'placeholder'), 'unchanged — stored');
  assert.equal(await page.isChecked('#gw-form [name="clear_password"]'), false);
  assert.equal(await page.inputValue('#gw-form [name="prefixes"]'), '+7 +995');

  // a bad prefix: the server refuses it, and the message stands next to the field
  await page.fill('#gw-form [name="prefixes"]', '+7 7-9');
  await page.press('#gw-form [name="prefixes"]', 'Enter');
  const err = '#gw-form [data-field="prefixes"] .field-error';
  await page.waitForSelector(`${err}:not([hidden])`);
  await waitContains(page, err, '“7-9” is not a prefix');
  assert.equal(await page.getAttribute('#gw-form [name="prefixes"]', 'aria-invalid'), 'true');
  assert.equal(await page.evaluate(() => document.activeElement.name), 'prefixes');
  await shot(page, 'gateways-field-error');
  // typed values stay; fix the prefixes and save with Enter
  assert.equal(await page.inputValue('#gw-form [name="window"]'), '20');
  await page.fill('#gw-form [name="prefixes"]', '+7, +79 +995');
  await page.press('#gw-form [name="prefixes"]', 'Enter');
  await page.waitForSelector('#gw-form', { state: 'detached' });
  await waitText(page, `${row} .gw-prefixes`, '+7 +79 +995');
  const c = await api(env);
  const edited = await byName(c, 'SMSC Moscow');
  assert.deepEqual(edited.prefixes, ['+7', '+79', '+995']);
  assert.equal(edited.password_set, true, 'an empty password field must keep the stored password');
  assert.equal(edited.version, made.version + 1);
  assert.equal(edited.window, 20);
  assert.equal(edited.rate, 30);

  // Esc cancels an edit (the first Esc only warns when something was typed)
  await page.click(`[data-edit="${made.id}"]`);
  await page.waitForSelector('#gw-form');
  await page.keyboard.press('Escape');
  await page.waitForSelector('#gw-form', { state: 'detached' });
  assert.equal(new URL(page.url()).hash, '#/gateways');
  assert.equal(await page.evaluate(() => document.activeElement.dataset.edit), String(made.id));

  // switch it off: saved at once, and this server stops using it
  await page.click(`${row} input.switch`);
  await page.waitForFunction(async (id) => {
    const r = await fetch(`/api/v1/gateways/${id}`);
    return (await r.json()).enabled === false;
  }, made.id);
  await page.waitForSelector(`${row}.is-off .gw-state[data-state="off"]`);
  assert.equal(await page.isChecked(`${row} input.switch`), false);

  // delete, confirmed in the row
  await page.click(`[data-del="${made.id}"]`);
  await waitContains(page, `${row} .confirm-inline`, 'Delete “SMSC Moscow”?');
  await shot(page, 'gateways-delete');
  await page.click('#gw-del-yes');
  await page.waitForSelector(row, { state: 'detached' });
  assert.equal(await byName(c, 'SMSC Moscow'), undefined);
  assert.deepEqual(problems, []);
});

test('gateways: a taken name, clearing a password, Russian and Chinese', async (t) => {
  const { page, problems } = await open(env, t);
  await signIn(env, page, 'admin');
  const c = await api(env);
  const r = await c.post('/api/v1/gateways', { kind: 'smpp', name: 'SMSC Almaty', host: '127.0.0.1', port: await freePort(), username: 'kz', password: 'pw123', prefixes: ['+77'] });
  assert.equal(r.status, 201, r.text);
  const id = r.json.id;
  await page.goto(`${env.server.base}/#/gateways/${id}`);
  await page.waitForSelector(`#gw-editor[data-id="${id}"]`);
  // the config file's name is taken
  await page.fill('#gw-form [name="name"]', 'SMSC Minsk');
  await page.press('#gw-form [name="name"]', 'Enter');
  await page.waitForSelector('#gw-form [data-field="name"] .field-error:not([hidden])');
  await waitContains(page, '#gw-form [data-field="name"] .field-error', 'Another connection already has this name');
  await page.fill('#gw-form [name="name"]', 'SMSC Almaty');
  // clear the stored password
  await page.check('#gw-form [name="clear_password"]');
  assert.equal(await page.isDisabled('#gw-form [name="password"]'), true);
  await page.click('#gw-save');
  await page.waitForSelector('#gw-form', { state: 'detached' });
  assert.equal((await byName(c, 'SMSC Almaty')).password_set, false);
  // "applying" until this server has taken the change up, then its own state
  await page.waitForSelector(`tr[data-gw="${id}"] .gw-state[data-state="connecting"]`, { timeout: 15000 });
  await page.waitForFunction(() => !document.getAnimations().some((a) => a.animationName === 'flash')); // the saved row's highlight

  await switchLang(page, 'ru');
  await page.waitForSelector('h1:has-text("Шлюзы SMS и почты")');
  await page.click(`[data-edit="${id}"]`);
  await page.waitForSelector('#gw-form');
  await page.fill('#gw-form [name="window"]', '900');
  await page.press('#gw-form [name="window"]', 'Enter');
  await waitContains(page, '#gw-form [data-field="window"] .field-error', 'Окно — число от 1 до 500');
  await shot(page, 'gateways-ru');
  await page.keyboard.press('Escape'); // warns: something was typed
  await page.keyboard.press('Escape');
  await page.waitForSelector('#gw-form', { state: 'detached' });
  await shot(page, 'gateways-list-ru');

  await switchLang(page, 'zh');
  await page.waitForSelector('h1:has-text("短信和邮件网关")');
  await page.click('#gw-add-smtp');
  await page.waitForSelector('#gw-form[data-kind="smtp"]');
  await shot(page, 'gateways-zh');
  await page.keyboard.press('Escape');
  await page.waitForSelector('#gw-form', { state: 'detached' });
  await shot(page, 'gateways-list-zh');
  await switchLang(page, 'en');
  assert.deepEqual(problems, []);
});

test('gateways: not for other roles', async (t) => {
  const { page, problems } = await open(env, t);
  await signIn(env, page, 'supervisor');
  await page.click('#usermenu-btn');
  await page.waitForSelector('#usermenu:not([hidden])');
  assert.equal(await page.$('#usermenu a[data-nav="gateways"]'), null);
  await page.keyboard.press('Escape');
  await page.goto(`${env.server.base}/#/gateways`);
  await page.waitForSelector('[data-page="forbidden"]');
  assert.equal(await page.$('#gw-smpp'), null);
  assert.deepEqual(problems, []);
  const c = new Client(env.server.base);
  await c.login('supervisor');
  assert.equal((await c.get('/api/v1/gateways')).status, 403);
});
