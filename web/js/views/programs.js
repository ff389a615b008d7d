// Insurance programs: the list (#/programs, filterable: by code, name,
// insurer, contract, and by the services a program holds) and the viewer
// (#/programs/CODE): summary, program-wide rules, the tree packages →
// categories → services with the rules at each node, exclusions, and for
// admins an "Edit as JSON" panel that PUTs the program.
import { h, tx, uid } from '../dom.js';
import { get, put } from '../api.js';
import { t, has as hasKey } from '../i18n.js';
import { listKeys } from '../keys.js';
import { showError, clearErrors, busy, ctrlEnterHint, errorMessage } from '../forms.js';
import { toast } from '../toast.js';
import {
  loadProgram, rememberProgram, packageServices, nameEl, categoryEl, unitEl, codeEl, moneyEl,
  rulesAt, ruleEl, matchEl, exclusionLevelEl, rangeEl,
} from '../cover.js';

let S = null;

export const programsView = {
  mount(main, params, app) {
    S = { app, main, code: undefined, items: null, defs: new Map(), filter: '', seq: 0 };
    this.update(params);
  },

  update(params) {
    if (!S) return;
    if (params.code === S.code) return;
    const from = S.code;
    S.code = params.code;
    S.seq++;
    if (S.code) openProgram(S.code);
    else openList(from);
  },

  unmount() { S = null; },

  focusFilter() {
    if (!S || !S.els || !S.els.filter) return false;
    S.els.filter.focus();
    S.els.filter.select();
    return true;
  },

  onEscape(e) {
    if (!S || !S.els) return false;
    const f = S.els.filter;
    if (f && e.target === f && f.value) {
      f.value = '';
      f.dispatchEvent(new Event('input'));
      return true;
    }
    if (S.code) {
      const ta = document.getElementById('program-json');
      if (ta && ta.contains(e.target)) return false;
      S.app.go('#/programs');
      return true;
    }
    return false;
  },
};

// ---------- the list ----------

