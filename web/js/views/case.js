// The case screen (#/cases/ID): the header (the insured, policy, insurer,
// status with the moves the life cycle allows, manager, event date, type,
// description — editable), the contact log and the tasks side by side, each
// with its quick form (Ctrl+Enter saves), the quality answer (NPS 0–10) and
// the printable questionnaire. Follows case:ID live: contacts, tasks and
// status changed by others appear without a reload, with a subtle highlight.
import { h, field, uid } from '../dom.js';
import { get, post, patch } from '../api.js';
import { t, currentLang } from '../i18n.js';
import { showError, clearErrors, busy, ctrlEnterHint, errorMessage, markClean, isDirty } from '../forms.js';
import { toast } from '../toast.js';
import { watch } from '../live.js';
import { civilEl, today } from '../cover.js';
import {
  CASE_TYPES, CASE_STATUSES, CHANNELS, URGENCIES, caseMoves, caseStatusBadge, caseTypeEl,
  taskStatusBadge, urgencyChip, overdueBadge, dueEl, personLink, loadDepartments, deptEl, taskActions, patchTask,
  taskOrder, flash, handoff, localInputValue, fromLocalInput, soon, tomorrowMorning, canSupervise,
} from '../casekit.js';
import { contactItem } from './person.js';
import { messagesCard } from './casemessages.js';

let S = null;

const who = (u) => (u ? u.full_name || u.login : '');

export const caseView = {
  mount(main, params, app) {
    S = { app, main, id: null, seq: 0 };
    this.update(params);
  },

  update(params) {
    if (!S || params.id === S.id) return;
    S.id = params.id;
    S.seq++;
    stopLive();
    S.c = null;
    S.editing = false;
    open();
  },

  unmount() { stopLive(); S = null; },

  onKey(e) {
    if (!S || !S.c) return;
    const k = e.key.toLowerCase();
    if (k === 'l') { e.preventDefault(); focusContact(); }
    else if (k === 't') { e.preventDefault(); focusTask(); }
    else if (k === 'm' && S.msgs) { e.preventDefault(); S.msgs.focus(); }
    else if (k === 'e') { e.preventDefault(); openEdit(); }
    else if (k === 'p' && S.c.person_id) { e.preventDefault(); S.app.go(`#/persons/${S.c.person_id}`); }
  },

  onEscape(e) {
    if (!S) return false;
    if (S.editing) {
      const form = document.getElementById('case-edit-form');
      if (form && isDirty(form) && !S.escArmed) {
        S.escArmed = true;
        toast('toast.unsaved_esc');
        return true;
      }
      closeEdit();
      return true;
    }
    // in a quick form: Esc leaves the field (what was typed stays), so that l, t and e work again
    const el = e.target;
    if (el instanceof Element && el.closest('#contact-form, #task-form, #message-form, #quality-form, .task-edit')) {
      if (el.closest('.task-edit')) { el.closest('.task')?.querySelector('[data-action="cancel-edit"]')?.click(); return true; }
      S.main.focus({ preventScroll: true });
      return true;
    }
    return false;
  },
};

// ---------- loading ----------

async function open() {
  const mine = S, seq = S.seq;
  S.main.replaceChildren(h('div', { class: 'page wide', dataset: { view: 'case' } },
    h('p', { class: 'muted', i18n: 'common.loading' })));
  let c, depts = [];
  try {
    [c, depts] = await Promise.all([get(`/api/v1/cases/${S.id}`), loadDepartments().catch(() => [])]);
  } catch (err) {
    if (S !== mine || seq !== S.seq || err.status === 401) return;
    const m = err.status === 404 ? { key: 'case.not_found', params: { id: S.id } } : errorMessage(err);
    S.main.replaceChildren(h('div', { class: 'page', dataset: { view: 'case' } },
      crumbs(),
      h('div', { class: 'alert error', role: 'alert', dataset: { error: 'case' }, i18n: [m.key, m.params] })));
    return;
  }
  if (S !== mine || seq !== S.seq) return;
  S.c = c;
  S.depts = depts;
  S.contacts = [];
  S.tasks = [];
  render();
  await Promise.all([loadContacts(false), loadTasks(false), S.msgs.load(false)]);
  if (S !== mine || seq !== S.seq) return;
  const next = handoff.focus;
  handoff.focus = null;
  if (next === 'contact') focusContact();
  else document.getElementById('case-title')?.focus({ preventScroll: true });
  startLive();
}

async function loadContacts(highlight) {
  const mine = S, seq = S.seq;
  let data;
  try { data = await get(`/api/v1/cases/${S.id}/contacts?limit=500`); } catch (err) {
    if (S !== mine || seq !== S.seq || err.status === 401) return;
    const m = errorMessage(err);
    document.getElementById('contact-log-body')?.replaceChildren(h('div', { class: 'alert error', role: 'alert', i18n: [m.key, m.params] }));
    return;
  }
  if (S !== mine || seq !== S.seq) return;
  const before = new Set(S.contacts.map((x) => x.id));
  S.contacts = data.items || [];
  S.contactsTotal = data.total ?? S.contacts.length;
  renderContacts();
  if (highlight) for (const x of S.contacts) if (!before.has(x.id)) flash(document.querySelector(`#contact-log li[data-id="${x.id}"]`));
}

