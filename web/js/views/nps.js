// NPS report (#/reports/nps, supervisors and admins): quality answers by
// month, manager or insurer over a period — responses, promoters (9–10),
// passives (7–8), detractors (0–6), NPS and the mean score.
import { h } from '../dom.js';
import { get } from '../api.js';
import { errorMessage } from '../forms.js';
import { reportTabs, reportFilters } from './reportbar.js';

const FILTERS = reportFilters({ id: 'nps', route: '#/reports/nps', by: ['month', 'manager', 'insurer'], byKey: (b) => `nps.by.${b}`, ariaLabel: 'nps.filters' });

let S = null;

export const npsView = {
  mount(main, params, app) {
    S = { app, main, seq: 0 };
    S.f = FILTERS.parse(params);
    build();
    load();
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
  const body = h('div', { id: 'nps-body', 'aria-live': 'polite' });
  S.main.replaceChildren(h('div', { class: 'page nps-page', dataset: { view: 'nps' } },
    reportTabs('nps'),
    h('div', { class: 'page-head' }, h('h1', { i18n: 'nps.title' })),
    h('p', { class: 'page-intro', i18n: 'nps.intro' }),
    form,
    body));
  S.els = { form, sync: bar.sync, body };
  sync();
}

function sync() { S.els.sync(S.f); }

async function load() {
  const mine = S, seq = ++S.seq;
  const q = new URLSearchParams({ by: S.f.by });
  if (S.f.from) q.set('from', S.f.from);
  if (S.f.to) q.set('to', S.f.to);
  S.els.body.setAttribute('aria-busy', 'true');
  let data;
  try {
    data = await get(`/api/v1/reports/nps?${q}`);
  } catch (err) {
    if (S !== mine || seq !== S.seq || err.status === 401) return;
    const m = errorMessage(err);
    S.els.body.replaceChildren(h('div', { class: 'alert error', role: 'alert', i18n: [m.key, m.params] }));
    return;
  }
  if (S !== mine || seq !== S.seq) return;
  S.els.body.removeAttribute('aria-busy');
  render(data);
}

/** NPS −100…100 as a bar from the middle: right and green above zero, left and red below. */
function npsBar(n) {
  const fill = h('span', { class: ['nps-fill', n >= 0 ? 'pos' : 'neg'] });
  fill.style.width = `${Math.min(50, Math.abs(n) / 2)}%`;
  return h('span', { class: 'nps-bar', 'aria-hidden': 'true' }, h('span', { class: 'nps-mid' }), fill);
}

const num = (n) => h('span', { fmt: ['number', n] });

function npsCell(n, responses) {
  if (!responses) return h('span', { class: 'muted' }, '—');
  return h('span', { class: ['nps-val', n > 0 ? 'pos' : n < 0 ? 'neg' : 'zero'] }, n > 0 ? '+' : '', num(n));
}

function label(g, by) {
  if (by === 'month') return h('span', { fmt: ['month', g.key] });
  if (by === 'manager') return h('span', null, g.label || g.key, g.label ? h('span', { class: 'muted small' }, ` ${g.key}`) : null);
  return h('span', null, g.label || g.key, h('span', { class: 'muted small' }, ` ${g.key}`));
}

function render(data) {
  const by = data.by || S.f.by;
  const period = h('p', { class: 'nps-period muted', id: 'nps-period',
    i18n: ['nps.period', { from: { fmt: 'date', value: data.from }, to: { fmt: 'date', value: data.to } }] });
  const groups = data.groups || [];
  if (!groups.length) {
    S.els.body.replaceChildren(period, h('div', { class: 'card' }, h('div', { class: 'empty', dataset: { empty: 'nps' } },
      h('p', { class: 'empty-title', i18n: 'nps.empty_title' }), h('p', { i18n: 'nps.empty_text' }))));
    return;
  }
  const tot = data.total || {};
  const rowOf = (g, isTotal) => h('tr', { dataset: { key: isTotal ? 'total' : g.key } },
    h(isTotal ? 'th' : 'td', isTotal ? { scope: 'row' } : null, isTotal ? h('span', { i18n: 'nps.total' }) : label(g, by)),
    h('td', { class: 'num' }, num(g.responses)),
    h('td', { class: 'num' }, num(g.promoters)),
    h('td', { class: 'num' }, num(g.passives)),
    h('td', { class: 'num' }, num(g.detractors)),
    h('td', { class: 'num nps-cell' }, npsCell(g.nps, g.responses)),
    h('td', { class: 'bar-cell' }, g.responses ? npsBar(g.nps) : null),
    h('td', { class: 'num' }, g.responses && g.mean_score != null ? h('span', { fmt: ['score', g.mean_score] }) : '—'));
  S.els.body.replaceChildren(period, h('div', { class: 'table-wrap' }, h('table', { class: 'data nps-table', id: 'nps-table' },
    h('caption', { class: 'sr-only', i18n: 'nps.title' }),
    h('thead', null, h('tr', null,
      h('th', { scope: 'col', i18n: `nps.by.${by}` }),
      h('th', { scope: 'col', class: 'num', i18n: 'nps.col.responses' }),
      h('th', { scope: 'col', class: 'num', i18n: 'nps.col.promoters' }),
      h('th', { scope: 'col', class: 'num', i18n: 'nps.col.passives' }),
      h('th', { scope: 'col', class: 'num', i18n: 'nps.col.detractors' }),
      h('th', { scope: 'col', class: 'num', i18n: 'nps.col.nps' }),
      h('th', { scope: 'col', class: 'bar-cell' }, h('span', { class: 'sr-only', i18n: 'nps.col.bar' })),
      h('th', { scope: 'col', class: 'num', i18n: 'nps.col.mean' }))),
    h('tbody', null, groups.map((g) => rowOf(g, false))),
    h('tfoot', null, rowOf(tot, true)))),
  h('p', { class: 'hint nps-legend', i18n: 'nps.legend' }));
}