async function openList(from) {
  const mine = S;
  const filterId = uid('program-filter');
  const filter = h('input', {
    class: 'input', type: 'search', id: filterId, autocomplete: 'off', spellcheck: 'false',
    'aria-keyshortcuts': '/', 'aria-controls': 'programs-table', value: S.filter,
    i18nAttr: { placeholder: 'programs.filter_placeholder' },
  });
  const count = h('span', { class: 'count', 'aria-live': 'polite' });
  const tbody = h('tbody');
  const table = h('table', { class: 'data', id: 'programs-table' },
    h('caption', { class: 'sr-only', i18n: 'programs.title' }),
    h('thead', null, h('tr', null,
      h('th', { scope: 'col', i18n: 'programs.col.code' }),
      h('th', { scope: 'col', i18n: 'programs.col.name' }),
      h('th', { scope: 'col', i18n: 'programs.col.insurer' }),
      h('th', { scope: 'col', i18n: 'programs.col.contract' }),
      h('th', { scope: 'col', class: 'col-currency', i18n: 'programs.col.currency' }),
      h('th', { scope: 'col', class: 'num', i18n: 'programs.col.sum_insured' }),
      h('th', { scope: 'col', class: 'num col-services', i18n: 'programs.col.services' }))),
    tbody);
  const wrap = h('div', { class: 'table-wrap', id: 'programs-table-wrap' }, table);
  const empty = h('div', { class: 'empty', hidden: true });
  const foot = h('div', { class: 'list-foot' },
    h('span', { class: 'keys-hint' },
      h('kbd', null, '↑'), h('kbd', null, '↓'), ' ', h('kbd', null, 'Enter'), ' ', tx('programs.hint_open'), '  ·  ',
      h('kbd', null, '/'), ' ', tx('programs.hint_filter')));
  const page = h('div', { class: 'page wide', dataset: { view: 'programs' } },
    h('section', { class: 'list-page', 'aria-labelledby': 'programs-h' },
      h('div', { class: 'list-head' },
        h('h1', { id: 'programs-h' }, tx('programs.title'), count),
        h('div', { class: 'list-tools' },
          h('div', { class: 'filter', role: 'search' },
            h('label', { for: filterId, class: 'sr-only', i18n: 'programs.filter_label' }),
            filter, h('kbd', { 'aria-hidden': 'true' }, '/')))),
      h('p', { class: 'page-intro', i18n: 'programs.intro' }),
      wrap, empty, foot));
  S.main.replaceChildren(page);
  S.els = { filter, tbody, count, empty, wrap };
  S.list = listKeys(tbody, 'tr.row', (row) => S.app.go(`#/programs/${encodeURIComponent(row.dataset.code)}`));
  filter.addEventListener('input', () => { S.filter = filter.value.trim(); applyFilter(); });
  filter.addEventListener('keydown', (e) => {
    if (e.key === 'ArrowDown' || (e.key === 'Enter' && !e.ctrlKey)) {
      e.preventDefault();
      const first = tbody.querySelector('tr.row:not([hidden])');
      if (first) S.list.focus(first);
    }
  });

  if (!S.items) {
    tbody.replaceChildren(h('tr', null, h('td', { colspan: '7', class: 'muted', i18n: 'common.loading' })));
    try {
      const data = await get('/api/v1/programs');
      if (S !== mine) return;
      S.items = data.items || [];
    } catch (err) {
      if (S !== mine || err.status === 401) return;
      const m = errorMessage(err);
      wrap.hidden = true;
      empty.replaceChildren(h('div', { class: 'alert error', role: 'alert', i18n: [m.key, m.params] }));
      empty.hidden = false;
      return;
    }
  }
  renderRows();
  const back = from && tbody.querySelector(`tr.row[data-code="${CSS.escape(from)}"]`);
  if (back && !back.hidden) S.list.focus(back);
  else filter.focus();
  // details (the services) of each program, for the services column and the filter
  for (const p of S.items) {
    if (S.defs.has(p.code)) continue;
    loadProgram(p.code).then((def) => {
      if (S !== mine) return;
      S.defs.set(p.code, def);
      const row = S.els.tbody.querySelector(`tr.row[data-code="${CSS.escape(p.code)}"]`);
      if (row) fillDetails(row, def);
      if (S.filter) applyFilter();
    }).catch(() => { /* the row keeps what the list gave */ });
  }
}

function programRow(p) {
  const link = h('a', { href: `#/programs/${encodeURIComponent(p.code)}`, tabindex: '-1', 'data-open': true }, p.code);
  const row = h('tr', { class: 'row', tabindex: '-1', dataset: { code: p.code } },
    h('td', { class: 'login-cell mono' }, link),
    h('td', { class: 'prog-name' }, nameEl(p.name)),
    h('td', null, h('span', { class: 'insurer' }, p.insurer.name), ' ', h('span', { class: 'muted small' }, p.insurer.code)),
    h('td', { class: 'contract-cell' }, h('span', { class: 'mono small' }, p.contract_number),
      h('span', { class: 'dates' }, p.contract_starts ? rangeEl(p.contract_starts, p.contract_ends) : null)),
    h('td', { class: 'col-currency mono' }, p.currency),
    h('td', { class: 'num' }, moneyEl(p.sum_insured, p.currency)),
    h('td', { class: 'num col-services services-cell' }, h('span', { class: 'muted' }, '…')));
  const def = S.defs.get(p.code);
  if (def) fillDetails(row, def);
  return row;
}

function fillDetails(row, def) {
  const c = def.contract || {};
  const dates = row.querySelector('.dates');
  if (dates && c.starts) dates.replaceChildren(rangeEl(c.starts, c.ends));
  const sv = row.querySelector('.services-cell');
  if (sv) sv.replaceChildren(h('span', { fmt: ['number', (def.services || []).length] }));
}

function renderRows() {
  S.els.tbody.replaceChildren(...S.items.map(programRow));
  applyFilter();
}