async function loadTasks(highlight) {
  const mine = S, seq = S.seq;
  let data;
  try { data = await get(`/api/v1/tasks?case_id=${S.id}&status=all&limit=500`); } catch (err) {
    if (S !== mine || seq !== S.seq || err.status === 401) return;
    const m = errorMessage(err);
    document.getElementById('task-list-body')?.replaceChildren(h('div', { class: 'alert error', role: 'alert', i18n: [m.key, m.params] }));
    return;
  }
  if (S !== mine || seq !== S.seq) return;
  const before = new Map(S.tasks.map((x) => [x.id, x.version]));
  S.tasks = (data.items || []).slice().sort(taskOrder);
  renderTasks();
  if (highlight) for (const x of S.tasks) if (before.get(x.id) !== x.version) flash(document.querySelector(`#task-list li[data-id="${x.id}"]`));
}

async function reloadCase(highlight) {
  const mine = S, seq = S.seq;
  let c;
  try { c = await get(`/api/v1/cases/${S.id}`); } catch { return; }
  if (S !== mine || seq !== S.seq) return;
  const changed = c.version !== S.c.version;
  const qualityChanged = (c.quality || []).length !== (S.c.quality || []).length;
  S.c = c;
  if (changed) {
    renderHead();
    if (highlight) flash(document.getElementById('case-summary'));
  }
  if (qualityChanged || changed) renderQualityList(highlight);
}

// ---------- live ----------

function stopLive() {
  if (S && S.unwatch) { S.unwatch(); S.unwatch = null; }
}

function startLive() {
  const mine = S, seq = S.seq, id = S.id;
  const here = () => S === mine && seq === S.seq && S.c;
  S.unwatch = watch([`case:${id}`], {
    [`case.updated`]: (d) => {
      if (!here() || d.id !== id || (d.version && d.version <= S.c.version)) return;
      if (S.writing) { reloadCase(false); return; } // most likely our own change, its answer still on the way
      if (S.editing) toast('case.live_changed_editing', {}, 'warn');
      else toast('case.live_changed', { id }, 'info');
      reloadCase(true);
    },
    [`case.contact_added`]: (d) => { if (here() && d.case_id === id) loadContacts(true); },
    [`case.quality_added`]: (d) => { if (here() && d.case_id === id) reloadCase(true); },
    [`task.created`]: (d) => { if (here() && d.case_id === id) loadTasks(true); },
    [`task.updated`]: (d) => { if (here() && d.case_id === id) loadTasks(true); },
    [`task.due`]: (d) => { if (here() && d.case_id === id) loadTasks(true); },
    [`message.status`]: (d) => { if (here() && d.case_id === id) S.msgs.load(true); },
    // (re)connected: catch up on what may have happened meanwhile
    open: () => { if (here()) { loadContacts(true); loadTasks(true); reloadCase(true); S.msgs.load(true); } },
  });
}

// ---------- layout ----------

function crumbs() {
  return h('nav', { class: 'crumbs', i18nAttr: { 'aria-label': 'common.breadcrumb' } },
    h('a', { href: '#/cases', i18n: 'nav.cases' }), h('span', { 'aria-hidden': 'true' }, '›'),
    h('span', { class: 'mono' }, `#${S.id}`));
}

function render() {
  const c = S.c;
  const mine = S, seq = S.seq;
  S.msgs = messagesCard({ caseId: c.id, personId: c.person_id, here: () => S === mine && seq === S.seq });
  const page = h('div', { class: 'page wide case-page', dataset: { view: 'case', id: String(c.id) } },
    h('div', { class: 'card-top' }, crumbs(),
      h('div', { class: 'head-actions' },
        h('a', {
          class: 'btn small', id: 'print-questionnaire', target: '_blank', rel: 'noopener',
          href: `/api/v1/cases/${c.id}/questionnaire.pdf?lang=${currentLang()}`,
        }, h('span', { i18n: 'case.print' })),
        h('button', { type: 'button', class: 'btn small', id: 'edit-case-btn', 'aria-keyshortcuts': 'e', onclick: () => openEdit() },
          h('span', { i18n: 'case.edit' }), h('kbd', { 'aria-hidden': 'true' }, 'E')))),
    h('div', { id: 'case-head' }),
    h('div', { id: 'case-edit-slot' }),
    h('div', { class: 'case-columns' },
      h('div', { class: 'case-col' },
      h('section', { class: 'card work-card', id: 'case-contacts', 'aria-labelledby': 'contacts-h' },
        h('div', { class: 'card-head row-head' },
          h('h2', { id: 'contacts-h' }, h('span', { i18n: 'case.contacts' }), ' ', h('span', { class: 'count', id: 'contacts-count' })),
          h('span', { class: 'hint-keys' }, h('kbd', null, 'L'))),
        contactForm(),
        h('div', { id: 'contact-log-body' })),
      S.msgs.el),
      h('section', { class: 'card work-card', id: 'case-tasks', 'aria-labelledby': 'tasks-h' },
        h('div', { class: 'card-head row-head' },
          h('h2', { id: 'tasks-h' }, h('span', { i18n: 'case.tasks' }), ' ', h('span', { class: 'count', id: 'tasks-count' })),
          h('span', { class: 'hint-keys' }, h('kbd', null, 'T'))),
        taskForm(),
        h('div', { id: 'task-list-body' }))),
    qualityCard());
  S.main.replaceChildren(page);
  renderHead();
  renderQualityList(false);
  // the print link follows the UI language
  const pr = document.getElementById('print-questionnaire');
  pr.addEventListener('click', () => { pr.href = `/api/v1/cases/${c.id}/questionnaire.pdf?lang=${currentLang()}`; });
}

