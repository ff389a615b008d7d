// My profile: name, language, phone and email (where staff notices reach
// me), password, my API tokens.
import { h, field, langSelect, roleBadge, dateEl, tx } from '../dom.js';
import { get, post, patch, del } from '../api.js';
import { setLang, currentLang, bindText } from '../i18n.js';
import { showError, clearErrors, busy, ctrlEnterHint, errorMessage } from '../forms.js';
import { toast } from '../toast.js';

let state = null;

export const profileView = {
  mount(main, _params, app) {
    state = { app, tokens: [], confirmRow: null };
    const u = app.user;

    main.append(h('div', { class: 'page', dataset: { view: 'profile' } },
      h('div', { class: 'page-head' },
        h('h1', { id: 'profile-title', i18n: 'profile.title' }),
        h('span', { class: 'sub' }, u.full_name ? `${u.full_name} · ${u.login}` : u.login)),
      h('div', { class: 'cards' },
        detailsCard(u),
        passwordCard(),
        tokensCard())));
    loadTokens();
  },

  unmount() { state = null; },

  onEscape() {
    if (state && state.confirmRow) { cancelConfirm(); return true; }
    const secret = document.getElementById('token-secret-box');
    if (secret && !secret.hidden) { hideSecret(); return true; }
    return false;
  },
};

// ---------- personal details ----------

function detailsCard(u) {
  const name = field({ name: 'full_name', label: 'field.full_name', value: u.full_name, autocomplete: 'name', attrs: { maxlength: '200' } });
  const lang = field({ name: 'language', label: 'field.language', input: langSelect(u.language, { 'data-lang-select': true }), hint: 'profile.language_hint' });
  const phone = field({ name: 'phone', label: 'field.phone', type: 'tel', value: u.phone || '', autocomplete: 'tel', attrs: { maxlength: '32', inputmode: 'tel' } });
  const email = field({ name: 'email', label: 'field.email', type: 'email', value: u.email || '', autocomplete: 'email', attrs: { maxlength: '254', spellcheck: 'false', autocapitalize: 'none' } });
  const save = h('button', { type: 'submit', class: 'btn primary', i18n: 'common.save' });
  const form = h('form', { class: 'form', id: 'profile-form', novalidate: true },
    name, lang, h('div', { class: 'form-row contacts-row' }, phone, email),
    h('p', { class: 'hint', id: 'profile-contacts-hint', i18n: 'profile.contacts_hint' }),
    h('div', { class: 'form-actions' }, save, ctrlEnterHint()));

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearErrors(form);
    const f = form.elements;
    const body = {
      full_name: f.full_name.value.trim(), language: f.language.value,
      phone: f.phone.value.trim() || null, email: f.email.value.trim() || null,
    };
    try {
      const user = await busy(save, () => patch('/api/v1/me', body));
      state.app.setUser(user);
      // the phone as stored (E.164)
      f.phone.value = user.phone || '';
      f.email.value = user.email || '';
      if (user.language !== currentLang()) await setLang(user.language);
      const sub = document.querySelector('[data-view="profile"] .page-head .sub');
      if (sub) sub.textContent = user.full_name ? `${user.full_name} · ${user.login}` : user.login;
      toast('toast.saved');
    } catch (err) {
      if (err.status !== 401) showError(form, err);
    }
  });

  return h('section', { class: 'card', 'aria-labelledby': 'details-h' },
    h('div', { class: 'card-head' }, h('h2', { id: 'details-h', i18n: 'profile.details' })),
    h('dl', { class: 'facts' },
      h('dt', { i18n: 'field.login' }), h('dd', { class: 'mono' }, u.login),
      h('dt', { i18n: 'field.role' }), h('dd', null, roleBadge(u.role)),
      h('dt', { i18n: 'profile.since' }), h('dd', null, dateEl(u.created_at))),
    form);
}

// ---------- password ----------

