// User administration (admin): the list zone (filterable table, paging) and
// the work area (a user's details, password reset and change history, or the
// new-user form). #/users, #/users/new, #/users/12.
import { h, tx, field, roleSelect, userLangSelect, roleBadge, statusBadge, dateEl, uid } from '../dom.js';
import { get, post, patch } from '../api.js';
import { t, currentLang } from '../i18n.js';
import { listKeys } from '../keys.js';
import { showError, clearErrors, busy, ctrlEnterHint, errorMessage, markClean, isDirty } from '../forms.js';
import { toast } from '../toast.js';
import { historyItem, SESSION_ACTIONS } from './history.js';

const PAGE = 50;
const HIST_PAGE = 50;

let S = null;

export const usersView = {
  mount(main, params, app) {
    S = {
      app, items: [], total: 0, offset: 0, filter: '', panel: null, user: null,
      seq: 0, hist: null, loaded: false,
    };
    build(main);
    loadList().then(() => {
      if (S && S.panel && /^\d+$/.test(S.panel)) markSelected(Number(S.panel));
    });
    this.update(params);
  },

  update(params) {
    if (!S) return;
    const prev = S.panel;
    S.panel = params.panel;
    if (prev === S.panel && S.panel !== null) return;
    openPanel(prev);
  },

  unmount() { S = null; },

  focusFilter() {
    if (!S) return false;
    S.els.filter.focus();
    S.els.filter.select();
    return true;
  },

  onKey(e) {
    if (!S) return;
    if (e.key === 'n' || e.key === 'N') {
      e.preventDefault();
      S.app.go('#/users/new');
    }
  },

  onEscape(e) {
    if (!S) return false;
    if (e.target === S.els.filter && S.els.filter.value) {
      S.els.filter.value = '';
      setFilter('');
      return true;
    }
    if (S.panel !== null) {
      // unsaved typing is not thrown away by one key: the first Esc warns, the second closes
      const dirty = [...S.els.panel.querySelectorAll('form')].some(isDirty);
      if (dirty && !S.escArmed) {
        S.escArmed = true;
        toast('toast.unsaved_esc');
        return true;
      }
      closePanel();
      return true;
    }
    return false;
  },
};

// ---------- layout ----------

function build(main) {
  const filterId = uid('user-filter');
  const filter = h('input', {
    class: 'input', type: 'search', id: filterId, autocomplete: 'off', spellcheck: 'false',
    'aria-keyshortcuts': '/', 'aria-controls': 'users-table',
    i18nAttr: { placeholder: 'users.filter_placeholder' },
  });
  filter.addEventListener('input', () => setFilter(filter.value));
  filter.addEventListener('keydown', (e) => {
    if (e.key === 'ArrowDown' || (e.key === 'Enter' && !e.ctrlKey)) {
      e.preventDefault();
      const first = S.els.tbody.querySelector('tr.row:not([hidden])');
      if (first) { S.list.setCurrent(first); S.list.focus(first); }
    }
  });

  const tbody = h('tbody');
  const table = h('table', { class: 'data', id: 'users-table' },
    h('caption', { class: 'sr-only', i18n: 'users.title' }),
    h('thead', null, h('tr', null,
      h('th', { scope: 'col', i18n: 'field.login' }),
      h('th', { scope: 'col', i18n: 'field.full_name' }),
      h('th', { scope: 'col', class: 'col-role', i18n: 'field.role' }),
      h('th', { scope: 'col', class: 'col-lang', i18n: 'field.language' }),
      h('th', { scope: 'col', i18n: 'field.status' }),
      h('th', { scope: 'col', class: 'col-created', i18n: 'field.created' }))),
    tbody);
  const count = h('span', { class: 'count', 'aria-live': 'polite' });
  const empty = h('div', { class: 'empty', hidden: true });
  const foot = h('div', { class: 'list-foot' });
  const panel = h('section', { class: 'panel', id: 'user-panel', hidden: true, 'aria-labelledby': 'panel-title' });
  const split = h('div', { class: 'split', dataset: { view: 'users' } },
    h('section', { class: 'list-zone', 'aria-labelledby': 'users-h' },
      h('div', { class: 'list-head' },
        h('h1', { id: 'users-h' }, tx('users.title'), count),
        h('div', { class: 'list-tools' },
          h('div', { class: 'filter', role: 'search' },
            h('label', { for: filterId, class: 'sr-only', i18n: 'users.filter_label' }),
            filter, h('kbd', { 'aria-hidden': 'true' }, '/')),
          h('a', { class: 'btn primary', href: '#/users/new', id: 'new-user-btn', 'aria-keyshortcuts': 'n' },
            h('span', { i18n: 'users.new' }), h('kbd', { 'aria-hidden': 'true' }, 'N')))),
      h('div', { class: 'table-wrap', id: 'users-table-wrap' }, table),
      empty,
      foot),
    panel);
  main.append(split);
  S.els = { split, filter, tbody, table, count, empty, foot, panel };
  S.list = listKeys(tbody, 'tr.row', (row) => S.app.go(`#/users/${row.dataset.id}`));
}