function factEl(key, value, id) {
  return h('div', { class: 'fact', dataset: { fact: id } }, h('dt', { i18n: key }), h('dd', null, value));
}

function renderHead() {
  const c = S.c;
  const slot = document.getElementById('case-head');
  if (!slot) return;
  const me = S.app.user;
  const take = c.manager_id !== me.id
    ? h('button', { type: 'button', class: 'btn link small', id: 'take-case', i18n: 'case.take_over' })
    : null;
  if (take) take.addEventListener('click', () => changeCase({ manager_id: me.id }, take));
  const moves = caseMoves(c.status);
  const statusBtns = CASE_STATUSES.map((s) => {
    const cur = s === c.status;
    const b = h('button', {
      type: 'button', class: ['seg', `seg-${s}`, cur && 'is-current'], 'aria-pressed': cur ? 'true' : 'false',
      disabled: !cur && !moves.includes(s), dataset: { status: s },
    }, h('span', { i18n: `case.status.${s}` }));
    if (!cur) b.addEventListener('click', () => (s === 'closed' ? confirmClose(b) : changeCase({ status: s }, b)));
    return b;
  });
  const reopen = c.status === 'resolved' || c.status === 'closed';
  slot.replaceChildren(...[
    h('div', { class: 'page-head case-head' },
      h('div', { class: 'head-main' },
        h('h1', { id: 'case-title', tabindex: '-1', i18n: ['case.heading', { id: c.id }] }),
        h('span', { class: 'case-type-chip' }, caseTypeEl(c.type)),
        h('span', { id: 'case-status' }, caseStatusBadge(c.status)),
        c.overdue_tasks ? h('span', { class: 'badge overdue-badge', i18n: ['case.overdue_tasks', { n: c.overdue_tasks }] }) : null),
      h('div', { class: 'status-bar', role: 'group', 'aria-labelledby': 'status-label' },
        h('span', { class: 'status-label', id: 'status-label', i18n: 'case.change_status' }),
        h('div', { class: 'segmented', id: 'case-status-buttons' }, statusBtns))),
    h('div', { id: 'status-confirm' }),
    reopen ? h('p', { class: 'muted small reopen-hint', i18n: 'case.reopen_hint' }) : null,
    h('section', { class: 'card case-summary', id: 'case-summary', i18nAttr: { 'aria-label': 'case.summary' } },
      h('dl', { class: 'case-facts' },
        factEl('case.field.person', h('span', null, personLink({ ...c.person, id: c.person_id }, { id: 'case-person' }),
          c.person && c.person.birth_date ? h('span', { class: 'muted' }, ' · ', civilEl(c.person.birth_date)) : null), 'person'),
        factEl('case.field.policy', c.policy_number
          ? h('a', { href: `#/policies/${encodeURIComponent(c.policy_number)}`, class: 'mono', id: 'case-policy' }, c.policy_number)
          : h('span', { class: 'warn-text', i18n: 'case.no_policy' }), 'policy'),
        factEl('case.field.insurer', c.insurer ? h('span', null, c.insurer.name) : h('span', { class: 'muted', i18n: 'common.not_given' }), 'insurer'),
        factEl('case.field.manager', h('span', null, c.manager ? who(c.manager) : h('span', { class: 'muted', i18n: 'case.no_manager' }), take ? ' ' : null, take), 'manager'),
        factEl('case.field.event_date', civilEl(c.event_date), 'event_date'),
        factEl('case.field.opened', h('time', { fmt: ['datetime', c.created_at] }), 'opened')),
      h('div', { class: 'case-desc', dataset: { fact: 'description' } },
        h('h3', { class: 'sub-title', i18n: 'case.field.description' }),
        c.description ? h('p', { class: 'desc-text', id: 'case-description' }, c.description)
          : h('p', { class: 'muted', id: 'case-description', i18n: 'case.no_description' })))].filter(Boolean));
  // closed cases take no tasks: the form says so
  const tf = document.getElementById('task-form');
  if (tf) {
    const closed = c.status === 'closed';
    tf.querySelector('fieldset').disabled = closed;
    document.getElementById('task-closed-note').hidden = !closed;
  }
}

