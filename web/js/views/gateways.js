// SMSC and SMTP connections (#/gateways, admins): the outbox's gateways in
// two groups, SMS (SMPP) and email (SMTP), with what this server does with
// each (polled every few seconds while the screen is open), an enable
// switch, an editor in place (#/gateways/new/smpp, #/gateways/new/smtp,
// #/gateways/12) and deletion confirmed in the row. Gateways of the config
// file and the command line are shown read-only.
import { h, tx, field, select, uid } from '../dom.js';
import { get, post, put, del } from '../api.js';
import { showError, clearErrors, busy, ctrlEnterHint, errorMessage, markClean, isDirty } from '../forms.js';
import { has } from '../i18n.js';
import { toast } from '../toast.js';

const POLL_MS = 3000;
// a saved gateway is taken up by every server within ~2 s: until then this
// server still reports it off, which the list shows as "applying"
const APPLY_MS = 8000;
const KINDS = ['smpp', 'smtp'];
const DEFAULT_PORT = { smpp: 2775, smtp: 587 };
// the usual SMTP port of each kind of encryption: a choice moves the port along while it is one of these
const TLS_PORT = { starttls: 587, tls: 465, none: 25 };
// fields the API names in its errors, in the order of the form
const FIELDS = ['name', 'host', 'port', 'username', 'password', 'tls', 'prefixes', 'window', 'rate', 'mail_from', 'enabled'];

let S = null;

export const gatewaysView = {
  mount(main, params, app) {
    S = { app, items: [], loaded: false, panel: null, cur: null, confirm: null, escArmed: false, seq: 0, timer: 0, print: '', saved: new Map(), gen: 0 };
    build(main);
    S.panel = params.panel;
    load().then(() => openEditor());
    S.timer = setInterval(poll, POLL_MS);
  },

  update(params) {
    if (!S) return;
    if (params.panel === S.panel && S.panel !== null) return;
    S.panel = params.panel;
    if (S.loaded) openEditor();
  },

  unmount() {
    if (S) clearInterval(S.timer);
    S = null;
  },

  onEscape() {
    if (!S) return false;
    if (S.confirm) { cancelConfirm(); return true; }
    if (S.panel === null) return false;
    // unsaved typing is not thrown away by one key: the first Esc warns, the second closes
    const form = document.getElementById('gw-form');
    if (form && isDirty(form) && !S.escArmed) {
      S.escArmed = true;
      toast('toast.unsaved_esc');
      return true;
    }
    closeEditor();
    return true;
  },
};

// ---------- layout ----------

function build(main) {
  const groups = {};
  for (const kind of KINDS) {
    const add = h('a', { class: 'btn small', href: `#/gateways/new/${kind}`, id: `gw-add-${kind}` },
      h('span', { 'aria-hidden': 'true' }, '+'), h('span', { i18n: `gw.add.${kind}` }));
    const count = h('span', { class: 'count' });
    const slot = h('div', { class: 'gw-editor-slot' });
    const list = h('div', { class: 'gw-list', id: `gw-${kind}-list`, 'aria-busy': 'true' },
      h('p', { class: 'muted', i18n: 'common.loading' }));
    groups[kind] = {
      add, count, slot, list,
      el: h('section', { class: 'gw-group', id: `gw-${kind}`, 'aria-labelledby': `gw-${kind}-h` },
        h('div', { class: 'gw-group-head' },
          h('div', { class: 'gw-group-title' },
            h('h2', { id: `gw-${kind}-h` }, h('span', { i18n: `gw.group.${kind}` }), count),
            h('p', { class: 'hint', i18n: `gw.group_hint.${kind}` })),
          add),
        slot, list),
    };
  }
  main.append(h('div', { class: 'page gateways-page', dataset: { view: 'gateways' } },
    h('div', { class: 'page-head' }, h('h1', { i18n: 'gw.title' })),
    h('p', { class: 'page-intro', i18n: 'gw.intro' }),
    groups.smpp.el, groups.smtp.el));
  S.els = { groups };
}