function passwordCard() {
  const cur = field({ name: 'current_password', label: 'field.current_password', type: 'password', autocomplete: 'current-password' });
  const next = field({ name: 'new_password', label: 'field.new_password', type: 'password', autocomplete: 'new-password', hint: 'hint.password' });
  const again = field({ name: 'new_password2', label: 'field.new_password2', type: 'password', autocomplete: 'new-password' });
  const save = h('button', { type: 'submit', class: 'btn primary', i18n: 'profile.change_password' });
  const form = h('form', { class: 'form', id: 'password-form', novalidate: true },
    cur, next, again, h('div', { class: 'form-actions' }, save, ctrlEnterHint()));

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearErrors(form);
    const f = form.elements;
    if (!f.current_password.value) return showError(form, { key: 'error.required', params: { field: { key: 'field.current_password' } }, field: 'current_password' });
    if ([...f.new_password.value].length < 8) return showError(form, { key: 'error.weak_password', field: 'new_password' });
    if (f.new_password.value !== f.new_password2.value) return showError(form, { key: 'error.password_mismatch', field: 'new_password2' });
    try {
      await busy(save, () => post('/api/v1/me/password', {
        current_password: f.current_password.value, new_password: f.new_password.value,
      }));
      form.reset();
      toast('toast.password_changed');
    } catch (err) {
      if (err.status !== 401) showError(form, err);
    }
  });

  return h('section', { class: 'card', 'aria-labelledby': 'password-h' },
    h('div', { class: 'card-head' },
      h('h2', { id: 'password-h', i18n: 'profile.password' }),
      h('p', { i18n: 'profile.password_text' })),
    form);
}

// ---------- API tokens ----------

function tokensCard() {
  const create = h('button', { type: 'submit', class: 'btn primary', i18n: 'tokens.create' });
  const input = h('input', {
    class: 'input', type: 'text', id: 'token-name', name: 'name', maxlength: '100', autocomplete: 'off',
    'aria-describedby': 'token-name-hint token-name-err',
  });
  const form = h('form', { class: 'form', id: 'token-form', novalidate: true },
    h('div', { class: 'field token-field', dataset: { field: 'name' } },
      h('label', { for: 'token-name', i18n: 'field.token_name' }),
      h('div', { class: 'token-form' }, input, create),
      h('p', { class: 'hint', id: 'token-name-hint', i18n: 'hint.token_name' }),
      h('p', { class: 'field-error', id: 'token-name-err', hidden: true })));

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearErrors(form);
    const value = form.elements.name.value.trim();
    if (!value) return showError(form, { key: 'error.required', params: { field: { key: 'field.token_name' } }, field: 'name' });
    try {
      const tok = await busy(create, () => post('/api/v1/tokens', { name: value }));
      form.reset();
      showSecret(tok);
      await loadTokens(tok.id);
    } catch (err) {
      if (err.status !== 401) showError(form, err);
    }
  });

  return h('section', { class: 'card wide', 'aria-labelledby': 'tokens-h' },
    h('div', { class: 'card-head' },
      h('h2', { id: 'tokens-h', i18n: 'tokens.title' }),
      h('p', { i18n: 'tokens.text' })),
    form,
    h('div', { id: 'token-secret-box', class: 'mt', hidden: true }),
    h('div', { id: 'token-list', class: 'mt', 'aria-live': 'polite' }));
}

function showSecret(tok) {
  const box = document.getElementById('token-secret-box');
  const input = h('input', { class: 'input', id: 'token-secret', readonly: true, value: tok.token, spellcheck: 'false' });
  const copy = h('button', { type: 'button', class: 'btn', i18n: 'tokens.copy' });
  const done = h('button', { type: 'button', class: 'btn primary', i18n: 'tokens.done' });
  copy.addEventListener('click', async () => {
    input.select();
    let ok = false;
    try {
      await navigator.clipboard.writeText(tok.token);
      ok = true;
    } catch {
      try { ok = document.execCommand('copy'); } catch { ok = false; }
    }
    bindText(copy, ok ? 'tokens.copied' : 'tokens.copy_failed');
  });
  done.addEventListener('click', hideSecret);
  box.replaceChildren(h('div', { class: 'secret', role: 'alert' },
    h('p', null, h('strong', { i18n: 'tokens.once_title' }), ' ', tx('tokens.once_text')),
    h('div', { class: 'field' },
      h('label', { for: 'token-secret', i18n: ['tokens.secret_label', { name: tok.name }] }),
      h('div', { class: 'copy-row' }, input, copy)),
    h('div', null, done)));
  box.hidden = false;
  input.focus();
  input.select();
}