/** Closing cancels the case's unfinished tasks (the server does it): say so first, inline. */
function confirmClose(btn) {
  const open = (S.tasks || []).filter((x) => x.status === 'open' || x.status === 'in_progress').length;
  if (!open) { changeCase({ status: 'closed' }, btn); return; }
  const slot = document.getElementById('status-confirm');
  const yes = h('button', { type: 'button', class: 'btn small danger solid', id: 'close-yes', i18n: 'case.close_yes' });
  const no = h('button', { type: 'button', class: 'btn small', i18n: 'common.cancel' });
  yes.addEventListener('click', () => { slot.replaceChildren(); changeCase({ status: 'closed' }, btn); });
  no.addEventListener('click', () => { slot.replaceChildren(); btn.focus(); });
  slot.replaceChildren(h('div', { class: 'confirm-inline close-confirm', role: 'alert' },
    h('span', { class: 'q', i18n: ['case.close_confirm', { n: open }] }), yes, no));
  yes.focus();
}

async function changeCase(body, btn) {
  const mine = S;
  S.writing = (S.writing || 0) + 1;
  try {
    const c = await busy(btn, () => patch(`/api/v1/cases/${S.id}`, { ...body, version: S.c.version }));
    if (S !== mine) return;
    S.c = { ...c, quality: c.quality || S.c.quality };
    renderHead();
    flash(document.getElementById('case-summary'));
    if (body.status) {
      toast('case.status_changed', { status: { key: `case.status.${c.status}` } });
      document.querySelector(`#case-status-buttons [data-status="${c.status}"]`)?.focus();
    } else toast('toast.saved');
  } catch (err) {
    if (err.status === 401 || S !== mine) return;
    if (err.status === 409) { toast('case.conflict', {}, 'error'); reloadCase(true); return; }
    const m = errorMessage(err);
    toast(m.key, m.params, 'error');
  } finally {
    if (mine) mine.writing--;
  }
}

// ---------- edit (type, event date, policy, description) ----------

async function openEdit() {
  if (!S || !S.c) return;
  const slot = document.getElementById('case-edit-slot');
  if (S.editing) { slot.querySelector('select, input, textarea')?.focus(); return; }
  S.editing = true;
  S.escArmed = false;
  const c = S.c;
  let pols = [];
  try { pols = (await get(`/api/v1/persons/${c.person_id}`)).policies || []; } catch { /* the current one only */ }
  if (!S || !S.editing) return;
  const typeSel = h('select', { class: 'input' }, CASE_TYPES.map((x) => h('option', { value: x, i18n: `case.type.${x}` })));
  typeSel.value = c.type;
  const nums = new Set(pols.map((x) => x.number));
  if (c.policy_number) nums.add(c.policy_number);
  const polSel = h('select', { class: 'input' }, [...nums].map((n) => h('option', { value: n }, n)));
  if (!nums.size) polSel.append(h('option', { value: '', i18n: 'case.no_policy' }));
  polSel.value = c.policy_number || '';
  const descId = uid('cdesc');
  const desc = h('textarea', { class: 'input', rows: '3', id: descId, name: 'description', 'aria-describedby': `${descId}-err` });
  desc.value = c.description || '';
  const save = h('button', { type: 'submit', class: 'btn primary', i18n: 'common.save_changes' });
  const cancel = h('button', { type: 'button', class: 'btn', i18n: 'common.cancel' });
  const form = h('form', { class: 'form', id: 'case-edit-form', novalidate: true },
    h('div', { class: 'form-row three' },
      field({ name: 'type', label: 'case.field.type', input: typeSel }),
      field({ name: 'policy_number', label: 'case.field.policy', input: polSel }),
      field({ name: 'event_date', label: 'case.field.event_date', type: 'date', value: c.event_date })),
    h('div', { class: 'field', dataset: { field: 'description' } },
      h('label', { for: descId, i18n: 'case.field.description' }), desc,
      h('p', { class: 'field-error', id: `${descId}-err`, hidden: true })),
    h('div', { class: 'form-actions' }, save, cancel, ctrlEnterHint()));
  cancel.addEventListener('click', closeEdit);
  form.addEventListener('input', () => { S.escArmed = false; });
  form.addEventListener('submit', (e) => { e.preventDefault(); saveEdit(form, save); });
  slot.replaceChildren(h('section', { class: 'card edit-card', 'aria-labelledby': 'cedit-h' },
    h('div', { class: 'card-head' }, h('h2', { id: 'cedit-h', i18n: 'case.edit_title' })),
    form));
  markClean(form);
  document.getElementById('edit-case-btn')?.setAttribute('aria-expanded', 'true');
  desc.focus();
}

function closeEdit() {
  if (!S) return;
  S.editing = false;
  S.escArmed = false;
  document.getElementById('case-edit-slot')?.replaceChildren();
  const btn = document.getElementById('edit-case-btn');
  if (btn) { btn.setAttribute('aria-expanded', 'false'); btn.focus(); }
}