function haystack(p) {
  const parts = [p.code, ...Object.values(p.name || {}), p.insurer.code, p.insurer.name, p.contract_number, p.currency];
  const def = S.defs.get(p.code);
  if (def) {
    for (const s of def.services || []) parts.push(s.code, ...Object.values(s.name || {}));
    for (const k of def.packages || []) parts.push(k.code, ...Object.values(k.name || {}));
  }
  return parts.join('\n').toLocaleLowerCase();
}

function applyFilter() {
  const { tbody, count, empty, wrap } = S.els;
  const words = S.filter.toLocaleLowerCase().split(/\s+/).filter(Boolean);
  let shown = 0;
  for (const row of tbody.querySelectorAll('tr.row')) {
    const p = S.items.find((x) => x.code === row.dataset.code);
    const hay = p ? haystack(p) : '';
    const ok = words.every((w) => hay.includes(w));
    row.hidden = !ok;
    if (ok) shown++;
  }
  S.list.setCurrent(tbody.querySelector('tr.row[tabindex="0"]:not([hidden])') || tbody.querySelector('tr.row:not([hidden])'));
  const total = S.items.length;
  const key = S.filter ? 'programs.count_filtered' : 'programs.count';
  count.dataset.i18n = key;
  count.dataset.i18nParams = JSON.stringify(S.filter ? { shown, total } : { total });
  count.textContent = t(key, JSON.parse(count.dataset.i18nParams));
  wrap.hidden = shown === 0;
  if (shown === 0) {
    if (S.filter) {
      const clearBtn = h('button', { type: 'button', class: 'btn', i18n: 'common.clear_filter' });
      clearBtn.addEventListener('click', () => {
        S.els.filter.value = '';
        S.els.filter.dispatchEvent(new Event('input'));
        S.els.filter.focus();
      });
      empty.replaceChildren(h('p', { class: 'empty-title', i18n: ['programs.no_match_title', { q: S.filter }] }),
        h('p', { i18n: 'programs.no_match_text' }), clearBtn);
    } else {
      empty.replaceChildren(h('p', { class: 'empty-title', i18n: 'programs.empty_title' }),
        h('p', { i18n: 'programs.empty_text' }));
    }
    empty.hidden = false;
  } else {
    empty.hidden = true;
  }
}

// ---------- the viewer ----------

async function openProgram(code, fresh = false) {
  const mine = S;
  const seq = S.seq;
  S.els = null;
  S.main.replaceChildren(h('div', { class: 'page wide', dataset: { view: 'program' } },
    h('p', { class: 'muted', i18n: 'common.loading' })));
  let def;
  try {
    def = await loadProgram(code, { fresh });
  } catch (err) {
    if (S !== mine || seq !== S.seq || err.status === 401) return;
    const m = err.status === 404 ? { key: 'programs.not_found' } : errorMessage(err);
    S.main.replaceChildren(h('div', { class: 'page wide', dataset: { view: 'program' } },
      crumbs(code),
      h('div', { class: 'alert error', role: 'alert', i18n: [m.key, m.params] })));
    return;
  }
  if (S !== mine || seq !== S.seq) return;
  S.defs.set(code, def);
  renderProgram(def);
}

function crumbs(code) {
  return h('nav', { class: 'crumbs', i18nAttr: { 'aria-label': 'common.breadcrumb' } },
    h('a', { href: '#/programs', i18n: 'programs.title' }), h('span', { 'aria-hidden': 'true' }, '›'),
    h('span', { class: 'mono' }, code));
}