const keyOf = (g) => (g.id != null ? String(g.id) : `${g.source}:${g.name}`);
/** What the list shows, without the state (which changes on its own). */
const printOf = (items) => JSON.stringify(items.map(({ state: _s, ...rest }) => rest));

async function load() {
  const mine = S;
  let data;
  try {
    data = await get('/api/v1/gateways');
  } catch (err) {
    if (S !== mine || err.status === 401) return;
    const m = errorMessage(err);
    for (const kind of KINDS) {
      const { list } = S.els.groups[kind];
      list.removeAttribute('aria-busy');
      list.replaceChildren(h('div', { class: 'alert error', role: 'alert', i18n: [m.key, m.params] }));
    }
    return;
  }
  if (S !== mine) return;
  S.loaded = true;
  apply(data.items || []);
}

/** The list from the server: redraw what changed, keep the focus where it was. */
function apply(items, flashKey) {
  S.gen++;
  const print = printOf(items);
  S.items = items;
  if (print === S.print && !flashKey) {
    for (const g of items) setState(g);
    return;
  }
  S.print = print;
  const focus = document.activeElement && document.activeElement.dataset ? document.activeElement.dataset.focus : null;
  S.confirm = null;
  for (const kind of KINDS) renderGroup(kind);
  if (focus) document.querySelector(`[data-focus="${CSS.escape(focus)}"]`)?.focus();
  if (flashKey) document.querySelector(`tr[data-gw="${CSS.escape(flashKey)}"]`)?.classList.add('flash');
  markEdited();
}

async function poll() {
  if (!S || !S.loaded || document.hidden) return;
  const mine = S, gen = S.gen;
  let data;
  try {
    data = await get('/api/v1/gateways');
  } catch {
    return; // the next poll tries again; a signed-out session is handled by api.js
  }
  // a change made here meanwhile is newer than this answer
  if (S !== mine || S.gen !== gen) return;
  // a row being confirmed for deletion keeps its place: only the states change
  if (S.confirm) {
    for (const g of data.items || []) setState(g);
    return;
  }
  apply(data.items || []);
}

// ---------- the groups ----------

function renderGroup(kind) {
  const { list, count } = S.els.groups[kind];
  const items = S.items.filter((g) => g.kind === kind);
  list.removeAttribute('aria-busy');
  count.textContent = items.length ? String(items.length) : '';
  if (!items.length) {
    list.replaceChildren(h('div', { class: 'empty compact gw-empty', dataset: { empty: kind } },
      h('p', { class: 'empty-title', i18n: `gw.empty_title.${kind}` }),
      h('p', { i18n: `gw.empty_text.${kind}` }),
      h('a', { class: 'btn primary', href: `#/gateways/new/${kind}`, i18n: `gw.add.${kind}` })));
    return;
  }
  const smpp = kind === 'smpp';
  const head = [
    h('th', { scope: 'col', class: 'col-on', i18n: 'gw.col.enabled' }),
    h('th', { scope: 'col', i18n: 'gw.col.name' }),
    h('th', { scope: 'col', i18n: 'gw.col.address' }),
    smpp ? h('th', { scope: 'col', i18n: 'gw.col.prefixes' }) : h('th', { scope: 'col', i18n: 'gw.col.tls' }),
    smpp ? h('th', { scope: 'col', class: 'num', i18n: 'gw.col.window' }) : h('th', { scope: 'col', i18n: 'gw.col.mail_from' }),
    smpp ? h('th', { scope: 'col', class: 'num', i18n: 'gw.col.rate' }) : null,
    h('th', { scope: 'col', class: 'col-state', i18n: 'gw.col.state' }),
    h('th', { scope: 'col' }, h('span', { class: 'sr-only', i18n: 'common.actions' })),
  ];
  list.replaceChildren(h('div', { class: 'table-wrap' },
    h('table', { class: ['data', 'gw-table', `gw-${kind}-table`], id: `gw-${kind}-table` },
      h('caption', { class: 'sr-only', i18n: `gw.group.${kind}` }),
      h('thead', null, h('tr', null, head)),
      h('tbody', null, items.map(row)))));
}