async function saveEdit(form, save) {
  clearErrors(form);
  const c = S.c;
  const f = form.elements;
  const body = {};
  if (f.type.value !== c.type) body.type = f.type.value;
  if (!f.event_date.value) return showError(form, { key: 'error.required', params: { field: { key: 'case.field.event_date' } }, field: 'event_date' });
  if (f.event_date.value !== c.event_date) body.event_date = f.event_date.value;
  if (f.policy_number.value && f.policy_number.value !== (c.policy_number || '')) body.policy_number = f.policy_number.value;
  const d = f.description.value.trim();
  if (d !== (c.description || '')) body.description = d;
  if (!Object.keys(body).length) { toast('toast.no_changes'); return; }
  body.version = c.version;
  const mine = S;
  S.writing = (S.writing || 0) + 1;
  try {
    const nc = await busy(save, () => patch(`/api/v1/cases/${S.id}`, body));
    if (S !== mine) return;
    S.c = { ...nc, quality: nc.quality || c.quality };
    toast('toast.saved');
    closeEdit();
    renderHead();
    flash(document.getElementById('case-summary'));
  } catch (err) {
    if (err.status === 401) return;
    if (err.status === 409) return showError(form, { key: 'case.conflict' });
    showError(form, err);
  } finally {
    mine.writing--;
  }
}

// ---------- contact log ----------

function contactForm() {
  const dirs = h('fieldset', { class: 'field seg-field', dataset: { field: 'direction' } },
    h('legend', { class: 'field-label', i18n: 'contact.field.direction' }),
    h('div', { class: 'segmented radios' }, ['in', 'out'].map((d) => {
      const id = uid('dir');
      return h('span', { class: 'seg-radio' },
        h('input', { type: 'radio', name: 'direction', id, value: d, checked: d === 'in' }),
        h('label', { for: id }, h('span', { 'aria-hidden': 'true', class: `dir dir-${d}` }, d === 'out' ? '↗' : '↙'), ' ',
          h('span', { i18n: `contact.direction.${d}` })));
    })));
  const chan = h('select', { class: 'input' }, CHANNELS.map((x) => h('option', { value: x, i18n: `contact.channel.${x}` })));
  chan.value = 'phone';
  const sumId = uid('summary');
  const summary = h('textarea', {
    class: 'input', rows: '2', id: sumId, name: 'summary', 'aria-describedby': `${sumId}-err`,
    'aria-keyshortcuts': 'l', i18nAttr: { placeholder: 'contact.summary_placeholder' },
  });
  const save = h('button', { type: 'submit', class: 'btn primary', i18n: 'contact.log' });
  const form = h('form', { class: 'quick-form', id: 'contact-form', novalidate: true },
    h('div', { class: 'quick-row' }, dirs,
      field({ name: 'channel', label: 'contact.field.channel', input: chan })),
    h('div', { class: 'field', dataset: { field: 'summary' } },
      h('label', { for: sumId, i18n: 'contact.field.summary' }), summary,
      h('p', { class: 'field-error', id: `${sumId}-err`, hidden: true })),
    h('div', { class: 'form-actions' }, save, ctrlEnterHint()));
  form.addEventListener('submit', (e) => { e.preventDefault(); logContact(form, save); });
  return form;
}

function focusContact() {
  const s = document.querySelector('#contact-form textarea[name="summary"]');
  if (s) { s.focus(); s.scrollIntoView({ block: 'nearest' }); }
}

async function logContact(form, save) {
  clearErrors(form);
  const f = form.elements;
  const summary = f.summary.value.trim();
  if (!summary) return showError(form, { key: 'error.required', params: { field: { key: 'contact.field.summary' } }, field: 'summary' });
  const body = { direction: form.querySelector('input[name="direction"]:checked')?.value || 'in', channel: f.channel.value, summary };
  const mine = S;
  try {
    const k = await busy(save, () => post(`/api/v1/cases/${S.id}/contacts`, body));
    if (S !== mine) return;
    f.summary.value = '';
    if (!S.contacts.some((x) => x.id === k.id)) S.contacts.push(k);
    S.contactsTotal = Math.max(S.contactsTotal || 0, S.contacts.length);
    renderContacts();
    flash(document.querySelector(`#contact-log li[data-id="${k.id}"]`));
    toast('contact.logged');
    f.summary.focus();
  } catch (err) {
    if (err.status === 401) return;
    showError(form, err);
  }
}

function renderContacts() {
  const body = document.getElementById('contact-log-body');
  if (!body) return;
  const count = document.getElementById('contacts-count');
  if (count) count.textContent = S.contacts.length ? `(${S.contacts.length})` : '';
  if (!S.contacts.length) {
    body.replaceChildren(h('div', { class: 'empty compact', dataset: { empty: 'contacts' } }, h('p', { i18n: 'case.no_contacts' })));
    return;
  }
  // newest first, next to the form
  const list = S.contacts.slice().sort((a, b) => b.at.localeCompare(a.at) || b.id - a.id);
  body.replaceChildren(h('ol', { class: 'contact-log', id: 'contact-log' }, list.map((c) => contactItem(c))));
}

// ---------- tasks ----------

