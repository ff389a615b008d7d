// Messages report (#/reports/messages, supervisors and admins): how the SMS
// and emails of a period ended — by day, channel or reason, with the
// delivery rate —, what they cost per channel (integer minor units, shown
// with money.js through the `money` format), and the contact data to fix:
// persons without a phone, with an invalid one, or whose last SMS failed as
// an invalid number (paged, each row opens the person card).
import { h } from '../dom.js';
import { get } from '../api.js';
import { has } from '../i18n.js';
import { errorMessage } from '../forms.js';
import { personName } from '../cover.js';
import { reportTabs, reportFilters } from './reportbar.js';

const STATES = ['queued', 'sending', 'sent', 'delivered', 'failed', 'expired'];
const KINDS = ['missing_phone', 'invalid_phone', 'failed_invalid'];
const PAGE = 20;

const FILTERS = reportFilters({ id: 'mr', route: '#/reports/messages', by: ['day', 'channel', 'reason'], byKey: (b) => `mrep.by.${b}`, ariaLabel: 'mrep.filters' });

let S = null;

export const msgReportView = {
  mount(main, params, app) {
    S = { app, main, seq: 0, cd: { kind: 'missing_phone', offset: 0, seq: 0 } };
    S.f = FILTERS.parse(params);
    build();
    load();
    loadContactData();
  },

  update(params) {
    if (!S) return;
    const f = FILTERS.parse(params);
    if (JSON.stringify(f) === JSON.stringify(S.f)) return;
    S.f = f;
    sync();
    load();
  },

  unmount() { S = null; },
};

function build() {
  const bar = FILTERS.build((hash) => S.app.go(hash));
  const { form } = bar;
  const body = h('div', { id: 'mr-body', 'aria-live': 'polite' });
  const costs = h('div', { id: 'mr-costs' });
  const cdTabs = h('div', { class: 'tabs', role: 'tablist', id: 'cd-tabs', i18nAttr: { 'aria-label': 'mrep.cd.title' } });
  const cdBody = h('div', { id: 'cd-body', role: 'tabpanel', 'aria-live': 'polite' });
  S.main.replaceChildren(h('div', { class: 'page msgrep-page', dataset: { view: 'msgreport' } },
    reportTabs('messages'),
    h('div', { class: 'page-head' }, h('h1', { i18n: 'mrep.title' })),
    h('p', { class: 'page-intro', i18n: 'mrep.intro' }),
    form,
    h('section', { class: 'report-section', 'aria-labelledby': 'mr-del-h' },
      h('h2', { class: 'section-title', id: 'mr-del-h', i18n: 'mrep.delivery' }), body),
    h('section', { class: 'report-section', 'aria-labelledby': 'mr-cost-h' },
      h('h2', { class: 'section-title', id: 'mr-cost-h', i18n: 'mrep.costs' }), costs),
    h('section', { class: 'report-section card cd-card', id: 'contact-data', 'aria-labelledby': 'cd-h' },
      h('div', { class: 'card-head' }, h('h2', { id: 'cd-h', i18n: 'mrep.cd.title' }), h('p', { i18n: 'mrep.cd.intro' })),
      cdTabs, cdBody)));
  S.els = { form, sync: bar.sync, body, costs, cdTabs, cdBody };
  cdTabs.addEventListener('keydown', (e) => {
    const tabs = [...cdTabs.querySelectorAll('[role="tab"]')];
    const i = tabs.indexOf(document.activeElement);
    if (i < 0) return;
    let j = -1;
    if (e.key === 'ArrowRight') j = (i + 1) % tabs.length;
    else if (e.key === 'ArrowLeft') j = (i - 1 + tabs.length) % tabs.length;
    if (j >= 0) { e.preventDefault(); tabs[j].focus(); tabs[j].click(); }
  });
  sync();
}

function sync() { S.els.sync(S.f); }

const num = (n) => h('span', { fmt: ['number', n || 0] });
const money = (minor, cur) => h('span', { class: 'money', fmt: ['money', `${minor} ${cur}`] });

function errBox(err) {
  const m = errorMessage(err);
  return h('div', { class: 'alert error', role: 'alert', i18n: [m.key, m.params] });
}

async function load() {
  const mine = S, seq = ++S.seq;
  const q = new URLSearchParams({ by: S.f.by });
  if (S.f.from) q.set('from', S.f.from);
  if (S.f.to) q.set('to', S.f.to);
  S.els.body.setAttribute('aria-busy', 'true');
  let data;
  try {
    data = await get(`/api/v1/reports/messages?${q}`);
  } catch (err) {
    if (S !== mine || seq !== S.seq || err.status === 401) return;
    S.els.body.replaceChildren(errBox(err));
    S.els.costs.replaceChildren();
    return;
  }
  if (S !== mine || seq !== S.seq) return;
  S.els.body.removeAttribute('aria-busy');
  render(data);
  renderCosts(data.costs || { channels: [], totals: [] });
}

