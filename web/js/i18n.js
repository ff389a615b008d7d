// Strings, language switching and Intl formatting.
//
// Text that the user reads is put into the DOM with its key
// (data-i18n="key", data-i18n-params='{"n":3}', data-i18n-attr="placeholder=key")
// and formatted values with data-fmt="date|datetime|number|lang|money|days|name"
// + data-value,
// so switching the language re-translates the page in place: nothing is
// re-rendered and nothing the user typed is lost.

import { fmtMoney, minorToDecimal } from './money.js';

export const LANGS = ['en', 'ru', 'zh'];
/** Language names shown in the switch, each in its own language. */
export const LANG_NATIVE = { en: 'English', ru: 'Русский', zh: '中文' };
const LOCALE = { en: 'en-GB', ru: 'ru-RU', zh: 'zh-CN' };
const STORE_KEY = 'assist.lang';

let lang = 'en';
let dict = {};
const cache = new Map();
let titleKey = null;

export function currentLang() { return lang; }
export function locale() { return LOCALE[lang]; }

/** The language to show before sign-in: the last one used here, else the browser's. */
export function initialLang() {
  try {
    const saved = localStorage.getItem(STORE_KEY);
    if (LANGS.includes(saved)) return saved;
  } catch { /* storage blocked */ }
  for (const l of navigator.languages || [navigator.language || 'en']) {
    const p = String(l).slice(0, 2).toLowerCase();
    if (LANGS.includes(p)) return p;
  }
  return 'en';
}

async function load(l) {
  if (!cache.has(l)) {
    const res = await fetch(`/i18n/${l}.json`, { credentials: 'same-origin' });
    if (!res.ok) throw new Error(`cannot load /i18n/${l}.json: ${res.status}`);
    cache.set(l, await res.json());
  }
  return cache.get(l);
}

/** Switch the UI language: loads the strings, re-translates the page, remembers the choice here. */
export async function setLang(l) {
  if (!LANGS.includes(l)) l = 'en';
  dict = await load(l);
  const changed = l !== lang;
  lang = l;
  document.documentElement.lang = LOCALE[l];
  try { localStorage.setItem(STORE_KEY, l); } catch { /* storage blocked */ }
  applyI18n(document.body);
  for (const s of document.querySelectorAll('select[data-lang-select]')) s.value = l;
  if (titleKey) document.title = `${t(titleKey)} · assist`;
  if (changed) document.dispatchEvent(new CustomEvent('langchange', { detail: { lang: l } }));
}

export function has(key) { return Object.prototype.hasOwnProperty.call(dict, key); }

/** The text of key with {name} placeholders filled from params. */
export function t(key, params) {
  let s = has(key) ? dict[key] : null;
  if (s == null) {
    console.warn('i18n: missing key', key);
    return key;
  }
  if (params) s = s.replace(/\{(\w+)\}/g, (m, p) => (p in params ? paramText(params[p]) : m));
  return s;
}

/** A parameter: a plain value, a number (formatted), {key} (translated),
 *  {seconds} (a duration with units), {fmt, value} (a formatted value). */
function paramText(v) {
  if (typeof v === 'number') return fmtNumber(v);
  if (v && typeof v === 'object') {
    if ('key' in v) return t(v.key, v.params);
    if ('seconds' in v) return fmtSeconds(v.seconds);
    if ('fmt' in v) return format(v.fmt, v.value);
  }
  return String(v ?? '');
}

/** Give el the text of key (now and after every language switch). */
export function bindText(el, key, params) {
  el.dataset.i18n = key;
  if (params) el.dataset.i18nParams = JSON.stringify(params);
  else delete el.dataset.i18nParams;
  el.textContent = t(key, params);
  return el;
}

/** Give el translated attributes: attrs = {placeholder: key, 'aria-label': key}. */
export function bindAttrs(el, attrs) {
  el.dataset.i18nAttr = Object.entries(attrs).map(([a, k]) => `${a}=${k}`).join(';');
  for (const [a, k] of Object.entries(attrs)) el.setAttribute(a, t(k));
  return el;
}

/**
 * A formatted value that follows the language: kind is date, datetime, number,
 * lang, money ("minor CUR", e.g. "1234567 RUB"), days (a count of days),
 * percent (hundredths of a percent: 2000 is 20 %), range ("2026-01-01/2026-12-31"),
 * name (JSON of {"en","ru","zh"} names from data, shown in the UI language) or
 * monthday (a day of every year, MM-DD, or a month's name from MM).
 */
