// The person card (#/persons/ID): who the insured is, a clear banner when no
// policy is active today, every policy period with its renewals linked, the
// remaining coverage of the active policy, the person's cases and latest
// contacts. "New case" (N) first asks the server for an open case and
// offers to continue it instead of opening a duplicate. Follows person:ID
// live: a case opened or a contact logged elsewhere shows without a reload.
import { h, field, uid } from '../dom.js';
import { get, post, put, del } from '../api.js';
import { listKeys } from '../keys.js';
import { showError, clearErrors, busy, ctrlEnterHint, errorMessage, markClean, isDirty } from '../forms.js';
import { toast } from '../toast.js';
import { watch } from '../live.js';
import {
  loadProgram, nameEl, codeEl, personName, today, civilEl, rangeEl, policyStateBadge, coverageTable,
} from '../cover.js';
import {
  CASE_TYPES, ACTIVE_STATUSES, caseStatusBadge, caseTypeEl, caseLink, flash, handoff,
} from '../casekit.js';
import { rememberPerson } from './search.js';

let S = null;

export const personView = {
  mount(main, params, app) {
    S = { app, main, id: null, seq: 0 };
    this.update(params);
  },

  update(params) {
    if (!S || params.id === S.id) return;
    S.id = params.id;
    S.seq++;
    stopLive();
    S.p = null;
    S.panel = null;
    open();
  },

  unmount() { stopLive(); S = null; },

  onKey(e) {
    if (!S || !S.p) return;
    if (e.key === 'n' || e.key === 'N') { e.preventDefault(); newCase(); }
  },

  onEscape() {
    if (!S || !S.panel) return false;
    const form = document.getElementById('new-case-form');
    if (form && isDirty(form) && !S.escArmed) {
      S.escArmed = true;
      toast('toast.unsaved_esc');
      return true;
    }
    closePanel();
    return true;
  },
};

// ---------- loading ----------

async function open() {
  const mine = S, seq = S.seq;
  S.main.replaceChildren(h('div', { class: 'page wide', dataset: { view: 'person' } },
    h('p', { class: 'muted', i18n: 'common.loading' })));
  let p;
  try {
    p = await get(`/api/v1/persons/${S.id}`);
  } catch (err) {
    if (S !== mine || seq !== S.seq || err.status === 401) return;
    const m = err.status === 404 ? { key: 'person.not_found' } : errorMessage(err);
    S.main.replaceChildren(h('div', { class: 'page', dataset: { view: 'person' } },
      crumbs(null),
      h('div', { class: 'alert error', role: 'alert', dataset: { error: 'person' }, i18n: [m.key, m.params] })));
    return;
  }
  if (S !== mine || seq !== S.seq) return;
  S.p = p;
  rememberPerson(S.app.user.login, p);
  render();
  document.getElementById('person-title')?.focus({ preventScroll: true });
  loadCoverage();
  startLive();
}

/** Re-read the person after a live event and redraw what changed (a subtle highlight on new rows). */
async function refresh() {
  const mine = S, seq = S.seq;
  let p;
  try { p = await get(`/api/v1/persons/${S.id}`); } catch { return; }
  if (S !== mine || seq !== S.seq) return;
  const oldCases = new Map((S.p.cases || []).map((c) => [c.id, c.version]));
  const oldContacts = new Set((S.p.contacts || []).map((c) => c.id));
  const activeBefore = S.p.active_policy;
  S.p = p;
  renderCases();
  renderContacts();
  if (!document.querySelector('#person-optouts .optout-confirm:not(:empty)')) renderOptOuts();
  for (const c of p.cases || []) {
    if (oldCases.get(c.id) !== c.version) flash(document.querySelector(`#person-cases tr[data-id="${c.id}"]`));
  }
  for (const c of p.contacts || []) {
    if (!oldContacts.has(c.id)) flash(document.querySelector(`#person-contacts li[data-id="${c.id}"]`));
  }
  if (activeBefore !== p.active_policy) {
    document.getElementById('person-banner-slot')?.replaceChildren(banner(p));
    renderPolicies();
    loadCoverage();
  }
}

