// Shared set-up of the browser tests of the capability-A screens (programs,
// policies, import, coverage calculator): a real `assist serve` with demo
// data, Debian's Chromium driven by playwright-core, screenshots into
// tests/artifacts/browser/ for a person to look at, and small helpers.
// (Not a test file itself: node --test runs *.test.mjs only.)
import assert from 'node:assert/strict';
import { before, after } from 'node:test';
import { mkdirSync } from 'node:fs';
import { deflateRawSync } from 'node:zlib';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { startServer, ROOT, DEMO_PASSWORD } from '../lib/server.mjs';

export const ART = path.join(ROOT, 'tests/artifacts/browser');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';

/** Start one server and one browser for the file's tests; returns {server, browser} filled in before(). */
export function useServer(opts = {}) {
  const env = { server: null, browser: null };
  before(async () => {
    mkdirSync(ART, { recursive: true });
    env.server = await startServer({ backend: 'sqlite', ...opts });
    env.browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-background-networking', '--disable-gpu',
        '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
  });
  after(async () => {
    if (env.browser) await env.browser.close();
    if (env.server) await env.server.stop();
  });
  return env;
}

/**
 * A fresh context (own cookies and storage); records page errors, console
 * errors and unexpected 404s. allow404: paths that may answer 404 on purpose.
 */
export async function open(env, t, { locale = 'en-US', width = 1366, height = 768, allow404 = [] } = {}) {
  const ctx = await env.browser.newContext({ viewport: { width, height }, locale, acceptDownloads: true });
  const page = await ctx.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' && !/Failed to load resource/.test(m.text())) problems.push(`console: ${m.text()}`);
    if (m.type() === 'warning' && /i18n: missing key/.test(m.text())) problems.push(`console: ${m.text()}`);
  });
  page.on('response', (r) => {
    const u = new URL(r.url());
    if (r.status() === 404 && !allow404.some((p) => u.pathname.startsWith(p))) problems.push(`404 ${u.pathname}`);
  });
  t.after(() => ctx.close());
  return { ctx, page, problems };
}

/** Save a screenshot (without passing "Saved" notes over the content). */
export async function shot(page, name) {
  await page.evaluate(() => document.querySelectorAll('.toast').forEach((el) => el.remove()));
  await page.screenshot({ path: path.join(ART, `${name}.png`) });
}

/** Collapse every kind of space (Intl puts no-break and narrow spaces in numbers). */
export const norm = (s) => String(s ?? '').replace(/\s+/g, ' ').trim();

/** Wait until the element's text (spaces normalised) equals text. */
export async function waitText(page, selector, text, timeout = 10000) {
  try {
    await page.waitForFunction(([s, x]) => {
      const el = document.querySelector(s);
      return el && el.textContent.replace(/\s+/g, ' ').trim() === x;
    }, [selector, norm(text)], { timeout });
  } catch {
    const got = await page.$eval(selector, (el) => el.textContent.replace(/\s+/g, ' ').trim()).catch(() => '(no element)');
    throw new Error(`${selector}: expected text ${JSON.stringify(norm(text))}, got ${JSON.stringify(got)}`);
  }
}

/** Wait until the element's text (spaces normalised) contains text. */
export async function waitContains(page, selector, text, timeout = 10000) {
  try {
    await page.waitForFunction(([s, x]) => {
      const el = document.querySelector(s);
      return el && el.textContent.replace(/\s+/g, ' ').includes(x);
    }, [selector, norm(text)], { timeout });
  } catch {
    const got = await page.$eval(selector, (el) => el.textContent.replace(/\s+/g, ' ').trim()).catch(() => '(no element)');
    throw new Error(`${selector}: expected text containing ${JSON.stringify(norm(text))}, got ${JSON.stringify(got)}`);
  }
}

/** Wait until the element with this id has the focus (views focus after
 * they render, a tick after the heading may show), then assert it. */
export async function expectFocus(page, id, message, timeout = 5000) {
  try {
    await page.waitForFunction((want) => document.activeElement?.id === want, id, { timeout });
  } catch {
    // fall through: the assertion names what has the focus instead
  }
  assert.equal(await page.evaluate(() => document.activeElement?.id), id, message);
}

export const textOf = (page, selector) => page.$eval(selector, (el) => el.textContent.replace(/\s+/g, ' ').trim());

