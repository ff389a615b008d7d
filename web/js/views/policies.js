// Policies: "find a policy by number" (#/policies, with the policies opened
// lately) and the policy card (#/policies/NUMBER): the policy, the insured
// person and their other policies (renewals), whether it is active today,
// the remaining coverage on a date, the change history as a diff, and for
// supervisors and admins an edit form (PATCH).
import { h, field, uid } from '../dom.js';
import { get, patch } from '../api.js';
import { t, locale } from '../i18n.js';
import { listKeys } from '../keys.js';
import { showError, clearErrors, busy, ctrlEnterHint, errorMessage, markClean, isDirty } from '../forms.js';
import { toast } from '../toast.js';
import { watch } from '../live.js';
import { historyItem } from './history.js';
import { parseMoney, fmtMoneyPlain, currencySymbol } from '../money.js';
import {
  loadProgram, packageOf, nameEl, codeEl, moneyEl,
  personName, today, civilEl, rangeEl, policyStatusBadge, policyStateBadge, joined, coverageTable,
} from '../cover.js';

const RECENT_MAX = 12;
const HIST_PAGE = 50;
const STATUSES = ['active', 'suspended', 'cancelled'];

let S = null;

export const policiesView = {
  mount(main, params, app) {
    S = { app, main, number: undefined, seq: 0 };
    this.update(params);
  },

  update(params) {
    if (!S) return;
    if (params.number === S.number) return;
    S.number = params.number;
    S.seq++;
    stopLive();
    S.editing = false;
    S.escArmed = false;
    if (S.number) openCard(S.number);
    else openFind();
  },

  unmount() { stopLive(); S = null; },

  focusFilter() {
    const f = document.getElementById('policy-find');
    if (!f) return false;
    f.focus();
    f.select();
    return true;
  },

  onKey(e) {
    if (!S || !S.pol) return;
    const k = e.key.toLowerCase();
    if (k === 'c') { e.preventDefault(); S.app.go(calcHref()); }
    else if (k === 'e' && canEdit()) { e.preventDefault(); openEdit(); }
    else if (k === 'd') {
      const d = document.getElementById('coverage-date');
      if (d) { e.preventDefault(); d.focus(); }
    }
  },

  onEscape(e) {
    if (!S) return false;
    const f = document.getElementById('policy-find');
    if (f && e.target === f) {
      // Esc empties the box, a second Esc leaves it (so that the g shortcuts work)
      if (f.value) f.value = '';
      else S.main.focus();
      return true;
    }
    if (S.editing) {
      const form = document.getElementById('policy-edit-form');
      if (form && isDirty(form) && !S.escArmed) {
        S.escArmed = true;
        toast('toast.unsaved_esc');
        return true;
      }
      closeEdit();
      return true;
    }
    return false;
  },
};

const canEdit = () => S && ['supervisor', 'admin'].includes(S.app.user.role);
const calcHref = () => {
  const d = document.getElementById('coverage-date');
  const q = new URLSearchParams({ policy: S.pol.number });
  if (d && d.value && d.value !== today()) q.set('date', d.value);
  return `#/coverage?${q}`;
};

// ---------- recently opened (this browser, this user) ----------

const recentKey = () => `assist.recent.policies.${S.app.user.login}`;

function recentList() {
  try {
    const v = JSON.parse(localStorage.getItem(recentKey()) || '[]');
    return Array.isArray(v) ? v : [];
  } catch { return []; }
}

function remember(pol) {
  const item = {
    number: pol.number, name: personName(pol.person), program: pol.program,
    status: pol.status, start: pol.start_date, end: pol.end_date,
  };
  const list = [item, ...recentList().filter((x) => x.number !== pol.number)].slice(0, RECENT_MAX);
  try { localStorage.setItem(recentKey(), JSON.stringify(list)); } catch { /* storage blocked */ }
}

// ---------- find ----------