function stopLive() {
  if (S && S.unwatch) { S.unwatch(); S.unwatch = null; }
  if (S) clearTimeout(S.refreshTimer);
}

function startLive() {
  const mine = S, seq = S.seq, id = S.id;
  const soon = (data) => {
    if (S !== mine || seq !== S.seq) return;
    if (data && data.person_id && data.person_id !== id) return;
    clearTimeout(S.refreshTimer);
    S.refreshTimer = setTimeout(refresh, 150);
  };
  S.unwatch = watch([`person:${id}`], {
    [`case.created`]: soon,
    [`case.updated`]: soon,
    [`case.contact_added`]: () => soon(),
    [`policy.updated`]: () => soon(),
    open: () => { if (S === mine && seq === S.seq && S.p) soon(); },
  });
}

// ---------- the card ----------

function crumbs(p) {
  return h('nav', { class: 'crumbs', i18nAttr: { 'aria-label': 'common.breadcrumb' } },
    h('a', { href: '#/search', i18n: 'nav.search' }), h('span', { 'aria-hidden': 'true' }, '›'),
    h('span', null, p ? personName(p) : h('span', { i18n: 'person.title' })));
}

function age(birth) {
  const [by, bm, bd] = birth.split('-').map(Number);
  const [y, m, d] = today().split('-').map(Number);
  return y - by - (m < bm || (m === bm && d < bd) ? 1 : 0);
}

const isCjk = (p) => /[\u3400-\u9fff]/.test(p.last_name || '');

function banner(p) {
  const act = (p.policies || []).find((x) => x.number === p.active_policy);
  if (act) {
    return h('div', { class: 'banner ok', role: 'status', id: 'person-banner', dataset: { active: 'true' } },
      h('strong', { i18n: 'person.active_policy' }), ' ',
      h('a', { href: `#/policies/${encodeURIComponent(act.number)}`, class: 'mono' }, act.number), ' ',
      h('span', { i18n: ['policies.active_until', { date: { fmt: 'date', value: act.end_date } }] }));
  }
  const last = (p.policies || []).slice().sort((a, b) => b.end_date.localeCompare(a.end_date))[0];
  return h('div', { class: 'banner warn no-policy', role: 'alert', id: 'person-banner', dataset: { active: 'false' } },
    h('strong', { i18n: 'person.no_active_policy' }), ' ',
    h('span', {
      i18n: last
        ? ['person.no_active_last', { number: last.number, date: { fmt: 'date', value: last.end_date } }]
        : 'person.no_policies_at_all',
    }));
}

function fact(key, value, id) {
  return [h('dt', { i18n: key }), h('dd', { dataset: id ? { fact: id } : null }, value)];
}

