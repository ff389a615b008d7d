// What every report screen (NPS, Messages) shares: the tabs of the Reports
// section, and the filter bar — group by (radios) and a period from/to —
// kept in the URL (#/reports/NAME?by=&from=&to=).
import { h } from '../dom.js';
import { today } from '../cover.js';

/** The tabs of the Reports section, shown on every report screen. */
export function reportTabs(current) {
  return h('nav', { class: 'report-tabs', i18nAttr: { 'aria-label': 'reports.label' } },
    [['nps', '#/reports/nps', 'reports.nps'], ['messages', '#/reports/messages', 'reports.messages']].map(([id, href, key]) =>
      h('a', { href, class: 'report-tab', dataset: { report: id }, 'aria-current': id === current ? 'page' : null, i18n: key })));
}

const ymd = (s) => (/^\d{4}-\d{2}-\d{2}$/.test(s || '') ? s : '');

/**
 * The filter bar of one report. opts: id (prefix of element ids), route
 * ('#/reports/nps'), by (the groupings, the first is the default), byKey(b)
 * (its label's i18n key), ariaLabel (the form's i18n key).
 * Returns parse(params) → {by, from, to}, hashOf(f), and build(go) →
 * {form, sync(f)}: go(hash) is called when the user changes a filter.
 */
export function reportFilters({ id, route, by, byKey, ariaLabel }) {
  const parse = (p) => ({ by: by.includes(p.by) ? p.by : by[0], from: ymd(p.from), to: ymd(p.to) });
  const hashOf = (f) => {
    const q = new URLSearchParams();
    if (f.by !== by[0]) q.set('by', f.by);
    if (f.from) q.set('from', f.from);
    if (f.to) q.set('to', f.to);
    const s = q.toString();
    return s ? `${route}?${s}` : route;
  };
  const build = (go) => {
    const radios = h('div', { class: 'segmented radios', role: 'radiogroup', 'aria-labelledby': `${id}-by-l` },
      by.map((b) => h('span', { class: 'seg-radio' },
        h('input', { type: 'radio', name: 'by', id: `${id}-by-${b}`, value: b }),
        h('label', { for: `${id}-by-${b}`, i18n: byKey(b) }))));
    const from = h('input', { class: 'input', type: 'date', name: 'from', id: `${id}-from` });
    const to = h('input', { class: 'input', type: 'date', name: 'to', id: `${id}-to`, max: today() });
    const form = h('form', { class: 'filters-bar', id: `${id}-filters`, i18nAttr: { 'aria-label': ariaLabel } },
      h('div', { class: 'filter-field' }, h('span', { class: 'field-label', id: `${id}-by-l`, i18n: 'nps.group_by' }), radios),
      h('div', { class: 'filter-field' }, h('label', { for: `${id}-from`, i18n: 'cases.filter.from' }), from),
      h('div', { class: 'filter-field' }, h('label', { for: `${id}-to`, i18n: 'cases.filter.to' }), to));
    form.addEventListener('submit', (e) => e.preventDefault());
    form.addEventListener('change', () => {
      go(hashOf({ by: form.querySelector('input[name="by"]:checked')?.value || by[0], from: from.value, to: to.value }));
    });
    const sync = (f) => {
      for (const r of radios.querySelectorAll('input')) r.checked = r.value === f.by;
      from.value = f.from;
      to.value = f.to;
    };
    return { form, sync };
  };
  return { parse, hashOf, build };
}