function findForm({ compact = false } = {}) {
  const id = 'policy-find';
  const input = h('input', {
    class: 'input mono-input', type: 'search', id, name: 'number', autocomplete: 'off', spellcheck: 'false',
    autocapitalize: 'characters', 'aria-keyshortcuts': '/', 'aria-describedby': `${id}-err`,
    i18nAttr: { placeholder: compact ? 'policies.find_other' : 'policies.find_placeholder' },
  });
  const submit = h('button', { type: 'submit', class: compact ? 'btn' : 'btn primary', i18n: 'policies.open' });
  const form = h('form', { class: ['find-form', compact && 'compact'], id: 'policy-find-form', role: 'search', novalidate: true },
    h('div', { class: 'field', dataset: { field: 'number' } },
      h('label', { for: id, class: compact ? 'sr-only' : null, i18n: 'policies.find_label' }),
      h('div', { class: 'find-row' }, h('div', { class: 'filter' }, input, h('kbd', { 'aria-hidden': 'true' }, '/')), submit),
      h('p', { class: 'field-error', id: `${id}-err`, hidden: true })));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearErrors(form);
    const n = input.value.trim();
    if (!n) return showError(form, { key: 'error.required', params: { field: { key: 'field.number' } }, field: 'number' });
    if (!/^[A-Za-z0-9._-]{1,64}$/.test(n)) return showError(form, { key: 'policies.bad_number', field: 'number' });
    // check it exists before leaving the page, so a typo is named here, with what was typed kept
    let found = n;
    try {
      await busy(submit, async () => {
        try {
          await get(`/api/v1/policies/${encodeURIComponent(n)}`);
        } catch (err) {
          if (err.status === 404 && n !== n.toUpperCase()) {
            await get(`/api/v1/policies/${encodeURIComponent(n.toUpperCase())}`);
            found = n.toUpperCase();
          } else throw err;
        }
      });
    } catch (err) {
      if (err.status === 401) return;
      if (err.status === 404) return showError(form, { key: 'policies.not_found', params: { number: n }, field: 'number' });
      return showError(form, { ...errorMessage(err), field: 'number' });
    }
    if (!S) return;
    if (found === S.number) { input.value = ''; return; }
    S.app.go(`#/policies/${encodeURIComponent(found)}`);
  });
  return form;
}

function openFind() {
  S.pol = null;
  const form = findForm();
  const recent = recentList();
  const tbody = h('tbody', null, recent.map((r) => h('tr', { class: 'row', tabindex: '-1', dataset: { number: r.number } },
    h('td', { class: 'login-cell mono' }, h('a', { href: `#/policies/${encodeURIComponent(r.number)}`, tabindex: '-1', 'data-open': true }, r.number)),
    h('td', null, r.name),
    h('td', { class: 'mono small' }, r.program),
    h('td', null, policyStateBadge(r)),
    h('td', { class: 'date-cell' }, r.start ? rangeEl(r.start, r.end) : null))));
  const recentSection = h('section', { class: 'card', 'aria-labelledby': 'recent-h' },
    h('div', { class: 'card-head' }, h('h2', { id: 'recent-h', i18n: 'policies.recent' })),
    recent.length
      ? h('div', { class: 'table-wrap flat' }, h('table', { class: 'data', id: 'recent-table' },
        h('thead', null, h('tr', null,
          h('th', { scope: 'col', i18n: 'field.number' }),
          h('th', { scope: 'col', i18n: 'policies.person' }),
          h('th', { scope: 'col', i18n: 'field.program' }),
          h('th', { scope: 'col', i18n: 'field.status' }),
          h('th', { scope: 'col', i18n: 'policies.term' }))),
        tbody))
      : h('div', { class: 'empty', dataset: { empty: 'recent' } },
        h('p', { class: 'empty-title', i18n: 'policies.recent_empty_title' }),
        h('p', { i18n: 'policies.recent_empty_text' })));
  S.main.replaceChildren(h('div', { class: 'page', dataset: { view: 'policies' } },
    h('div', { class: 'page-head' }, h('h1', { i18n: 'policies.title' })),
    h('div', { class: 'find-layout' },
      h('section', { class: 'card find-card', 'aria-label': t('policies.find_label') },
        form,
        h('p', { class: 'hint', i18n: 'policies.find_hint' })),
      recentSection)));
  if (recent.length) {
    const lk = listKeys(tbody, 'tr.row', (row) => S.app.go(`#/policies/${encodeURIComponent(row.dataset.number)}`));
    lk.setCurrent(null);
    form.querySelector('input').addEventListener('keydown', (e) => {
      if (e.key === 'ArrowDown') { e.preventDefault(); lk.focusFirst(); }
    });
  }
  form.querySelector('input').focus();
}

// ---------- the card ----------