function render() {
  const p = S.p;
  const opt = (v, el) => (v ? el : h('span', { class: 'muted', i18n: 'common.not_given' }));
  const newBtn = h('button', { type: 'button', class: 'btn primary', id: 'new-case-btn', 'aria-keyshortcuts': 'n' },
    h('span', { i18n: 'person.new_case' }), h('kbd', { 'aria-hidden': 'true' }, 'N'));
  newBtn.addEventListener('click', newCase);
  const page = h('div', { class: 'page wide', dataset: { view: 'person', id: String(p.id) } },
    crumbs(p),
    h('div', { class: 'page-head policy-head' },
      h('div', { class: 'head-main' },
        h('h1', { id: 'person-title', tabindex: '-1', lang: isCjk(p) ? 'zh' : null }, personName(p)),
        h('span', { class: 'sub' }, civilEl(p.birth_date), ' · ',
          h('span', { i18n: ['person.age', { n: age(p.birth_date) }] }), ' · ',
          h('span', { i18n: p.sex === 'F' ? 'person.sex.F' : 'person.sex.M' }))),
      h('div', { class: 'head-actions' }, newBtn)),
    h('div', { id: 'person-banner-slot' }, banner(p)),
    h('div', { id: 'case-panel-slot' }),
    h('div', { class: 'person-grid' },
      h('div', { class: 'policy-side' },
        h('section', { class: 'card', 'aria-labelledby': 'ident-h', id: 'person-ident' },
          h('div', { class: 'card-head' }, h('h2', { id: 'ident-h', i18n: 'person.identity' })),
          h('dl', { class: 'facts plain' },
            fact('person.phone', opt(p.phone, h('a', { href: `tel:${p.phone}`, class: 'mono' }, p.phone)), 'phone'),
            fact('person.email', opt(p.email, h('a', { href: `mailto:${p.email}` }, p.email))),
            fact('person.document', opt(p.document, h('span', { class: 'mono' }, p.document))),
            fact('person.address', opt(p.address || p.city, h('span', null, [p.address, p.city].filter(Boolean).join(', ')))),
            fact('field.language', h('span', { fmt: ['lang', p.language] }))),
          h('div', { class: 'optouts', id: 'person-optouts' })),
        h('section', { class: 'card', 'aria-labelledby': 'periods-h', id: 'person-policies' },
          h('div', { class: 'card-head' }, h('h2', { id: 'periods-h', i18n: 'person.policies' })),
          h('div', { id: 'periods-body' }))),
      h('div', { class: 'policy-main' },
        h('section', { class: 'card', 'aria-labelledby': 'pcases-h', id: 'person-cases' },
          h('div', { class: 'card-head row-head' },
            h('h2', { id: 'pcases-h' }, h('span', { i18n: 'person.cases' }), ' ', h('span', { class: 'count', id: 'pcases-count' })),
            h('a', { class: 'btn small', href: `#/cases?person_id=${p.id}&status=all`, i18n: 'person.all_cases' })),
          h('div', { id: 'pcases-body' })),
        h('section', { class: 'card', 'aria-labelledby': 'pcov-h', id: 'person-coverage' },
          h('div', { class: 'card-head row-head' },
            h('div', null, h('h2', { id: 'pcov-h', i18n: 'policies.coverage' }), h('p', { id: 'pcov-sub' })),
            h('div', { class: 'tools', id: 'pcov-tools' })),
          h('div', { id: 'pcov-body', 'aria-live': 'polite' })),
        h('section', { class: 'card', 'aria-labelledby': 'pcont-h', id: 'person-contacts' },
          h('div', { class: 'card-head' }, h('h2', { id: 'pcont-h', i18n: 'person.contacts' })),
          h('div', { id: 'pcont-body' })))));
  S.main.replaceChildren(page);
  renderPolicies();
  renderCases();
  renderContacts();
  renderOptOuts();
}

// ---------- consent to messages (opt-outs) ----------

const OPT_CHANNELS = ['sms', 'email'];

/** A switch per channel: on = the person receives it; a change is confirmed inline (it is audited). */
function renderOptOuts() {
  const box = document.getElementById('person-optouts');
  if (!box) return;
  const outs = S.p.opt_outs || [];
  box.replaceChildren(
    h('h3', { class: 'sub-title', id: 'optouts-h', i18n: 'optout.title' }),
    h('ul', { class: 'optout-list', 'aria-labelledby': 'optouts-h' }, OPT_CHANNELS.map((ch) => {
      const out = outs.includes(ch);
      const id = `optout-${ch}`;
      const sw = h('input', { type: 'checkbox', role: 'switch', id, class: 'switch', checked: !out, dataset: { channel: ch } });
      sw.addEventListener('change', () => { sw.checked = !sw.checked; confirmOptOut(ch, !out, sw); });
      return h('li', { class: ['optout-row', out && 'is-out'], dataset: { channel: ch, optedOut: String(out) } },
        h('label', { for: id, class: 'optout-label' }, sw, h('span', { i18n: `optout.channel.${ch}` })),
        h('span', { class: ['badge', 'status', out ? 'optout-off' : 'optout-on'], i18n: out ? 'optout.state.out' : 'optout.state.in' }),
        h('div', { class: 'optout-confirm' }));
    })),
    h('p', { class: 'hint', i18n: 'optout.hint' }));
}

