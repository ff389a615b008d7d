// Shared pieces of the programs, policy and coverage screens: program
// definitions (fetched once per session), names of services, categories and
// packages, and rules (limits, deductibles, waiting periods, conditions,
// exclusions) as text in the UI language. Everything is built with i18n keys
// and data-fmt values, so a language switch re-translates it in place.
import { h, tx } from './dom.js';
import { get } from './api.js';
import { has, t } from './i18n.js';

// ---------- program definitions ----------

const programs = new Map(); // code → Promise of the definition

/** The whole program (GET /api/v1/programs/{code}), cached for the session. */
export function loadProgram(code, { fresh = false } = {}) {
  if (fresh || !programs.has(code)) {
    const p = get(`/api/v1/programs/${encodeURIComponent(code)}`);
    programs.set(code, p);
    p.catch(() => programs.delete(code));
  }
  return programs.get(code);
}

/** Remember a definition just saved (PUT answers with it). */
export function rememberProgram(def) {
  programs.set(def.code, Promise.resolve(def));
}

export const serviceOf = (def, code) => (def && def.services || []).find((s) => s.code === code) || null;
export const packageOf = (def, code) => (def && def.packages || []).find((p) => p.code === code) || null;

/** Services of a package: those listed, then every service of its categories (program order). */
export function packageServices(def, pkg) {
  const listed = new Set(pkg.services || []);
  const cats = new Set(pkg.categories || []);
  return (def.services || []).filter((s) => listed.has(s.code) || cats.has(s.category));
}

/** Services a policy may use: those of its packages (all packages when null). */
export function policyServices(def, packages) {
  const held = (def.packages || []).filter((p) => !packages || packages.includes(p.code));
  const out = new Set();
  for (const p of held) for (const s of packageServices(def, p)) out.add(s.code);
  return (def.services || []).filter((s) => out.has(s.code));
}

// ---------- names ----------

/** A name from data in the UI language (follows language switches). */
export const nameEl = (names, attrs = {}) => h('span', { ...attrs, fmt: ['name', JSON.stringify(names || {})] });

/** A category: its translated name when the UI knows the code, else the code itself. */
export function categoryEl(code) {
  return has(`category.${code}`) ? h('span', { i18n: `category.${code}` }) : h('span', { class: 'mono' }, code);
}

/** A service's unit ("visit", "study"): translated when known. */
export function unitEl(unit) {
  if (!unit) return null;
  return has(`unit.${unit}`) ? h('span', { i18n: `unit.${unit}` }) : h('span', null, unit);
}

export const codeEl = (code) => h('code', { class: 'code' }, code);

/** "Service: " — the kind of a scope with the language's colon. */
const kindEl = (key) => h('span', { class: 'scope-kind' }, h('span', { i18n: key }), h('span', { i18n: 'common.colon_sep' }));

/** What a rule's scope names: a service, a category, a package or the whole program. */
export function scopeEl(scope, def) {
  if (!scope) return h('span', { i18n: 'scope.sum_insured' });
  if (scope.program) return h('span', { class: 'scope', dataset: { scope: 'program' } }, tx('scope.program'));
  if (scope.service) {
    const s = serviceOf(def, scope.service);
    return h('span', { class: 'scope', dataset: { scope: 'service' } },
      kindEl('scope.service'),
      s ? nameEl(s.name) : null, ' ', codeEl(scope.service));
  }
  if (scope.category) {
    return h('span', { class: 'scope', dataset: { scope: 'category' } },
      kindEl('scope.category'), categoryEl(scope.category));
  }
  if (scope.package) {
    const p = packageOf(def, scope.package);
    return h('span', { class: 'scope', dataset: { scope: 'package' } },
      kindEl('scope.package'),
      p ? nameEl(p.name) : null, ' ', codeEl(scope.package));
  }
  return h('span', null, JSON.stringify(scope));
}

/** Parts joined with the language's list separator (", " or "，"), as real text. */
export function joined(parts, sep = 'common.list_sep') {
  const out = [];
  for (const p of parts.filter(Boolean)) {
    if (out.length) out.push(h('span', { class: 'sep', i18n: sep }));
    out.push(p);
  }
  return h('span', { class: 'joined' }, out);
}