// ---------- list ----------

async function loadList() {
  const mine = S;
  let data;
  try {
    data = await get(`/api/v1/users?limit=${PAGE}&offset=${S.offset}`);
  } catch (err) {
    if (err.status === 401 || S !== mine) return;
    const m = errorMessage(err);
    S.els.empty.replaceChildren(h('div', { class: 'alert error', role: 'alert', i18n: [m.key, m.params] }));
    S.els.empty.hidden = false;
    return;
  }
  if (S !== mine) return;
  S.items = data.items;
  S.total = data.total;
  S.loaded = true;
  renderRows();
}

function matches(u, q) {
  if (!q) return true;
  const hay = [u.login, u.full_name, u.email || '', u.phone || '', u.role, t(`role.${u.role}`),
    t(u.disabled ? 'status.disabled' : 'status.active')].join('\n').toLocaleLowerCase();
  return q.toLocaleLowerCase().split(/\s+/).filter(Boolean).every((w) => hay.includes(w));
}

function userRow(u) {
  const link = h('a', { href: `#/users/${u.id}`, tabindex: '-1', 'data-open': true }, u.login);
  return h('tr', {
    class: ['row', u.disabled && 'is-disabled'], tabindex: '-1',
    dataset: { id: String(u.id), login: u.login },
  },
  h('td', { class: 'login-cell' }, link),
  h('td', { class: 'name-cell', title: u.full_name || null }, u.full_name || h('span', { class: 'muted', i18n: 'common.empty' })),
  h('td', { class: 'col-role' }, roleBadge(u.role)),
  h('td', { class: 'col-lang', fmt: ['lang', u.language] }),
  h('td', null, statusBadge(u.disabled)),
  h('td', { class: 'date-cell col-created' }, dateEl(u.created_at)));
}

function renderRows() {
  const { tbody } = S.els;
  const focusedId = document.activeElement && document.activeElement.closest && tbody.contains(document.activeElement)
    ? document.activeElement.closest('tr.row')?.dataset.id : null;
  tbody.replaceChildren(...S.items.map(userRow));
  applyFilter();
  const selected = S.panel && /^\d+$/.test(S.panel) ? Number(S.panel) : null;
  markSelected(selected);
  if (focusedId) {
    const r = tbody.querySelector(`tr.row[data-id="${focusedId}"]`);
    if (r) S.list.focus(r);
  }
  renderFoot();
}

function setFilter(q) {
  const had = !!S.filter;
  S.filter = q.trim();
  applyFilter();
  if (had !== !!S.filter) renderFoot();
}

function applyFilter() {
  const { tbody, empty, count } = S.els;
  let shown = 0;
  for (const row of tbody.querySelectorAll('tr.row')) {
    const u = S.items.find((x) => String(x.id) === row.dataset.id);
    const ok = u && matches(u, S.filter);
    row.hidden = !ok;
    if (ok) shown++;
  }
  const cur = tbody.querySelector('tr.row[tabindex="0"]:not([hidden])');
  S.list.setCurrent(cur || tbody.querySelector('tr.row:not([hidden])'));
  count.dataset.i18n = S.filter ? 'users.count_filtered' : 'users.count';
  count.dataset.i18nParams = JSON.stringify(S.filter ? { shown, total: S.total } : { total: S.total });
  count.textContent = t(count.dataset.i18n, JSON.parse(count.dataset.i18nParams));
  document.getElementById('users-table-wrap').hidden = shown === 0;
  if (shown === 0 && S.loaded) {
    if (S.filter) {
      const clearBtn = h('button', { type: 'button', class: 'btn', i18n: 'users.clear_filter' });
      clearBtn.addEventListener('click', () => {
        S.els.filter.value = '';
        setFilter('');
        S.els.filter.focus();
      });
      empty.replaceChildren(
        h('p', { class: 'empty-title', i18n: ['users.no_match_title', { q: S.filter }] }),
        h('p', { i18n: 'users.no_match_text' }),
        clearBtn);
    } else {
      empty.replaceChildren(
        h('p', { class: 'empty-title', i18n: 'users.empty_title' }),
        h('p', { i18n: 'users.empty_text' }),
        h('a', { class: 'btn primary', href: '#/users/new', i18n: 'users.new' }));
    }
    empty.hidden = false;
  } else {
    empty.hidden = true;
  }
}