function deptSelect(value) {
  const s = h('select', { class: 'input' }, (S.depts || []).map((d) => h('option', { value: d.code, fmt: ['name', JSON.stringify(d.name)] })));
  if (value && !(S.depts || []).some((d) => d.code === value)) s.append(h('option', { value }, value));
  s.value = value || (S.depts[0] && S.depts[0].code) || '';
  return s;
}

function taskForm() {
  const me = S.app.user;
  const textId = uid('ttext');
  const text = h('textarea', {
    class: 'input', rows: '2', id: textId, name: 'text', 'aria-describedby': `${textId}-err`,
    'aria-keyshortcuts': 't', i18nAttr: { placeholder: 'task.text_placeholder' },
  });
  const dueId = uid('due');
  const due = h('input', {
    class: 'input', type: 'datetime-local', id: dueId, name: 'due_at', value: localInputValue(soon(60)), 'aria-describedby': `${dueId}-err`,
  });
  const presets = h('div', { class: 'presets', role: 'group', i18nAttr: { 'aria-label': 'task.due_presets' } },
    [['task.preset.30m', () => soon(30)], ['task.preset.1h', () => soon(60)], ['task.preset.4h', () => soon(240)],
      ['task.preset.tomorrow', tomorrowMorning]].map(([key, at]) => {
      const b = h('button', { type: 'button', class: 'chip-btn', i18n: key });
      b.addEventListener('click', () => { due.value = localInputValue(at()); });
      return b;
    }));
  const urg = h('select', { class: 'input' }, URGENCIES.map((u) => h('option', { value: u, i18n: `task.urgency.${u}` })));
  urg.value = 'normal';
  const dept = deptSelect(me.department);
  const assignee = h('select', { class: 'input' },
    h('option', { value: '', i18n: 'task.assignee_department' }),
    h('option', { value: 'me', i18n: ['task.assignee_me', { name: who(me) }] }));
  const save = h('button', { type: 'submit', class: 'btn primary', i18n: 'task.add' });
  const form = h('form', { class: 'quick-form', id: 'task-form', novalidate: true },
    h('fieldset', { class: 'plain-fieldset' },
      h('div', { class: 'field', dataset: { field: 'text' } },
        h('label', { for: textId, i18n: 'task.field.text' }), text,
        h('p', { class: 'field-error', id: `${textId}-err`, hidden: true })),
      h('div', { class: 'quick-row due-row' },
        h('div', { class: 'field', dataset: { field: 'due_at' } },
          h('div', { class: 'label-row' }, h('label', { for: dueId, i18n: 'task.field.due' }), presets),
          due,
          h('p', { class: 'field-error', id: `${dueId}-err`, hidden: true })),
        field({ name: 'urgency', label: 'task.field.urgency', input: urg })),
      h('div', { class: 'quick-row' },
        field({ name: 'department', label: 'task.field.department', input: dept }),
        field({ name: 'assignee', label: 'task.field.assignee', input: assignee })),
      h('div', { class: 'form-actions' }, save, ctrlEnterHint())),
    h('p', { class: 'alert warn', id: 'task-closed-note', hidden: true, i18n: 'task.case_closed' }));
  form.addEventListener('submit', (e) => { e.preventDefault(); addTask(form, save); });
  return form;
}

function focusTask() {
  const s = document.querySelector('#task-form textarea[name="text"]');
  if (s && !s.disabled) { s.focus(); s.scrollIntoView({ block: 'nearest' }); }
}

async function addTask(form, save) {
  clearErrors(form);
  const f = form.elements;
  const text = f.text.value.trim();
  if (!text) return showError(form, { key: 'error.required', params: { field: { key: 'task.field.text' } }, field: 'text' });
  const dueAt = fromLocalInput(f.due_at.value);
  if (!dueAt) return showError(form, { key: 'error.required', params: { field: { key: 'task.field.due' } }, field: 'due_at' });
  const body = { case_id: S.id, department: f.department.value, due_at: dueAt, urgency: f.urgency.value, text };
  if (f.assignee.value === 'me') body.assignee = S.app.user.id;
  const mine = S;
  try {
    const task = await busy(save, () => post('/api/v1/tasks', body));
    if (S !== mine) return;
    f.text.value = '';
    f.due_at.value = localInputValue(soon(60));
    f.urgency.value = 'normal';
    if (!S.tasks.some((x) => x.id === task.id)) S.tasks.push(task);
    S.tasks.sort(taskOrder);
    renderTasks();
    flash(document.querySelector(`#task-list li[data-id="${task.id}"]`));
    toast('task.added');
    f.text.focus();
  } catch (err) {
    if (err.status === 401) return;
    showError(form, err, { case_id: 'text' });
  }
}

