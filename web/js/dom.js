// A small DOM builder and the shared pieces built with it (fields, badges).
import { bindText, bindAttrs, bindFormat, LANGS, LANG_NATIVE } from './i18n.js';

/**
 * h('button', {class: 'btn', i18n: 'users.new', onclick}, ...children)
 * Special props: class (string or array), i18n (key or [key, params]),
 * i18nAttr ({attr: key}), fmt ([kind, value]), dataset, on* (listeners),
 * value/checked/disabled (set as properties).
 */
export function h(tag, props, ...children) {
  const el = document.createElement(tag);
  const late = [];
  if (props) {
    for (const [k, v] of Object.entries(props)) {
      if (v == null || v === false) continue;
      if (k === 'class') el.className = Array.isArray(v) ? v.filter(Boolean).join(' ') : v;
      else if (k === 'i18n') Array.isArray(v) ? bindText(el, v[0], v[1]) : bindText(el, v);
      else if (k === 'i18nAttr') bindAttrs(el, v);
      else if (k === 'fmt') bindFormat(el, v[0], v[1]);
      else if (k === 'dataset') Object.assign(el.dataset, v);
      else if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
      else if (k === 'value' || k === 'checked' || k === 'selected') late.push([k, v]);
      else if (v === true) el.setAttribute(k, '');
      else el.setAttribute(k, String(v));
    }
  }
  append(el, children);
  for (const [k, v] of late) el[k] = v;
  return el;
}

export function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c == null || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

/** Translated text in a span. */
export const tx = (key, params) => h('span', { i18n: params ? [key, params] : key });

export function clear(el) { el.replaceChildren(); return el; }

let idSeq = 0;
export const uid = (p = 'f') => `${p}-${++idSeq}`;

/**
 * A labelled form field. opts: name, label (key), type, value, autocomplete,
 * hint (key), input (a ready control), attrs (extra input attributes).
 * The error element is filled by forms.js (showError).
 */
export function field(opts) {
  const id = opts.id || uid(opts.name);
  const errId = `${id}-err`;
  const hintId = opts.hint ? `${id}-hint` : null;
  const input = opts.input || h('input', {
    class: 'input', type: opts.type || 'text', ...(opts.attrs || {}),
  });
  input.id = id;
  input.name = opts.name;
  if (opts.value != null && input.tagName !== 'SELECT') input.value = opts.value;
  if (opts.autocomplete) input.setAttribute('autocomplete', opts.autocomplete);
  input.setAttribute('aria-describedby', [hintId, errId].filter(Boolean).join(' '));
  return h('div', { class: 'field', dataset: { field: opts.name } },
    h('label', { for: id, i18n: opts.label }),
    input,
    opts.hint ? h('p', { class: 'hint', id: hintId, i18n: opts.hint }) : null,
    h('p', { class: 'field-error', id: errId, hidden: true }),
  );
}

/** A select whose options are translated keys: options = [[value, key], …]. */
export function select(options, value, attrs = {}) {
  const s = h('select', { class: 'input', ...attrs },
    options.map(([v, key]) => h('option', { value: v, i18n: key })));
  if (value != null) s.value = value;
  return s;
}

export const ROLES = ['operator', 'case_manager', 'reviewer', 'finance', 'supervisor', 'admin'];

export const roleSelect = (value, attrs) => select(ROLES.map((r) => [r, `role.${r}`]), value, attrs);

/** Language select showing each language in its own name (never translated). */
export function langSelect(value, attrs = {}) {
  const s = h('select', { class: 'input', ...attrs },
    LANGS.map((l) => h('option', { value: l, lang: l }, LANG_NATIVE[l])));
  if (value) s.value = value;
  return s;
}

/** Language select for a user record (names in the UI language). */
export function userLangSelect(value, attrs = {}) {
  const s = h('select', { class: 'input', ...attrs },
    LANGS.map((l) => h('option', { value: l, fmt: ['lang', l] })));
  if (value) s.value = value;
  return s;
}

export const roleBadge = (role) => h('span', { class: ['badge', 'role', role], dataset: { role }, i18n: `role.${role}` });

export const statusBadge = (disabled) => h('span', {
  class: ['badge', 'status', disabled ? 'disabled' : 'active'],
  i18n: disabled ? 'status.disabled' : 'status.active',
});

export const dateEl = (iso, kind = 'date') => h('time', { fmt: [kind, iso] });

/** Initials for the avatar: first letters of the first two words (or the first CJK character). */
export function initials(name, login) {
  const s = (name || login || '?').trim();
  if (/^[\u3400-\u9fff]/.test(s)) return s.slice(0, 1);
  const parts = s.split(/\s+/).filter(Boolean);
  return parts.slice(0, 2).map((p) => p[0]).join('').toUpperCase() || '?';
}

/** Is the event's target a place where the user types? */
export function isTyping(el) {
  if (!el || !(el instanceof Element)) return false;
  if (el.isContentEditable) return true;
  if (el.tagName === 'TEXTAREA' || el.tagName === 'SELECT') return true;
  if (el.tagName === 'INPUT') {
    return !['checkbox', 'radio', 'button', 'submit', 'reset'].includes(el.type);
  }
  return false;
}

/** The globe icon for the language switch (inline SVG element, no style attributes). */
export function globeIcon() {
  const ns = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(ns, 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('class', 'globe');
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('fill', 'none');
  svg.setAttribute('stroke', 'currentColor');
  svg.setAttribute('stroke-width', '1.8');
  for (const d of ['M12 3a9 9 0 1 0 0 18a9 9 0 1 0 0-18z', 'M3 12h18', 'M12 3c2.5 2.6 3.8 5.6 3.8 9s-1.3 6.4-3.8 9c-2.5-2.6-3.8-5.6-3.8-9s1.3-6.4 3.8-9z']) {
    const p = document.createElementNS(ns, 'path');
    p.setAttribute('d', d);
    svg.append(p);
  }
  return svg;
}