const address = (g) => `${g.host.includes(':') && !g.host.startsWith('[') ? `[${g.host}]` : g.host}:${g.port}`;

function row(g) {
  const smpp = g.kind === 'smpp';
  const admin = g.id != null;
  const key = keyOf(g);
  const sw = h('input', {
    type: 'checkbox', class: 'switch', role: 'switch', id: `gw-on-${key.replace(/[^\w-]/g, '_')}`,
    dataset: { focus: `on:${key}` }, disabled: !admin,
  });
  sw.checked = g.enabled;
  if (admin) sw.addEventListener('change', () => toggle(g, sw));
  const swLabel = h('label', { class: 'gw-switch', for: sw.id }, sw,
    h('span', { class: 'sr-only', i18n: ['gw.enable_one', { name: g.name }] }));

  const nameCell = h('td', { class: 'gw-name' },
    h('strong', null, g.name),
    admin ? null : h('span', { class: 'badge gw-source', dataset: { source: g.source }, i18n: `gw.source.${g.source}` }));
  const addr = h('td', { class: 'gw-addr' },
    h('span', { class: 'mono' }, address(g)),
    g.username || g.password_set
      ? h('span', { class: 'gw-login muted' },
        g.username ? h('span', { i18n: [smpp ? 'gw.as_system_id' : 'gw.as_user', { user: g.username }] }) : null,
        g.username && g.password_set ? ' · ' : null,
        g.password_set ? h('span', { i18n: 'gw.password_stored' }) : null)
      : null);

  const cells = [h('td', { class: 'col-on' }, swLabel), nameCell, addr];
  if (smpp) {
    cells.push(h('td', { class: 'gw-prefixes' }, g.prefixes.length
      ? h('span', { class: 'gw-tags' }, g.prefixes.flatMap((p, i) => [i ? ' ' : null, h('span', { class: 'tag mono' }, p)]))
      : h('span', { class: 'muted', i18n: 'gw.prefixes_rest' })));
    cells.push(h('td', { class: 'num' }, h('span', { fmt: ['number', g.window] })));
    cells.push(h('td', { class: 'num' }, g.rate
      ? h('span', { i18n: ['gw.rate_per_s', { n: g.rate }] })
      : h('span', { class: 'muted', i18n: 'gw.rate_none' })));
  } else {
    cells.push(h('td', null, h('span', { i18n: `gw.tls.${g.tls || 'none'}` })));
    cells.push(h('td', { class: 'gw-from' }, g.mail_from ? h('span', { class: 'mono' }, g.mail_from) : h('span', { class: 'muted', i18n: 'gw.from_default' })));
  }
  cells.push(h('td', { class: 'col-state' }, stateChip(g)));

  let actions;
  if (admin) {
    const edit = h('a', { class: 'btn small', href: `#/gateways/${g.id}`, dataset: { edit: key, focus: `edit:${key}` } },
      h('span', { i18n: 'gw.edit' }), h('span', { class: 'sr-only' }, ` ${g.name}`));
    const rm = h('button', { type: 'button', class: 'btn small danger', dataset: { del: key, focus: `del:${key}` } },
      h('span', { i18n: 'gw.delete' }), h('span', { class: 'sr-only' }, ` ${g.name}`));
    rm.addEventListener('click', () => askDelete(tr, g));
    actions = h('td', { class: 'actions' }, h('div', { class: 'row-actions' }, edit, rm));
  } else {
    actions = h('td', { class: 'actions' }, h('span', { class: 'muted gw-ro', i18n: `gw.readonly.${g.source}` }));
  }
  cells.push(actions);
  const tr = h('tr', { dataset: { gw: key }, class: [g.enabled ? null : 'is-off', admin ? null : 'is-static'] }, cells);
  return tr;
}