function renderFoot() {
  const { foot } = S.els;
  const hint = h('span', { class: 'keys-hint' },
    h('kbd', null, '↑'), h('kbd', null, '↓'), ' ', h('kbd', null, 'Enter'), ' ', tx('users.hint_open'), '  ·  ',
    h('kbd', null, '/'), ' ', tx('users.hint_filter'));
  const parts = [hint];
  if (S.total > PAGE && S.filter) parts.push(h('span', { class: 'page-note', i18n: 'users.filter_page_note' }));
  if (S.total > PAGE) {
    const from = S.items.length ? S.offset + 1 : 0;
    const to = S.offset + S.items.length;
    const prev = h('button', { type: 'button', class: 'btn small', i18n: 'paging.prev', disabled: S.offset === 0 });
    const next = h('button', { type: 'button', class: 'btn small', i18n: 'paging.next', disabled: to >= S.total });
    prev.addEventListener('click', () => { S.offset = Math.max(0, S.offset - PAGE); loadList(); });
    next.addEventListener('click', () => { S.offset += PAGE; loadList(); });
    parts.push(h('nav', { class: 'pager', i18nAttr: { 'aria-label': 'paging.label' } },
      h('span', { i18n: ['paging.range', { from, to, total: S.total }] }), prev, next));
  }
  foot.replaceChildren(...parts);
}

function markSelected(id) {
  let sel = null;
  for (const row of S.els.tbody.querySelectorAll('tr.row')) {
    const on = id !== null && row.dataset.id === String(id);
    if (on) { row.setAttribute('aria-current', 'true'); sel = row; } else row.removeAttribute('aria-current');
  }
  if (sel && !sel.hidden) S.list.setCurrent(sel);
  return sel;
}

/** Replace one user's row after a change, with a short highlight. */
function refreshRow(u) {
  const i = S.items.findIndex((x) => x.id === u.id);
  if (i < 0) return;
  S.items[i] = u;
  const old = S.els.tbody.querySelector(`tr.row[data-id="${u.id}"]`);
  if (!old) return;
  const row = userRow(u);
  row.tabIndex = old.tabIndex;
  old.replaceWith(row);
  row.classList.add('flash');
  applyFilter();
  markSelected(u.id);
}

// ---------- panel ----------

function closePanel() {
  const id = S.panel;
  S.app.go('#/users');
  const row = id && S.els.tbody.querySelector(`tr.row[data-id="${id}"]:not([hidden])`);
  if (row) S.list.focus(row);
  else S.els.filter.focus();
}

function openPanel(prev) {
  const { split, panel } = S.els;
  S.seq++;
  S.escArmed = false;
  if (S.panel === null) {
    split.classList.remove('has-panel');
    panel.hidden = true;
    panel.replaceChildren();
    markSelected(null);
    return;
  }
  split.classList.add('has-panel');
  panel.hidden = false;
  if (S.panel === 'new') {
    markSelected(null);
    newUserPanel();
  } else {
    const id = Number(S.panel);
    const row = markSelected(id);
    if (row) row.scrollIntoView({ block: 'nearest' });
    userPanel(id, prev);
  }
}