async function openCard(number) {
  const mine = S;
  const seq = S.seq;
  S.pol = null;
  S.main.replaceChildren(h('div', { class: 'page wide', dataset: { view: 'policy' } },
    h('p', { class: 'muted', i18n: 'common.loading' })));
  let pol;
  try {
    pol = await get(`/api/v1/policies/${encodeURIComponent(number)}`);
  } catch (err) {
    if (S !== mine || seq !== S.seq || err.status === 401) return;
    const m = err.status === 404 ? { key: 'policies.not_found', params: { number } } : errorMessage(err);
    const form = findForm({ compact: false });
    S.main.replaceChildren(h('div', { class: 'page', dataset: { view: 'policy' } },
      crumbs(number),
      h('div', { class: 'alert error mb', role: 'alert', dataset: { error: 'policy' }, i18n: [m.key, m.params] }),
      h('section', { class: 'card find-card' }, form)));
    form.querySelector('input').value = number;
    form.querySelector('input').focus();
    form.querySelector('input').select();
    return;
  }
  if (S !== mine || seq !== S.seq) return;
  S.pol = pol;
  remember(pol);
  let def = null;
  try { def = await loadProgram(pol.program); } catch { /* names fall back to codes */ }
  if (S !== mine || seq !== S.seq) return;
  S.def = def;
  renderCard();
  loadPerson(pol.person_id);
  loadCoverage(document.getElementById('coverage-date').value);
  loadHistory(true);
  startLive(pol.number);
}

// ---------- live updates: another user's change shows without a reload ----------

function stopLive() {
  if (S && S.unwatch) { S.unwatch(); S.unwatch = null; }
}

// the page's one stream (live.js) hears policy:NUMBER while the card is open
function startLive(number) {
  stopLive();
  const mine = S;
  const seq = S.seq;
  const current = () => S === mine && seq === S.seq && S.pol;
  S.unwatch = watch([`policy:${number}`], {
    [`coverage.changed`]: (data) => {
      if (!current() || (data.policy_number && data.policy_number !== number)) return;
      const d = document.getElementById('coverage-date');
      if (d) loadCoverage(d.value);
    },
    [`policy.updated`]: async (data) => {
      if (!current()) return;
      if (data.number && data.number !== number) return; // another policy's event on the shared stream
      if (data.version && S.pol && data.version <= S.pol.version) return; // our own change, already shown
      if (S.editing) { toast('policies.live_changed_editing', {}, 'warn'); return; }
      let pol;
      try { pol = await get(`/api/v1/policies/${encodeURIComponent(number)}`); } catch { return; }
      if (!current()) return;
      const focusId = document.activeElement && document.activeElement.id;
      const date = document.getElementById('coverage-date');
      const keepDate = date ? date.value : null;
      S.pol = pol;
      renderCard();
      const d2 = document.getElementById('coverage-date');
      if (d2 && keepDate) d2.value = keepDate;
      loadPerson(pol.person_id);
      loadCoverage(d2 ? d2.value : keepDate);
      loadHistory(true);
      if (focusId) { const f = document.getElementById(focusId); if (f) f.focus({ preventScroll: true }); }
      toast('policies.live_changed', { version: pol.version }, 'info');
    },
  });
}

function crumbs(number) {
  return h('nav', { class: 'crumbs', i18nAttr: { 'aria-label': 'common.breadcrumb' } },
    h('a', { href: '#/policies', i18n: 'policies.title' }), h('span', { 'aria-hidden': 'true' }, '›'),
    h('span', { class: 'mono' }, number));
}

function activeOn(pol, date) {
  return pol.status === 'active' && pol.start_date <= date && date <= pol.end_date;
}

function banner(pol) {
  const d = today();
  if (activeOn(pol, d)) {
    return h('div', { class: 'banner ok', role: 'status', id: 'policy-banner', dataset: { active: 'true' } },
      h('strong', { i18n: 'policies.active_today' }), ' ',
      h('span', { i18n: ['policies.active_until', { date: { fmt: 'date', value: pol.end_date } }] }));
  }
  let why;
  if (pol.status !== 'active') why = { key: 'policies.why_status', params: { status: { key: `policy.status.${pol.status}` } } };
  else if (d < pol.start_date) why = { key: 'policies.why_not_started', params: { date: { fmt: 'date', value: pol.start_date } } };
  else why = { key: 'policies.why_ended', params: { date: { fmt: 'date', value: pol.end_date } } };
  return h('div', { class: 'banner warn', role: 'status', id: 'policy-banner', dataset: { active: 'false' } },
    h('strong', { i18n: 'policies.not_active_today' }), ' ', h('span', { i18n: [why.key, why.params] }));
}