/** The state to show: this server's, or "applying" while a change has not reached it yet. */
function shownState(g) {
  const at = S.saved.get(keyOf(g));
  if (at && Date.now() - at < APPLY_MS && g.enabled && g.state === 'off') return 'applying';
  if (at && (g.state !== 'off' || Date.now() - at >= APPLY_MS)) S.saved.delete(keyOf(g));
  return g.state;
}

function stateChip(g) {
  const st = shownState(g);
  return h('span', {
    class: ['badge', 'status', 'gw-state', `gw-${st}`], dataset: { state: st },
    i18n: `gw.state.${st}`, i18nAttr: { title: `gw.state_hint.${st}` },
  });
}

/** Show a gateway's new state in its row (a short pulse when it changed). */
function setState(g) {
  const cell = document.querySelector(`tr[data-gw="${CSS.escape(keyOf(g))}"] td.col-state`);
  if (!cell) return;
  const was = cell.firstElementChild?.dataset.state;
  const chip = stateChip(g);
  if (was === chip.dataset.state) return;
  if (was) chip.classList.add('changed');
  cell.replaceChildren(chip);
}

function markEdited() {
  const id = S.cur ? String(S.cur.id) : null;
  for (const tr of document.querySelectorAll('tr[data-gw]')) tr.classList.toggle('selected', tr.dataset.gw === id);
}

// ---------- enable switch ----------

async function toggle(g, sw) {
  const mine = S;
  const on = sw.checked;
  sw.disabled = true;
  try {
    const r = await put(`/api/v1/gateways/${g.id}`, { enabled: on });
    if (S !== mine) return;
    toast(on ? 'gw.toast.enabled' : 'gw.toast.disabled', { name: r.name });
    S.saved.set(keyOf(r), Date.now());
    replaceItem(r);
  } catch (err) {
    if (S !== mine || err.status === 401) return;
    sw.checked = !on;
    const m = errorMessage(err);
    toast(m.key, m.params, 'error');
  } finally {
    if (S === mine && sw.isConnected) sw.disabled = false;
  }
}

function replaceItem(r, flash) {
  const items = S.items.map((x) => (x.id === r.id ? r : x));
  if (!items.some((x) => x.id === r.id)) items.push(r);
  apply(items, flash ? keyOf(r) : undefined);
}

// ---------- delete, confirmed in the row ----------

function askDelete(tr, g) {
  cancelConfirm();
  const cell = tr.querySelector('td.actions');
  const original = [...cell.childNodes];
  const yes = h('button', { type: 'button', class: 'btn small danger solid', id: 'gw-del-yes', i18n: 'gw.delete_confirm' });
  const no = h('button', { type: 'button', class: 'btn small', i18n: 'common.cancel' });
  cell.replaceChildren(h('div', { class: 'confirm-inline', role: 'group', 'aria-label': g.name },
    h('span', { class: 'q', i18n: ['gw.delete_question', { name: g.name }] }), yes, no));
  tr.classList.add('confirming');
  S.confirm = { tr, cell, original };
  no.addEventListener('click', cancelConfirm);
  yes.addEventListener('click', async () => {
    const mine = S;
    try {
      await busy(yes, () => del(`/api/v1/gateways/${g.id}`));
    } catch (err) {
      if (S !== mine || err.status === 401) return;
      cancelConfirm();
      const m = errorMessage(err);
      toast(m.key, m.params, 'error');
      return;
    }
    if (S !== mine) return;
    S.confirm = null;
    toast('gw.toast.deleted', { name: g.name });
    if (S.cur && S.cur.id === g.id) S.app.go('#/gateways');
    apply(S.items.filter((x) => x.id !== g.id));
    S.els.groups[g.kind].add.focus();
  });
  no.focus();
}

function cancelConfirm() {
  if (!S || !S.confirm) return;
  const { tr, cell, original } = S.confirm;
  S.confirm = null;
  tr.classList.remove('confirming');
  cell.replaceChildren(...original);
  cell.querySelector('[data-del]')?.focus();
}

