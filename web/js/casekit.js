// Shared pieces of the operator's screens (search, person card, case, tasks,
// cases list): case and task vocabularies, badges with text, due times that
// keep counting, departments, and the task actions a user may take.
import { h } from './dom.js';
import { get, patch } from './api.js';
import { format } from './i18n.js';
import { personName } from './cover.js';

export const CASE_TYPES = ['medical', 'dental', 'ambulance', 'hospitalization', 'repatriation', 'travel',
  'auto', 'property', 'legal', 'consultation', 'complaint', 'other'];
export const CASE_STATUSES = ['open', 'in_progress', 'waiting', 'resolved', 'closed'];
export const ACTIVE_STATUSES = ['open', 'in_progress', 'waiting'];
export const TASK_STATUSES = ['open', 'in_progress', 'done', 'cancelled'];
export const URGENCIES = ['normal', 'urgent', 'critical'];
export const CHANNELS = ['phone', 'email', 'sms', 'meeting', 'fax', 'web'];

/** The statuses a case may move to from `from` (the server's case_transition). */
export function caseMoves(from) {
  if (ACTIVE_STATUSES.includes(from)) return CASE_STATUSES.filter((s) => s !== from);
  if (from === 'resolved') return ['open', 'in_progress', 'waiting', 'closed'];
  if (from === 'closed') return ['open', 'in_progress', 'waiting'];
  return [];
}

export const caseStatusBadge = (status) => h('span', {
  class: ['badge', 'status', `case-${CASE_STATUSES.includes(status) ? status : 'other'}`],
  dataset: { status }, i18n: CASE_STATUSES.includes(status) ? `case.status.${status}` : 'case.status.other',
});

export const caseTypeEl = (type) => h('span', {
  class: 'case-type', dataset: { type }, i18n: CASE_TYPES.includes(type) ? `case.type.${type}` : 'case.type.other',
});

export const taskStatusBadge = (status) => h('span', {
  class: ['badge', 'status', `task-${status}`], dataset: { status },
  i18n: TASK_STATUSES.includes(status) ? `task.status.${status}` : 'task.status.open',
});

export const urgencyChip = (u) => h('span', {
  class: ['chip', 'urgency', `urg-${u}`], dataset: { urgency: u },
  i18n: URGENCIES.includes(u) ? `task.urgency.${u}` : 'task.urgency.normal',
});

export const overdueBadge = () => h('span', { class: 'badge overdue-badge', i18n: 'task.overdue' });

/** "#12" as a link to the case. */
export const caseLink = (id, attrs = {}) => h('a', { href: `#/cases/${id}`, class: 'case-ref mono', ...attrs }, `#${id}`);

/** A person's name (their script's order) as a link to their card. */
export function personLink(p, attrs = {}) {
  if (!p) return null;
  return h('a', {
    href: `#/persons/${p.id ?? p.person_id}`, class: 'person-link', ...attrs,
    lang: /[\u3400-\u9fff]/.test(p.last_name || '') ? 'zh' : null,
  }, personName(p));
}

// ---------- times that keep counting ----------

/** A due time: "in 20 min" / "overdue by 2 h", with the exact time as a tooltip. */
export function dueEl(iso, attrs = {}) {
  const el = h('time', { ...attrs, class: ['due', attrs.class], fmt: ['due', iso] });
  el.title = format('datetime', iso);
  el.classList.toggle('late', Date.parse(iso) <= Date.now());
  return el;
}

/** An instant relative to now ("5 min ago"), the exact time as a tooltip. */
export function relEl(iso) {
  const el = h('time', { class: 'rel', fmt: ['reltime', iso] });
  el.title = format('datetime', iso);
  return el;
}