function renderProgram(def) {
  const cur = def.contract.currency;
  const filterId = uid('service-filter');
  const filter = h('input', {
    class: 'input', type: 'search', id: filterId, autocomplete: 'off', spellcheck: 'false',
    'aria-keyshortcuts': '/', 'aria-controls': 'program-tree',
    i18nAttr: { placeholder: 'programs.service_filter_placeholder' },
  });
  const expand = h('button', { type: 'button', class: 'btn small', i18n: 'programs.expand_all' });
  const collapse = h('button', { type: 'button', class: 'btn small', i18n: 'programs.collapse_all' });
  const tree = h('div', { class: 'tree', id: 'program-tree' }, treeNodes(def, cur));
  const noMatch = h('div', { class: 'empty', hidden: true });

  const programRules = rulesAt(def, { program: true });
  const exclusions = (def.exclusions || []);
  const c = def.contract;

  const page = h('div', { class: 'page wide', dataset: { view: 'program', code: def.code } },
    crumbs(def.code),
    h('div', { class: 'page-head' },
      h('h1', { id: 'program-title', tabindex: '-1' }, nameEl(def.name)),
      h('span', { class: 'badge code-badge mono' }, def.code),
      h('span', { class: 'sub', i18n: ['programs.version', { n: def.version }] })),
    h('section', { class: 'card summary-card', 'aria-label': t('programs.summary') },
      h('dl', { class: 'summary' },
        fact('programs.insurer', [h('span', null, def.insurer.name), ' ', h('span', { class: 'muted' }, def.insurer.code)]),
        fact('programs.contract', [h('span', { class: 'mono' }, c.number), h('br'), rangeEl(c.starts, c.ends)]),
        fact('programs.currency', h('span', { class: 'mono' }, c.currency)),
        fact('programs.sum_insured', moneyEl(def.sum_insured, cur, { class: 'big' }), 'sum-insured'),
        fact('programs.counts', h('span', { i18n: ['programs.counts_text', {
          packages: (def.packages || []).length, services: (def.services || []).length,
        }] })))),
    h('div', { class: 'program-grid' },
      h('section', { class: 'card tree-card', 'aria-labelledby': 'tree-h' },
        h('div', { class: 'card-head row-head' },
          h('h2', { id: 'tree-h', i18n: 'programs.tree_title' }),
          h('div', { class: 'tools' },
            h('div', { class: 'filter', role: 'search' },
              h('label', { for: filterId, class: 'sr-only', i18n: 'programs.service_filter_label' }),
              filter, h('kbd', { 'aria-hidden': 'true' }, '/')),
            expand, collapse)),
        tree, noMatch),
      h('div', { class: 'side-col' },
        h('section', { class: 'card', 'aria-labelledby': 'wide-h', id: 'program-rules' },
          h('div', { class: 'card-head' }, h('h2', { id: 'wide-h', i18n: 'programs.program_rules' }),
            h('p', { i18n: 'programs.program_rules_text' })),
          h('ul', { class: 'rules' },
            h('li', { class: 'rule rule-sum', dataset: { rule: 'sum_insured' } },
              h('span', { class: 'rule-kind', i18n: 'rule.sum_insured' }), ' ',
              h('span', { i18n: ['programs.sum_insured_text', { value: { fmt: 'money', value: `${def.sum_insured} ${cur}` } }] })),
            programRules.map((r) => ruleEl(r, def, cur)))),
        h('section', { class: 'card', 'aria-labelledby': 'excl-h', id: 'program-exclusions' },
          h('div', { class: 'card-head' }, h('h2', { id: 'excl-h', i18n: 'programs.exclusions' }),
            h('p', { i18n: 'programs.exclusions_text' })),
          exclusions.length
            ? h('ul', { class: 'excl-list', id: 'exclusions-list' }, exclusions.map((x) => h('li', { class: 'excl', dataset: { level: x.level } },
              h('div', { class: 'excl-head' },
                h('span', { class: 'rule-kind excl-level' }, exclusionLevelEl(x, def)),
                h('span', { class: 'excl-match' }, matchEl(x.match, def))),
              h('p', { class: 'excl-reason' }, nameEl(x.reason)))))
            : h('p', { class: 'muted', i18n: 'programs.no_exclusions' })),
        S.app.user.role === 'admin' ? editCard(def) : null)));

  S.main.replaceChildren(page);
  S.els = { filter, tree, noMatch };

  filter.addEventListener('input', () => filterTree(filter.value));
  filter.addEventListener('keydown', (e) => {
    if (e.key === 'Enter') e.preventDefault();
  });
  expand.addEventListener('click', () => tree.querySelectorAll('details').forEach((d) => { d.open = true; }));
  collapse.addEventListener('click', () => tree.querySelectorAll('details').forEach((d) => { d.open = false; }));
  document.getElementById('program-title').focus({ preventScroll: true });
}