function hideSecret() {
  const box = document.getElementById('token-secret-box');
  if (!box) return;
  box.hidden = true;
  box.replaceChildren();
  document.querySelector('#token-form input[name="name"]')?.focus();
}

async function loadTokens(flashId) {
  const list = document.getElementById('token-list');
  if (!list) return;
  let data;
  try {
    data = await get('/api/v1/tokens');
  } catch (err) {
    if (err.status !== 401) list.replaceChildren(h('div', { class: 'alert error', role: 'alert', i18n: 'tokens.load_failed' }));
    return;
  }
  if (!state) return;
  state.tokens = data.items || [];
  state.confirmRow = null;
  renderTokens(flashId);
}

function renderTokens(flashId) {
  const list = document.getElementById('token-list');
  if (!list) return;
  if (!state.tokens.length) {
    list.replaceChildren(h('div', { class: 'empty', dataset: { empty: 'tokens' } },
      h('p', { class: 'empty-title', i18n: 'tokens.empty_title' }),
      h('p', { i18n: 'tokens.empty_text' })));
    return;
  }
  const rows = state.tokens.map((tk) => {
    const revoke = h('button', { type: 'button', class: 'btn small danger', i18n: 'tokens.revoke', dataset: { id: String(tk.id) } });
    revoke.addEventListener('click', () => askRevoke(row, tk));
    const row = h('tr', { dataset: { tokenId: String(tk.id) }, class: tk.id === flashId ? 'flash' : null },
      h('td', { class: 'token-name' }, h('strong', null, tk.name)),
      h('td', { class: 'date-cell' }, dateEl(tk.created_at, 'datetime')),
      h('td', { class: 'date-cell' }, tk.last_used_at ? dateEl(tk.last_used_at, 'datetime') : h('span', { i18n: 'tokens.never_used' })),
      h('td', { class: 'actions' }, revoke));
    return row;
  });
  list.replaceChildren(h('div', { class: 'table-wrap' },
    h('table', { class: 'data' },
      h('caption', { class: 'sr-only', i18n: 'tokens.title' }),
      h('thead', null, h('tr', null,
        h('th', { scope: 'col', i18n: 'tokens.col.name' }),
        h('th', { scope: 'col', i18n: 'tokens.col.created' }),
        h('th', { scope: 'col', i18n: 'tokens.col.last_used' }),
        h('th', { scope: 'col' }, h('span', { class: 'sr-only', i18n: 'common.actions' })))),
      h('tbody', null, rows))));
}

/** Inline confirmation in the token's row (no dialog). */
function askRevoke(row, tk) {
  cancelConfirm();
  const cell = row.querySelector('td.actions');
  const original = [...cell.childNodes];
  const yes = h('button', { type: 'button', class: 'btn small danger solid', i18n: 'tokens.revoke_confirm' });
  const no = h('button', { type: 'button', class: 'btn small', i18n: 'common.cancel' });
  cell.replaceChildren(h('div', { class: 'confirm-inline', role: 'group', 'aria-label': tk.name },
    h('span', { class: 'q', i18n: ['tokens.revoke_question', { name: tk.name }] }), yes, no));
  row.classList.add('confirming');
  state.confirmRow = { row, cell, original, tk };
  no.addEventListener('click', cancelConfirm);
  yes.addEventListener('click', async () => {
    try {
      await busy(yes, () => del(`/api/v1/tokens/${tk.id}`));
      toast('toast.token_revoked', { name: tk.name });
      await loadTokens();
      document.querySelector('#token-form input[name="name"]')?.focus();
    } catch (err) {
      if (err.status === 401) return;
      cancelConfirm();
      const m = errorMessage(err);
      toast(m.key, m.params, 'error');
    }
  });
  no.focus();
}

function cancelConfirm() {
  if (!state || !state.confirmRow) return;
  const { row, cell, original } = state.confirmRow;
  state.confirmRow = null;
  row.classList.remove('confirming');
  cell.replaceChildren(...original);
  cell.querySelector('button')?.focus();
}