function keyLabel(key, by) {
  if (by === 'day') return h('time', { fmt: ['date', key] });
  if (by === 'channel') return has(`msg.channel.${key}`) ? h('span', { i18n: `msg.channel.${key}` }) : h('span', null, key);
  if (has(`msg.reason.${key}`)) return h('span', { i18n: `msg.reason.${key}` });
  if (has(`msg.status.${key}`)) return h('span', { i18n: `msg.status.${key}` });
  return h('span', { class: 'mono' }, key || '—');
}

/** delivery_rate is a string with one decimal ("97.5") or null while none ended. */
function rateCell(rate) {
  if (rate == null) return h('span', { class: 'muted', i18n: 'mrep.no_rate' });
  const n = Number(rate);
  const bar = h('span', { class: 'rate-bar', 'aria-hidden': 'true' }, h('span', { class: 'rate-fill' }));
  bar.firstChild.style.width = `${Math.max(0, Math.min(100, n))}%`;
  return h('span', { class: ['rate', n >= 95 ? 'good' : n >= 80 ? 'fair' : 'poor'] },
    bar, h('span', { class: 'rate-val', i18n: ['mrep.rate', { rate: { fmt: 'score', value: rate } }] }));
}

function reasonsCell(reasons) {
  const list = Object.entries(reasons || {}).filter(([, n]) => n).sort((a, b) => b[1] - a[1]);
  if (!list.length) return h('span', { class: 'muted' }, '—');
  return h('span', { class: 'reason-list' }, list.map(([r, n]) => h('span', { class: 'reason-pill', dataset: { reason: r } },
    has(`msg.reason.${r}`) ? h('span', { i18n: `msg.reason.${r}` }) : h('span', null, r), ' ', h('b', null, num(n)))));
}

function render(data) {
  const by = data.by || S.f.by;
  const period = h('p', { class: 'nps-period muted', id: 'mr-period',
    i18n: ['nps.period', { from: { fmt: 'date', value: data.from }, to: { fmt: 'date', value: data.to } }] });
  const groups = data.groups || [];
  if (!groups.length) {
    S.els.body.replaceChildren(period, h('div', { class: 'card' }, h('div', { class: 'empty', dataset: { empty: 'messages' } },
      h('p', { class: 'empty-title', i18n: 'mrep.empty_title' }), h('p', { i18n: 'mrep.empty_text' }))));
    return;
  }
  const tot = data.total || {};
  const rowOf = (g, isTotal) => h('tr', { dataset: { key: isTotal ? 'total' : String(g.key) } },
    h(isTotal ? 'th' : 'td', isTotal ? { scope: 'row' } : null, isTotal ? h('span', { i18n: 'nps.total' }) : keyLabel(g.key, by)),
    h('td', { class: 'num strong' }, num(g.total)),
    STATES.map((s) => h('td', { class: ['num', `col-${s}`, !g[s] && 'zero'] }, num(g[s]))),
    by === 'reason' ? null : h('td', { class: 'reasons-cell' }, reasonsCell(g.reasons)),
    h('td', { class: 'num rate-cell' }, rateCell(g.delivery_rate)));
  S.els.body.replaceChildren(period, h('div', { class: 'table-wrap' }, h('table', { class: 'data msgrep-table', id: 'mr-table' },
    h('caption', { class: 'sr-only', i18n: 'mrep.delivery' }),
    h('thead', null, h('tr', null,
      h('th', { scope: 'col', i18n: `mrep.by.${by}` }),
      h('th', { scope: 'col', class: 'num', i18n: 'mrep.col.total' }),
      STATES.map((s) => h('th', { scope: 'col', class: 'num' },
        h('span', { class: ['state-dot', `msg-${s}`], 'aria-hidden': 'true' }), h('span', { i18n: `msg.status.${s}` }))),
      by === 'reason' ? null : h('th', { scope: 'col', i18n: 'mrep.col.reasons' }),
      h('th', { scope: 'col', class: 'num', i18n: 'mrep.col.rate' }))),
    h('tbody', null, groups.map((g) => rowOf(g, false))),
    h('tfoot', null, rowOf(tot, true)))),
  h('p', { class: 'hint', i18n: 'mrep.legend' }));
}