function panelHead(titleContent, sub) {
  const close = h('button', {
    type: 'button', class: 'icon-btn', 'aria-keyshortcuts': 'Escape',
    i18nAttr: { 'aria-label': 'common.close_esc', title: 'common.close_esc' },
  }, '×');
  close.addEventListener('click', closePanel);
  return h('header', { class: 'panel-head' },
    h('div', { class: 'panel-title' },
      h('h2', { id: 'panel-title', tabindex: '-1' }, titleContent),
      sub ? h('div', { class: 'sub' }, sub) : null),
    close);
}

// ----- new user -----

function newUserPanel() {
  const { panel } = S.els;
  const submit = h('button', { type: 'submit', class: 'btn primary', i18n: 'users.create' });
  const cancel = h('a', { class: 'btn', href: '#/users', i18n: 'common.cancel' });
  const form = h('form', { class: 'form', id: 'new-user-form', novalidate: true },
    field({ name: 'login', label: 'field.login', hint: 'hint.login', attrs: { autocapitalize: 'none', spellcheck: 'false', autocomplete: 'off', maxlength: '64' } }),
    field({ name: 'full_name', label: 'field.full_name', hint: 'hint.full_name', attrs: { autocomplete: 'off', maxlength: '200' } }),
    h('div', { class: 'form-row' },
      field({ name: 'role', label: 'field.role', input: roleSelect('operator') }),
      field({ name: 'language', label: 'field.language', input: userLangSelect(currentLang()) })),
    contactFields(null),
    field({ name: 'password', label: 'field.initial_password', type: 'password', hint: 'hint.initial_password', autocomplete: 'new-password' }),
    h('div', { class: 'form-actions' }, submit, cancel, ctrlEnterHint()));

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearErrors(form);
    const f = form.elements;
    const body = {
      login: f.login.value.trim(),
      full_name: f.full_name.value.trim(),
      role: f.role.value,
      language: f.language.value,
      password: f.password.value,
    };
    for (const k of ['email', 'phone']) if (f[k].value.trim()) body[k] = f[k].value.trim();
    if (!body.login) return showError(form, { key: 'error.required', params: { field: { key: 'field.login' } }, field: 'login' });
    if ([...body.password].length < 8) return showError(form, { key: 'error.weak_password', field: 'password' });
    const mine = S;
    try {
      const u = await busy(submit, () => post('/api/v1/users', body));
      if (S !== mine) return;
      toast('toast.user_created', { login: u.login });
      await loadList();
      S.app.go(`#/users/${u.id}`);
    } catch (err) {
      if (err.status !== 401) showError(form, err);
    }
  });

  panel.replaceChildren(
    panelHead(tx('users.new_title'), h('span', { i18n: 'users.new_text' })),
    h('div', { class: 'panel-body' }, h('div', { class: 'panel-section' }, form)));
  markClean(form);
  form.addEventListener('input', () => { S.escArmed = false; });
  form.elements.login.focus();
}

// ----- one user -----

async function userPanel(id, prev) {
  const { panel } = S.els;
  const seq = S.seq;
  const mine = S;
  if (!(prev && /^\d+$/.test(prev))) {
    panel.replaceChildren(panelHead(tx('common.loading')), h('div', { class: 'panel-body' }, h('p', { class: 'muted', i18n: 'common.loading' })));
  } else {
    panel.setAttribute('aria-busy', 'true');
  }
  let u;
  try {
    u = await get(`/api/v1/users/${id}`);
  } catch (err) {
    if (S !== mine || seq !== S.seq || err.status === 401) return;
    panel.removeAttribute('aria-busy');
    const m = err.status === 404 ? { key: 'users.not_found' } : errorMessage(err);
    panel.replaceChildren(panelHead(tx('users.not_found_title')),
      h('div', { class: 'panel-body' }, h('div', { class: 'alert error', role: 'alert', i18n: [m.key, m.params] })));
    return;
  }
  if (S !== mine || seq !== S.seq) return;
  panel.removeAttribute('aria-busy');
  S.user = u;
  renderUserPanel(u);
  const title = document.getElementById('panel-title');
  if (title && !S.els.panel.contains(document.activeElement)) title.focus({ preventScroll: true });
  panel.scrollTop = 0;
  loadHistory(u.id, true);
}