export function bindFormat(el, kind, value) {
  el.dataset.fmt = kind;
  el.dataset.value = value == null ? '' : String(value);
  if (kind === 'date' || kind === 'datetime') el.setAttribute('datetime', value || '');
  el.textContent = format(kind, value);
  return el;
}

export function applyI18n(root) {
  if (!root) return;
  const all = (sel) => [...(root.matches?.(sel) ? [root] : []), ...root.querySelectorAll(sel)];
  for (const el of all('[data-i18n]')) {
    const params = el.dataset.i18nParams ? JSON.parse(el.dataset.i18nParams) : undefined;
    el.textContent = t(el.dataset.i18n, params);
  }
  for (const el of all('[data-i18n-attr]')) {
    for (const pair of el.dataset.i18nAttr.split(';')) {
      const i = pair.indexOf('=');
      el.setAttribute(pair.slice(0, i), t(pair.slice(i + 1)));
    }
  }
  for (const el of all('[data-fmt]')) el.textContent = format(el.dataset.fmt, el.dataset.value);
}

/** Document title from a key (kept translated). */
export function setTitle(key) {
  titleKey = key;
  document.title = key ? `${t(key)} · assist` : 'assist';
}

// ---------- Intl ----------

export function format(kind, value) {
  if (value === '' || value == null) return '';
  switch (kind) {
    case 'date': return fmtDate(value);
    case 'datetime': return fmtDateTime(value);
    case 'number': return fmtNumber(Number(value));
    case 'lang': return langName(value);
    case 'money': {
      const [minor, cur] = String(value).split(' ');
      return fmtMoney(minor, cur, locale());
    }
    case 'days': return fmtDays(Number(value));
    case 'range': { // "2026-01-01/2026-12-31" → "1 Jan – 31 Dec 2026"
      const [a, b] = String(value).split('/');
      return fmtRange(a, b);
    }
    case 'percent': // hundredths of a percent: 2000 → "20 %"
      return new Intl.NumberFormat(locale(), { style: 'unit', unit: 'percent', maximumFractionDigits: 2 })
        .format(minorToDecimal(value, 2));
    case 'name': return pickName(typeof value === 'string' ? JSON.parse(value) : value);
    case 'due': return fmtDue(value);
    case 'reltime': return fmtRelTime(value);
    case 'month': return fmtMonth(value);
    case 'monthday': return fmtMonthDay(value);
    case 'score': // a mean score with one decimal ("7.5" → "7,5" in Russian)
      return new Intl.NumberFormat(locale(), { minimumFractionDigits: 1, maximumFractionDigits: 1 }).format(Number(value));
    default: return String(value);
  }
}

export function fmtDate(iso) {
  if (/^\d{4}-\d{2}-\d{2}$/.test(iso)) return fmtCivil(iso);
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  return new Intl.DateTimeFormat(locale(), { dateStyle: 'medium' }).format(d);
}

export function fmtDateTime(iso) {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  return new Intl.DateTimeFormat(locale(), { dateStyle: 'medium', timeStyle: 'short' }).format(d);
}

export function fmtNumber(n) {
  return new Intl.NumberFormat(locale()).format(n);
}

/** Civil date "2026-03-10" (no time zone shift: it is a date, not an instant). */
export function fmtCivil(ymd) {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(ymd || '');
  if (!m) return String(ymd ?? '');
  const d = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3]));
  return new Intl.DateTimeFormat(locale(), { dateStyle: 'medium', timeZone: 'UTC' }).format(d);
}

/** Two civil dates as one range, shortened the locale's way: "1–30 Nov 2026". */
export function fmtRange(a, b) {
  const p = (ymd) => {
    const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(ymd || '');
    return m ? new Date(Date.UTC(+m[1], +m[2] - 1, +m[3])) : null;
  };
  const da = p(a), db = p(b);
  if (!da || !db) return [a, b].filter(Boolean).join(' – ');
  const f = new Intl.DateTimeFormat(locale(), { dateStyle: 'medium', timeZone: 'UTC' });
  try { return f.formatRange(da, db); } catch { return `${f.format(da)} – ${f.format(db)}`; }
}