/** Sign in on the sign-in page and wait for the shell. */
export async function signIn(env, page, login, password = DEMO_PASSWORD) {
  await page.goto(env.server.base + '/');
  await page.waitForSelector('#signin-form');
  await page.fill('#signin-form input[name="login"]', login);
  await page.fill('#signin-form input[name="password"]', password);
  await page.press('#signin-form input[name="password"]', 'Enter');
  await page.waitForSelector('header.topbar');
}

/** Switch the UI language with the top bar (saved for the user) and wait for it. */
export async function switchLang(page, lang) {
  const saved = page.waitForResponse((r) => r.request().method() === 'PATCH' && new URL(r.url()).pathname === '/api/v1/me');
  await page.selectOption('#topbar-lang', lang);
  await saved;
  await page.waitForFunction((l) => document.documentElement.lang.startsWith(l), lang);
}

/** Every input, select and textarea on the page has a label. */
export async function unlabelled(page) {
  return page.$$eval('input:not([type="hidden"]), select, textarea', (els) =>
    els.filter((el) => (!el.labels || el.labels.length === 0) && !el.getAttribute('aria-label')).map((el) => el.name || el.id));
}

// ---------- a minimal .xlsx, made here (no library) ----------

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf) {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** A zip archive of {name: text} (deflated entries). */
export function zip(files) {
  const local = [], central = [];
  let offset = 0;
  for (const [name, text] of Object.entries(files)) {
    const data = Buffer.from(text, 'utf8');
    const packed = deflateRawSync(data);
    const nameBuf = Buffer.from(name, 'utf8');
    const crc = crc32(data);
    const head = Buffer.alloc(30);
    head.writeUInt32LE(0x04034b50, 0); head.writeUInt16LE(20, 4); head.writeUInt16LE(0x0800, 6);
    head.writeUInt16LE(8, 8); head.writeUInt32LE(0, 10); head.writeUInt32LE(crc, 14);
    head.writeUInt32LE(packed.length, 18); head.writeUInt32LE(data.length, 22);
    head.writeUInt16LE(nameBuf.length, 26); head.writeUInt16LE(0, 28);
    local.push(head, nameBuf, packed);
    const dir = Buffer.alloc(46);
    dir.writeUInt32LE(0x02014b50, 0); dir.writeUInt16LE(20, 4); dir.writeUInt16LE(20, 6);
    dir.writeUInt16LE(0x0800, 8); dir.writeUInt16LE(8, 10); dir.writeUInt32LE(0, 12);
    dir.writeUInt32LE(crc, 16); dir.writeUInt32LE(packed.length, 20); dir.writeUInt32LE(data.length, 24);
    dir.writeUInt16LE(nameBuf.length, 28); dir.writeUInt32LE(offset, 42);
    central.push(dir, nameBuf);
    offset += head.length + nameBuf.length + packed.length;
  }
  const cd = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0); end.writeUInt16LE(Object.keys(files).length, 8);
  end.writeUInt16LE(Object.keys(files).length, 10); end.writeUInt32LE(cd.length, 12); end.writeUInt32LE(offset, 16);
  return Buffer.concat([...local, cd, end]);
}

const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const colName = (i) => (i < 26 ? String.fromCharCode(65 + i) : colName(Math.floor(i / 26) - 1) + String.fromCharCode(65 + (i % 26)));

/** A one-sheet workbook whose cells are the given rows of strings (inline strings). */
export function xlsx(rows) {
  const NS = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main';
  const R = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';
  const sheetRows = rows.map((cells, r) => `<row r="${r + 1}">${cells.map((v, c) => (v === '' ? ''
    : `<c r="${colName(c)}${r + 1}" t="inlineStr"><is><t>${esc(v)}</t></is></c>`)).join('')}</row>`).join('');
  return zip({
    '[Content_Types].xml': '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
      + '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
      + '<Default Extension="xml" ContentType="application/xml"/>'
      + '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
      + '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>',
    '_rels/.rels': '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
      + `<Relationship Id="rId1" Type="${R}/officeDocument" Target="xl/workbook.xml"/></Relationships>`,
    'xl/workbook.xml': `<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="${NS}" xmlns:r="${R}"><sheets><sheet name="Policies" sheetId="1" r:id="rId1"/></sheets></workbook>`,
    'xl/_rels/workbook.xml.rels': '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
      + `<Relationship Id="rId1" Type="${R}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>`,
    'xl/worksheets/sheet1.xml': `<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="${NS}"><sheetData>${sheetRows}</sheetData></worksheet>`,
  });
}
