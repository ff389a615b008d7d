// Cases (#/cases): the list with filters (status — "active" by default —,
// mine, insurer, type, opened from/to, one person) kept in the URL, and
// paging. ↑/↓ and Enter open a case. The list follows new and changed
// cases live (topic cases:all), keeping the row the operator is on.
import { h, uid } from '../dom.js';
import { get } from '../api.js';
import { watch } from '../live.js';
import { listKeys } from '../keys.js';
import { errorMessage } from '../forms.js';
import { personName } from '../cover.js';
import { CASE_TYPES, CASE_STATUSES, caseStatusBadge, caseTypeEl, caseLink } from '../casekit.js';

const PAGE = 50;
const STATUS_FILTERS = ['active', ...CASE_STATUSES, 'all'];

let S = null;

export const casesView = {
  mount(main, params, app) {
    S = { app, main, items: [], total: 0, seq: 0, insurers: [] };
    S.f = filtersFrom(params);
    build();
    loadInsurers();
    load();
    startLive();
  },

  update(params) {
    if (!S) return;
    const f = filtersFrom(params);
    if (JSON.stringify(f) === JSON.stringify(S.f)) return;
    S.f = f;
    syncControls();
    load();
  },

  unmount() {
    if (S && S.unwatch) S.unwatch();
    if (S) clearTimeout(S.reloadTimer);
    S = null;
  },

  onEscape(e) {
    if (!S) return false;
    if (S.els.form.contains(e.target)) { S.list.focusFirst() || S.main.focus(); return true; }
    return false;
  },
};

const ymd = (s) => (/^\d{4}-\d{2}-\d{2}$/.test(s || '') ? s : '');

function filtersFrom(p) {
  return {
    status: STATUS_FILTERS.includes(p.status) ? p.status : 'active',
    manager: p.manager === 'me' ? 'me' : '',
    insurer: p.insurer || '',
    type: CASE_TYPES.includes(p.type) ? p.type : '',
    from: ymd(p.from),
    to: ymd(p.to),
    person_id: /^\d+$/.test(p.person_id || '') ? p.person_id : '',
    offset: /^\d+$/.test(p.offset || '') ? Number(p.offset) : 0,
  };
}

function queryOf(f, forApi) {
  const q = new URLSearchParams();
  if (forApi || f.status !== 'active') q.set('status', f.status);
  for (const k of ['manager', 'insurer', 'type', 'from', 'to', 'person_id']) if (f[k]) q.set(k, f[k]);
  if (f.offset) q.set('offset', String(f.offset));
  if (forApi) q.set('limit', String(PAGE));
  return q.toString();
}

const hashOf = (f) => { const s = queryOf(f, false); return s ? `#/cases?${s}` : '#/cases'; };

// ---------- layout ----------