// ---------- the editor ----------

function closeEditor() {
  const id = S.cur ? keyOf(S.cur) : null;
  const kind = S.editKind;
  S.app.go('#/gateways');
  const back = id && document.querySelector(`[data-edit="${CSS.escape(id)}"]`);
  if (back) back.focus();
  else if (kind) S.els.groups[kind].add.focus();
}

/** Open what S.panel names: null (nothing), new/smpp, new/smtp or an id. */
function openEditor() {
  if (!S) return;
  S.seq++;
  S.escArmed = false;
  for (const kind of KINDS) S.els.groups[kind].slot.replaceChildren();
  S.cur = null;
  S.editKind = null;
  if (S.panel === null) { markEdited(); return; }
  const m = /^new\/(smpp|smtp)$/.exec(S.panel);
  let g = null, kind;
  if (m) {
    kind = m[1];
  } else {
    g = S.items.find((x) => String(x.id) === S.panel);
    if (!g) {
      toast('gw.not_found', null, 'warn');
      history.replaceState(null, '', '#/gateways');
      S.panel = null;
      return;
    }
    kind = g.kind;
  }
  S.cur = g;
  S.editKind = kind;
  markEdited();
  renderEditor(kind, g);
}

function renderEditor(kind, g) {
  const smpp = kind === 'smpp';
  const editing = !!g;
  const v = g || { name: '', host: '', port: DEFAULT_PORT[kind], username: '', tls: 'starttls', prefixes: [], window: 50, rate: 0, mail_from: '', enabled: true, password_set: false };

  const pwAttrs = { autocomplete: 'new-password', maxlength: smpp ? '8' : '255' };
  if (editing && v.password_set) pwAttrs.i18nAttr = { placeholder: 'gw.password_unchanged' };
  const pwField = field({
    name: 'password', label: 'gw.field.password', type: 'password', attrs: pwAttrs,
    hint: editing && v.password_set ? 'gw.hint.password_keep' : (smpp ? 'gw.hint.password_smpp' : 'gw.hint.password_smtp'),
  });
  let clearBox = null;
  if (editing && v.password_set) {
    clearBox = h('input', { type: 'checkbox', name: 'clear_password', id: uid('gw-clear-pw') });
    const pw = pwField.querySelector('input');
    clearBox.addEventListener('change', () => {
      pw.disabled = clearBox.checked;
      if (clearBox.checked) pw.value = '';
    });
    pwField.append(h('label', { class: 'check gw-clear-pw', for: clearBox.id }, clearBox, h('span', { i18n: 'gw.clear_password' })));
  }

  const enabled = h('input', { type: 'checkbox', name: 'enabled', id: uid('gw-enabled'), checked: v.enabled });
  const save = h('button', { type: 'submit', class: 'btn primary', id: 'gw-save', i18n: editing ? 'gw.save' : `gw.create.${kind}` });
  const cancel = h('a', { class: 'btn', href: '#/gateways', i18n: 'common.cancel' });
  const num = (n, right = false) => ({ inputmode: 'numeric', autocomplete: 'off', class: right ? 'input num-input' : 'input', maxlength: String(n) });

  const rows = [
    h('div', { class: 'form-row gw-row-main' },
      field({ name: 'name', label: 'gw.field.name', value: v.name, hint: 'gw.hint.name', attrs: { autocomplete: 'off', maxlength: '63', spellcheck: 'false' } }),
      field({ name: 'host', label: 'gw.field.host', value: v.host, hint: smpp ? 'gw.hint.host_smpp' : 'gw.hint.host_smtp', attrs: { autocomplete: 'off', maxlength: '255', spellcheck: 'false', autocapitalize: 'none' } }),
      field({ name: 'port', label: 'gw.field.port', value: String(v.port), attrs: num(5, true) })),
  ];
  if (smpp) {
    rows.push(
      h('div', { class: 'form-row gw-row-cred' },
        field({ name: 'username', label: 'gw.field.system_id', value: v.username, hint: 'gw.hint.system_id', attrs: { autocomplete: 'off', maxlength: '15', spellcheck: 'false', autocapitalize: 'none' } }),
        pwField),
      field({ name: 'prefixes', label: 'gw.field.prefixes', value: v.prefixes.join(' '), hint: 'gw.hint.prefixes',
        attrs: { class: 'input mono-input', autocomplete: 'off', spellcheck: 'false', i18nAttr: { placeholder: 'gw.placeholder.prefixes' } } }),
      h('div', { class: 'form-row gw-row-flow' },
        field({ name: 'window', label: 'gw.field.window', value: String(v.window ?? 50), hint: 'gw.hint.window', attrs: num(3) }),
        field({ name: 'rate', label: 'gw.field.rate', value: String(v.rate ?? 0), hint: 'gw.hint.rate', attrs: num(6) })));
  } else {
    rows.push(
      h('div', { class: 'form-row gw-row-mail' },
        field({ name: 'tls', label: 'gw.field.tls', input: select([['starttls', 'gw.tls.starttls'], ['tls', 'gw.tls.tls'], ['none', 'gw.tls.none']], v.tls || 'none') }),
        field({ name: 'mail_from', label: 'gw.field.mail_from', value: v.mail_from || '', hint: 'gw.hint.mail_from', attrs: { type: 'email', autocomplete: 'off', maxlength: '255', spellcheck: 'false' } })),
      h('div', { class: 'form-row gw-row-cred' },
        field({ name: 'username', label: 'gw.field.username', value: v.username, hint: 'gw.hint.username_smtp', attrs: { autocomplete: 'off', maxlength: '255', spellcheck: 'false', autocapitalize: 'none' } }),
        pwField));
  }
  rows.push(h('div', { class: 'check-field' },
    h('label', { class: 'check', for: enabled.id }, enabled,
      h('span', null, tx('gw.field.enabled'), h('span', { class: 'hint', i18n: 'gw.hint.enabled' }))),
    h('p', { class: 'field-error', hidden: true })));

  const form = h('form', { class: 'form gw-form', id: 'gw-form', novalidate: true, dataset: { kind } },
    rows,
    h('div', { class: 'form-actions' }, save, cancel,
      h('span', { class: 'hint-keys' }, h('kbd', null, 'Enter'), ' ', tx('gw.keys_save'), ' · ', h('kbd', null, 'Esc'), ' ', tx('gw.keys_cancel'))));
  form.addEventListener('submit', (e) => { e.preventDefault(); submit(form, kind, save); });
  if (!smpp) {
    let tls = form.elements.tls.value;
    form.elements.tls.addEventListener('change', () => {
      const port = form.elements.port;
      if (port.value.trim() === String(TLS_PORT[tls])) port.value = String(TLS_PORT[form.elements.tls.value]);
      tls = form.elements.tls.value;
    });
  }
  form.addEventListener('input', () => { if (S) S.escArmed = false; });

  const close = h('button', {
    type: 'button', class: 'icon-btn', 'aria-keyshortcuts': 'Escape',
    i18nAttr: { 'aria-label': 'common.close_esc', title: 'common.close_esc' },
  }, '×');
  close.addEventListener('click', closeEditor);
  const title = editing
    ? h('h3', { id: 'gw-editor-h', i18n: [`gw.edit_title.${kind}`, { name: g.name }] })
    : h('h3', { id: 'gw-editor-h', i18n: `gw.new_title.${kind}` });
  const card = h('section', { class: 'card gw-editor', id: 'gw-editor', 'aria-labelledby': 'gw-editor-h', dataset: { kind, id: editing ? String(g.id) : 'new' } },
    h('div', { class: 'gw-editor-head' }, title,
      editing ? h('span', { class: 'meta-line', i18n: ['gw.meta', { version: g.version, updated: { fmt: 'datetime', value: g.updated_at } }] }) : null,
      close),
    form);
  S.els.groups[kind].slot.replaceChildren(card);
  markClean(form);
  form.elements.name.focus();
  card.scrollIntoView({ block: 'nearest' });
}