export function fmtDays(n) {
  try {
    return new Intl.NumberFormat(locale(), { style: 'unit', unit: 'day', unitDisplay: 'long' }).format(n);
  } catch {
    return `${n} d`;
  }
}

/** A name from data ({"en": …, "ru": …, "zh": …}) in the UI language, else English, else any. */
export function pickName(names) {
  if (!names) return '';
  if (typeof names === 'string') return names;
  return names[lang] || names.en || Object.values(names).find(Boolean) || '';
}

export function fmtSeconds(s) {
  const n = Math.max(0, Math.round(Number(s)));
  try {
    return new Intl.NumberFormat(locale(), { style: 'unit', unit: 'second', unitDisplay: 'long' }).format(n);
  } catch {
    return `${n} s`;
  }
}

// ---------- time from now (due times, "5 min ago") ----------

/** The unit and amount a span of ms reads best in: minutes, hours, then days. */
function spanUnit(ms) {
  const min = Math.abs(ms) / 60000;
  if (min < 59.5) return ['minute', Math.max(1, Math.round(min))];
  const hr = min / 60;
  if (hr < 47.5) return ['hour', Math.round(hr)];
  return ['day', Math.round(hr / 24)];
}

/** A span of time with its unit: "2 h", "2 ч", "2小时". */
export function fmtSpan(ms) {
  const [unit, n] = spanUnit(ms);
  try {
    return new Intl.NumberFormat(locale(), { style: 'unit', unit, unitDisplay: 'short' }).format(n);
  } catch {
    return `${n} ${unit}`;
  }
}

/** An instant relative to now: "in 20 min", "5 min ago"; "now" within a minute. */
export function fmtRelTime(iso, now = Date.now()) {
  const d = new Date(iso).getTime();
  if (Number.isNaN(d)) return String(iso ?? '');
  const ms = d - now;
  if (Math.abs(ms) < 45000) return t('time.now');
  const [unit, n] = spanUnit(ms);
  try {
    return new Intl.RelativeTimeFormat(locale(), { numeric: 'auto', style: 'short' }).format(ms < 0 ? -n : n, unit);
  } catch {
    return fmtDateTime(iso);
  }
}

/** A due time: "in 20 min" ahead, "overdue by 2 h" past it. */
export function fmtDue(iso, now = Date.now()) {
  const d = new Date(iso).getTime();
  if (Number.isNaN(d)) return String(iso ?? '');
  const ms = d - now;
  if (ms <= 0 && ms > -45000) return t('time.due_now');
  if (ms <= 0) return t('time.overdue_by', { d: fmtSpan(ms) });
  return fmtRelTime(iso, now);
}

/** "2026-11" → "November 2026" in the UI language. */
export function fmtMonth(ym) {
  const m = /^(\d{4})-(\d{2})$/.exec(ym || '');
  if (!m) return String(ym ?? '');
  return new Intl.DateTimeFormat(locale(), { year: 'numeric', month: 'long', timeZone: 'UTC' })
    .format(new Date(Date.UTC(+m[1], +m[2] - 1, 1)));
}

/** A day of every year, "03-08" → "8 March" / "8 марта" / "3月8日"; a month
 *  alone, "03" → "March" / "Март" / "三月". A leap year keeps 02-29. */
export function fmtMonthDay(md) {
  const m = /^(\d{2})(?:-(\d{2}))?$/.exec(md || '');
  if (!m) return String(md ?? '');
  const d = new Date(Date.UTC(2000, +m[1] - 1, m[2] ? +m[2] : 1));
  if (m[2]) return new Intl.DateTimeFormat(locale(), { month: 'long', day: 'numeric', timeZone: 'UTC' }).format(d);
  const n = new Intl.DateTimeFormat(locale(), { month: 'long', timeZone: 'UTC' }).format(d);
  return n.charAt(0).toLocaleUpperCase(locale()) + n.slice(1);
}

/** A language's name in the UI language ("Russian", "русский", "俄语"). */
export function langName(code) {
  try {
    const n = new Intl.DisplayNames([locale()], { type: 'language' }).of(code);
    if (n && n !== code) return n.charAt(0).toLocaleUpperCase(locale()) + n.slice(1);
  } catch { /* old engine */ }
  return LANG_NATIVE[code] || code;
}
