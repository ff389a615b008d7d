// Tasks (#/tasks): by default every unfinished task of my department, the
// overdue ones first and marked, then the soonest due. Filters: department,
// whose (all, mine, unassigned), status, overdue only — kept in the URL.
// New and changed tasks appear live (department:CODE); a reminder (task.due)
// highlights its row. A row opens its case; take, start and done are one
// click (or Tab + Enter) away.
import { h, uid } from '../dom.js';
import { get } from '../api.js';
import { listKeys } from '../keys.js';
import { busy, errorMessage } from '../forms.js';
import { toast } from '../toast.js';
import { watch } from '../live.js';
import { personName } from '../cover.js';
import {
  TASK_STATUSES, caseTypeEl, taskStatusBadge, urgencyChip, overdueBadge, dueEl, loadDepartments, deptEl,
  taskActions, patchTask, flash,
} from '../casekit.js';

const PAGE = 100;
const WHOSE = ['all', 'me', 'none'];

let S = null;

export const tasksView = {
  mount(main, params, app) {
    S = { app, main, items: [], total: 0, seq: 0, reminded: new Set(), depts: [], limit: PAGE };
    S.f = filtersFrom(params);
    build();
    loadDepartments().then((d) => { if (S) { S.depts = d; fillDepts(); renderRows(); startLive(); } })
      .catch(() => { if (S) startLive(); });
    load(false);
  },

  update(params) {
    if (!S) return;
    const f = filtersFrom(params);
    if (JSON.stringify(f) === JSON.stringify(S.f)) return;
    S.f = f;
    syncControls();
    S.limit = PAGE;
    load(false);
    startLive();
  },

  unmount() { stopLive(); S = null; },

  onEscape(e) {
    if (!S) return false;
    if (S.els.filters.contains(e.target)) { S.list.focusFirst() || S.main.focus(); return true; }
    return false;
  },
};

function filtersFrom(p) {
  return {
    department: p.department || '',            // '' = my department, 'all', or a code
    whose: p.assignee === 'me' || p.assignee === 'none' ? p.assignee : 'all',
    status: TASK_STATUSES.includes(p.status) || p.status === 'all' ? p.status : 'unfinished',
    overdue: p.overdue === 'true',
  };
}

function hashOf(f) {
  const q = new URLSearchParams();
  if (f.department) q.set('department', f.department);
  if (f.whose !== 'all') q.set('assignee', f.whose);
  if (f.status !== 'unfinished') q.set('status', f.status);
  if (f.overdue) q.set('overdue', 'true');
  const s = q.toString();
  return s ? `#/tasks?${s}` : '#/tasks';
}

function apiQuery(f) {
  const q = new URLSearchParams();
  const mine = S.app.user.department;
  if (f.department === 'all') q.set('department', 'all');
  else if (f.department) q.set('department', f.department);
  else if (mine) q.set('department', mine);
  if (f.whose !== 'all') q.set('assignee', f.whose);
  if (f.status !== 'unfinished') q.set('status', f.status);
  if (f.overdue) q.set('overdue', 'true');
  q.set('limit', String(S.limit));
  return q.toString();
}

// ---------- layout ----------