/** The body the form asks for (the password only when typed or cleared). */
function bodyOf(form, kind) {
  const f = form.elements;
  const smpp = kind === 'smpp';
  const body = { kind, name: f.name.value.trim(), host: f.host.value.trim(), username: f.username.value.trim(), enabled: f.enabled.checked };
  const ints = smpp ? ['port', 'window', 'rate'] : ['port'];
  for (const n of ints) {
    const s = f[n].value.trim();
    if (s === '') continue; // the server's default (create) or the stored value (edit)
    if (!/^\d{1,9}$/.test(s)) return { error: { key: `gw.err.${n}`, field: n } };
    body[n] = Number(s);
  }
  if (f.clear_password && f.clear_password.checked) body.password = '';
  else if (f.password.value !== '') body.password = f.password.value;
  if (smpp) {
    body.prefixes = f.prefixes.value.trim();
  } else {
    body.tls = f.tls.value;
    body.mail_from = f.mail_from.value.trim();
  }
  return { body };
}

async function submit(form, kind, save) {
  clearErrors(form);
  const { body, error } = bodyOf(form, kind);
  if (error) { showError(form, error); return; }
  const mine = S, cur = S.cur;
  if (cur) body.version = cur.version;
  let r;
  try {
    r = await busy(save, () => (cur ? put(`/api/v1/gateways/${cur.id}`, body) : post('/api/v1/gateways', body)));
  } catch (err) {
    if (S !== mine || err.status === 401) return;
    if (err.code === 'version_conflict' && cur) {
      // their version is shown in the list; what was typed stays, and saving again replaces it
      await load();
      const fresh = S && S.items.find((x) => x.id === cur.id);
      if (fresh) S.cur = fresh;
    }
    showError(form, gwError(err, kind, form));
    return;
  }
  if (S !== mine) return;
  toast(cur ? 'gw.toast.saved' : 'gw.toast.created', { name: r.name });
  S.saved.set(keyOf(r), Date.now());
  markClean(form);
  S.cur = null;
  S.app.go('#/gateways');
  replaceItem(r, true);
  document.querySelector(`[data-edit="${CSS.escape(keyOf(r))}"]`)?.focus();
}