function renderCosts(c) {
  const rows = c.channels || [];
  S.els.costs.replaceChildren(h('div', { class: 'table-wrap' }, h('table', { class: 'data cost-table', id: 'cost-table' },
    h('caption', { class: 'sr-only', i18n: 'mrep.costs' }),
    h('thead', null, h('tr', null,
      h('th', { scope: 'col', i18n: 'mrep.col.channel' }),
      h('th', { scope: 'col', class: 'num', i18n: 'mrep.col.messages' }),
      h('th', { scope: 'col', class: 'num', i18n: 'mrep.col.billed' }),
      h('th', { scope: 'col', class: 'num', i18n: 'mrep.col.parts' }),
      h('th', { scope: 'col', class: 'num', i18n: 'mrep.col.per_part' }),
      h('th', { scope: 'col', class: 'num', i18n: 'mrep.col.cost' }))),
    h('tbody', null, rows.map((r) => h('tr', { dataset: { channel: r.channel } },
      h('td', null, has(`msg.channel.${r.channel}`) ? h('span', { i18n: `msg.channel.${r.channel}` }) : r.channel),
      h('td', { class: 'num' }, num(r.messages)),
      h('td', { class: 'num' }, num(r.billed_messages)),
      h('td', { class: 'num' }, num(r.parts)),
      h('td', { class: 'num' }, money(r.per_part, r.currency)),
      h('td', { class: 'num strong' }, money(r.cost, r.currency))))),
    h('tfoot', null, (c.totals || []).map((x) => h('tr', { dataset: { currency: x.currency } },
      h('th', { scope: 'row', colspan: '5', i18n: 'mrep.cost_total' }),
      h('td', { class: 'num', id: `cost-total-${x.currency}` }, money(x.cost, x.currency))))))),
  h('p', { class: 'hint', i18n: 'mrep.cost_note' }));
}

// ---------- contact data ----------

async function loadContactData() {
  const mine = S, cd = S.cd, seq = ++cd.seq;
  const q = new URLSearchParams({ kind: cd.kind, limit: String(PAGE), offset: String(cd.offset) });
  S.els.cdBody.setAttribute('aria-busy', 'true');
  let data;
  try {
    data = await get(`/api/v1/reports/contact-data?${q}`);
  } catch (err) {
    if (S !== mine || seq !== cd.seq || err.status === 401) return;
    S.els.cdBody.replaceChildren(errBox(err));
    return;
  }
  if (S !== mine || seq !== cd.seq) return;
  S.els.cdBody.removeAttribute('aria-busy');
  renderContactData(data);
}

function pickKind(kind) {
  if (S.cd.kind === kind) return;
  S.cd.kind = kind;
  S.cd.offset = 0;
  loadContactData();
}

function renderContactData(data) {
  const cd = S.cd, totals = data.totals || {};
  S.els.cdTabs.replaceChildren(...KINDS.map((k) => {
    const sel = k === cd.kind;
    const b = h('button', {
      type: 'button', role: 'tab', class: 'tab', id: `cd-tab-${k}`, 'aria-selected': sel ? 'true' : 'false',
      'aria-controls': 'cd-body', tabindex: sel ? '0' : '-1', dataset: { kind: k },
    }, h('span', { i18n: `mrep.cd.kind.${k}` }), h('span', { class: ['tab-count', totals[k] && 'has'] }, num(totals[k])));
    b.addEventListener('click', () => pickKind(k));
    return b;
  }));
  S.els.cdBody.setAttribute('aria-labelledby', `cd-tab-${cd.kind}`);
  const items = data.items || [];
  if (!items.length) {
    S.els.cdBody.replaceChildren(h('div', { class: 'empty compact', dataset: { empty: `cd-${cd.kind}` } },
      h('p', { class: 'empty-title', i18n: `mrep.cd.empty.${cd.kind}` })));
    return;
  }
  const total = data.total ?? items.length;
  const prev = h('button', { type: 'button', class: 'btn small', disabled: cd.offset <= 0, i18n: 'paging.prev' });
  const next = h('button', { type: 'button', class: 'btn small', disabled: cd.offset + items.length >= total, i18n: 'paging.next' });
  prev.addEventListener('click', () => { cd.offset = Math.max(0, cd.offset - PAGE); loadContactData(); });
  next.addEventListener('click', () => { cd.offset += PAGE; loadContactData(); });
  const when = cd.kind === 'failed_invalid' ? 'failed_at' : 'updated_at';
  S.els.cdBody.replaceChildren(
    h('div', { class: 'table-wrap flat' }, h('table', { class: 'data cd-table', id: 'cd-table' },
      h('thead', null, h('tr', null,
        h('th', { scope: 'col', i18n: 'mrep.cd.col.person' }),
        h('th', { scope: 'col', i18n: 'mrep.cd.col.phone' }),
        h('th', { scope: 'col', i18n: cd.kind === 'failed_invalid' ? 'mrep.cd.col.failed_at' : 'mrep.cd.col.updated_at' }))),
      h('tbody', null, items.map((x) => h('tr', { dataset: { person: String(x.person_id ?? '') } },
        h('td', null, x.person_id
          ? h('a', { href: `#/persons/${x.person_id}`, class: 'person-link' }, personName(x))
          : h('span', null, personName(x))),
        h('td', null, x.phone ? h('span', { class: 'mono' }, x.phone) : h('span', { class: 'muted', i18n: 'mrep.cd.no_phone' })),
        h('td', { class: 'date-cell' }, x[when] ? h('time', { fmt: ['datetime', x[when]] }) : h('span', { class: 'muted' }, '—'))))))),
    h('div', { class: 'list-foot' },
      h('span', { i18n: ['paging.range', { from: cd.offset + 1, to: cd.offset + items.length, total }] }),
      h('nav', { class: 'pager', i18nAttr: { 'aria-label': 'paging.label' } }, prev, next)));
}
