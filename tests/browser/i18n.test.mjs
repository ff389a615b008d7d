// The UI strings: web/i18n/{en,ru,zh}.json have the same keys, no empty
// values, the same {placeholders}; every key the UI uses exists; every error
// code, role and audit action the server can send has a translation.
// No browser needed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from '../lib/server.mjs';

const WEB = path.join(ROOT, 'web');
const LANGS = ['en', 'ru', 'zh'];
const dicts = Object.fromEntries(LANGS.map((l) =>
  [l, JSON.parse(readFileSync(path.join(WEB, 'i18n', `${l}.json`), 'utf8'))]));

function walk(dir, exts, out = []) {
  for (const name of readdirSync(dir)) {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) walk(p, exts, out);
    else if (exts.some((e) => name.endsWith(e))) out.push(p);
  }
  return out;
}

const placeholders = (s) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

test('the three languages have the same keys', () => {
  const en = Object.keys(dicts.en);
  for (const l of LANGS) {
    const keys = new Set(Object.keys(dicts[l]));
    const missing = en.filter((k) => !keys.has(k));
    const extra = [...keys].filter((k) => !(k in dicts.en));
    assert.deepEqual(missing, [], `${l}.json lacks keys present in en.json`);
    assert.deepEqual(extra, [], `${l}.json has keys that en.json lacks`);
  }
});

test('no value is empty and placeholders agree', () => {
  for (const l of LANGS) {
    for (const [k, v] of Object.entries(dicts[l])) {
      assert.equal(typeof v, 'string', `${l}.json ${k} is not a string`);
      assert.ok(v.trim().length > 0, `${l}.json ${k} is empty`);
      assert.deepEqual(placeholders(v), placeholders(dicts.en[k]),
        `${l}.json ${k} has placeholders ${placeholders(v)} but en.json has ${placeholders(dicts.en[k])}`);
    }
  }
});

test('Russian and Chinese are translated, not copied from English', () => {
  // keys whose value may legitimately equal English (placeholders only, brand-neutral)
  const same = new Set(['users.count']);
  for (const l of ['ru', 'zh']) {
    const copied = Object.keys(dicts.en).filter((k) => !same.has(k) && dicts[l][k] === dicts.en[k]
      && /[A-Za-z]{3,}/.test(dicts.en[k].replace(/\{\w+\}/g, '')));
    assert.deepEqual(copied, [], `${l}.json has values identical to English`);
  }
});

/** Keys used in web/: data-i18n attributes and string literals passed to the i18n helpers. */
function usedKeys() {
  const keys = new Map(); // key -> file
  const namespaces = new Set(Object.keys(dicts.en).map((k) => k.split('.')[0]));
  const add = (k, f) => { if (!keys.has(k)) keys.set(k, path.relative(ROOT, f)); };
  for (const f of walk(WEB, ['.js', '.mjs', '.html'])) {
    const src = readFileSync(f, 'utf8');
    // data-i18n="key" / data-i18n-attr="placeholder=key;title=key" in HTML
    if (f.endsWith('.html')) {
      for (const m of src.matchAll(/data-i18n="([^"]+)"/g)) add(m[1], f);
      for (const m of src.matchAll(/data-i18n-attr="([^"]+)"/g)) {
        for (const pair of m[1].split(';')) add(pair.split('=')[1], f);
      }
    }
    // explicit helper calls: t('k'), tx('k'), bindText(el, 'k'), toast('k'), i18n: 'k' / ['k', …], key: 'k', label/hint: 'k'
    const calls = [
      /\b(?:t|tx|toast|setTitle)\(\s*'([^'$`]+)'/g,
      /\bbindText\([^,]+,\s*'([^'$`]+)'/g,
      /\bi18n:\s*\[?\s*'([^'$`]+)'/g,
      /\b(?:key|label|hint|title):\s*'([a-z_]+(?:\.[a-z0-9_]+)+)'/g,
    ];
    for (const re of calls) for (const m of src.matchAll(re)) add(m[1], f);
    // i18nAttr: { placeholder: 'k', 'aria-label': 'k' }
    for (const m of src.matchAll(/i18nAttr:\s*\{([^}]*)\}/g)) {
      for (const v of m[1].matchAll(/:\s*'([^']+)'/g)) add(v[1], f);
    }
    // any other literal that looks like a key in one of our namespaces ('users.new', "nav.users")
    for (const m of src.matchAll(/['"]([a-z_]+(?:\.[a-z0-9_]+)+)['"]/g)) {
      if (namespaces.has(m[1].split('.')[0])) add(m[1], f);
    }
  }
  return keys;
}

test('every key used in web/ exists', () => {
  const used = usedKeys();
  assert.ok(used.size > 50, `found only ${used.size} keys: is the scan broken?`);
  const missing = [...used].filter(([k]) => !(k in dicts.en)).map(([k, f]) => `${k} (${f})`);
  assert.deepEqual(missing, [], 'keys used in web/ but missing from the i18n files');
});

test('keys built at run time exist: roles, statuses, pages, audit actions', () => {
  const roles = ['operator', 'case_manager', 'reviewer', 'finance', 'supervisor', 'admin'];
  const need = [
    ...roles.map((r) => `role.${r}`),
    'status.active', 'status.disabled',
    ...['forbidden', 'not_found'].flatMap((p) => [`page.${p}.title`, `page.${p}.text`]),
  ];
  // every audit action the server records
  for (const f of walk(path.join(ROOT, 'src'), ['.c'])) {
    const src = readFileSync(f, 'utf8');
    for (const m of src.matchAll(/req_audit\(\s*r,\s*(?:[^,]*\?\s*)?"([a-z_]+)"(?:\s*:\s*"([a-z_]+)")?/g)) {
      need.push(`history.action.${m[1]}`);
      if (m[2]) need.push(`history.action.${m[2]}`);
    }
  }
  const missing = [...new Set(need)].filter((k) => !(k in dicts.en));
  assert.deepEqual(missing, [], 'run-time keys missing');
});

test('every error code the API can return has a translated message', () => {
  // codes set anywhere the HTTP API runs (not the command line's own errors)
  const dirs = ['api', 'http', 'store', 'core'].map((d) => path.join(ROOT, 'src', d));
  const cliOnly = new Set(['invalid_listen', 'listen_failed', 'database_open', 'schema_too_new', 'migration_failed']);
  const codes = new Set();
  for (const d of dirs) {
    for (const f of walk(d, ['.c'])) {
      const src = readFileSync(f, 'utf8');
      for (const m of src.matchAll(/err_set\([^;]*?RES_[A-Z_]+,\s*"([a-z_]+)"/gs)) codes.add(m[1]);
    }
  }
  assert.ok(codes.has('invalid_credentials') && codes.has('login_taken'), 'error code scan found nothing');
  const missing = [...codes].filter((c) => !cliOnly.has(c) && !(`error.${c}` in dicts.en));
  assert.deepEqual(missing.sort(), [], 'error codes without error.<code> in the i18n files');
});