function packagesEl(pol, def) {
  if (!pol.packages) return h('span', { i18n: 'policies.all_packages' });
  return h('ul', { class: 'plain-list' }, pol.packages.map((c) => {
    const p = packageOf(def, c);
    return h('li', null, p ? nameEl(p.name) : null, ' ', codeEl(c));
  }));
}

function renderCard() {
  const pol = S.pol;
  const def = S.def;
  const calc = h('a', { class: 'btn', href: calcHref(), id: 'calc-btn', 'aria-keyshortcuts': 'c' },
    h('span', { i18n: 'policies.calculate' }), h('kbd', { 'aria-hidden': 'true' }, 'C'));
  const edit = canEdit()
    ? h('button', { type: 'button', class: 'btn', id: 'edit-btn', 'aria-keyshortcuts': 'e' },
      h('span', { i18n: 'policies.edit' }), h('kbd', { 'aria-hidden': 'true' }, 'E'))
    : null;
  if (edit) edit.addEventListener('click', openEdit);

  // coverage as of today, or as of the nearest day of the term when today is outside it
  const d0 = today() < pol.start_date ? pol.start_date : today() > pol.end_date ? pol.end_date : today();
  const dateInput = h('input', { class: 'input', type: 'date', id: 'coverage-date', value: d0, 'aria-keyshortcuts': 'd' });
  const todayBtn = h('button', { type: 'button', class: 'btn small', i18n: 'policies.today' });
  dateInput.addEventListener('change', () => { if (dateInput.value) loadCoverage(dateInput.value); });
  todayBtn.addEventListener('click', () => { dateInput.value = today(); loadCoverage(today()); dateInput.focus(); });
  calc.addEventListener('click', () => { calc.href = calcHref(); });

  const page = h('div', { class: 'page wide', dataset: { view: 'policy', number: pol.number } },
    h('div', { class: 'card-top' },
      crumbs(pol.number),
      h('div', { class: 'find-compact' }, findForm({ compact: true }))),
    h('div', { class: 'page-head policy-head' },
      h('div', { class: 'head-main' },
        h('h1', { id: 'policy-title', tabindex: '-1', class: 'mono' }, pol.number),
        h('span', { id: 'policy-status' }, policyStatusBadge(pol.status)),
        h('span', { class: 'sub', id: 'policy-version', i18n: ['policies.version', { n: pol.version }] })),
      h('div', { class: 'head-actions' }, calc, edit)),
    h('div', { id: 'policy-banner-slot' }, banner(pol)),
    h('div', { id: 'policy-edit-slot' }),
    h('div', { class: 'policy-grid' },
      h('div', { class: 'policy-side' },
        h('section', { class: 'card', 'aria-labelledby': 'person-h', id: 'person-card' },
          h('div', { class: 'card-head' }, h('h2', { id: 'person-h', i18n: 'policies.person' })),
          personBlock(pol.person),
          h('div', { id: 'person-policies' })),
        h('section', { class: 'card', 'aria-labelledby': 'pol-h', id: 'policy-facts' },
          h('div', { class: 'card-head' }, h('h2', { id: 'pol-h', i18n: 'policies.policy' })),
          h('dl', { class: 'facts plain', id: 'policy-dl' }, policyFacts(pol, def)))),
      h('div', { class: 'policy-main' },
        h('section', { class: 'card', 'aria-labelledby': 'cov-h', id: 'coverage-card' },
          h('div', { class: 'card-head row-head' },
            h('div', null,
              h('h2', { id: 'cov-h', i18n: 'policies.coverage' }),
              h('p', { i18n: 'policies.coverage_text' })),
            h('div', { class: 'tools date-tools' },
              h('label', { for: 'coverage-date', i18n: 'policies.coverage_on' }), dateInput, todayBtn)),
          h('div', { id: 'coverage-body', 'aria-live': 'polite' }, h('p', { class: 'muted', i18n: 'common.loading' }))),
        h('section', { class: 'card', 'aria-labelledby': 'hist-h', id: 'policy-history' },
          h('div', { class: 'card-head' }, h('h2', { id: 'hist-h', i18n: 'history.title' })),
          h('div', { id: 'hist-body', 'aria-live': 'polite' }, h('p', { class: 'muted', i18n: 'common.loading' }))))));
  S.main.replaceChildren(page);
  const title = document.getElementById('policy-title');
  title.focus({ preventScroll: true });
}

