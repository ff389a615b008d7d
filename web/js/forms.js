// Form helpers: translated error messages that name the field, busy buttons.
// A failed submit never clears what the user typed.
import { h } from './dom.js';
import { bindText, has } from './i18n.js';

/** The message for an API error: {key, params}, most specific key first. */
export function errorMessage(err) {
  const code = err && err.code ? err.code : 'unknown';
  const field = err && err.field;
  if (code === 'too_many_attempts') {
    return err.retryAfter != null
      ? { key: 'error.too_many_attempts', params: { wait: { seconds: err.retryAfter } } }
      : { key: 'error.too_many_attempts_later' };
  }
  const params = field ? { field: has(`field.${field}`) ? { key: `field.${field}` } : field } : undefined;
  if (field && has(`error.${code}.${field}`)) return { key: `error.${code}.${field}`, params };
  if (has(`error.${code}`)) return { key: `error.${code}`, params };
  if (err && err.status >= 500) return { key: 'error.server', params: { status: String(err.status) } };
  return { key: 'error.unknown', params: { message: (err && err.message) || code } };
}

export function clearErrors(form) {
  for (const el of form.querySelectorAll('[aria-invalid="true"]')) el.removeAttribute('aria-invalid');
  for (const el of form.querySelectorAll('.field-error')) { el.hidden = true; el.textContent = ''; delete el.dataset.i18n; }
  const alert = form.querySelector(':scope > .form-alert');
  if (alert) alert.hidden = true;
}

/** The form-level alert box (created on first use at the top of the form). */
function formAlert(form) {
  let box = form.querySelector(':scope > .form-alert');
  if (!box) {
    box = h('div', { class: 'alert error form-alert', role: 'alert', hidden: true }, h('span', { class: 'msg' }));
    form.prepend(box);
  }
  return box;
}

/**
 * Show an error in form: next to the named field (highlighted and focused)
 * when the field is in the form, else at the top of the form.
 * err: an ApiError, or {key, params, field} for a check made here.
 * fieldMap maps API field names to input names when they differ.
 */
export function showError(form, err, fieldMap = {}) {
  clearErrors(form);
  const msg = err && err.key ? { key: err.key, params: err.params } : errorMessage(err);
  const name = err && err.field ? (fieldMap[err.field] || err.field) : null;
  const input = name ? form.querySelector(`[name="${CSS.escape(name)}"]`) : null;
  if (input) {
    input.setAttribute('aria-invalid', 'true');
    const box = input.closest('.field, .check-field')?.querySelector('.field-error');
    if (box) {
      bindText(box, msg.key, msg.params);
      box.hidden = false;
    }
    input.focus();
    if (typeof input.select === 'function' && input.tagName === 'INPUT' && input.type !== 'checkbox') input.select();
    input.addEventListener('input', () => {
      input.removeAttribute('aria-invalid');
      if (box) box.hidden = true;
    }, { once: true });
    if (!box) showAlert(form, msg);
  } else {
    showAlert(form, msg);
  }
  return msg;
}

function showAlert(form, msg) {
  const box = formAlert(form);
  bindText(box.querySelector('.msg'), msg.key, msg.params);
  box.hidden = false;
}

/** Run fn while the submit button shows progress; returns fn's result. */
export async function busy(button, fn) {
  if (button.classList.contains('busy')) return undefined;
  button.classList.add('busy');
  button.setAttribute('aria-busy', 'true');
  button.disabled = true;
  try {
    return await fn();
  } finally {
    button.classList.remove('busy');
    button.removeAttribute('aria-busy');
    button.disabled = false;
  }
}

// ---- unsaved changes ----

function snapshot(form) {
  return JSON.stringify([...form.elements].filter((el) => el.name && el.type !== 'password')
    .map((el) => [el.name, el.type === 'checkbox' ? el.checked : el.value])
    .concat([...form.querySelectorAll('input[type="password"]')].map((el) => [el.name, el.value])));
}

/** Remember form's current values as the saved state. */
export function markClean(form) { form.dataset.clean = snapshot(form); }

/** Has the user changed form since markClean? */
export function isDirty(form) { return form.dataset.clean !== undefined && form.dataset.clean !== snapshot(form); }

/** The hint shown next to a form's submit button. */
export const ctrlEnterHint = () => h('span', { class: 'hint-keys' },
  h('kbd', null, 'Ctrl'), '+', h('kbd', null, 'Enter'));
