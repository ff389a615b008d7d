// Search (#/search, #/search?q=…): the operator's start page. One box,
// focused on load; results as you type (debounced, stale requests
// cancelled); ↑/↓ choose a person, Enter opens their card, Esc clears.
// With an empty box: the persons opened lately on this browser.
import { h } from '../dom.js';
import { get } from '../api.js';
import { errorMessage } from '../forms.js';
import { personName, civilEl, policyStateBadge, today } from '../cover.js';

const DEBOUNCE_MS = 150;
const LIMIT = 20;
const RECENT_MAX = 8;
const MATCHES = ['policy_number', 'phone', 'document', 'birth_date', 'name'];

let S = null;
/** The row chosen when the screen was left, so that Back returns to it. */
let last = { q: null, id: null };

export const searchView = {
  mount(main, params, app) {
    S = { app, main, q: null, seq: 0, items: [], active: -1, timer: 0, ctrl: null, mode: 'recent' };
    build();
    this.update(params);
    S.els.input.focus();
  },

  update(params) {
    if (!S) return;
    const q = params.q || '';
    if (q === S.q && S.els.input.value === q) return;
    S.els.input.value = q;
    run(q, true);
  },

  unmount() {
    if (!S) return;
    if (S.ctrl) S.ctrl.abort();
    clearTimeout(S.timer);
    const cur = S.items[S.active];
    last = { q: S.q, id: cur ? cur.person.id : null };
    S = null;
  },

  focusFilter() {
    if (!S) return false;
    S.els.input.focus();
    S.els.input.select();
    return true;
  },

  onEscape(e) {
    if (!S) return false;
    const input = S.els.input;
    if (e.target === input || S.main.contains(e.target)) {
      // Esc empties the box; in an empty box it leaves it (so that the g shortcuts work)
      if (input.value) {
        input.value = '';
        run('', true);
        input.focus();
      } else if (e.target === input) {
        S.main.focus();
      } else {
        input.focus();
      }
      return true;
    }
    return false;
  },
};

// ---------- recently opened persons (this browser, this user) ----------

const recentKey = (login) => `assist.recent.persons.${login}`;

function recentList(login) {
  try {
    const v = JSON.parse(localStorage.getItem(recentKey(login)) || '[]');
    return Array.isArray(v) ? v : [];
  } catch { return []; }
}

/** Remember a person whose card was opened (the person card calls this). */
export function rememberPerson(login, p) {
  const item = {
    person: {
      id: p.id, last_name: p.last_name, first_name: p.first_name, middle_name: p.middle_name,
      birth_date: p.birth_date, phone: p.phone, city: p.city,
    },
    policies: (p.policies || []).slice(0, 3).map((x) => ({
      number: x.number, status: x.status, start_date: x.start_date, end_date: x.end_date,
    })),
  };
  const list = [item, ...recentList(login).filter((x) => x.person && x.person.id !== p.id)].slice(0, RECENT_MAX);
  try { localStorage.setItem(recentKey(login), JSON.stringify(list)); } catch { /* storage blocked */ }
}

// ---------- layout ----------

function build() {
  const input = h('input', {
    class: 'input search-input', type: 'search', id: 'search-q', name: 'q', autocomplete: 'off', spellcheck: 'false',
    role: 'combobox', 'aria-autocomplete': 'list', 'aria-expanded': 'false', 'aria-controls': 'search-list',
    'aria-keyshortcuts': '/', 'aria-describedby': 'search-hint',
    i18nAttr: { placeholder: 'search.placeholder' },
  });
  const spinner = h('span', { class: 'search-spin', 'aria-hidden': 'true', hidden: true });
  const list = h('ul', { class: 'result-list', id: 'search-list', role: 'listbox', i18nAttr: { 'aria-label': 'search.results' } });
  const meta = h('p', { class: 'results-meta', id: 'search-meta', 'aria-live': 'polite' });
  const state = h('div', { class: 'search-state', id: 'search-state' });
  const page = h('div', { class: 'page search-page', dataset: { view: 'search' } },
    h('div', { class: 'page-head' }, h('h1', { i18n: 'search.title' })),
    h('section', { class: 'card search-card', role: 'search' },
      h('label', { for: 'search-q', class: 'search-label', i18n: 'search.label' }),
      h('div', { class: 'search-box' },
        searchIcon(), input, spinner, h('kbd', { 'aria-hidden': 'true' }, '/')),
      h('p', { class: 'hint search-hint', id: 'search-hint' },
        h('span', { class: 'hint-item' }, h('kbd', null, '↑'), h('kbd', null, '↓'), ' ', h('span', { i18n: 'search.hint_arrows' })),
        h('span', { class: 'hint-item' }, h('kbd', null, 'Enter'), ' ', h('span', { i18n: 'search.hint_enter' })),
        h('span', { class: 'hint-item' }, h('kbd', null, 'Esc'), ' ', h('span', { i18n: 'search.hint_esc' })))),
    h('section', { class: 'results', 'aria-labelledby': 'search-meta' }, meta, list, state));
  S.main.replaceChildren(page);
  S.els = { input, list, meta, state, spinner };

  input.addEventListener('input', () => {
    clearTimeout(S.timer);
    const q = input.value;
    S.pending = true;
    S.timer = setTimeout(() => run(q, false), DEBOUNCE_MS);
  });
  input.addEventListener('keydown', (e) => {
    if (e.isComposing || e.ctrlKey || e.metaKey || e.altKey) return;
    const n = S.items.length;
    if (e.key === 'ArrowDown') { e.preventDefault(); if (n) setActive(Math.min(S.active + 1, n - 1)); }
    else if (e.key === 'ArrowUp') { e.preventDefault(); if (n) setActive(Math.max(S.active - 1, 0)); }
    else if (e.key === 'PageDown') { e.preventDefault(); if (n) setActive(Math.min(S.active + 5, n - 1)); }
    else if (e.key === 'PageUp') { e.preventDefault(); if (n) setActive(Math.max(S.active - 5, 0)); }
    else if (e.key === 'Enter') {
      e.preventDefault();
      // results still coming for what was just typed: search now, then open the first
      if (S.pending) { clearTimeout(S.timer); run(input.value, false).then(() => openActive()); return; }
      openActive();
    }
  });
  list.addEventListener('mousedown', (e) => { if (e.target.closest('.result')) e.preventDefault(); }); // keep the focus in the box
  list.addEventListener('click', (e) => {
    const li = e.target.closest('.result');
    if (!li || e.button !== 0 || e.ctrlKey || e.metaKey || e.shiftKey) return;
    if (e.target.closest('a') && !e.target.closest('a[data-open]')) return; // a policy link opens the policy
    e.preventDefault();
    setActive(Number(li.dataset.index));
    openActive();
  });
  list.addEventListener('mousemove', (e) => {
    const li = e.target.closest('.result');
    if (li && Number(li.dataset.index) !== S.active) setActive(Number(li.dataset.index), false);
  });
}