function build() {
  const status = h('select', { class: 'input', name: 'status', id: 'cf-status' },
    STATUS_FILTERS.map((s) => h('option', { value: s, i18n: `cases.filter.status.${s}` })));
  const mineId = uid('mine');
  const mine = h('input', { type: 'checkbox', name: 'manager', id: mineId });
  const insurer = h('select', { class: 'input', name: 'insurer', id: 'cf-insurer' },
    h('option', { value: '', i18n: 'cases.filter.any_insurer' }));
  const type = h('select', { class: 'input', name: 'type', id: 'cf-type' },
    h('option', { value: '', i18n: 'cases.filter.any_type' }),
    CASE_TYPES.map((x) => h('option', { value: x, i18n: `case.type.${x}` })));
  const from = h('input', { class: 'input', type: 'date', name: 'from', id: 'cf-from' });
  const to = h('input', { class: 'input', type: 'date', name: 'to', id: 'cf-to' });
  const person = h('span', { class: 'person-filter', id: 'cf-person' });
  const form = h('form', { class: 'filters-bar', id: 'case-filters', role: 'search', i18nAttr: { 'aria-label': 'cases.filters' } },
    h('div', { class: 'filter-field' }, h('label', { for: 'cf-status', i18n: 'field.status' }), status),
    h('div', { class: 'filter-field' }, h('label', { for: 'cf-insurer', i18n: 'case.field.insurer' }), insurer),
    h('div', { class: 'filter-field' }, h('label', { for: 'cf-type', i18n: 'case.field.type' }), type),
    h('div', { class: 'filter-field' }, h('label', { for: 'cf-from', i18n: 'cases.filter.from' }), from),
    h('div', { class: 'filter-field' }, h('label', { for: 'cf-to', i18n: 'cases.filter.to' }), to),
    h('label', { class: 'check filter-check', for: mineId }, mine, h('span', { i18n: 'cases.filter.mine' })),
    person);
  form.addEventListener('submit', (e) => e.preventDefault());
  form.addEventListener('change', () => {
    const f = {
      status: status.value, manager: mine.checked ? 'me' : '', insurer: insurer.value, type: type.value,
      from: from.value, to: to.value, person_id: S.f.person_id, offset: 0,
    };
    S.app.go(hashOf(f));
  });

  const tbody = h('tbody');
  const table = h('table', { class: 'data cases-table', id: 'cases-table' },
    h('caption', { class: 'sr-only', i18n: 'nav.cases' }),
    h('thead', null, h('tr', null,
      h('th', { scope: 'col', i18n: 'case.col.number' }),
      h('th', { scope: 'col', i18n: 'case.col.opened' }),
      h('th', { scope: 'col', i18n: 'case.field.person' }),
      h('th', { scope: 'col', i18n: 'case.col.type' }),
      h('th', { scope: 'col', i18n: 'field.status' }),
      h('th', { scope: 'col', class: 'col-policy', i18n: 'case.field.policy' }),
      h('th', { scope: 'col', class: 'col-insurer', i18n: 'case.field.insurer' }),
      h('th', { scope: 'col', i18n: 'case.col.manager' }),
      h('th', { scope: 'col', i18n: 'case.col.tasks' }))),
    tbody);
  const count = h('span', { class: 'count', 'aria-live': 'polite' });
  const empty = h('div', { class: 'empty', hidden: true, id: 'cases-empty' });
  const foot = h('div', { class: 'list-foot' });
  S.main.replaceChildren(h('div', { class: 'page wide list-page', dataset: { view: 'cases' } },
    h('div', { class: 'list-head' }, h('h1', null, h('span', { i18n: 'cases.title' }), count)),
    form,
    h('div', { class: 'table-wrap', id: 'cases-wrap' }, table),
    empty,
    foot));
  S.els = { form, status, mine, insurer, type, from, to, person, tbody, count, empty, foot };
  S.list = listKeys(tbody, 'tr.row', (r) => S.app.go(`#/cases/${r.dataset.id}`));
  syncControls();
}

function syncControls() {
  const e = S.els, f = S.f;
  e.status.value = f.status;
  e.mine.checked = f.manager === 'me';
  if (f.insurer && ![...e.insurer.options].some((o) => o.value === f.insurer)) e.insurer.append(h('option', { value: f.insurer }, f.insurer));
  e.insurer.value = f.insurer;
  e.type.value = f.type;
  e.from.value = f.from;
  e.to.value = f.to;
  e.person.replaceChildren();
  if (f.person_id) {
    const clear = h('a', { class: 'btn small', href: hashOf({ ...f, person_id: '', offset: 0 }), i18n: 'cases.filter.clear_person' });
    e.person.append(h('span', { class: 'tag', id: 'cf-person-tag', i18n: ['cases.filter.person', { id: f.person_id }] }), ' ', clear);
  }
}

async function loadInsurers() {
  let progs;
  try { progs = (await get('/api/v1/programs')).items || []; } catch { return; }
  if (!S) return;
  const seen = new Map();
  for (const p of progs) if (p.insurer && !seen.has(p.insurer.code)) seen.set(p.insurer.code, p.insurer.name);
  const sel = S.els.insurer;
  const keep = sel.value;
  sel.replaceChildren(h('option', { value: '', i18n: 'cases.filter.any_insurer' }),
    [...seen].sort((a, b) => a[1].localeCompare(b[1])).map(([code, name]) => h('option', { value: code }, name)));
  if (keep && !seen.has(keep)) sel.append(h('option', { value: keep }, keep));
  sel.value = keep;
}

// ---------- data ----------