function build() {
  const user = S.app.user;
  const dept = h('select', { class: 'input', id: 'tf-department', name: 'department' });
  const status = h('select', { class: 'input', id: 'tf-status', name: 'status' },
    ['unfinished', ...TASK_STATUSES, 'all'].map((s) => h('option', { value: s, i18n: `tasks.filter.status.${s}` })));
  const whoseName = uid('whose');
  const whose = h('div', { class: 'segmented radios', role: 'radiogroup', 'aria-labelledby': 'tf-whose-l' },
    WHOSE.map((w) => {
      const id = `${whoseName}-${w}`;
      return h('span', { class: 'seg-radio' },
        h('input', { type: 'radio', name: 'whose', id, value: w }),
        h('label', { for: id, i18n: `tasks.filter.whose.${w}` }));
    }));
  const overdueId = uid('overdue');
  const overdue = h('input', { type: 'checkbox', id: overdueId, name: 'overdue' });
  const filters = h('form', { class: 'filters-bar', id: 'task-filters', role: 'search', i18nAttr: { 'aria-label': 'tasks.filters' } },
    h('div', { class: 'filter-field' }, h('label', { for: 'tf-department', i18n: 'task.field.department' }), dept),
    h('div', { class: 'filter-field' }, h('span', { class: 'field-label', id: 'tf-whose-l', i18n: 'tasks.filter.whose' }), whose),
    h('div', { class: 'filter-field' }, h('label', { for: 'tf-status', i18n: 'field.status' }), status),
    h('label', { class: 'check filter-check', for: overdueId }, overdue, h('span', { i18n: 'tasks.filter.overdue' })));
  filters.addEventListener('submit', (e) => e.preventDefault());
  filters.addEventListener('change', () => {
    const f = {
      department: dept.value === (user.department || '') ? '' : dept.value,
      whose: filters.querySelector('input[name="whose"]:checked')?.value || 'all',
      status: status.value,
      overdue: overdue.checked,
    };
    const hash = hashOf(f);
    if (location.hash !== hash) S.app.go(hash);
  });

  const tbody = h('tbody');
  const table = h('table', { class: 'data tasks-table', id: 'tasks-table' },
    h('caption', { class: 'sr-only', i18n: 'nav.tasks' }),
    h('thead', null, h('tr', null,
      h('th', { scope: 'col', class: 'col-urg', i18n: 'task.field.urgency' }),
      h('th', { scope: 'col', class: 'col-due', i18n: 'task.field.due' }),
      h('th', { scope: 'col', i18n: 'task.field.text' }),
      h('th', { scope: 'col', class: 'col-case', i18n: 'tasks.col.case' }),
      h('th', { scope: 'col', class: 'col-dept', i18n: 'task.field.department' }),
      h('th', { scope: 'col', class: 'col-assignee', i18n: 'task.field.assignee' }),
      h('th', { scope: 'col', class: 'col-status', i18n: 'field.status' }),
      h('th', { scope: 'col', class: 'col-actions' }, h('span', { class: 'sr-only', i18n: 'common.actions' })))),
    tbody);
  const count = h('span', { class: 'count', id: 'tasks-total', 'aria-live': 'polite' });
  const empty = h('div', { class: 'empty', id: 'tasks-empty', hidden: true });
  const foot = h('div', { class: 'list-foot', id: 'tasks-foot' });
  const page = h('div', { class: 'page wide list-page', dataset: { view: 'tasks' } },
    h('div', { class: 'list-head' },
      h('h1', { id: 'tasks-h' }, h('span', { i18n: 'tasks.title' }), count),
      h('p', { class: 'muted list-sub', id: 'tasks-sub' })),
    filters,
    h('div', { class: 'table-wrap', id: 'tasks-wrap' }, table),
    empty,
    foot);
  S.main.replaceChildren(page);
  S.els = { dept, status, whose, overdue, filters, tbody, count, empty, foot, table };
  S.list = listKeys(tbody, 'tr.row', (row) => S.app.go(`#/cases/${row.dataset.caseId}`));
  fillDepts();
  syncControls();
}

function fillDepts() {
  const user = S.app.user;
  const { dept } = S.els;
  const opts = [];
  if (user.department) {
    const d = S.depts.find((x) => x.code === user.department);
    opts.push(h('option', {
      value: user.department, dataset: { mine: 'true' },
      i18n: ['tasks.filter.my_department', { name: d ? { fmt: 'name', value: JSON.stringify(d.name) } : user.department }],
    }));
  }
  for (const d of S.depts) {
    if (d.code !== user.department) opts.push(h('option', { value: d.code, fmt: ['name', JSON.stringify(d.name)] }));
  }
  opts.push(h('option', { value: 'all', i18n: 'tasks.filter.all_departments' }));
  dept.replaceChildren(...opts);
  syncControls();
}

function syncControls() {
  const { dept, status, overdue, whose } = S.els;
  const f = S.f;
  const want = f.department || S.app.user.department || 'all';
  if ([...dept.options].some((o) => o.value === want)) dept.value = want;
  else if (want) { dept.append(h('option', { value: want }, want)); dept.value = want; }
  status.value = f.status;
  overdue.checked = f.overdue;
  for (const r of whose.querySelectorAll('input')) r.checked = r.value === f.whose;
}

// ---------- data ----------

async function load(highlight) {
  const mine = S, seq = ++S.seq;
  S.els.tbody.closest('.table-wrap').setAttribute('aria-busy', 'true');
  let data;
  try {
    data = await get(`/api/v1/tasks?${apiQuery(S.f)}`);
  } catch (err) {
    if (S !== mine || seq !== S.seq || err.status === 401) return;
    const m = errorMessage(err);
    S.els.empty.replaceChildren(h('div', { class: 'alert error', role: 'alert', i18n: [m.key, m.params] }));
    S.els.empty.hidden = false;
    return;
  }
  if (S !== mine || seq !== S.seq) return;
  S.els.tbody.closest('.table-wrap').removeAttribute('aria-busy');
  const before = new Map(S.items.map((x) => [x.id, x.version]));
  S.items = data.items || [];
  S.total = data.total ?? S.items.length;
  const first = !S.loaded;
  S.loaded = true;
  renderRows();
  if (highlight && !first) {
    for (const x of S.items) if (before.get(x.id) !== x.version) flash(S.els.tbody.querySelector(`tr[data-id="${x.id}"]`));
  }
}

let reloadTimer = 0;
function reloadSoon() {
  clearTimeout(reloadTimer);
  reloadTimer = setTimeout(() => { if (S) load(true); }, 200);
}

// ---------- live ----------

function stopLive() {
  if (S && S.unwatch) { S.unwatch(); S.unwatch = null; }
  clearTimeout(reloadTimer);
}

