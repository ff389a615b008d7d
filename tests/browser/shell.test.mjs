// The browser UI against a real server in Debian's Chromium: sign-in,
// the shell, language switching (remembered per user), user administration
// with its change history, profile and tokens, sign-out; a non-admin does not
// see user administration; errors are translated.
// Screenshots for a person to look at go to tests/artifacts/browser/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { startServer, ROOT, DEMO_PASSWORD } from '../lib/server.mjs';
import { expectFocus } from './harness.mjs';

const ART = path.join(ROOT, 'tests/artifacts/browser');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';

let server;
let browser;

before(async () => {
  mkdirSync(ART, { recursive: true });
  server = await startServer({ backend: 'sqlite' });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-background-networking', '--disable-gpu',
      '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
});

after(async () => {
  if (browser) await browser.close();
  if (server) await server.stop();
});

/** A fresh browser context (own cookies and storage) at 1366×768; records page errors. */
async function open(t, { locale = 'en-US', width = 1366, height = 768 } = {}) {
  const ctx = await browser.newContext({ viewport: { width, height }, locale });
  const page = await ctx.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    // a 401 from GET /api/v1/me before sign-in, and from a wrong password, are expected
    if (m.type() === 'error' && !/Failed to load resource/.test(m.text())) problems.push(`console: ${m.text()}`);
  });
  page.on('response', (r) => {
    const u = new URL(r.url());
    if (r.status() === 404) problems.push(`404 ${u.pathname}`);
  });
  t.after(() => ctx.close());
  return { ctx, page, problems };
}

/** Save a screenshot for a person to look at (without passing "Saved" notes over the content). */
async function shot(page, name) {
  await page.evaluate(() => document.querySelectorAll('.toast').forEach((el) => el.remove()));
  await page.screenshot({ path: path.join(ART, `${name}.png`) });
}

/** Wait until the element's text (trimmed) equals text. */
async function waitText(page, selector, text) {
  try {
    await page.waitForFunction(([s, x]) => {
      const el = document.querySelector(s);
      return el && el.textContent.trim() === x;
    }, [selector, text], { timeout: 10000 });
  } catch (e) {
    const got = await page.$eval(selector, (el) => el.textContent.trim()).catch(() => '(no element)');
    throw new Error(`${selector}: expected text ${JSON.stringify(text)}, got ${JSON.stringify(got)}`);
  }
}

const isPatchMe = (r) => r.request().method() === 'PATCH' && new URL(r.url()).pathname === '/api/v1/me';

async function signIn(page, login, password = DEMO_PASSWORD) {
  await page.fill('#signin-form input[name="login"]', login);
  await page.fill('#signin-form input[name="password"]', password);
  await page.press('#signin-form input[name="password"]', 'Enter');
  await page.waitForSelector('header.topbar');
}

test('sign-in page: focus, language switch before sign-in, remembered on this browser', async (t) => {
  const { page, problems } = await open(t, { locale: 'en-US' });
  await page.goto(server.base + '/');
  await page.waitForSelector('#signin-form');
  assert.equal(await page.evaluate(() => document.activeElement.getAttribute('name')), 'login', 'focus starts in the login field');
  assert.equal(await page.getAttribute('html', 'lang'), 'en-GB');
  await waitText(page, '.signin-card h1', 'Sign in');
  // every input has a label
  const unlabelled = await page.$$eval('input, select', (els) => els.filter((el) => !el.labels || el.labels.length === 0).map((el) => el.name || el.id));
  assert.deepEqual(unlabelled, []);
  await shot(page, 'signin-en');

  await page.selectOption('#signin-lang', 'ru');
  await waitText(page, '.signin-card h1', 'Вход');
  await waitText(page, '#signin-form button[type="submit"]', 'Войти');
  assert.equal(await page.getAttribute('html', 'lang'), 'ru-RU');
  await shot(page, 'signin-ru');

  await page.selectOption('#signin-lang', 'zh');
  await waitText(page, '.signin-card h1', '登录');
  await waitText(page, 'label[for="' + await page.getAttribute('#signin-form input[name="login"]', 'id') + '"]', '登录名');
  await shot(page, 'signin-zh');

  // the choice is remembered before sign-in
  await page.reload();
  await page.waitForSelector('#signin-form');
  await waitText(page, '.signin-card h1', '登录');
  assert.equal(await page.inputValue('#signin-lang'), 'zh');

  // an empty form names the missing field, in the chosen language
  await page.press('#signin-form input[name="login"]', 'Enter');
  await page.waitForSelector('#signin-form input[name="login"][aria-invalid="true"]');
  const msg = await page.$eval('#signin-form .field[data-field="login"] .field-error', (el) => el.textContent);
  assert.match(msg, /登录名/);
  assert.deepEqual(problems, []);
});