function confirmOptOut(ch, optOut, sw) {
  const row = sw.closest('.optout-row');
  const slot = row.querySelector('.optout-confirm');
  const yes = h('button', { type: 'button', class: ['btn', 'small', optOut ? 'danger solid' : 'primary'], dataset: { action: 'confirm' },
    i18n: optOut ? 'optout.yes_out' : 'optout.yes_in' });
  const no = h('button', { type: 'button', class: 'btn small', i18n: 'common.cancel' });
  const cancel = () => { slot.replaceChildren(); sw.focus(); };
  no.addEventListener('click', cancel);
  yes.addEventListener('click', async () => {
    const mine = S;
    try {
      const r = await busy(yes, () => (optOut ? put : del)(`/api/v1/persons/${S.id}/opt-outs/${ch}`));
      if (S !== mine) return;
      S.p = { ...S.p, opt_outs: (r && r.opt_outs) || [] };
      renderOptOuts();
      flash(document.querySelector(`#person-optouts li[data-channel="${ch}"]`));
      toast(optOut ? `optout.done_out.${ch}` : `optout.done_in.${ch}`);
      document.getElementById(`optout-${ch}`)?.focus();
    } catch (err) {
      if (err.status === 401 || S !== mine) return;
      const m = errorMessage(err);
      toast(m.key, m.params, 'error');
    }
  });
  slot.replaceChildren(h('div', { class: 'confirm-inline', role: 'alert' },
    h('span', { class: 'q', i18n: [optOut ? `optout.confirm_out.${ch}` : `optout.confirm_in.${ch}`, { name: personName(S.p) }] }),
    h('span', { class: 'hint', i18n: 'optout.audit_note' }),
    yes, no));
  yes.focus();
}

function renderPolicies() {
  const p = S.p;
  const box = document.getElementById('periods-body');
  if (!box) return;
  const pols = (p.policies || []).slice().sort((a, b) => b.start_date.localeCompare(a.start_date) || b.number.localeCompare(a.number));
  if (!pols.length) {
    box.replaceChildren(h('p', { class: 'muted', i18n: 'person.no_policies_at_all' }));
    return;
  }
  const byNumber = new Map(pols.map((x) => [x.number, x]));
  box.replaceChildren(h('ol', { class: 'periods' }, pols.map((x) => {
    const prev = x.previous_number || x.previous;
    const next = pols.filter((y) => (y.previous_number || y.previous) === x.number);
    return h('li', {
      class: ['period', x.number === p.active_policy && 'is-active', prev && byNumber.has(prev) && 'renews'],
      dataset: { number: x.number },
    },
    h('div', { class: 'period-head' },
      h('a', { href: `#/policies/${encodeURIComponent(x.number)}`, class: 'mono strong' }, x.number),
      policyStateBadge(x)),
    h('div', { class: 'period-meta' },
      rangeEl(x.start_date, x.end_date), ' · ', codeEl(x.program)),
    prev ? h('div', { class: 'period-link', dataset: { link: 'previous' } },
      h('span', { class: 'muted', i18n: 'person.renews' }), ' ',
      h('a', { href: `#/policies/${encodeURIComponent(prev)}`, class: 'mono' }, prev)) : null,
    next.length ? h('div', { class: 'period-link', dataset: { link: 'next' } },
      h('span', { class: 'muted', i18n: 'person.renewed_by' }), ' ',
      next.map((y) => h('a', { href: `#/policies/${encodeURIComponent(y.number)}`, class: 'mono' }, y.number))) : null);
  })));
}

function taskCounts(c) {
  const parts = [];
  if (c.open_tasks) parts.push(h('span', { class: 'small', i18n: ['case.open_tasks', { n: c.open_tasks }] }));
  if (c.overdue_tasks) parts.push(h('span', { class: 'badge overdue-badge', i18n: ['case.overdue_tasks', { n: c.overdue_tasks }] }));
  return parts.length ? parts : h('span', { class: 'muted small', i18n: 'case.no_open_tasks' });
}