function startLive() {
  stopLive();
  const f = S.f;
  const mineDept = S.app.user.department;
  let topics = [];
  if (f.department === 'all') topics = S.depts.map((d) => `department:${d.code}`);
  else if (f.department && f.department !== mineDept) topics = [`department:${f.department}`];
  const mine = S;
  S.unwatch = watch(topics, {
    [`task.created`]: () => { if (S === mine) reloadSoon(); },
    [`task.updated`]: () => { if (S === mine) reloadSoon(); },
    [`task.due`]: (d) => {
      if (S !== mine) return;
      S.reminded.add(d.id);
      reloadSoon();
    },
    open: () => { if (S === mine) reloadSoon(); },
  });
}

// ---------- rows ----------

function row(task) {
  const me = S.app.user;
  const c = task.case || {};
  const unfinished = task.status === 'open' || task.status === 'in_progress';
  const actions = taskActions(task, me).map((a) => {
    const b = h('button', { type: 'button', class: ['btn', 'small', a.id === 'done' && 'ok-btn'], dataset: { action: a.id }, i18n: a.key });
    b.addEventListener('click', (e) => { e.stopPropagation(); act(task, a, b); });
    return b;
  });
  const reminded = S.reminded.has(task.id);
  return h('tr', {
    class: ['row', task.overdue && 'is-overdue', reminded && 'is-reminded', !unfinished && 'is-finished'],
    tabindex: '-1', dataset: { id: String(task.id), caseId: String(task.case_id), status: task.status },
  },
  h('td', { class: 'col-urg' }, urgencyChip(task.urgency)),
  h('td', { class: 'col-due' },
    unfinished ? dueEl(task.due_at) : h('span', { class: 'muted', i18n: `task.status.${task.status}` }),
    h('div', { class: 'abs-time' }, h('time', { fmt: ['datetime', task.due_at] })),
    task.overdue ? overdueBadge() : null,
    reminded ? h('span', { class: 'badge reminder-badge', i18n: 'tasks.reminded' }) : null),
  h('td', { class: 'col-text' }, h('span', { class: 'task-text' }, task.text)),
  h('td', { class: 'col-case' },
    h('a', { href: `#/cases/${task.case_id}`, class: 'case-ref mono', tabindex: '-1', 'data-open': true }, `#${task.case_id}`), ' ',
    c.type ? caseTypeEl(c.type) : null,
    h('div', { class: 'small person-cell', lang: /[\u3400-\u9fff]/.test(c.last_name || '') ? 'zh' : null }, personName(c))),
  h('td', { class: 'col-dept small' }, deptEl(task.department, S.depts)),
  h('td', { class: 'col-assignee small' }, task.assignee ? (task.assignee.full_name || task.assignee.login)
    : h('span', { class: 'muted', i18n: 'task.unassigned' })),
  h('td', { class: 'col-status' }, taskStatusBadge(task.status)),
  h('td', { class: 'col-actions' }, h('div', { class: 'row-actions' }, actions)));
}

function renderRows() {
  const { tbody, empty, count, foot } = S.els;
  const focusedId = tbody.contains(document.activeElement) ? document.activeElement.closest('tr.row')?.dataset.id : null;
  tbody.replaceChildren(...S.items.map(row));
  count.textContent = S.total ? `(${S.total})` : '';
  const late = S.items.filter((x) => x.overdue).length;
  const sub = document.getElementById('tasks-sub');
  if (sub) {
    sub.replaceChildren(late ? h('span', { class: 'late-sum', i18n: ['tasks.overdue_count', { n: late }] }) : '');
  }
  empty.hidden = S.items.length > 0;
  document.getElementById('tasks-wrap').hidden = !S.items.length;
  if (!S.items.length) {
    const filtered = S.f.whose !== 'all' || S.f.status !== 'unfinished' || S.f.overdue || S.f.department;
    empty.replaceChildren(h('p', { class: 'empty-title', i18n: filtered ? 'tasks.empty_filtered_title' : 'tasks.empty_title' }),
      h('p', { i18n: filtered ? 'tasks.empty_filtered_text' : 'tasks.empty_text' }));
  }
  S.list.setCurrent(focusedId ? tbody.querySelector(`tr[data-id="${focusedId}"]`) : null);
  if (focusedId) {
    const r = tbody.querySelector(`tr[data-id="${focusedId}"]`);
    if (r) S.list.focus(r);
  }
  foot.replaceChildren(...[
    S.items.length ? h('span', { i18n: ['tasks.shown', { n: S.items.length, total: S.total }] }) : null,
    S.items.length < S.total ? moreBtn() : null].filter(Boolean));
}

function moreBtn() {
  const b = h('button', { type: 'button', class: 'btn small', i18n: 'tasks.more' });
  b.addEventListener('click', () => { S.limit += PAGE; busy(b, () => load(false)); });
  return b;
}

async function act(task, a, btn) {
  const mine = S;
  try {
    await busy(btn, () => patchTask(task, a.body));
    if (S !== mine) return;
    toast(`task.toast.${a.id}`);
    load(true);
  } catch (err) {
    if (err.status === 401 || S !== mine) return;
    if (err.status === 409) { toast('task.conflict', {}, 'error'); load(true); return; }
    const m = errorMessage(err);
    toast(m.key, m.params, 'error');
  }
}