function renderUserPanel(u) {
  const { panel } = S.els;
  const editSave = h('button', { type: 'submit', class: 'btn primary', i18n: 'common.save_changes' });
  const disabled = h('input', { type: 'checkbox', name: 'disabled', id: uid('disabled'), checked: u.disabled, 'aria-describedby': 'disabled-err' });
  const editForm = h('form', { class: 'form', id: 'user-edit-form', novalidate: true },
    field({ name: 'full_name', label: 'field.full_name', value: u.full_name, attrs: { autocomplete: 'off', maxlength: '200' } }),
    h('div', { class: 'form-row' },
      field({ name: 'role', label: 'field.role', input: roleSelect(u.role) }),
      field({ name: 'language', label: 'field.language', input: userLangSelect(u.language) })),
    contactFields(u),
    h('div', { class: 'check-field' },
      h('label', { class: 'check', for: disabled.id }, disabled,
        h('span', null, tx('users.disabled_label'), h('span', { class: 'hint', i18n: 'users.disabled_hint' }))),
      h('p', { class: 'field-error', id: 'disabled-err', hidden: true })),
    h('div', { class: 'form-actions' }, editSave, ctrlEnterHint()));

  editForm.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearErrors(editForm);
    const f = editForm.elements;
    const cur = S.user;
    const body = {};
    if (f.full_name.value.trim() !== cur.full_name) body.full_name = f.full_name.value.trim();
    if (f.role.value !== cur.role) body.role = f.role.value;
    if (f.language.value !== cur.language) body.language = f.language.value;
    if (f.disabled.checked !== cur.disabled) body.disabled = f.disabled.checked;
    for (const k of ['email', 'phone']) {
      const v = f[k].value.trim();
      if (v !== (cur[k] || '')) body[k] = v || null;
    }
    if (!Object.keys(body).length) { toast('toast.no_changes'); return; }
    const mine = S;
    try {
      const nu = await busy(editSave, () => patch(`/api/v1/users/${cur.id}`, body));
      if (S !== mine) return;
      S.user = nu;
      // the phone as stored (E.164), so the form shows what notices will use
      for (const k of ['email', 'phone']) f[k].value = nu[k] || '';
      markClean(editForm);
      refreshRow(nu);
      updatePanelHead(nu);
      toast('toast.saved');
      if (nu.id === S.app.user.id) {
        S.app.setUser(nu);
        if (nu.role !== 'admin') { location.hash = '#/profile'; location.reload(); return; }
      }
      loadHistory(nu.id, true);
    } catch (err) {
      if (err.status !== 401) showError(editForm, err);
    }
  });

  const pwSave = h('button', { type: 'submit', class: 'btn', i18n: 'users.set_password' });
  const pwForm = h('form', { class: 'form', id: 'user-password-form', novalidate: true },
    field({ name: 'password', label: 'field.new_password', type: 'password', hint: 'hint.reset_password', autocomplete: 'new-password' }),
    h('div', { class: 'form-actions' }, pwSave, ctrlEnterHint()));
  pwForm.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearErrors(pwForm);
    const pw = pwForm.elements.password.value;
    if ([...pw].length < 8) return showError(pwForm, { key: 'error.weak_password', field: 'password' });
    const mine = S;
    try {
      await busy(pwSave, () => patch(`/api/v1/users/${S.user.id}`, { password: pw }));
      if (S !== mine) return;
      pwForm.reset();
      markClean(pwForm);
      toast('toast.password_set', { login: S.user.login });
      loadHistory(S.user.id, true);
    } catch (err) {
      if (err.status !== 401) showError(pwForm, err);
    }
  });

  const showSessions = h('input', { type: 'checkbox', id: 'hist-sessions' });
  showSessions.addEventListener('change', () => renderHistory());
  const hist = h('section', { class: 'panel-section', 'aria-labelledby': 'hist-h' },
    h('div', { class: 'section-head' },
      h('h3', { id: 'hist-h', i18n: 'history.title' }),
      h('label', { class: 'check', for: 'hist-sessions' }, showSessions, h('span', { i18n: 'history.show_sessions' }))),
    h('div', { id: 'hist-body', 'aria-live': 'polite' }, h('p', { class: 'muted', i18n: 'common.loading' })));

  panel.replaceChildren(
    panelHead(h('span', { class: 'mono' }, u.login), headSub(u)),
    h('div', { class: 'panel-body' },
      h('section', { class: 'panel-section', 'aria-labelledby': 'edit-h' },
        h('div', { class: 'section-head' }, h('h3', { id: 'edit-h', i18n: 'users.edit_title' }),
          h('p', { class: 'meta-line', i18n: ['users.meta', { created: { fmt: 'date', value: u.created_at }, updated: { fmt: 'datetime', value: u.updated_at } }] })),
        editForm),
      hist,
      h('section', { class: 'panel-section', 'aria-labelledby': 'pw-h' },
        h('details', { class: 'disclosure', id: 'pw-details' },
          h('summary', null, h('h3', { id: 'pw-h', i18n: 'users.password_title' })),
          h('div', { class: 'disclosure-body' }, pwForm)))));
  for (const f of [editForm, pwForm]) {
    markClean(f);
    f.addEventListener('input', () => { S.escArmed = false; });
  }
}