async function load() {
  const mine = S, seq = ++S.seq;
  let data;
  try {
    data = await get(`/api/v1/cases?${queryOf(S.f, true)}`);
  } catch (err) {
    if (S !== mine || seq !== S.seq || err.status === 401) return;
    const m = errorMessage(err);
    S.els.empty.replaceChildren(h('div', { class: 'alert error', role: 'alert', i18n: [m.key, m.params] }));
    S.els.empty.hidden = false;
    return;
  }
  if (S !== mine || seq !== S.seq) return;
  S.items = data.items || [];
  S.total = data.total ?? S.items.length;
  render();
}

// ---------- live ----------

function reloadSoon() {
  clearTimeout(S.reloadTimer);
  const mine = S;
  S.reloadTimer = setTimeout(() => { if (S === mine) load(); }, 300);
}

function startLive() {
  const mine = S;
  const again = () => { if (S === mine) reloadSoon(); };
  S.unwatch = watch(['cases:all'], { [`case.created`]: again, [`case.updated`]: again, open: again });
}

function tasksCell(c) {
  const out = [];
  if (c.open_tasks) out.push(h('span', { class: 'small', i18n: ['case.open_tasks', { n: c.open_tasks }] }));
  if (c.overdue_tasks) out.push(h('span', { class: 'badge overdue-badge', i18n: ['case.overdue_tasks', { n: c.overdue_tasks }] }));
  return out.length ? out : h('span', { class: 'muted small' }, '—');
}

function render() {
  const { tbody, count, empty, foot } = S.els;
  // a live reload keeps the row the operator is on, and its focus
  const onRow = tbody.querySelector('tr.row[tabindex="0"]');
  const keepId = onRow ? onRow.dataset.id : null;
  const hadFocus = !!(onRow && onRow.contains(document.activeElement));
  tbody.replaceChildren(...S.items.map((c) => h('tr', { class: ['row', c.overdue_tasks && 'has-overdue'], tabindex: '-1', dataset: { id: String(c.id) } },
    h('td', { class: 'login-cell' }, caseLink(c.id, { tabindex: '-1', 'data-open': true })),
    h('td', { class: 'date-cell' }, h('time', { fmt: ['datetime', c.created_at] })),
    h('td', { class: 'name-cell', lang: /[\u3400-\u9fff]/.test(c.person?.last_name || '') ? 'zh' : null }, personName(c.person)),
    h('td', null, caseTypeEl(c.type)),
    h('td', null, caseStatusBadge(c.status)),
    h('td', { class: 'mono small col-policy' }, c.policy_number || h('span', { class: 'muted' }, '—')),
    h('td', { class: 'small col-insurer' }, c.insurer ? c.insurer.name : h('span', { class: 'muted' }, '—')),
    h('td', { class: 'small' }, c.manager ? c.manager.full_name || c.manager.login : h('span', { class: 'muted' }, '—')),
    h('td', null, h('div', { class: 'task-cell' }, tasksCell(c))))));
  count.textContent = `(${S.total})`;
  document.getElementById('cases-wrap').hidden = !S.items.length;
  empty.hidden = S.items.length > 0;
  if (!S.items.length) {
    empty.replaceChildren(h('p', { class: 'empty-title', i18n: 'cases.empty_title' }), h('p', { i18n: 'cases.empty_text' }));
  }
  const kept = keepId ? tbody.querySelector(`tr.row[data-id="${keepId}"]`) : null;
  if (kept && hadFocus) S.list.focus(kept);
  else S.list.setCurrent(kept);
  const f = S.f;
  const prev = f.offset > 0 ? h('a', { class: 'btn small', href: hashOf({ ...f, offset: Math.max(0, f.offset - PAGE) }), i18n: 'cases.prev' }) : null;
  const next = f.offset + S.items.length < S.total ? h('a', { class: 'btn small', href: hashOf({ ...f, offset: f.offset + PAGE }), i18n: 'cases.next' }) : null;
  foot.replaceChildren(
    S.items.length ? h('span', { i18n: ['cases.range', { a: f.offset + 1, b: f.offset + S.items.length, total: S.total }] }) : h('span'),
    h('div', { class: 'pager' }, prev, next));
}