// ---------- values ----------

export const moneyEl = (minor, currency, attrs = {}) =>
  h('span', { ...attrs, class: ['money', attrs.class], fmt: ['money', `${minor} ${currency}`] });

/** A limit's value as its measure reads: money, a count, or days. */
export function measureValueEl(measure, value, currency) {
  if (value === null || value === undefined) return h('span', { class: 'muted' }, '—');
  if (measure === 'amount') return moneyEl(value, currency);
  if (measure === 'days') return h('span', { fmt: ['days', value] });
  return h('span', { fmt: ['number', value] });
}

export const periodEl = (p) => h('span', { i18n: has(`period.${p}`) ? `period.${p}` : 'period.other' });

/** "up to 2 per policy year", "до 30 000,00 ₽ за полисный год", "每月最多6次". */
export function limitTextEl(limit, currency) {
  const per = { key: `period.per.${limit.period}` };
  const value = limit.measure === 'amount'
    ? { fmt: 'money', value: `${limit.value} ${currency}` }
    : limit.measure === 'days' ? { fmt: 'days', value: limit.value } : { fmt: 'number', value: limit.value };
  return h('span', { i18n: [`limit.text.${limit.measure}`, { value, per }] });
}

/** "20 % co-payment, min 500,00 ₽, max 5 000,00 ₽", "500,00 ₽ per visit". */
export function deductibleTextEl(d, currency) {
  const parts = [];
  if (d.kind === 'percent') {
    parts.push(h('span', { i18n: ['deductible.text.percent', { value: { fmt: 'percent', value: d.value } }] }));
    if (d.min) parts.push(h('span', { i18n: ['deductible.min', { value: { fmt: 'money', value: `${d.min} ${currency}` } }] }));
    if (d.max) parts.push(h('span', { i18n: ['deductible.max', { value: { fmt: 'money', value: `${d.max} ${currency}` } }] }));
  } else {
    parts.push(h('span', { i18n: [`deductible.text.${d.kind}`, { value: { fmt: 'money', value: `${d.value} ${currency}` } }] }));
  }
  return joined(parts);
}

/** "women only, age 16–50". */
export function conditionTextEl(c) {
  const parts = [];
  if (c.sex === 'F' || c.sex === 'M') parts.push(h('span', { i18n: `condition.sex.${c.sex}` }));
  if (c.min_age && c.max_age) parts.push(h('span', { i18n: ['condition.age_between', { min: c.min_age, max: c.max_age }] }));
  else if (c.min_age) parts.push(h('span', { i18n: ['condition.age_min', { min: c.min_age }] }));
  else if (c.max_age) parts.push(h('span', { i18n: ['condition.age_max', { max: c.max_age }] }));
  return joined(parts);
}

export const waitingTextEl = (w) => h('span', { i18n: ['waiting.text', { days: { fmt: 'days', value: w.days } }] });

/** What an exclusion matches: a service, a category, a provider or a diagnosis range. */
export function matchEl(match, def) {
  const m = match || {};
  if (m.service) return scopeEl({ service: m.service }, def);
  if (m.category) return scopeEl({ category: m.category }, def);
  if (m.provider) {
    return h('span', { class: 'scope', dataset: { scope: 'provider' } },
      kindEl('scope.provider'), codeEl(m.provider));
  }
  if (Array.isArray(m.diagnosis)) {
    const [a, b] = m.diagnosis;
    return h('span', { class: 'scope', dataset: { scope: 'diagnosis' } },
      kindEl('scope.diagnosis'),
      codeEl(a === b || !b ? a : `${a}–${b}`));
  }
  return h('span', { class: 'mono' }, JSON.stringify(m));
}