/** Phone and email: where staff notices (notification triggers) reach the user. */
function contactFields(u) {
  return h('div', { class: 'form-row contacts-row' },
    field({ name: 'phone', label: 'field.phone', type: 'tel', value: u ? u.phone || '' : '', hint: 'hint.staff_phone', attrs: { autocomplete: 'off', maxlength: '32', inputmode: 'tel' } }),
    field({ name: 'email', label: 'field.email', type: 'email', value: u ? u.email || '' : '', hint: 'hint.staff_email', attrs: { autocomplete: 'off', maxlength: '254', spellcheck: 'false', autocapitalize: 'none' } }));
}

function headSub(u) {
  return [statusBadge(u.disabled), roleBadge(u.role), u.full_name ? h('span', { class: 'panel-name' }, u.full_name) : null,
    u.phone ? h('span', { class: 'panel-contact mono', dataset: { contact: 'phone' } }, u.phone) : null,
    u.email ? h('span', { class: 'panel-contact', dataset: { contact: 'email' } }, u.email) : null];
}

function updatePanelHead(u) {
  const sub = S.els.panel.querySelector('.panel-head .sub');
  if (sub) sub.replaceChildren(...headSub(u).filter(Boolean));
  const meta = S.els.panel.querySelector('.meta-line');
  if (meta) {
    meta.dataset.i18nParams = JSON.stringify({ created: { fmt: 'date', value: u.created_at }, updated: { fmt: 'datetime', value: u.updated_at } });
    meta.textContent = t('users.meta', JSON.parse(meta.dataset.i18nParams));
  }
}

// ----- history -----

async function loadHistory(id, reset) {
  const mine = S;
  const seq = S.seq;
  if (reset) S.hist = { id, items: [], total: 0 };
  const offset = S.hist.items.length;
  let data;
  try {
    data = await get(`/api/v1/audit?entity=user&id=${id}&limit=${HIST_PAGE}&offset=${offset}`);
  } catch (err) {
    if (S !== mine || seq !== S.seq || err.status === 401) return;
    const body = document.getElementById('hist-body');
    const m = errorMessage(err);
    if (body) body.replaceChildren(h('div', { class: 'alert error', role: 'alert', i18n: [m.key, m.params] }));
    return;
  }
  if (S !== mine || seq !== S.seq || S.hist.id !== id) return;
  S.hist.items.push(...data.items);
  S.hist.total = data.total;
  renderHistory();
}

function renderHistory() {
  const body = document.getElementById('hist-body');
  if (!body || !S.hist) return;
  const withSessions = document.getElementById('hist-sessions')?.checked;
  const items = S.hist.items.filter((a) => withSessions || !SESSION_ACTIONS.has(a.action));
  const hiddenSessions = S.hist.items.length - items.length;
  const parts = [];
  if (items.length) parts.push(h('ol', { class: 'history', id: 'history-list' }, items.map(historyItem)));
  else parts.push(h('div', { class: 'empty' }, h('p', { i18n: 'history.empty' })));
  const tools = [];
  if (hiddenSessions > 0) tools.push(h('span', { class: 'hist-meta', i18n: ['history.sessions_hidden', { n: hiddenSessions }] }));
  if (S.hist.items.length < S.hist.total) {
    const more = h('button', { type: 'button', class: 'btn small', i18n: 'history.more' });
    more.addEventListener('click', () => busy(more, () => loadHistory(S.hist.id, false)));
    tools.push(more);
  }
  if (tools.length) parts.push(h('div', { class: 'hist-tools' }, tools));
  body.replaceChildren(...parts);
}