function fact(key, value, id) {
  return h('div', { class: 'fact', dataset: id ? { fact: id } : null }, h('dt', { i18n: key }), h('dd', null, value));
}

function rulesList(rules, def, cur) {
  return rules.length ? h('ul', { class: 'rules' }, rules.map((r) => ruleEl(r, def, cur))) : null;
}

/** packages → categories → services, with the rules at each node. */
function treeNodes(def, cur) {
  const out = [];
  const inSome = new Set();
  for (const pkg of def.packages || []) {
    const services = packageServices(def, pkg);
    services.forEach((s) => inSome.add(s.code));
    const wholeCats = new Set(pkg.categories || []);
    const cats = [];
    for (const s of services) if (!cats.includes(s.category)) cats.push(s.category);
    out.push(h('details', { class: 'tree-pkg', open: true, dataset: { package: pkg.code } },
      h('summary', null,
        h('span', { class: 'node-title' }, nameEl(pkg.name)), codeEl(pkg.code),
        h('span', { class: 'node-meta', i18n: ['programs.n_services', { n: services.length }] })),
      h('div', { class: 'node-body' },
        rulesList(rulesAt(def, { package: pkg.code }), def, cur),
        cats.map((cat) => h('div', { class: 'tree-cat', dataset: { category: cat } },
          h('div', { class: 'cat-head' },
            h('span', { class: 'cat-name' }, categoryEl(cat)),
            hasKey(`category.${cat}`) ? codeEl(cat) : null,
            wholeCats.has(cat) ? null : h('span', { class: 'node-meta', i18n: 'programs.selected_services' })),
          rulesList(rulesAt(def, { category: cat }), def, cur),
          h('ul', { class: 'svc-list' }, services.filter((s) => s.category === cat).map((s) => serviceNode(s, def, cur))))))));
  }
  const outside = (def.services || []).filter((s) => !inSome.has(s.code));
  if (outside.length) {
    out.push(h('details', { class: 'tree-pkg outside', open: true, dataset: { package: '' } },
      h('summary', null, h('span', { class: 'node-title', i18n: 'programs.outside' })),
      h('div', { class: 'node-body' },
        h('p', { class: 'muted small', i18n: 'programs.outside_text' }),
        h('ul', { class: 'svc-list' }, outside.map((s) => serviceNode(s, def, cur))))));
  }
  return out;
}

function serviceNode(s, def, cur) {
  const hay = [s.code, ...Object.values(s.name || {})].join('\n').toLocaleLowerCase();
  return h('li', { class: 'svc', dataset: { service: s.code, hay } },
    h('div', { class: 'svc-head' },
      h('span', { class: 'svc-name' }, nameEl(s.name)), codeEl(s.code),
      s.unit ? h('span', { class: 'node-meta' }, h('span', { i18n: 'programs.unit' }), ' ', unitEl(s.unit)) : null),
    rulesList(rulesAt(def, { service: s.code }), def, cur));
}