function taskItem(task) {
  const me = S.app.user;
  const late = task.overdue;
  const actions = taskActions(task, me).map((a) => {
    const b = h('button', { type: 'button', class: ['btn', 'small', a.id === 'done' && 'ok-btn'], dataset: { action: a.id }, i18n: a.key });
    b.addEventListener('click', () => actOnTask(task, a, b));
    return b;
  });
  if (canSupervise(me) && (task.status === 'open' || task.status === 'in_progress')) {
    const b = h('button', { type: 'button', class: 'btn small link', dataset: { action: 'reschedule' }, i18n: 'task.action.reschedule' });
    b.addEventListener('click', () => editTask(task));
    actions.push(b);
  }
  return h('li', {
    class: ['task', late && 'is-overdue', `st-${task.status}`], dataset: { id: String(task.id), status: task.status },
  },
  h('div', { class: 'task-top' },
    urgencyChip(task.urgency),
    h('p', { class: 'task-text' }, task.text)),
  h('div', { class: 'task-meta' },
    task.status === 'open' || task.status === 'in_progress' ? dueEl(task.due_at) : h('time', { class: 'muted', fmt: ['datetime', task.done_at || task.updated_at] }),
    late ? overdueBadge() : null,
    h('span', { class: 'sep', 'aria-hidden': 'true' }, '·'),
    deptEl(task.department, S.depts),
    h('span', { class: 'sep', 'aria-hidden': 'true' }, '·'),
    task.assignee ? h('span', { class: 'assignee' }, who(task.assignee)) : h('span', { class: 'muted', i18n: 'task.unassigned' }),
    taskStatusBadge(task.status)),
  actions.length ? h('div', { class: 'task-actions' }, actions) : null,
  h('div', { class: 'task-edit-slot' }));
}

function renderTasks() {
  const body = document.getElementById('task-list-body');
  if (!body) return;
  const open = S.tasks.filter((x) => x.status === 'open' || x.status === 'in_progress');
  const done = S.tasks.filter((x) => !(x.status === 'open' || x.status === 'in_progress'));
  const count = document.getElementById('tasks-count');
  if (count) {
    count.dataset.i18n = 'case.tasks_count';
    count.dataset.i18nParams = JSON.stringify({ n: open.length });
    count.textContent = S.tasks.length ? t('case.tasks_count', { n: open.length }) : '';
  }
  const wasOpen = document.getElementById('done-tasks')?.open;
  const parts = [];
  if (open.length) parts.push(h('ul', { class: 'task-list', id: 'task-list' }, open.map(taskItem)));
  else parts.push(h('div', { class: 'empty compact', dataset: { empty: 'tasks' } }, h('p', { i18n: 'case.no_open_tasks_text' })));
  if (done.length) {
    parts.push(h('details', { class: 'disclosure done-tasks', id: 'done-tasks', open: wasOpen || null },
      h('summary', null, h('span', { i18n: ['case.finished_tasks', { n: done.length }] })),
      h('ul', { class: 'task-list finished' }, done.map(taskItem))));
  }
  body.replaceChildren(...parts);
  // keep the list id on the open list; finished ones are found by data-id too
  if (!open.length && done.length) body.querySelector('.task-list.finished').id = 'task-list';
}

async function actOnTask(task, a, btn) {
  const mine = S;
  try {
    const nt = await busy(btn, () => patchTask(task, a.body));
    if (S !== mine) return;
    const i = S.tasks.findIndex((x) => x.id === nt.id);
    if (i >= 0) S.tasks[i] = nt;
    S.tasks.sort(taskOrder);
    renderTasks();
    flash(document.querySelector(`li.task[data-id="${nt.id}"]`));
    toast(`task.toast.${a.id}`);
    reloadCase(false);
  } catch (err) {
    if (err.status === 401 || S !== mine) return;
    if (err.status === 409) { toast('task.conflict', {}, 'error'); loadTasks(true); return; }
    const m = errorMessage(err);
    toast(m.key, m.params, 'error');
  }
}

/** A supervisor moves the due time, the department or the urgency (audited by the server). */
function editTask(task) {
  const li = document.querySelector(`li.task[data-id="${task.id}"]`);
  if (!li) return;
  const slot = li.querySelector('.task-edit-slot');
  const due = h('input', { class: 'input', type: 'datetime-local', value: localInputValue(new Date(task.due_at)) });
  const dept = deptSelect(task.department);
  const urg = h('select', { class: 'input' }, URGENCIES.map((u) => h('option', { value: u, i18n: `task.urgency.${u}` })));
  urg.value = task.urgency;
  const save = h('button', { type: 'submit', class: 'btn small primary', i18n: 'common.save' });
  const cancel = h('button', { type: 'button', class: 'btn small', dataset: { action: 'cancel-edit' }, i18n: 'common.cancel' });
  const form = h('form', { class: 'task-edit', novalidate: true },
    h('div', { class: 'quick-row three' },
      field({ name: 'due_at', label: 'task.field.due', input: due }),
      field({ name: 'department', label: 'task.field.department', input: dept }),
      field({ name: 'urgency', label: 'task.field.urgency', input: urg })),
    h('div', { class: 'form-actions' }, save, cancel));
  cancel.addEventListener('click', () => { slot.replaceChildren(); li.querySelector('[data-action="reschedule"]')?.focus(); });
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearErrors(form);
    const body = {};
    const d = fromLocalInput(due.value);
    if (!d) return showError(form, { key: 'error.required', params: { field: { key: 'task.field.due' } }, field: 'due_at' });
    if (Date.parse(d) !== Date.parse(task.due_at)) body.due_at = d;
    if (dept.value !== task.department) body.department = dept.value;
    if (urg.value !== task.urgency) body.urgency = urg.value;
    if (!Object.keys(body).length) { cancel.click(); return; }
    const mine = S;
    try {
      const nt = await busy(save, () => patchTask(task, body));
      if (S !== mine) return;
      const i = S.tasks.findIndex((x) => x.id === nt.id);
      if (i >= 0) S.tasks[i] = nt;
      S.tasks.sort(taskOrder);
      renderTasks();
      flash(document.querySelector(`li.task[data-id="${nt.id}"]`));
      toast('toast.saved');
    } catch (err) {
      if (err.status === 401) return;
      if (err.status === 409) return showError(form, { key: 'task.conflict' });
      showError(form, err);
    }
  });
  slot.replaceChildren(form);
  due.focus();
}