function fact(key, value, id) {
  return [h('dt', { i18n: key }), h('dd', { dataset: id ? { fact: id } : null }, value)];
}

function policyFacts(pol, def) {
  const cur = pol.currency;
  return [
    fact('field.program', h('span', null,
      def ? h('a', { href: `#/programs/${encodeURIComponent(pol.program)}` }, nameEl(def.name)) : null, ' ', codeEl(pol.program)), 'program'),
    def ? fact('programs.insurer', h('span', null, def.insurer.name)) : null,
    fact('field.packages', packagesEl(pol, def), 'packages'),
    fact('policies.term', rangeEl(pol.start_date, pol.end_date), 'term'),
    fact('field.sum_insured', moneyEl(pol.sum_insured, cur), 'sum_insured'),
    fact('field.previous', pol.previous
      ? h('a', { href: `#/policies/${encodeURIComponent(pol.previous)}`, class: 'mono', id: 'previous-link' }, pol.previous)
      : h('span', { class: 'muted', i18n: 'policies.no_previous' }), 'previous'),
    h('dt', { i18n: 'policies.renewed_by', id: 'renewed-dt', hidden: true }),
    h('dd', { id: 'renewed-dd', hidden: true }),
    fact('policies.registered', h('span', { i18n: ['policies.registered_text', {
      created: { fmt: 'datetime', value: pol.created_at }, updated: { fmt: 'datetime', value: pol.updated_at },
    }] })),
  ];
}

function age(birth, on) {
  const [by, bm, bd] = birth.split('-').map(Number);
  const [y, m, d] = on.split('-').map(Number);
  return y - by - (m < bm || (m === bm && d < bd) ? 1 : 0);
}

function personBlock(p) {
  const opt = (v, el) => (v ? el : h('span', { class: 'muted', i18n: 'common.not_given' }));
  return h('div', { class: 'person' },
    h('p', { class: 'person-name', id: 'person-name', lang: /[\u3400-\u9fff]/.test(p.last_name) ? 'zh' : null }, personName(p)),
    h('dl', { class: 'facts plain' },
      fact('person.birth_date', h('span', null, civilEl(p.birth_date), ' ',
        h('span', { class: 'muted', i18n: ['person.age', { n: age(p.birth_date, today()) }] }))),
      fact('person.sex', h('span', { i18n: p.sex === 'F' ? 'person.sex.F' : 'person.sex.M' })),
      fact('person.phone', opt(p.phone, h('a', { href: `tel:${p.phone}`, class: 'mono' }, p.phone))),
      fact('person.email', opt(p.email, h('a', { href: `mailto:${p.email}` }, p.email))),
      fact('person.document', opt(p.document, h('span', { class: 'mono' }, p.document))),
      fact('person.address', opt(p.address || p.city, h('span', null, [p.address, p.city].filter(Boolean).join(', ')))),
      fact('field.language', h('span', { fmt: ['lang', p.language] }))));
}