function searchIcon() {
  const ns = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(ns, 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('class', 'search-icon');
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('fill', 'none');
  svg.setAttribute('stroke', 'currentColor');
  svg.setAttribute('stroke-width', '2');
  for (const d of ['M10.5 3a7.5 7.5 0 1 0 0 15a7.5 7.5 0 1 0 0-15z', 'M16 16l5 5']) {
    const p = document.createElementNS(ns, 'path');
    p.setAttribute('d', d);
    svg.append(p);
  }
  return svg;
}

// ---------- searching ----------

/** Search for q (or show the recent persons when it is empty); keeps the URL in step. */
async function run(raw, fromUrl) {
  if (!S) return;
  const q = raw.trim();
  S.pending = false;
  if (!fromUrl) {
    const hash = q ? `#/search?q=${encodeURIComponent(q)}` : '#/search';
    if (location.hash !== hash) history.replaceState(null, '', hash);
  }
  if (S.ctrl) { S.ctrl.abort(); S.ctrl = null; }
  S.q = q;
  const seq = ++S.seq;
  if (!q) {
    S.els.spinner.hidden = true;
    showRecent();
    return;
  }
  const ctrl = new AbortController();
  S.ctrl = ctrl;
  S.els.spinner.hidden = false;
  S.els.list.setAttribute('aria-busy', 'true');
  let data;
  try {
    data = await get(`/api/v1/search?q=${encodeURIComponent(q)}&limit=${LIMIT}`, { signal: ctrl.signal });
  } catch (err) {
    if (!S || seq !== S.seq || err.code === 'aborted' || err.status === 401) return;
    S.els.spinner.hidden = true;
    S.els.list.removeAttribute('aria-busy');
    S.items = [];
    S.els.list.replaceChildren();
    S.els.meta.textContent = '';
    const m = err.status === 404 && err.code !== 'unknown_person' ? { key: 'search.unavailable' } : errorMessage(err);
    S.els.state.replaceChildren(h('div', { class: 'alert error', role: 'alert', i18n: [m.key, m.params] }));
    return;
  }
  if (!S || seq !== S.seq) return;
  S.ctrl = null;
  S.els.spinner.hidden = true;
  S.els.list.removeAttribute('aria-busy');
  S.mode = 'results';
  render(data.items || [], q);
}

function showRecent() {
  S.mode = 'recent';
  const items = recentList(S.app.user.login);
  S.items = items;
  S.els.list.replaceChildren(...items.map((it, i) => row(it, i, '')));
  S.els.meta.replaceChildren(items.length ? h('span', { class: 'meta-title', i18n: 'search.recent' }) : '');
  S.els.state.replaceChildren(items.length ? '' : h('div', { class: 'empty', dataset: { empty: 'start' } },
    h('p', { class: 'empty-title', i18n: 'search.start_title' }),
    h('p', { i18n: 'search.start_text' }),
    h('ul', { class: 'examples' },
      ['search.example_name', 'search.example_policy', 'search.example_phone', 'search.example_birth']
        .map((k) => h('li', { i18n: k })))));
  restoreActive();
}

function render(items, q) {
  S.items = items;
  S.els.list.replaceChildren(...items.map((it, i) => row(it, i, q)));
  S.els.meta.replaceChildren(items.length
    ? h('span', { class: 'meta-title', i18n: ['search.found', { n: items.length }] })
    : '');
  S.els.state.replaceChildren(items.length ? '' : h('div', { class: 'empty', dataset: { empty: 'none' } },
    h('p', { class: 'empty-title', i18n: ['search.none_title', { q }] }),
    h('p', { i18n: 'search.none_text' })));
  restoreActive();
}

function restoreActive() {
  let i = -1;
  if (last.id != null && last.q === S.q) i = S.items.findIndex((x) => x.person && x.person.id === last.id);
  if (i < 0 && S.items.length && S.mode === 'results') i = 0;
  last = { q: null, id: null };
  S.els.input.setAttribute('aria-expanded', S.items.length ? 'true' : 'false');
  setActive(i, false);
}

function setActive(i, scroll = true) {
  S.active = i;
  const rows = S.els.list.querySelectorAll('.result');
  rows.forEach((li, k) => li.setAttribute('aria-selected', k === i ? 'true' : 'false'));
  const cur = rows[i];
  if (cur) {
    S.els.input.setAttribute('aria-activedescendant', cur.id);
    if (scroll) cur.scrollIntoView({ block: 'nearest' });
  } else {
    S.els.input.removeAttribute('aria-activedescendant');
  }
}

function openActive() {
  if (!S) return;
  const it = S.items[S.active] || (S.mode === 'results' ? S.items[0] : null);
  if (!it) return;
  S.app.go(`#/persons/${it.person.id}`);
}

// ---------- a result ----------

const norm = (s) => String(s || '').toLocaleLowerCase();
const digits = (s) => String(s || '').replace(/\D/g, '');

/** text with every query word in it marked (case-insensitive). */
function marked(text, q) {
  const words = q.split(/\s+/).map(norm).filter((w) => w.length >= 2);
  if (!words.length || !text) return [text];
  const low = norm(text);
  const hits = [];
  for (const w of words) {
    let k = low.indexOf(w);
    while (k >= 0) { hits.push([k, k + w.length]); k = low.indexOf(w, k + w.length); }
  }
  if (!hits.length) return [text];
  hits.sort((a, b) => a[0] - b[0]);
  const out = [];
  let at = 0;
  for (const [a, b] of hits) {
    if (a < at) continue;
    if (a > at) out.push(text.slice(at, a));
    out.push(h('mark', null, text.slice(a, b)));
    at = b;
  }
  if (at < text.length) out.push(text.slice(at));
  return out;
}

function age(birth) {
  const [by, bm, bd] = birth.split('-').map(Number);
  const [y, m, d] = today().split('-').map(Number);
  return y - by - (m < bm || (m === bm && d < bd) ? 1 : 0);
}

function row(it, i, q) {
  const p = it.person;
  const m = MATCHES.includes(it.match) ? it.match : null;
  const hit = (what) => (m === what ? 'hit' : null);
  const name = personName(p);
  const qDigits = digits(q);
  const pols = (it.policies || []).slice().sort((a, b) => (b.start_date || '').localeCompare(a.start_date || ''));
  const shown = pols.slice(0, 3);
  const qLow = norm(q).replace(/\s+/g, '');
  return h('li', {
    class: ['result', m && `by-${m}`], role: 'option', id: `res-${p.id}`, 'aria-selected': 'false',
    dataset: { index: String(i), personId: String(p.id), match: m || '' },
  },
  h('div', { class: 'res-main' },
    h('div', { class: 'res-name-line' },
      h('a', {
        class: ['res-name', hit('name')], href: `#/persons/${p.id}`, tabindex: '-1', 'data-open': true,
        lang: /[\u3400-\u9fff]/.test(p.last_name || '') ? 'zh' : null,
      }, m === 'name' ? marked(name, q) : name),
      m ? h('span', { class: 'badge match-badge', dataset: { match: m }, i18n: `search.match.${m}` }) : null),
    h('div', { class: 'res-facts' },
      p.birth_date ? h('span', { class: ['fact', hit('birth_date')] }, civilEl(p.birth_date),
        h('span', { class: 'muted', i18n: ['person.age', { n: age(p.birth_date) }] })) : null,
      p.phone ? h('span', { class: ['fact', 'mono', m === 'phone' || (qDigits.length >= 4 && digits(p.phone).includes(qDigits)) ? 'hit' : null] }, p.phone) : null,
      p.document && m === 'document' ? h('span', { class: 'fact mono hit' }, p.document) : null,
      p.city ? h('span', { class: 'fact muted' }, p.city) : null)),
  h('div', { class: 'res-policies' },
    shown.length ? shown.map((x) => h('span', { class: 'res-policy' },
      h('span', { class: ['mono', 'pol-number', m === 'policy_number' && qLow && norm(x.number).includes(qLow) ? 'hit' : null] }, x.number),
      policyStateBadge(x)))
      : h('span', { class: 'muted small', i18n: 'search.no_policies' }),
    pols.length > 3 ? h('span', { class: 'muted small', i18n: ['search.more_policies', { n: pols.length - 3 }] }) : null));
}
