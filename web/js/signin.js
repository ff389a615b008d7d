// The sign-in page: login, password, language switch (before sign-in),
// translated errors, a live countdown when sign-in is throttled (429).
import { h, field, langSelect, globeIcon } from './dom.js';
import { currentLang, bindText } from './i18n.js';
import { post } from './api.js';
import { showError, clearErrors, busy } from './forms.js';

/**
 * opts: notice ({key} shown above the form, e.g. "signed out"),
 *       changeLang(lang) → Promise, onSignedIn(data, langChosen) → Promise.
 */
export function renderSignIn(root, opts) {
  let langChosen = false;
  let timer = null;

  const lang = langSelect(currentLang(), { id: 'signin-lang', 'data-lang-select': true });
  lang.addEventListener('change', async () => {
    langChosen = true;
    await opts.changeLang(lang.value);
  });

  const loginField = field({
    name: 'login', label: 'field.login', autocomplete: 'username',
    attrs: { autocapitalize: 'none', spellcheck: 'false', required: true },
  });
  const pwField = field({
    name: 'password', label: 'field.password', type: 'password', autocomplete: 'current-password',
    attrs: { required: true },
  });
  const submit = h('button', { type: 'submit', class: 'btn primary', i18n: 'signin.submit' });
  const form = h('form', { class: 'form', novalidate: true, id: 'signin-form' }, loginField, pwField, submit);
  const loginInput = loginField.querySelector('input');
  const pwInput = pwField.querySelector('input');

  const notice = opts.notice
    ? h('div', { class: 'alert ok', role: 'status' }, h('span', { i18n: opts.notice.key }))
    : null;

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearErrors(form);
    if (notice) notice.hidden = true;
    const login = loginInput.value.trim();
    const password = pwInput.value;
    if (!login) return showError(form, { key: 'error.required', params: { field: { key: 'field.login' } }, field: 'login' });
    if (!password) return showError(form, { key: 'error.required', params: { field: { key: 'field.password' } }, field: 'password' });
    let data;
    try {
      data = await busy(submit, () => post('/api/v1/session', { login, password }));
    } catch (err) {
      if (err.code === 'too_many_attempts' && err.retryAfter != null) return throttled(err.retryAfter);
      showError(form, err);
      if (err.code === 'invalid_credentials') {
        pwInput.focus();
        pwInput.select();
      }
      return;
    }
    if (data) await opts.onSignedIn(data, langChosen);
  });

  /** 429: show the wait, count it down, keep the button off until it passes. */
  function throttled(seconds) {
    showError(form, { key: 'error.too_many_attempts', params: { wait: { seconds } } });
    const msg = form.querySelector('.form-alert .msg');
    let left = seconds;
    clearInterval(timer);
    submit.disabled = true;
    timer = setInterval(() => {
      left -= 1;
      if (!msg.isConnected) { clearInterval(timer); return; }
      if (left <= 0) {
        clearInterval(timer);
        submit.disabled = false;
        clearErrors(form);
        return;
      }
      bindText(msg, 'error.too_many_attempts', { wait: { seconds: left } });
    }, 1000);
  }

  const page = h('div', { class: 'signin-page' },
    h('header', { class: 'signin-top' },
      h('div', { class: 'lang-switch' },
        h('label', { for: 'signin-lang' }, globeIcon(), h('span', { class: 'sr-only', i18n: 'lang.label' })),
        lang)),
    h('main', { class: 'signin-main' },
      h('div', { class: 'signin-card' },
        h('div', { class: 'signin-brand' }, h('img', { src: '/favicon.svg', alt: '' }), h('span', { class: 'name' }, 'assist')),
        h('p', { class: 'signin-tagline', i18n: 'app.tagline' }),
        h('h1', { i18n: 'signin.title' }),
        notice ? h('div', { class: 'mb' }, notice) : null,
        form)),
    h('footer', { class: 'signin-foot', i18n: 'signin.footer' }));

  root.replaceChildren(page);
  loginInput.focus();
}