let ticker = 0;
/** Re-read every relative time on the page each 20 s (and the exact one on a language switch). */
export function startTicker() {
  if (ticker) return;
  const tick = () => {
    for (const el of document.querySelectorAll('time[data-fmt="due"], time[data-fmt="reltime"]')) {
      el.textContent = format(el.dataset.fmt, el.dataset.value);
      el.title = format('datetime', el.dataset.value);
      if (el.dataset.fmt === 'due') {
        const late = Date.parse(el.dataset.value) <= Date.now();
        if (late !== el.classList.contains('late')) {
          el.classList.toggle('late', late);
          el.dispatchEvent(new CustomEvent('duepassed', { bubbles: true }));
        }
      }
    }
  };
  ticker = setInterval(tick, 20000);
  document.addEventListener('langchange', tick);
}

// ---------- date-time inputs ----------

const pad = (n) => String(n).padStart(2, '0');

/** A Date as the value of an <input type="datetime-local"> (the browser's time zone). */
export function localInputValue(d) {
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** The value of a datetime-local input as RFC 3339 (UTC), or null. */
export function fromLocalInput(v) {
  if (!v) return null;
  const d = new Date(v);
  return Number.isNaN(d.getTime()) ? null : d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Now + minutes, rounded up to the next 5 minutes. */
export function soon(minutes) {
  const d = new Date(Date.now() + minutes * 60000);
  d.setSeconds(0, 0);
  d.setMinutes(Math.ceil(d.getMinutes() / 5) * 5);
  return d;
}

/** Tomorrow at 09:00 (the browser's time zone). */
export function tomorrowMorning() {
  const d = new Date();
  d.setDate(d.getDate() + 1);
  d.setHours(9, 0, 0, 0);
  return d;
}

// ---------- departments ----------

let depts = null;
/** GET /departments once per session: [{code, name: {en, ru, zh}}]. */
export function loadDepartments() {
  if (!depts) {
    depts = get('/api/v1/departments').then((d) => d.items || []);
    depts.catch(() => { depts = null; });
  }
  return depts;
}

/** A department's name in the UI language (its code when unknown). */
export function deptEl(code, list) {
  const d = (list || []).find((x) => x.code === code);
  return d ? h('span', { class: 'dept', dataset: { dept: code }, fmt: ['name', JSON.stringify(d.name)] })
    : h('span', { class: 'dept mono', dataset: { dept: code } }, code);
}

// ---------- tasks: what this user may do ----------

const supervises = (user) => user.role === 'supervisor' || user.role === 'admin';
export const canSupervise = supervises;

/**
 * The quick actions on a task for user: [{id, key, body}] — take an
 * unassigned task of one's department, start it, mark it done.
 */
export function taskActions(task, user) {
  const out = [];
  const unfinished = task.status === 'open' || task.status === 'in_progress';
  if (!unfinished) return out;
  const mine = task.assignee_id === user.id;
  const deptOk = user.department && user.department === task.department;
  const may = supervises(user) || mine || (!task.assignee_id && deptOk)
    || (task.created_by && task.created_by.id === user.id);
  if (!task.assignee_id && (deptOk || supervises(user))) {
    out.push({ id: 'take', key: 'task.action.take', body: { assignee: user.id } });
  }
  if (!may) return out;
  if (task.status === 'open') out.push({ id: 'start', key: 'task.action.start', body: { status: 'in_progress' } });
  out.push({ id: 'done', key: 'task.action.done', body: { status: 'done' } });
  return out;
}

/** PATCH a task with its version (a conflict is the server's to name). */
export const patchTask = (task, body) => patch(`/api/v1/tasks/${task.id}`, { ...body, version: task.version });

/** Sort: overdue first, then soonest due; finished ones last. */
export function taskOrder(a, b) {
  const fa = a.status === 'done' || a.status === 'cancelled';
  const fb = b.status === 'done' || b.status === 'cancelled';
  if (fa !== fb) return fa ? 1 : -1;
  return a.due_at.localeCompare(b.due_at) || a.id - b.id;
}

/** What one screen asks of the next (e.g. a new case opens with the contact form focused). */
export const handoff = {};

/** Flash an element that just changed (a subtle highlight that fades). */
export function flash(el) {
  if (!el) return;
  el.classList.remove('flash');
  void el.offsetWidth; // restart the animation
  el.classList.add('flash');
  setTimeout(() => el.classList.remove('flash'), 2200);
}