function renderCases() {
  const p = S.p;
  const body = document.getElementById('pcases-body');
  if (!body) return;
  const count = document.getElementById('pcases-count');
  if (count) count.textContent = p.cases_total ? `(${p.cases_total})` : '';
  const cases = p.cases || [];
  if (!cases.length) {
    body.replaceChildren(h('div', { class: 'empty compact', dataset: { empty: 'cases' } },
      h('p', { i18n: 'person.no_cases' })));
    return;
  }
  const tbody = h('tbody', null, cases.map((c) => h('tr', {
    class: ['row', ACTIVE_STATUSES.includes(c.status) && 'is-open'], tabindex: '-1', dataset: { id: String(c.id) },
  },
  h('td', { class: 'login-cell' }, caseLink(c.id, { tabindex: '-1', 'data-open': true })),
  h('td', null, caseTypeEl(c.type), c.description ? h('div', { class: 'muted small clip' }, c.description) : null),
  h('td', null, caseStatusBadge(c.status)),
  h('td', { class: 'date-cell' }, h('time', { fmt: ['datetime', c.created_at] })),
  h('td', { class: 'small' }, c.manager ? c.manager.full_name || c.manager.login : h('span', { class: 'muted', i18n: 'case.no_manager' })),
  h('td', null, h('div', { class: 'task-cell' }, taskCounts(c))))));
  body.replaceChildren(h('div', { class: 'table-wrap flat' }, h('table', { class: 'data', id: 'person-cases-table' },
    h('thead', null, h('tr', null,
      h('th', { scope: 'col', i18n: 'case.col.number' }),
      h('th', { scope: 'col', i18n: 'case.col.type' }),
      h('th', { scope: 'col', i18n: 'field.status' }),
      h('th', { scope: 'col', i18n: 'case.col.opened' }),
      h('th', { scope: 'col', i18n: 'case.col.manager' }),
      h('th', { scope: 'col', i18n: 'case.col.tasks' }))),
    tbody)));
  const lk = listKeys(tbody, 'tr.row', (row) => S.app.go(`#/cases/${row.dataset.id}`));
  lk.setCurrent(null);
}

function directionEl(dir) {
  return h('span', { class: ['dir', `dir-${dir}`], dataset: { dir }, 'aria-hidden': 'true' }, dir === 'out' ? '↗' : '↙');
}

/** A contact as one line of a log: direction and channel, when, who, what was said. */
export function contactItem(c, { showCase = false } = {}) {
  return h('li', { class: 'contact', dataset: { id: String(c.id), dir: c.direction, channel: c.channel } },
    h('div', { class: 'contact-head' },
      directionEl(c.direction),
      h('span', { class: 'contact-kind' },
        h('span', { i18n: `contact.direction.${c.direction === 'out' ? 'out' : 'in'}` }), ' · ',
        h('span', { i18n: `contact.channel.${c.channel}` })),
      showCase ? caseLink(c.case_id) : null,
      h('span', { class: 'contact-meta' },
        h('time', { fmt: ['datetime', c.at] }),
        c.user ? h('span', null, ' · ', c.user.full_name || c.user.login) : null)),
    h('p', { class: 'contact-summary' }, c.summary));
}

function renderContacts() {
  const body = document.getElementById('pcont-body');
  if (!body) return;
  const list = S.p.contacts || [];
  if (!list.length) {
    body.replaceChildren(h('div', { class: 'empty compact', dataset: { empty: 'contacts' } }, h('p', { i18n: 'person.no_contacts' })));
    return;
  }
  body.replaceChildren(h('ol', { class: 'contact-log' }, list.map((c) => contactItem(c, { showCase: true }))));
}

// ---------- remaining coverage of the active policy ----------