export function exclusionLevelEl(x, def) {
  if (x.level === 'package') {
    const p = packageOf(def, x.package);
    return joined([h('span', { i18n: 'exclusion.level.package' }), p ? nameEl(p.name) : codeEl(x.package || '?')], 'common.colon_sep');
  }
  return h('span', { i18n: has(`exclusion.level.${x.level}`) ? `exclusion.level.${x.level}` : 'exclusion.level.other' });
}

// ---------- rules attached to a node ----------

const sameScope = (a, b) => a && b && (a.program ? !!b.program
  : a.service ? a.service === b.service : a.category ? a.category === b.category : a.package ? a.package === b.package : false);

/** Every rule of the program whose scope is the given node, as [{kind, rule}] in a fixed order. */
export function rulesAt(def, scope) {
  const out = [];
  for (const l of def.limits || []) if (sameScope(l.scope, scope)) out.push({ kind: 'limit', rule: l });
  for (const d of def.deductibles || []) if (sameScope(d.scope, scope)) out.push({ kind: 'deductible', rule: d });
  for (const w of def.waiting_periods || []) if (sameScope(w.scope, scope)) out.push({ kind: 'waiting', rule: w });
  for (const c of def.conditions || []) if (sameScope(c.scope, scope)) out.push({ kind: 'condition', rule: c });
  if (scope.package) {
    for (const x of def.exclusions || []) if (x.level === 'package' && x.package === scope.package) out.push({ kind: 'exclusion', rule: x });
  }
  return out;
}

/** One rule as a labelled line: "Limit · up to 2 per policy year". */
export function ruleEl({ kind, rule }, def, currency) {
  let text;
  if (kind === 'limit') text = limitTextEl(rule, currency);
  else if (kind === 'deductible') text = deductibleTextEl(rule, currency);
  else if (kind === 'waiting') text = waitingTextEl(rule);
  else if (kind === 'condition') text = conditionTextEl(rule);
  else text = joined([matchEl(rule.match, def), nameEl(rule.reason, { class: 'reason' })], 'common.dash_sep');
  return h('li', { class: ['rule', `rule-${kind}`], dataset: { rule: kind, measure: rule.measure || null, period: rule.period || null } },
    h('span', { class: 'rule-kind', i18n: `rule.${kind}` }), ' ', text);
}

// ---------- people ----------

const CJK = /[\u3400-\u9fff\uf900-\ufaff]/;
const CYR = /[\u0400-\u04ff]/;

/** A person's name as their script writes it: 张伟, Иванова Анна Сергеевна, Anna Smith. */
export function personName(p) {
  if (!p) return '';
  const parts = [p.last_name, p.first_name, p.middle_name].filter(Boolean);
  if (CJK.test(p.last_name || '') || CJK.test(p.first_name || '')) return parts.join('');
  if (CYR.test(p.last_name || '') || CYR.test(p.first_name || '')) return parts.join(' ');
  return [p.first_name, p.middle_name, p.last_name].filter(Boolean).join(' ');
}

// ---------- dates ----------

/** Today as a civil date in the browser's time zone: "2026-03-10". */
export function today() {
  const d = new Date();
  const p = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
}

export const civilEl = (ymd) => h('time', { fmt: ['date', ymd] });

/** "1 Jan – 31 Dec 2026" (the locale shortens the range). */
export const rangeEl = (first, last) => h('span', { class: 'range', fmt: ['range', `${first}/${last}`] });

/** A policy status as a badge with text. */
export function policyStatusBadge(status) {
  const known = ['active', 'suspended', 'cancelled'].includes(status);
  return h('span', {
    class: ['badge', 'status', `pol-${known ? status : 'other'}`],
    dataset: { status },
    i18n: known ? `policy.status.${status}` : 'policy.status.other',
  });
}

/** A policy as the operator needs it today: its status, or "ended" / "not started" for an active one outside its term. */
export function policyStateBadge(pol, on = today()) {
  if (pol.status !== 'active') return policyStatusBadge(pol.status);
  const end = pol.end_date || pol.end, start = pol.start_date || pol.start;
  if (end && on > end) return h('span', { class: 'badge status pol-other', dataset: { status: 'ended' }, i18n: 'policy.state.ended' });
  if (start && on < start) return h('span', { class: 'badge status pol-suspended', dataset: { status: 'not_started' }, i18n: 'policy.state.not_started' });
  return policyStatusBadge(pol.status);
}