test('admin: keyboard sign-in, shell, languages remembered, users, history, profile, sign-out', async (t) => {
  const { page, problems } = await open(t, { locale: 'en-US' });
  await page.goto(server.base + '/');
  await page.waitForSelector('#signin-form');

  // ---- sign in with the keyboard only ----
  await page.keyboard.type('admin');
  await page.keyboard.press('Tab');
  await page.keyboard.type(DEMO_PASSWORD);
  await page.keyboard.press('Enter');
  await page.waitForSelector('header.topbar');
  // the start page is the first screen of the menu: Search, with the search box focused
  await page.waitForFunction(() => location.hash === '#/search');
  await expectFocus(page, 'search-q');

  // ---- the shell ----
  assert.equal(await page.$$eval('header nav a', (as) => as.map((a) => a.textContent).join('|')),
    'Search|Cases|Tasks|Policies|Coverage|Programs|Import|Reports|Users');
  assert.equal(await page.$('header nav a[data-nav="profile"]'), null, 'My profile is in the user menu, not in the bar');
  assert.ok(await page.$('main#main'), 'a main landmark');
  assert.ok(await page.$('header nav[aria-label]'), 'a labelled nav landmark');
  await waitText(page, '.usermenu-btn .who-name', 'Admin Adminov');
  await waitText(page, '.usermenu-btn .who-role', 'Administrator');
  // Esc leaves the empty search box; then g, u opens Users
  await page.keyboard.press('Escape');
  await expectFocus(page, 'main');
  await page.keyboard.press('g');
  await page.keyboard.press('u');
  await page.waitForFunction(() => location.hash === '#/users');
  await page.waitForSelector('#users-table tbody tr.row');
  assert.equal(await page.$eval('a[data-nav="users"]', (a) => a.getAttribute('aria-current')), 'page');

  // `?` shows the shortcuts, Esc closes them
  await page.keyboard.press('?');
  await page.waitForSelector('dialog#shortcuts[open]');
  await page.keyboard.press('Escape');
  await page.waitForSelector('dialog#shortcuts:not([open])', { state: 'attached' });

  // ---- switch language: ru, then zh; each is saved for the user ----
  await Promise.all([page.waitForResponse(isPatchMe), page.selectOption('#topbar-lang', 'ru')]);
  await waitText(page, 'a[data-nav="users"]', 'Пользователи');
  await waitText(page, 'a[data-nav="search"]', 'Поиск');
  await waitText(page, '.usermenu-btn .who-role', 'Администратор');
  await waitText(page, '#users-table thead th', 'Логин');

  const patched = page.waitForResponse(isPatchMe);
  await page.selectOption('#topbar-lang', 'zh');
  assert.equal((await (await patched).json()).language, 'zh');
  await waitText(page, 'a[data-nav="users"]', '用户');
  await waitText(page, 'a[data-nav="search"]', '搜索');
  assert.equal(await page.getAttribute('html', 'lang'), 'zh-CN');

  // reload: still zh, and the server remembers it
  await page.reload();
  await page.waitForSelector('header.topbar');
  await waitText(page, 'a[data-nav="users"]', '用户');
  assert.equal(await page.inputValue('#topbar-lang'), 'zh');
  const me = await page.evaluate(async () => (await fetch('/api/v1/me')).json());
  assert.equal(me.language, 'zh');

  // ---- users list ----
  await page.waitForSelector('#users-table tbody tr.row');
  const logins = await page.$$eval('#users-table tbody tr.row', (rows) => rows.map((r) => r.dataset.login));
  assert.deepEqual(logins, ['admin', 'finance', 'manager', 'operator', 'reviewer', 'supervisor']);
  await waitText(page, '#users-table tr[data-login="operator"] .badge.role', '接线员');
  await waitText(page, '#users-table tr[data-login="operator"] .badge.status', '已启用');
  const created = await page.$eval('#users-table tr[data-login="operator"] time', (el) => el.textContent);
  assert.match(created, /\d{4}年\d{1,2}月\d{1,2}日/, 'dates follow the UI locale');
  await shot(page, 'users');

  // `/` focuses the filter; the filter narrows the list; Esc clears it
  await page.keyboard.press('/');
  assert.equal(await page.evaluate(() => document.activeElement.type), 'search');
  await page.keyboard.type('审核');
  await page.waitForFunction(() => document.querySelectorAll('#users-table tr.row:not([hidden])').length === 1);
  assert.equal(await page.$eval('#users-table tr.row:not([hidden])', (r) => r.dataset.login), 'reviewer');
  await page.keyboard.type('zzz');
  await page.waitForSelector('.empty:not([hidden]) .empty-title');
  await page.keyboard.press('Escape');
  await page.waitForFunction(() => document.querySelectorAll('#users-table tr.row:not([hidden])').length === 6);

  // ---- new user: `n` opens the form; a taken login is named, what was typed stays ----
  await page.evaluate(() => document.activeElement.blur());
  await page.keyboard.press('n');
  await page.waitForSelector('#new-user-form');
  await page.waitForFunction(() => location.hash === '#/users/new');
  assert.equal(await page.evaluate(() => document.activeElement.name), 'login');
  await page.keyboard.type('operator');
  await page.fill('#new-user-form input[name="full_name"]', 'Иван Петров');
  await page.fill('#new-user-form input[name="password"]', 'secret-pass-1');
  await Promise.all([
    page.waitForResponse((r) => r.request().method() === 'POST' && r.url().endsWith('/api/v1/users')),
    page.press('#new-user-form input[name="password"]', 'Enter'),
  ]);
  await page.waitForSelector('#new-user-form input[name="login"][aria-invalid="true"]');
  await waitText(page, '#new-user-form .field[data-field="login"] .field-error', '该登录名已被使用，请换一个。');
  assert.equal(await page.inputValue('#new-user-form input[name="full_name"]'), 'Иван Петров');
  assert.equal(await page.inputValue('#new-user-form input[name="password"]'), 'secret-pass-1');
  assert.equal(await page.evaluate(() => document.activeElement.name), 'login', 'focus goes to the field in error');

  // one Esc does not throw away what was typed: it warns; the form stays
  await page.keyboard.press('Escape');
  await page.waitForSelector('.toast[data-i18n="toast.unsaved_esc"]');
  assert.equal(await page.evaluate(() => location.hash), '#/users/new');
  assert.equal(await page.inputValue('#new-user-form input[name="full_name"]'), 'Иван Петров');

  await page.fill('#new-user-form input[name="login"]', 'ivan.petrov');
  await page.selectOption('#new-user-form select[name="role"]', 'operator');
  await page.focus('#new-user-form select[name="role"]');
  await page.keyboard.press('Control+Enter');
  await page.waitForFunction(() => /^#\/users\/\d+$/.test(location.hash));
  await waitText(page, '#panel-title', 'ivan.petrov');
  const newId = await page.evaluate(() => location.hash.split('/')[2]);
  await page.waitForSelector('#users-table tr.row[data-login="ivan.petrov"][aria-current="true"]');
  await page.waitForSelector('#history-list li[data-action="create"]');

  // ---- change the role; the history shows old → new ----
  await page.selectOption('#user-edit-form select[name="role"]', 'case_manager');
  await Promise.all([
    page.waitForResponse((r) => r.request().method() === 'PATCH' && r.url().endsWith(`/api/v1/users/${newId}`)),
    page.click('#user-edit-form button[type="submit"]'),
  ]);
  await page.waitForSelector('#history-list li[data-action="update"] .diff-row[data-field="role"]');
  await waitText(page, '#history-list li[data-action="update"] .diff-row[data-field="role"] del', '接线员');
  await waitText(page, '#history-list li[data-action="update"] .diff-row[data-field="role"] ins', '案件经理');
  await waitText(page, '#history-list li[data-action="update"] .hist-action', '修改');
  await waitText(page, '#users-table tr[data-login="ivan.petrov"] .badge.role', '案件经理');
  await shot(page, 'user-detail');

  // the same history through the API
  const audit = await page.evaluate(async (id) => (await fetch(`/api/v1/audit?entity=user&id=${id}`)).json(), newId);
  assert.equal(audit.items[0].before.role, 'operator');
  assert.equal(audit.items[0].after.role, 'case_manager');

  // ---- phone and email, where staff notices go: a bad phone is named next to its field ----
  await page.fill('#user-edit-form input[name="phone"]', 'call me');
  await page.fill('#user-edit-form input[name="email"]', 'ivan.petrov@example.com');
  await page.press('#user-edit-form input[name="phone"]', 'Control+Enter');
  await page.waitForSelector('#user-edit-form input[name="phone"][aria-invalid="true"]');
  await waitText(page, '#user-edit-form .field[data-field="phone"] .field-error', '这不是电话号码：请带国家代码填写。');
  assert.equal(await page.inputValue('#user-edit-form input[name="email"]'), 'ivan.petrov@example.com', 'the form keeps what was typed');
  await page.fill('#user-edit-form input[name="phone"]', '8 (916) 555-01-02');
  await Promise.all([
    page.waitForResponse((r) => r.request().method() === 'PATCH' && r.url().endsWith(`/api/v1/users/${newId}`) && r.status() === 200),
    page.press('#user-edit-form input[name="phone"]', 'Control+Enter'),
  ]);
  await waitText(page, '#user-panel .panel-head [data-contact="phone"]', '+79165550102');
  await waitText(page, '#user-panel .panel-head [data-contact="email"]', 'ivan.petrov@example.com');
  assert.equal(await page.inputValue('#user-edit-form input[name="phone"]'), '+79165550102', 'the phone as stored');
  await waitText(page, '#history-list li[data-action="update"] .diff-row[data-field="phone"] ins', '+79165550102');
  const stored = await page.evaluate(async (id) => (await fetch(`/api/v1/users/${id}`)).json(), newId);
  assert.equal(stored.phone, '+79165550102');
  assert.equal(stored.email, 'ivan.petrov@example.com');
  await shot(page, 'user-contacts');

  // ---- back/forward and Esc ----
  await page.goBack();
  await page.waitForSelector('#new-user-form');
  await page.goForward();
  await waitText(page, '#panel-title', 'ivan.petrov');
  await page.keyboard.press('Escape');
  await page.waitForFunction(() => location.hash === '#/users');
  await page.waitForSelector('#user-panel', { state: 'hidden' });
  assert.equal(await page.evaluate(() => document.activeElement.dataset.login), 'ivan.petrov', 'focus returns to the row');

  // arrows move in the list, Enter opens
  await page.keyboard.press('ArrowDown');
  const next = await page.evaluate(() => document.activeElement.dataset.login);
  assert.equal(next, 'manager');
  await page.keyboard.press('Enter');
  await waitText(page, '#panel-title', 'manager');
  await page.keyboard.press('Escape');
  await page.waitForFunction(() => location.hash === '#/users');

  // ---- profile: g then p ----
  await page.keyboard.press('g');
  await page.keyboard.press('p');
  await page.waitForSelector('#profile-form');
  await page.waitForFunction(() => location.hash === '#/profile');
  await waitText(page, '#profile-title', '个人资料');
  await page.waitForSelector('#token-list [data-empty="tokens"]');

  // my own phone for staff notices, stored in E.164
  await page.fill('#profile-form input[name="phone"]', '+44 20 7946 0958');
  await Promise.all([
    page.waitForResponse((r) => r.request().method() === 'PATCH' && r.url().endsWith('/api/v1/me') && r.status() === 200),
    page.press('#profile-form input[name="phone"]', 'Enter'),
  ]);
  await page.waitForFunction(() => document.querySelector('#profile-form input[name="phone"]').value === '+442079460958');
  assert.equal((await page.evaluate(async () => (await fetch('/api/v1/me')).json())).phone, '+442079460958');

  // a wrong current password names the field
  await page.fill('#password-form input[name="current_password"]', 'not-my-password');
  await page.fill('#password-form input[name="new_password"]', 'new-password-1');
  await page.fill('#password-form input[name="new_password2"]', 'new-password-1');
  await page.press('#password-form input[name="new_password2"]', 'Enter');
  await page.waitForSelector('#password-form input[name="current_password"][aria-invalid="true"]');
  await waitText(page, '#password-form .field[data-field="current_password"] .field-error', '当前密码错误。');
  assert.equal(await page.inputValue('#password-form input[name="new_password"]'), 'new-password-1', 'the form keeps what was typed');
  await shot(page, 'profile');

  // a token: shown once with a copy button, then revoked after an inline confirmation
  await page.fill('#token-form input[name="name"]', 'nightly import');
  await page.press('#token-form input[name="name"]', 'Enter');
  await page.waitForSelector('#token-secret');
  const secret = await page.inputValue('#token-secret');
  assert.ok(secret.length >= 20, 'the token is shown');
  assert.ok(await page.$('#token-secret-box .secret button'), 'a copy button');
  await page.waitForSelector('#token-list tr[data-token-id]');
  await shot(page, 'profile-token');
  await page.click('#token-secret-box button.primary');
  await page.waitForSelector('#token-secret', { state: 'detached' });
  await page.click('#token-list tr[data-token-id] button.danger');
  await page.waitForSelector('#token-list tr.confirming');
  await page.keyboard.press('Escape'); // cancel
  await page.waitForSelector('#token-list tr.confirming', { state: 'detached' });
  await page.click('#token-list tr[data-token-id] button.danger');
  await Promise.all([
    page.waitForResponse((r) => r.request().method() === 'DELETE' && /\/api\/v1\/tokens\/\d+$/.test(r.url())),
    page.click('#token-list tr.confirming button.solid'),
  ]);
  await page.waitForSelector('#token-list [data-empty="tokens"]');

  // ---- sign out: back on the sign-in page, still in Chinese ----
  await page.click('#usermenu-btn');
  await page.waitForSelector('#usermenu:not([hidden])');
  await page.click('#usermenu [data-action="signout"]');
  await page.waitForSelector('#signin-form');
  await waitText(page, '.signin-card h1', '登录');
  const status = await page.evaluate(async () => (await fetch('/api/v1/me')).status);
  assert.equal(status, 401);
  assert.deepEqual(problems, []);
});

test('operator: no user administration; own language applied at sign-in', async (t) => {
  const { page, problems } = await open(t, { locale: 'en-US' });
  const usersCalls = [];
  page.on('request', (r) => { if (new URL(r.url()).pathname.startsWith('/api/v1/users')) usersCalls.push(r.url()); });
  await page.goto(server.base + '/');
  await page.waitForSelector('#signin-form');
  await signIn(page, 'operator');
  // the operator's saved language is Russian
  await waitText(page, 'a[data-nav="search"]', 'Поиск');
  assert.equal(await page.$('a[data-nav="users"]'), null, 'no Users entry');
  assert.equal(await page.$('a[data-nav="imports"]'), null, 'no Import entry');
  assert.equal(await page.$('a[data-nav="reports"]'), null, 'no Reports entry');
  assert.equal(await page.evaluate(() => location.hash), '#/search');
  await page.keyboard.press('Escape');
  await page.keyboard.press('g');
  await page.keyboard.press('p');
  await page.waitForSelector('#profile-form');
  await waitText(page, '.facts .badge.role', 'Оператор');

  // the shortcuts list does not offer user administration either
  await page.keyboard.press('?');
  await page.waitForSelector('dialog#shortcuts[open]');
  assert.equal(await page.$$eval('dialog#shortcuts td', (tds) => tds.some((td) => td.dataset.i18n === 'keys.new_user')), false);
  await page.keyboard.press('Escape');

  // typing the address shows "no access", and no admin request is made
  await page.evaluate(() => { location.hash = '#/users'; });
  await page.waitForSelector('[data-page="forbidden"]');
  await waitText(page, '#msg-title', 'Нет доступа');
  assert.deepEqual(usersCalls, []);
  assert.deepEqual(problems, []);
});

test('wrong password and throttling show translated errors', async (t) => {
  const { page, problems } = await open(t, { locale: 'ru-RU' });
  await page.goto(server.base + '/');
  await page.waitForSelector('#signin-form');
  // the browser's language is used before anything was chosen
  await waitText(page, '.signin-card h1', 'Вход');
  const login = 'finance';
  const attempt = async () => {
    await page.fill('#signin-form input[name="login"]', login);
    await page.fill('#signin-form input[name="password"]', 'wrong-password');
    const res = page.waitForResponse((r) => r.url().endsWith('/api/v1/session'));
    await page.press('#signin-form input[name="password"]', 'Enter');
    return (await res).status();
  };
  assert.equal(await attempt(), 401);
  await waitText(page, '#signin-form .form-alert .msg', 'Неверный логин или пароль.');
  assert.equal(await page.evaluate(() => document.activeElement.name), 'password');
  assert.equal(await page.inputValue('#signin-form input[name="login"]'), login, 'the login is kept');
  await shot(page, 'signin-error-ru');

  // after five failures the server says when to try again
  let status;
  for (let i = 0; i < 5 && status !== 429; i++) status = await attempt();
  assert.equal(status, 429);
  await page.waitForFunction(() => /Слишком много неудачных попыток\. Повторите через \d+ секунд/
    .test(document.querySelector('#signin-form .form-alert .msg')?.textContent || ''));
  assert.equal(await page.$eval('#signin-form button[type="submit"]', (b) => b.disabled), true);
  assert.deepEqual(problems, []);
});