async function loadCoverage() {
  const mine = S, seq = S.seq;
  const body = document.getElementById('pcov-body');
  const sub = document.getElementById('pcov-sub');
  const tools = document.getElementById('pcov-tools');
  if (!body) return;
  const number = S.p.active_policy;
  if (!number) {
    sub.replaceChildren();
    tools.replaceChildren();
    body.replaceChildren(h('div', { class: 'empty compact', dataset: { empty: 'coverage' } },
      h('p', { i18n: 'person.no_coverage' })));
    return;
  }
  const pol = (S.p.policies || []).find((x) => x.number === number);
  sub.replaceChildren(h('span', { i18n: 'person.coverage_of' }), ' ',
    h('a', { href: `#/policies/${encodeURIComponent(number)}`, class: 'mono' }, number));
  tools.replaceChildren(h('a', {
    class: 'btn small', href: `#/coverage?policy=${encodeURIComponent(number)}`, i18n: 'policies.calculate',
  }));
  body.replaceChildren(h('p', { class: 'muted', i18n: 'common.loading' }));
  let cov, def = null;
  try {
    [cov, def] = await Promise.all([
      get(`/api/v1/policies/${encodeURIComponent(number)}/coverage?date=${today()}`),
      pol ? loadProgram(pol.program).catch(() => null) : Promise.resolve(null),
    ]);
  } catch (err) {
    if (S !== mine || seq !== S.seq || err.status === 401) return;
    const m = errorMessage(err);
    body.replaceChildren(h('div', { class: 'alert error', role: 'alert', i18n: [m.key, m.params] }));
    return;
  }
  if (S !== mine || seq !== S.seq) return;
  body.replaceChildren(coverageTable(cov, def, { id: 'person-coverage-table' }));
  if (def) sub.append(' · ', nameEl(def.name));
}

// ---------- new case: continue the open one, or open a new one ----------

function closePanel() {
  if (!S) return;
  S.panel = null;
  S.escArmed = false;
  document.getElementById('case-panel-slot')?.replaceChildren();
  const btn = document.getElementById('new-case-btn');
  if (btn) { btn.setAttribute('aria-expanded', 'false'); btn.focus(); }
}

async function newCase() {
  if (!S || !S.p) return;
  if (S.panel) {
    document.querySelector('#case-panel-slot .btn.primary, #case-panel-slot select')?.focus();
    return;
  }
  const mine = S, seq = S.seq;
  const btn = document.getElementById('new-case-btn');
  let ac;
  try {
    ac = await busy(btn, () => get(`/api/v1/persons/${S.id}/active-case`));
  } catch (err) {
    if (S !== mine || err.status === 401) return;
    const m = errorMessage(err);
    toast(m.key, m.params, 'error');
    return;
  }
  if (S !== mine || seq !== S.seq) return;
  if (ac && ac.case) offer(ac);
  else caseForm();
}

function offer(ac) {
  S.panel = 'offer';
  const c = ac.case;
  const go = h('a', { class: 'btn primary', href: `#/cases/${c.id}`, id: 'continue-case' },
    h('span', { i18n: ['person.continue_case', { id: c.id }] }), h('kbd', { 'aria-hidden': 'true' }, 'Enter'));
  const anew = h('button', { type: 'button', class: 'btn', id: 'open-new-anyway', i18n: 'person.open_new_anyway' });
  const cancel = h('button', { type: 'button', class: 'btn link', i18n: 'common.cancel' });
  anew.addEventListener('click', () => { caseForm(); });
  cancel.addEventListener('click', closePanel);
  const others = (ac.open_cases || []).filter((x) => x.id !== c.id);
  const card = h('section', { class: 'card offer-card', id: 'case-offer', role: 'group', 'aria-labelledby': 'offer-h', dataset: { caseId: String(c.id) } },
    h('div', { class: 'card-head' },
      h('h2', { id: 'offer-h', i18n: 'person.open_case_exists' }),
      h('p', { i18n: 'person.open_case_text' })),
    h('div', { class: 'offer-case' },
      h('div', { class: 'offer-line' },
        caseLink(c.id), caseTypeEl(c.type), caseStatusBadge(c.status),
        h('span', { class: 'muted', i18n: ['person.opened_at', { at: { fmt: 'datetime', value: c.created_at } }] }),
        c.manager ? h('span', { class: 'muted' }, '· ', c.manager.full_name || c.manager.login) : null),
      c.description ? h('p', { class: 'offer-desc' }, c.description) : null),
    others.length ? h('p', { class: 'small offer-others' }, h('span', { class: 'muted', i18n: 'person.other_open_cases' }), ' ',
      others.map((x, i) => [i ? ', ' : '', caseLink(x.id), ' ', caseTypeEl(x.type)])) : null,
    h('div', { class: 'form-actions' }, go, anew, cancel));
  document.getElementById('case-panel-slot').replaceChildren(card);
  document.getElementById('new-case-btn')?.setAttribute('aria-expanded', 'true');
  go.focus();
}