/** The message for an error of this screen: {key, params, field}, next to the field it names. */
function gwError(err, kind, form) {
  let fieldName = err.field ? String(err.field).replace(/\[\d+\]$/, '') : null;
  if (fieldName && !FIELDS.includes(fieldName)) fieldName = null;
  const label = (n) => ({ key: n === 'username' && kind === 'smpp' ? 'gw.field.system_id' : `gw.field.${n}` });
  if (err.code === 'missing_field' && fieldName) return { key: 'error.required', params: { field: label(fieldName) }, field: fieldName };
  if (err.code === 'invalid_field' && fieldName) {
    if (fieldName === 'prefixes') {
      const bad = form.elements.prefixes.value.split(/[\s,;]+/).find((p) => p && !/^\+?\d{1,15}$/.test(p));
      return bad ? { key: 'gw.err.prefix', params: { prefix: bad }, field: 'prefixes' } : { key: 'gw.err.prefixes', field: 'prefixes' };
    }
    const specific = `gw.err.${fieldName}.${kind}`;
    return { key: has(specific) ? specific : `gw.err.${fieldName}`, field: fieldName };
  }
  if (err.code === 'name_taken') return { key: 'gw.err.name_taken', field: 'name' };
  if (err.code === 'version_conflict') return { key: 'gw.err.version_conflict' };
  if (err.status === 404) return { key: 'gw.not_found' };
  const m = errorMessage(err);
  return { key: m.key, params: m.params, field: fieldName };
}