async function loadPerson(id) {
  const mine = S;
  const seq = S.seq;
  let person;
  try { person = await get(`/api/v1/persons/${id}`); } catch { return; }
  if (S !== mine || seq !== S.seq) return;
  const pol = S.pol;
  const others = (person.policies || []).filter((x) => x.number !== pol.number);
  const next = (person.policies || []).filter((x) => x.previous === pol.number);
  if (next.length) {
    document.getElementById('renewed-dt').hidden = false;
    const dd = document.getElementById('renewed-dd');
    dd.hidden = false;
    dd.replaceChildren(...next.map((x) => h('a', { href: `#/policies/${encodeURIComponent(x.number)}`, class: 'mono', id: 'renewed-link' }, x.number)));
  }
  // not active today: point to the person's policy that is (the active-policy rule:
  // status active, term holds the date, the latest start wins, then the latest registered)
  if (!activeOn(pol, today())) {
    const act = (person.policies || []).filter((x) => x.number !== pol.number && activeOn(x, today()))
      .sort((a, b) => b.start_date.localeCompare(a.start_date) || b.created_at.localeCompare(a.created_at))[0];
    const ban = document.getElementById('policy-banner');
    if (act && ban && !ban.querySelector('#active-instead')) {
      ban.append(h('span', { class: 'banner-link', id: 'active-instead' },
        h('span', { i18n: 'policies.active_instead' }), ' ',
        h('a', { href: `#/policies/${encodeURIComponent(act.number)}`, class: 'mono' }, act.number)));
    }
  }
  const box = document.getElementById('person-policies');
  if (!box) return;
  if (!others.length) {
    box.replaceChildren(h('p', { class: 'muted small', i18n: 'policies.no_other_policies' }));
    return;
  }
  box.replaceChildren(
    h('h3', { class: 'sub-title', i18n: 'policies.other_policies' }),
    h('ul', { class: 'other-policies' }, others.map((x) => h('li', null,
      h('a', { href: `#/policies/${encodeURIComponent(x.number)}`, class: 'mono' }, x.number),
      policyStateBadge(x),
      h('span', { class: 'muted small' }, rangeEl(x.start_date, x.end_date)),
      x.number === pol.previous ? h('span', { class: 'tag', i18n: 'policies.tag_previous' }) : null,
      x.previous === pol.number ? h('span', { class: 'tag', i18n: 'policies.tag_next' }) : null))));
}

// ---------- coverage on a date ----------

async function loadCoverage(date) {
  const mine = S;
  const seq = S.seq;
  const body = document.getElementById('coverage-body');
  if (!body) return;
  body.setAttribute('aria-busy', 'true');
  let cov;
  try {
    cov = await get(`/api/v1/policies/${encodeURIComponent(S.pol.number)}/coverage?date=${date}`);
  } catch (err) {
    if (S !== mine || seq !== S.seq || err.status === 401) return;
    body.removeAttribute('aria-busy');
    const m = errorMessage(err);
    body.replaceChildren(h('div', { class: 'alert error', role: 'alert', i18n: [m.key, m.params] }));
    return;
  }
  if (S !== mine || seq !== S.seq) return;
  body.removeAttribute('aria-busy');
  body.replaceChildren(coverageTable(cov, S.def));
}

// ---------- history ----------

const FIELD_ORDER = ['status', 'start_date', 'end_date', 'packages', 'sum_insured', 'previous', 'number', 'program', 'currency', 'person_id'];

/** The /history entry as history.js draws it (before/after objects). */
function toEntry(item) {
  const before = item.action === 'create' ? null : {};
  const after = {};
  for (const c of item.changes || []) {
    if (item.action === 'create' && (c.new === null || c.new === undefined) && c.field !== 'packages') continue;
    if (before) before[c.field] = c.old;
    after[c.field] = c.new;
  }
  return { id: `${item.version ?? ''}-${item.at}`, at: item.at, actor: { login: item.actor }, action: item.action, version: item.version, before, after };
}

function histValue(k, v) {
  const cur = S.pol.currency;
  if (k === 'packages') {
    if (v === null || v === undefined) return h('span', { i18n: 'policies.all_packages' });
    if (Array.isArray(v)) {
      return joined(v.map((c) => {
        const p = packageOf(S.def, c);
        return p ? nameEl(p.name, { title: c }) : codeEl(c);
      }));
    }
  }
  if (v === null || v === undefined || v === '') return undefined;
  if (k === 'status') return h('span', { i18n: STATUSES.includes(v) ? `policy.status.${v}` : 'policy.status.other' });
  if (k === 'start_date' || k === 'end_date') return civilEl(v);
  if (k === 'sum_insured') return moneyEl(v, cur);
  if (k === 'previous' || k === 'number' || k === 'program') return h('span', { class: 'mono' }, v);
  if (k === 'person_id' && v === S.pol.person_id) return h('span', null, personName(S.pol.person));
  return undefined;
}

async function loadHistory(reset) {
  const mine = S;
  const seq = S.seq;
  if (reset) S.hist = { items: [], total: 0 };
  let data;
  try {
    data = await get(`/api/v1/policies/${encodeURIComponent(S.pol.number)}/history?limit=${HIST_PAGE}&offset=${S.hist.items.length}`);
  } catch (err) {
    if (S !== mine || seq !== S.seq || err.status === 401) return;
    const body = document.getElementById('hist-body');
    const m = errorMessage(err);
    if (body) body.replaceChildren(h('div', { class: 'alert error', role: 'alert', i18n: [m.key, m.params] }));
    return;
  }
  if (S !== mine || seq !== S.seq) return;
  S.hist.items.push(...(data.items || []));
  S.hist.total = data.total ?? S.hist.items.length;
  renderHistory();
}