// ---------- quality (NPS) ----------

function qualityCard() {
  const name = uid('score');
  const scores = h('div', { class: 'nps-scale', role: 'radiogroup', 'aria-labelledby': 'nps-q' },
    Array.from({ length: 11 }, (_, n) => {
      const id = `${name}-${n}`;
      const band = n >= 9 ? 'promoter' : n >= 7 ? 'passive' : 'detractor';
      return h('span', { class: ['nps-opt', band] },
        h('input', { type: 'radio', name: 'score', id, value: String(n) }),
        h('label', { for: id }, String(n)));
    }));
  const comment = h('input', { class: 'input', type: 'text', maxlength: '2000' });
  const save = h('button', { type: 'submit', class: 'btn primary', i18n: 'quality.save' });
  const form = h('form', { class: 'quality-form', id: 'quality-form', novalidate: true },
    h('fieldset', { class: 'field', dataset: { field: 'score' } },
      h('legend', { class: 'field-label', id: 'nps-q', i18n: 'quality.question' }),
      scores,
      h('div', { class: 'nps-ends', 'aria-hidden': 'true' },
        h('span', { i18n: 'quality.not_likely' }), h('span', { i18n: 'quality.very_likely' })),
      h('p', { class: 'field-error', hidden: true })),
    h('div', { class: 'quality-row' },
      field({ name: 'comment', label: 'quality.comment', input: comment }),
      h('div', { class: 'form-actions' }, save, ctrlEnterHint())));
  form.addEventListener('submit', (e) => { e.preventDefault(); saveQuality(form, save); });
  return h('section', { class: 'card quality-card', id: 'case-quality', 'aria-labelledby': 'quality-h' },
    h('div', { class: 'card-head' }, h('h2', { id: 'quality-h', i18n: 'quality.title' }),
      h('p', { i18n: 'quality.text' })),
    h('div', { class: 'quality-grid' }, form, h('div', { id: 'quality-list' })));
}

async function saveQuality(form, save) {
  clearErrors(form);
  const picked = form.querySelector('input[name="score"]:checked');
  if (!picked) return showError(form, { key: 'quality.pick_score', field: 'score' });
  const body = { score: Number(picked.value) };
  const comment = form.elements.comment.value.trim();
  if (comment) body.comment = comment;
  const mine = S;
  try {
    await busy(save, () => post(`/api/v1/cases/${S.id}/quality`, body));
    if (S !== mine) return;
    picked.checked = false;
    form.elements.comment.value = '';
    toast('quality.saved');
    reloadCase(true);
  } catch (err) {
    if (err.status === 401) return;
    showError(form, err);
  }
}

function renderQualityList(highlight) {
  const box = document.getElementById('quality-list');
  if (!box) return;
  const q = (S.c.quality || []).slice().sort((a, b) => b.at.localeCompare(a.at));
  if (!q.length) {
    box.replaceChildren(h('p', { class: 'muted small', i18n: 'quality.none' }));
    return;
  }
  const before = new Set([...box.querySelectorAll('li[data-id]')].map((x) => x.dataset.id));
  box.replaceChildren(h('h3', { class: 'sub-title', i18n: 'quality.answers' }),
    h('ul', { class: 'quality-answers' }, q.map((a) => {
      const band = a.score >= 9 ? 'promoter' : a.score >= 7 ? 'passive' : 'detractor';
      return h('li', { dataset: { id: String(a.id) } },
        h('span', { class: ['nps-score', band], 'aria-label': t('quality.score_label', { n: a.score }) }, String(a.score)),
        h('div', null,
          a.comment ? h('p', null, a.comment) : h('p', { class: 'muted', i18n: 'quality.no_comment' }),
          h('p', { class: 'muted small' }, h('time', { fmt: ['datetime', a.at] }), a.user ? ` · ${a.user.full_name || a.user.login}` : '')));
    })));
  if (highlight) for (const li of box.querySelectorAll('li[data-id]')) if (!before.has(li.dataset.id)) flash(li);
}