function filterTree(q) {
  const { tree, noMatch } = S.els;
  const words = q.trim().toLocaleLowerCase().split(/\s+/).filter(Boolean);
  let any = 0;
  for (const pkg of tree.querySelectorAll('.tree-pkg')) {
    let inPkg = 0;
    for (const cat of pkg.querySelectorAll('.tree-cat')) {
      let inCat = 0;
      for (const li of cat.querySelectorAll('li.svc')) {
        const ok = words.every((w) => li.dataset.hay.includes(w));
        li.hidden = !ok;
        li.classList.toggle('hit', ok && words.length > 0);
        if (ok) inCat++;
      }
      cat.hidden = inCat === 0;
      inPkg += inCat;
    }
    for (const li of pkg.querySelectorAll(':scope > .node-body > .svc-list > li.svc')) {
      const ok = words.every((w) => li.dataset.hay.includes(w));
      li.hidden = !ok;
      li.classList.toggle('hit', ok && words.length > 0);
      if (ok) inPkg++;
    }
    pkg.hidden = inPkg === 0;
    if (words.length && inPkg) pkg.open = true;
    any += inPkg;
  }
  if (!any) {
    noMatch.replaceChildren(h('p', { class: 'empty-title', i18n: ['programs.no_service_title', { q: q.trim() }] }),
      h('p', { i18n: 'programs.no_service_text' }));
  }
  noMatch.hidden = any > 0;
}

// ---------- admin: edit as JSON ----------

function editable(def) {
  const { version: _v, created_at: _c, updated_at: _u, ...body } = def;
  return JSON.stringify(body, null, 2);
}

function editCard(def) {
  const ta = h('textarea', {
    class: 'input code-area', id: 'program-json', name: 'program', rows: '18', spellcheck: 'false',
    autocomplete: 'off', 'aria-describedby': 'program-json-hint program-json-err',
  });
  ta.value = editable(def);
  const save = h('button', { type: 'submit', class: 'btn primary', i18n: 'programs.save_json' });
  const reset = h('button', { type: 'button', class: 'btn', i18n: 'programs.reset_json' });
  const form = h('form', { class: 'form', id: 'program-json-form', novalidate: true },
    h('div', { class: 'field', dataset: { field: 'program' } },
      h('label', { for: 'program-json', i18n: 'programs.json_label' }),
      ta,
      h('p', { class: 'hint', id: 'program-json-hint', i18n: 'programs.json_hint' }),
      h('p', { class: 'field-error', id: 'program-json-err', hidden: true }),
      h('p', { class: 'error-detail mono', id: 'program-json-detail', hidden: true })),
    h('div', { class: 'form-actions' }, save, reset, ctrlEnterHint()));
  const detail = form.querySelector('#program-json-detail');
  const clear = () => { clearErrors(form); detail.hidden = true; detail.textContent = ''; };
  reset.addEventListener('click', () => { ta.value = editable(def); clear(); });
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clear();
    let body;
    try {
      body = JSON.parse(ta.value);
    } catch (err) {
      showError(form, { key: 'programs.json_invalid', params: { message: err.message }, field: 'program' });
      return;
    }
    if (!body || typeof body !== 'object' || Array.isArray(body)) {
      showError(form, { key: 'programs.json_not_object', field: 'program' });
      return;
    }
    if (body.code !== def.code) {
      showError(form, { key: 'programs.json_code_changed', params: { code: def.code }, field: 'program' });
      return;
    }
    const mine = S;
    try {
      const saved = await busy(save, () => put(`/api/v1/programs/${encodeURIComponent(def.code)}`, body));
      if (S !== mine) return;
      toast('toast.program_saved', { code: def.code });
      const fresh = saved && saved.services ? saved : await loadProgram(def.code, { fresh: true });
      rememberProgram(fresh);
      S.items = null;
      S.seq++;
      openProgram(def.code);
    } catch (err) {
      if (err.status === 401) return;
      // the field at fault is inside the JSON ("limits[3].scope"): the message names it,
      // and the server's own words follow for the detail
      const m = errorMessage(err);
      showError(form, { ...m, field: 'program' });
      if (err.message && err.code !== 'network') {
        detail.textContent = err.message;
        detail.hidden = false;
      }
    }
  });
  return h('section', { class: 'card', 'aria-labelledby': 'json-h', id: 'program-edit' },
    h('details', { class: 'disclosure', id: 'program-json-details' },
      h('summary', null, h('h2', { id: 'json-h', i18n: 'programs.edit_json' })),
      h('div', { class: 'disclosure-body' },
        h('p', { class: 'muted small mb', i18n: 'programs.edit_json_text' }),
        form)));
}