// ---------- remaining coverage ----------

function bar(limit, remaining) {
  if (remaining === null || remaining === undefined || !limit) return null;
  // integer math: the share is only drawn, never printed
  const pct = limit > 0 ? Math.max(0, Math.min(100, Number((BigInt(remaining) * 1000n) / BigInt(limit)) / 10)) : 0;
  const fill = h('span', { class: 'bar-fill' });
  fill.style.width = `${pct}%`;
  const level = pct <= 0 ? 'empty' : pct < 20 ? 'low' : pct < 50 ? 'mid' : 'ok';
  return h('span', { class: ['bar', `bar-${level}`], role: 'img', 'aria-label': t('policies.bar_label', { pct: Math.round(pct) }) }, fill);
}

/**
 * The remaining coverage (GET /policies/{n}/coverage) as a table: the sum
 * insured, then every limit with what is used and what remains in its window.
 * opts.id: the table's id (default coverage-table).
 */
export function coverageTable(cov, def, opts = {}) {
  const cur = cov.currency;
  const rows = [];
  const si = cov.sum_insured;
  rows.push(h('tr', { dataset: { key: 'sum_insured' }, class: 'si-row' },
    h('th', { scope: 'row' }, h('span', { i18n: 'rule.sum_insured' })),
    h('td', null, h('span', { class: 'limit-text', i18n: ['programs.sum_insured_text', { value: { fmt: 'money', value: `${si.limit} ${cur}` } }] }),
      h('span', { class: 'window' }, rangeEl(si.window.first, si.window.last))),
    h('td', { class: 'num' }, moneyEl(si.used, cur)),
    h('td', { class: 'num strong' }, moneyEl(si.remaining, cur)),
    h('td', { class: 'bar-cell' }, bar(si.limit, si.remaining))));
  for (const l of cov.limits) {
    rows.push(h('tr', { dataset: { key: l.key, measure: l.measure, period: l.period } },
      h('th', { scope: 'row' }, scopeEl(l.scope, def)),
      h('td', null, h('span', { class: 'limit-text' }, limitTextEl({ measure: l.measure, period: l.period, value: l.limit }, cur)),
        h('span', { class: 'window' }, l.window ? rangeEl(l.window.first, l.window.last) : h('span', { i18n: 'policies.per_case_note' }))),
      h('td', { class: 'num' }, measureValueEl(l.measure, l.used, cur)),
      h('td', { class: 'num strong' }, l.remaining === null ? h('span', { class: 'muted', i18n: 'policies.per_case' }) : measureValueEl(l.measure, l.remaining, cur)),
      h('td', { class: 'bar-cell' }, bar(l.limit, l.remaining))));
  }
  const state = cov.active
    ? h('p', { class: 'cov-state ok', dataset: { active: 'true' }, i18n: ['policies.cov_active', { date: { fmt: 'date', value: cov.date } }] })
    : h('p', { class: 'cov-state warn', dataset: { active: 'false' }, i18n: ['policies.cov_inactive', { date: { fmt: 'date', value: cov.date } }] });
  return h('div', null, state,
    h('div', { class: 'table-wrap flat' }, h('table', { class: 'data coverage-table', id: opts.id || 'coverage-table' },
      h('caption', { class: 'sr-only', i18n: 'policies.coverage' }),
      h('thead', null, h('tr', null,
        h('th', { scope: 'col', i18n: 'coverage.col.applies_to' }),
        h('th', { scope: 'col', i18n: 'coverage.col.limit' }),
        h('th', { scope: 'col', class: 'num', i18n: 'coverage.col.used' }),
        h('th', { scope: 'col', class: 'num', i18n: 'coverage.col.remaining' }),
        h('th', { scope: 'col', class: 'bar-cell' }, h('span', { class: 'sr-only', i18n: 'coverage.col.bar' })))),
      h('tbody', null, rows))));
}