function renderHistory() {
  const body = document.getElementById('hist-body');
  if (!body) return;
  const opts = { order: FIELD_ORDER, value: histValue };
  const parts = [];
  if (S.hist.items.length) {
    parts.push(h('ol', { class: 'history', id: 'history-list' }, S.hist.items.map((it) => historyItem(toEntry(it), opts))));
  } else {
    parts.push(h('div', { class: 'empty' }, h('p', { i18n: 'history.empty' })));
  }
  if (S.hist.items.length < S.hist.total) {
    const more = h('button', { type: 'button', class: 'btn small', i18n: 'history.more' });
    more.addEventListener('click', () => busy(more, () => loadHistory(false)));
    parts.push(h('div', { class: 'hist-tools' }, more));
  }
  body.replaceChildren(...parts);
}

// ---------- edit (supervisor, admin) ----------

function openEdit() {
  if (!S || !S.pol || !canEdit()) return;
  const slot = document.getElementById('policy-edit-slot');
  if (S.editing) {
    slot.querySelector('select, input')?.focus();
    return;
  }
  S.editing = true;
  S.escArmed = false;
  const pol = S.pol;
  const def = S.def;
  const cur = pol.currency;
  const statusSel = h('select', { class: 'input' }, STATUSES.map((s) => h('option', { value: s, i18n: `policy.status.${s}` })));
  statusSel.value = pol.status;
  const sumId = uid('sum');
  const sumInput = h('input', {
    class: 'input num-input', type: 'text', inputmode: 'decimal', autocomplete: 'off', id: sumId,
    value: fmtMoneyPlain(pol.sum_insured, cur, locale(), true),
  });
  sumInput.addEventListener('blur', () => {
    const p = parseMoney(sumInput.value, cur);
    if (p.ok) sumInput.value = fmtMoneyPlain(p.minor, cur, locale(), true);
  });
  const pkgs = (def && def.packages) || [];
  const held = new Set(pol.packages || pkgs.map((p) => p.code));
  const pkgBoxes = pkgs.map((p) => {
    const id = uid('pkg');
    const cb = h('input', { type: 'checkbox', id, name: 'packages', value: p.code, checked: held.has(p.code) });
    return h('label', { class: 'check', for: id }, cb, h('span', null, nameEl(p.name), ' ', codeEl(p.code)));
  });
  const save = h('button', { type: 'submit', class: 'btn primary', i18n: 'common.save_changes' });
  const cancel = h('button', { type: 'button', class: 'btn', i18n: 'common.cancel' });
  const form = h('form', { class: 'form', id: 'policy-edit-form', novalidate: true },
    h('div', { class: 'form-row four' },
      field({ name: 'status', label: 'field.status', input: statusSel }),
      field({ name: 'start_date', label: 'field.start_date', type: 'date', value: pol.start_date, attrs: { required: true } }),
      field({ name: 'end_date', label: 'field.end_date', type: 'date', value: pol.end_date, attrs: { required: true } }),
      h('div', { class: 'field', dataset: { field: 'sum_insured' } },
        h('label', { for: sumId, i18n: 'field.sum_insured' }),
        h('div', { class: 'money-input' }, sumInput, h('span', { class: 'cur', 'aria-hidden': 'true' }, currencySymbol(cur, locale()))),
        h('p', { class: 'field-error', id: `${sumId}-err`, hidden: true }))),
    pkgs.length ? h('fieldset', { class: 'field pkg-field', dataset: { field: 'packages' } },
      h('legend', { class: 'field-label', i18n: 'field.packages' }),
      h('div', { class: 'checks' }, pkgBoxes),
      h('p', { class: 'hint', i18n: 'policies.packages_hint' }),
      h('p', { class: 'field-error', hidden: true })) : null,
    h('div', { class: 'form-actions' }, save, cancel, ctrlEnterHint()));
  sumInput.name = 'sum_insured';
  sumInput.setAttribute('aria-describedby', `${sumId}-err`);
  cancel.addEventListener('click', closeEdit);
  form.addEventListener('input', () => { S.escArmed = false; });
  form.addEventListener('submit', (e) => { e.preventDefault(); saveEdit(form, save); });
  slot.replaceChildren(h('section', { class: 'card edit-card', 'aria-labelledby': 'edit-h' },
    h('div', { class: 'card-head' }, h('h2', { id: 'edit-h', i18n: 'policies.edit_title' }),
      h('p', { i18n: 'policies.edit_text' })),
    form));
  markClean(form);
  statusSel.focus();
  document.getElementById('edit-btn')?.setAttribute('aria-expanded', 'true');
}