function caseForm() {
  S.panel = 'form';
  S.escArmed = false;
  const p = S.p;
  const typeSel = h('select', { class: 'input' }, CASE_TYPES.map((x) => h('option', { value: x, i18n: `case.type.${x}` })));
  typeSel.value = 'medical';
  const polSel = h('select', { class: 'input' },
    h('option', { value: '', i18n: 'case.policy_auto' }),
    (p.policies || []).map((x) => h('option', { value: x.number }, x.number)));
  polSel.value = '';
  const descId = uid('desc');
  const desc = h('textarea', { class: 'input', rows: '5', id: descId, name: 'description', 'aria-describedby': `${descId}-err`, i18nAttr: { placeholder: 'case.description_placeholder' } });
  const save = h('button', { type: 'submit', class: 'btn primary', i18n: 'person.open_case' });
  const cancel = h('button', { type: 'button', class: 'btn', i18n: 'common.cancel' });
  // tab order: type, then what happened, then the rarely changed policy and date
  const form = h('form', { class: 'form', id: 'new-case-form', novalidate: true },
    h('div', { class: 'case-form-grid' },
      h('div', { class: 'cf-type' }, field({ name: 'type', label: 'case.field.type', input: typeSel })),
      h('div', { class: 'field cf-desc', dataset: { field: 'description' } },
        h('label', { for: descId, i18n: 'case.field.description' }), desc,
        h('p', { class: 'field-error', id: `${descId}-err`, hidden: true })),
      h('div', { class: 'cf-policy' }, field({ name: 'policy_number', label: 'case.field.policy', input: polSel, hint: 'case.policy_hint' })),
      h('div', { class: 'cf-date' }, field({ name: 'event_date', label: 'case.field.event_date', type: 'date', value: today() }))),
    h('div', { class: 'form-actions' }, save, cancel, ctrlEnterHint()));
  cancel.addEventListener('click', closePanel);
  form.addEventListener('input', () => { S.escArmed = false; });
  form.addEventListener('submit', (e) => { e.preventDefault(); createCase(form, save); });
  document.getElementById('case-panel-slot').replaceChildren(h('section', { class: 'card edit-card', 'aria-labelledby': 'newcase-h', id: 'new-case-card' },
    h('div', { class: 'card-head' }, h('h2', { id: 'newcase-h', i18n: 'person.new_case_title' }),
      h('p', { i18n: ['person.new_case_text', { name: personName(p) }] })),
    form));
  markClean(form);
  document.getElementById('new-case-btn')?.setAttribute('aria-expanded', 'true');
  typeSel.focus();
}

async function createCase(form, save) {
  clearErrors(form);
  const f = form.elements;
  const body = { person_id: S.p.id, type: f.type.value, description: f.description.value.trim() };
  if (f.policy_number.value) body.policy_number = f.policy_number.value;
  if (!f.event_date.value) return showError(form, { key: 'error.required', params: { field: { key: 'case.field.event_date' } }, field: 'event_date' });
  body.event_date = f.event_date.value;
  if (!body.description) return showError(form, { key: 'error.required', params: { field: { key: 'case.field.description' } }, field: 'description' });
  const mine = S;
  try {
    const c = await busy(save, () => post('/api/v1/cases', body));
    if (S !== mine) return;
    toast('case.opened_toast', { id: c.id });
    handoff.focus = 'contact';
    S.app.go(`#/cases/${c.id}`);
  } catch (err) {
    if (err.status === 401) return;
    showError(form, err, { policy_number: 'policy_number' });
  }
}