function closeEdit() {
  if (!S) return;
  S.editing = false;
  S.escArmed = false;
  const slot = document.getElementById('policy-edit-slot');
  if (slot) slot.replaceChildren();
  const btn = document.getElementById('edit-btn');
  if (btn) { btn.setAttribute('aria-expanded', 'false'); btn.focus(); }
}

async function saveEdit(form, save) {
  clearErrors(form);
  const pol = S.pol;
  const f = form.elements;
  const body = {};
  if (f.status.value !== pol.status) body.status = f.status.value;
  if (!f.start_date.value) return showError(form, { key: 'error.required', params: { field: { key: 'field.start_date' } }, field: 'start_date' });
  if (!f.end_date.value) return showError(form, { key: 'error.required', params: { field: { key: 'field.end_date' } }, field: 'end_date' });
  if (f.end_date.value < f.start_date.value) return showError(form, { key: 'policies.end_before_start', field: 'end_date' });
  if (f.start_date.value !== pol.start_date) body.start_date = f.start_date.value;
  if (f.end_date.value !== pol.end_date) body.end_date = f.end_date.value;
  const sum = parseMoney(f.sum_insured.value, pol.currency);
  if (!sum.ok) return showError(form, { key: `money.${sum.error}`, params: { digits: sum.digits ?? 0 }, field: 'sum_insured' });
  if (sum.minor !== pol.sum_insured) body.sum_insured = sum.minor;
  const boxes = [...form.querySelectorAll('input[name="packages"]')];
  if (boxes.length) {
    const chosen = boxes.filter((b) => b.checked).map((b) => b.value);
    if (!chosen.length) return showError(form, { key: 'policies.packages_none', field: 'packages' });
    const all = chosen.length === boxes.length;
    const was = pol.packages;
    const same = all ? !was || was.length === boxes.length : was && was.length === chosen.length && chosen.every((c) => was.includes(c));
    if (!same) body.packages = all ? null : chosen;
  }
  if (!Object.keys(body).length) { toast('toast.no_changes'); return; }
  body.version = pol.version;
  const mine = S;
  try {
    const np = await busy(save, () => patch(`/api/v1/policies/${encodeURIComponent(pol.number)}`, body));
    if (S !== mine) return;
    toast('toast.policy_saved', { number: pol.number });
    S.pol = { ...np, person: np.person || pol.person };
    remember(S.pol);
    S.editing = false;
    document.getElementById('policy-edit-slot')?.replaceChildren();
    refreshCard();
    loadHistory(true);
  } catch (err) {
    if (err.status === 401) return;
    // "packages[1]" names one package: the message goes under the package list
    const box = form.querySelector('.pkg-field .field-error');
    if (err.field && err.field.startsWith('packages') && box) {
      const m = errorMessage(err);
      box.hidden = false;
      box.textContent = t(m.key, m.params);
      return;
    }
    showError(form, err);
  }
}

/** After a save: head, banner, facts and coverage follow the new version. */
function refreshCard() {
  const pol = S.pol;
  document.getElementById('policy-status')?.replaceChildren(policyStatusBadge(pol.status));
  const v = document.getElementById('policy-version');
  if (v) { v.dataset.i18nParams = JSON.stringify({ n: pol.version }); v.textContent = t('policies.version', { n: pol.version }); }
  document.getElementById('policy-banner-slot')?.replaceChildren(banner(pol));
  const dl = document.getElementById('policy-dl');
  if (dl) {
    dl.replaceChildren(...policyFacts(pol, S.def).flat().filter(Boolean));
    dl.classList.add('flash');
  }
  loadPerson(pol.person_id);
  const d = document.getElementById('coverage-date');
  loadCoverage(d && d.value ? d.value : today());
  const btn = document.getElementById('edit-btn');
  if (btn) { btn.setAttribute('aria-expanded', 'false'); btn.focus(); }
}
