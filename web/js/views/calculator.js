// The coverage calculator (#/coverage, #/coverage?policy=N&date=D): a
// what-if for a policy, a date and service lines (POST
// /api/v1/coverage/evaluate): per line the covered quantity and amount, what
// the insured pays, why, and the limits it touches (remaining before →
// after); totals. Nothing is stored. Keys: Enter in a line adds a line,
// Ctrl+Enter evaluates, Ctrl+Delete removes the line.
import { h, tx, uid } from '../dom.js';
import { get, post } from '../api.js';
import { t, locale, has } from '../i18n.js';
import { showError, clearErrors, busy, errorMessage } from '../forms.js';
import { parseMoney, currencySymbol, currencyDigits, fmtMoneyPlain } from '../money.js';
import {
  loadProgram, serviceOf, policyServices, nameEl, codeEl, moneyEl, scopeEl, measureValueEl, unitEl,
  personName, today, rangeEl, policyStatusBadge,
} from '../cover.js';

let S = null;

export const calculatorView = {
  mount(main, params, app) {
    S = { app, main, pol: null, def: null, result: null, lineSeq: 0, loadSeq: 0 };
    // labels made with t() (line inputs, currency signs) follow a language switch
    S.onLang = () => {
      if (!S) return;
      renumber();
      for (const tr of S.els.lines.querySelectorAll('tr.line')) lineChanged(tr);
    };
    document.addEventListener('langchange', S.onLang);
    build();
    this.update(params, true);
  },

  update(params, first = false) {
    if (!S) return;
    const f = S.els.form.elements;
    if (params.date && /^\d{4}-\d{2}-\d{2}$/.test(params.date)) f.date.value = params.date;
    if (params.policy) {
      f.policy_number.value = params.policy;
      loadPolicy(params.policy).then((ok) => {
        if (ok && S) firstService()?.focus();
      });
    } else if (first) {
      f.policy_number.focus();
    }
  },

  unmount() {
    if (S) document.removeEventListener('langchange', S.onLang);
    S = null;
  },

  focusFilter() {
    if (!S) return false;
    S.els.form.elements.policy_number.focus();
    S.els.form.elements.policy_number.select();
    return true;
  },
};

const firstService = () => S.els.lines.querySelector('input[data-col="service"]');

// ---------- the form ----------

function build() {
  const polId = uid('calc-policy');
  const policy = h('input', {
    class: 'input mono-input', type: 'text', id: polId, name: 'policy_number', autocomplete: 'off',
    spellcheck: 'false', autocapitalize: 'characters', 'aria-describedby': `${polId}-err`,
    i18nAttr: { placeholder: 'policies.find_placeholder' },
  });
  const date = h('input', { class: 'input', type: 'date', id: uid('calc-date'), name: 'date', value: today(), required: true });
  const caseId = h('input', { class: 'input', type: 'text', inputmode: 'numeric', id: uid('calc-case'), name: 'case_id', autocomplete: 'off' });
  const provider = h('input', { class: 'input mono-input', type: 'text', id: uid('calc-provider'), name: 'provider', autocomplete: 'off', spellcheck: 'false', maxlength: '64' });
  const diagnosis = h('input', {
    class: 'input mono-input', type: 'text', id: uid('calc-diag'), name: 'diagnosis', autocomplete: 'off',
    spellcheck: 'false', maxlength: '8', autocapitalize: 'characters', i18nAttr: { placeholder: 'calc.diagnosis_placeholder' },
  });
  const fieldOf = (input, label, hint) => h('div', { class: 'field', dataset: { field: input.name } },
    h('label', { for: input.id, i18n: label }), input,
    hint ? h('p', { class: 'hint', id: `${input.id}-hint`, i18n: hint }) : null,
    h('p', { class: 'field-error', id: `${input.id}-err`, hidden: true }));
  for (const i of [date, caseId, provider, diagnosis]) i.setAttribute('aria-describedby', `${i.id}-err`);

  const summary = h('div', { class: 'policy-summary', id: 'calc-policy-summary', 'aria-live': 'polite' });
  const datalist = h('datalist', { id: 'calc-services' });
  const lines = h('tbody', { id: 'calc-lines' });
  const addBtn = h('button', { type: 'button', class: 'btn', id: 'add-line' },
    h('span', { i18n: 'calc.add_line' }), h('kbd', { 'aria-hidden': 'true' }, 'Enter'));
  const evalBtn = h('button', { type: 'submit', class: 'btn primary', id: 'evaluate' },
    h('span', { i18n: 'calc.evaluate' }), h('span', { class: 'kbd-pair', 'aria-hidden': 'true' }, h('kbd', null, 'Ctrl'), h('kbd', null, 'Enter')));
  const clearBtn = h('button', { type: 'button', class: 'btn', i18n: 'calc.clear_lines' });
  const totalLine = h('span', { class: 'lines-total', id: 'lines-total', 'aria-live': 'polite' });

  const form = h('form', { class: 'calc-form', id: 'calc-form', novalidate: true },
    h('section', { class: 'card', 'aria-labelledby': 'calc-who-h' },
      h('h2', { class: 'sr-only', id: 'calc-who-h', i18n: 'calc.request' }),
      h('div', { class: 'calc-head' },
        h('div', { class: 'calc-policy' }, fieldOf(policy, 'field.policy_number'), summary),
        fieldOf(date, 'calc.date'),
        fieldOf(caseId, 'calc.case_id', 'calc.case_hint'),
        fieldOf(provider, 'calc.provider', 'calc.provider_hint'),
        fieldOf(diagnosis, 'calc.diagnosis', 'calc.diagnosis_hint'))),
    h('section', { class: 'card', 'aria-labelledby': 'calc-lines-h' },
      h('div', { class: 'card-head row-head' },
        h('h2', { id: 'calc-lines-h', i18n: 'calc.lines' }),
        h('p', { class: 'keys-hint' },
          h('kbd', null, 'Enter'), ' ', tx('calc.hint_add'), '  ·  ',
          h('kbd', null, 'Ctrl'), '+', h('kbd', null, 'Enter'), ' ', tx('calc.hint_evaluate'), '  ·  ',
          h('kbd', null, 'Ctrl'), '+', h('kbd', null, 'Delete'), ' ', tx('calc.hint_remove'))),
      datalist,
      h('div', { class: 'table-wrap flat' },
        h('table', { class: 'data lines-table', id: 'calc-lines-table' },
          h('thead', null, h('tr', null,
            h('th', { scope: 'col', class: 'num col-n' }, '#'),
            h('th', { scope: 'col', class: 'col-service', i18n: 'calc.col.service' }),
            h('th', { scope: 'col', class: 'num col-qty', i18n: 'calc.col.quantity' }),
            h('th', { scope: 'col', class: 'num col-price', i18n: 'calc.col.unit_price' }),
            h('th', { scope: 'col', class: 'num col-amount', i18n: 'calc.col.amount' }),
            h('th', { scope: 'col', class: 'col-x' }, h('span', { class: 'sr-only', i18n: 'common.actions' })))),
          lines)),
      h('div', { class: 'form-actions lines-actions' }, addBtn, clearBtn, totalLine, h('span', { class: 'spacer' }), evalBtn)));

  const result = h('section', { class: 'card result-card', id: 'calc-result', 'aria-labelledby': 'calc-result-h', hidden: true, tabindex: '-1' });

  S.main.replaceChildren(h('div', { class: 'page wide', dataset: { view: 'calculator' } },
    h('div', { class: 'page-head' },
      h('h1', { i18n: 'calc.title' }),
      h('span', { class: 'sub', i18n: 'calc.subtitle' })),
    form, result));
  S.els = { form, policy, summary, datalist, lines, result, totalLine, date };

  addLine();

  policy.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && !e.ctrlKey && !e.metaKey) {
      e.preventDefault();
      loadPolicy(policy.value.trim()).then((ok) => { if (ok && S) firstService()?.focus(); });
    }
  });
  policy.addEventListener('change', () => { if (policy.value.trim() && policy.value.trim() !== S.pol?.number) loadPolicy(policy.value.trim()); });
  addBtn.addEventListener('click', () => addLine(null, true));
  clearBtn.addEventListener('click', () => {
    lines.replaceChildren();
    addLine(null, true);
    hideResult();
  });
  date.addEventListener('change', () => { if (S.pol) renderSummary(); });
  form.addEventListener('submit', (e) => { e.preventDefault(); evaluate(evalBtn); });
  form.addEventListener('input', (e) => {
    const tr = e.target.closest('tr.line');
    if (tr) lineChanged(tr);
  });
}

// ---------- policy ----------

async function loadPolicy(number) {
  const { form, summary } = S.els;
  const mine = S;
  const seq = ++S.loadSeq;
  clearErrors(form);
  if (!number) {
    S.pol = null;
    summary.replaceChildren();
    return false;
  }
  summary.replaceChildren(h('span', { class: 'muted', i18n: 'common.loading' }));
  let pol;
  try {
    pol = await get(`/api/v1/policies/${encodeURIComponent(number)}`);
  } catch (err) {
    if (S !== mine || seq !== S.loadSeq || err.status === 401) return false;
    S.pol = null;
    summary.replaceChildren();
    if (err.status === 404) showError(form, { key: 'policies.not_found', params: { number }, field: 'policy_number' });
    else showError(form, { ...errorMessage(err), field: 'policy_number' });
    return false;
  }
  let def = null;
  try { def = await loadProgram(pol.program); } catch { /* codes only */ }
  if (S !== mine || seq !== S.loadSeq) return false;
  S.pol = pol;
  S.def = def;
  form.elements.policy_number.value = pol.number;
  renderSummary();
  fillDatalist();
  for (const tr of S.els.lines.querySelectorAll('tr.line')) lineChanged(tr);
  if (S.result && S.result.policy_number !== pol.number) hideResult();
  return true;
}

function renderSummary() {
  const pol = S.pol;
  const date = S.els.form.elements.date.value || today();
  const active = pol.status === 'active' && pol.start_date <= date && date <= pol.end_date;
  S.els.summary.replaceChildren(
    h('div', { class: 'sum-line' },
      h('a', { href: `#/policies/${encodeURIComponent(pol.number)}`, class: 'person-link' }, personName(pol.person)),
      policyStatusBadge(pol.status),
      active ? null : h('span', { class: 'badge warn-badge', i18n: ['calc.not_active_on', { date: { fmt: 'date', value: date } }] })),
    h('div', { class: 'sum-line muted' },
      S.def ? nameEl(S.def.name) : codeEl(pol.program),
      h('span', { class: 'sep', 'aria-hidden': 'true' }, '·'),
      rangeEl(pol.start_date, pol.end_date)));
}

function fillDatalist() {
  const { datalist } = S.els;
  if (!S.def) { datalist.replaceChildren(); return; }
  const services = policyServices(S.def, S.pol.packages);
  datalist.replaceChildren(...services.map((s) => h('option', { value: s.code, fmt: ['name', JSON.stringify(s.name)] })));
}

// ---------- lines ----------

function currency() { return S.pol ? S.pol.currency : 'XXX'; }

function addLine(after = null, focus = false) {
  const n = ++S.lineSeq;
  const svc = h('input', {
    class: 'input mono-input', type: 'text', list: 'calc-services', autocomplete: 'off', spellcheck: 'false',
    autocapitalize: 'characters', dataset: { col: 'service' }, id: `line-${n}-service`,
  });
  const qty = h('input', { class: 'input num-input', type: 'text', inputmode: 'numeric', value: '1', autocomplete: 'off', dataset: { col: 'quantity' }, id: `line-${n}-qty` });
  const price = h('input', { class: 'input num-input', type: 'text', inputmode: 'decimal', autocomplete: 'off', dataset: { col: 'unit_price' }, id: `line-${n}-price` });
  const cur = h('span', { class: 'cur', 'aria-hidden': 'true' }, S.pol ? currencySymbol(currency(), locale()) : '');
  const remove = h('button', {
    type: 'button', class: 'icon-btn', 'aria-keyshortcuts': 'Control+Delete',
    i18nAttr: { 'aria-label': 'calc.remove_line', title: 'calc.remove_line' },
  }, '×');
  const cell = (input, extra) => h('div', { class: 'field' }, input, extra, h('p', { class: 'field-error', id: `${input.id}-err`, hidden: true }));
  svc.setAttribute('aria-describedby', `${svc.id}-name ${svc.id}-err`);
  qty.setAttribute('aria-describedby', `${qty.id}-err`);
  price.setAttribute('aria-describedby', `${price.id}-err`);
  const tr = h('tr', { class: 'line', dataset: { line: String(n) } },
    h('td', { class: 'num col-n line-no' }),
    h('td', { class: 'col-service' }, cell(svc, h('span', { class: 'svc-name', id: `${svc.id}-name` }))),
    h('td', { class: 'num col-qty' }, cell(qty)),
    h('td', { class: 'num col-price' }, cell(h('div', { class: 'money-input' }, price, cur))),
    h('td', { class: 'num col-amount line-amount' }),
    h('td', { class: 'col-x' }, remove));
  // the price field's error box: cell() wrapped the money-input, give the error the price's id
  tr.querySelector('.col-price .field-error').id = `${price.id}-err`;
  remove.addEventListener('click', () => removeLine(tr));
  // a price that parses is shown back the locale's way: "4500.5" → "4 500,50"
  price.addEventListener('blur', () => {
    const p = S && S.pol ? parseMoney(price.value, currency()) : null;
    if (p && p.ok) price.value = fmtMoneyPlain(p.minor, currency(), locale(), true);
  });
  tr.addEventListener('keydown', (e) => {
    if (!e.target.matches('input')) return;
    if (e.key === 'Enter' && !e.ctrlKey && !e.metaKey && !e.shiftKey && !e.altKey) {
      e.preventDefault();
      addLine(tr, true);
    } else if (e.key === 'Delete' && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      removeLine(tr, true);
    }
  });
  if (after) after.after(tr); else S.els.lines.append(tr);
  renumber();
  lineChanged(tr);
  if (focus) svc.focus();
  return tr;
}

function removeLine(tr, keyboard = false) {
  const rows = [...S.els.lines.querySelectorAll('tr.line')];
  const i = rows.indexOf(tr);
  if (rows.length === 1) {
    // the last line is emptied, not removed
    for (const inp of tr.querySelectorAll('input')) inp.value = inp.dataset.col === 'quantity' ? '1' : '';
    lineChanged(tr);
    tr.querySelector('input').focus();
    return;
  }
  tr.remove();
  renumber();
  updateTotal();
  const next = rows[i + 1] || rows[i - 1];
  if (next) next.querySelector(keyboard ? 'input' : 'button.icon-btn')?.focus();
}

/** Line numbers and input names follow the order: lines[0].service … (the API's field names). */
function renumber() {
  [...S.els.lines.querySelectorAll('tr.line')].forEach((tr, i) => {
    tr.querySelector('.line-no').textContent = String(i + 1);
    for (const inp of tr.querySelectorAll('input')) {
      inp.name = `lines[${i}].${inp.dataset.col}`;
      inp.setAttribute('aria-label', t(`calc.col.${inp.dataset.col}`) + ` ${i + 1}`);
    }
  });
}

function lineChanged(tr) {
  const svc = tr.querySelector('input[data-col="service"]');
  const name = tr.querySelector('.svc-name');
  const code = svc.value.trim();
  const s = S.def && code ? serviceOf(S.def, code) || serviceOf(S.def, code.toUpperCase()) : null;
  if (!code) name.replaceChildren();
  else if (s) {
    const inPolicy = policyServices(S.def, S.pol.packages).some((x) => x.code === s.code);
    name.replaceChildren(...[nameEl(s.name), s.unit ? h('span', { class: 'muted' }, ' · ', unitEl(s.unit)) : null,
      inPolicy ? null : h('span', { class: 'warn-text', i18n: 'calc.not_in_packages' })].filter(Boolean));
  } else if (S.def) name.replaceChildren(h('span', { class: 'warn-text', i18n: 'calc.unknown_service' }));
  else name.replaceChildren();
  const cur = tr.querySelector('.cur');
  if (cur) cur.textContent = S.pol ? currencySymbol(currency(), locale()) : '';
  // the line's amount, exactly: quantity × unit price in minor units
  const amount = tr.querySelector('.line-amount');
  const q = tr.querySelector('input[data-col="quantity"]').value.trim();
  const p = parseMoney(tr.querySelector('input[data-col="unit_price"]').value, currency());
  if (S.pol && /^\d{1,7}$/.test(q) && p.ok) {
    const minor = BigInt(q) * BigInt(p.minor);
    amount.replaceChildren(moneyEl(minor.toString(), currency()));
    amount.dataset.minor = minor.toString();
  } else {
    amount.replaceChildren();
    delete amount.dataset.minor;
  }
  updateTotal();
}

function updateTotal() {
  let sum = 0n, n = 0;
  for (const a of S.els.lines.querySelectorAll('.line-amount')) if (a.dataset.minor) { sum += BigInt(a.dataset.minor); n++; }
  const el = S.els.totalLine;
  if (!n || !S.pol) { el.replaceChildren(); return; }
  el.replaceChildren(h('span', { i18n: 'calc.lines_total' }), ' ', moneyEl(sum.toString(), currency(), { class: 'strong' }));
}

// ---------- evaluate ----------

function lineError(form, input, key, params) {
  return showError(form, { key, params, field: input.name });
}

async function evaluate(btn) {
  const { form } = S.els;
  clearErrors(form);
  const f = form.elements;
  const number = f.policy_number.value.trim();
  if (!number) return showError(form, { key: 'error.required', params: { field: { key: 'field.policy_number' } }, field: 'policy_number' });
  if (!S.pol || S.pol.number !== number) {
    const ok = await loadPolicy(number);
    if (!ok) return undefined;
  }
  if (!f.date.value) return showError(form, { key: 'error.required', params: { field: { key: 'calc.date' } }, field: 'date' });
  const body = { policy_number: S.pol.number, date: f.date.value, lines: [] };
  const caseId = f.case_id.value.trim();
  if (caseId) {
    if (!/^[1-9]\d{0,15}$/.test(caseId)) return showError(form, { key: 'calc.bad_case', field: 'case_id' });
    body.case_id = Number(caseId);
  }
  if (f.provider.value.trim()) body.provider = f.provider.value.trim();
  if (f.diagnosis.value.trim()) body.diagnosis = f.diagnosis.value.trim().toUpperCase();
  const cur = currency();
  const rows = [...S.els.lines.querySelectorAll('tr.line')];
  for (const tr of rows) {
    const svc = tr.querySelector('input[data-col="service"]');
    const qty = tr.querySelector('input[data-col="quantity"]');
    const price = tr.querySelector('input[data-col="unit_price"]');
    const code = svc.value.trim();
    if (!code && !price.value.trim() && rows.length > 1) continue; // a blank line is skipped
    if (!code) return lineError(form, svc, 'error.required', { field: { key: 'calc.col.service' } });
    if (!/^\d{1,7}$/.test(qty.value.trim()) || Number(qty.value) < 1 || Number(qty.value) > 1000000) {
      return lineError(form, qty, 'calc.bad_quantity');
    }
    const p = parseMoney(price.value, cur);
    if (!p.ok) return lineError(form, price, p.error === 'empty' ? 'error.required' : `money.${p.error}`, { field: { key: 'calc.col.unit_price' }, digits: p.digits ?? currencyDigits(cur) });
    const known = S.def && (serviceOf(S.def, code) ? code : serviceOf(S.def, code.toUpperCase()) ? code.toUpperCase() : code);
    body.lines.push({ service: known || code, quantity: Number(qty.value.trim()), unit_price: p.minor, _tr: tr });
  }
  const trs = body.lines.map((l) => l._tr);
  body.lines = body.lines.map(({ _tr, ...l }) => l);
  const mine = S;
  let res;
  try {
    res = await busy(btn, () => post('/api/v1/coverage/evaluate', body));
  } catch (err) {
    if (S !== mine || err.status === 401) return undefined;
    // "lines[2].quantity" counts the lines sent: map it back to the row on screen
    const m = /^lines\[(\d+)\](?:\.(\w+))?$/.exec(err.field || '');
    if (m && trs[Number(m[1])]) {
      const input = trs[Number(m[1])].querySelector(`input[data-col="${m[2] || 'service'}"]`) || trs[Number(m[1])].querySelector('input');
      const msg = errorMessage(err);
      return showError(form, { key: msg.key, params: msg.params, field: input.name });
    }
    return showError(form, err);
  }
  if (S !== mine) return undefined;
  S.result = res;
  renderResult(res);
  return undefined;
}

function hideResult() {
  S.result = null;
  S.els.result.hidden = true;
  S.els.result.replaceChildren();
}

/** The reason as the UI says it; an exclusion gives the program's own reason text in the UI language. */
function reasonEl(r) {
  if (r.code === 'excluded') {
    const x = S.def && (S.def.exclusions || []).find((e) => Object.values(e.reason || {}).includes(r.text));
    return h('li', { class: 'reason', dataset: { code: r.code } },
      h('strong', { i18n: 'reason.excluded' }), h('span', { i18n: 'common.colon_sep' }), x ? nameEl(x.reason) : h('span', null, r.text));
  }
  if (has(`reason.${r.code}`)) return h('li', { class: 'reason', dataset: { code: r.code } }, h('span', { i18n: `reason.${r.code}` }));
  return h('li', { class: 'reason', dataset: { code: r.code } }, r.text);
}

function touchEl(l, cur) {
  const scope = l.key === 'sum_insured' ? h('span', { i18n: 'rule.sum_insured' }) : scopeEl(l.scope, S.def);
  const win = l.window && l.window.first ? rangeEl(l.window.first, l.window.last) : h('span', { i18n: 'period.case' });
  const used = l.remaining_before !== l.remaining_after;
  return h('li', { class: ['touch', used && 'used'], dataset: { key: l.key } },
    h('span', { class: 'touch-scope' }, scope),
    h('span', { class: 'touch-period' }, h('span', { i18n: `period.${l.period}` }), ' (', win, ')'),
    h('span', { class: 'touch-values' },
      h('span', { class: 'before' }, measureValueEl(l.measure, l.remaining_before, cur)),
      h('span', { class: 'arrow', 'aria-hidden': 'true' }, '→'),
      h('span', { class: 'sr-only', i18n: 'history.changed_to' }),
      h('span', { class: 'after' }, measureValueEl(l.measure, l.remaining_after, cur)),
      h('span', { class: 'muted small' }, ' ', h('span', { i18n: 'calc.of' }), ' ', measureValueEl(l.measure, l.limit, cur))));
}

function renderResult(res) {
  const { result } = S.els;
  const cur = res.currency || currency();
  const body = [];
  res.lines.forEach((l, i) => {
    const s = S.def ? serviceOf(S.def, l.service) : null;
    const refused = l.covered_quantity === 0;
    const partial = !refused && (l.covered_amount < l.amount || l.covered_quantity < l.quantity);
    const status = refused ? 'refused' : partial ? 'partial' : 'covered';
    body.push(h('tr', { class: ['res-line', `res-${status}`], dataset: { line: String(i + 1), service: l.service, status } },
      h('td', { class: 'num col-n' }, String(i + 1)),
      h('td', null, h('div', { class: 'svc-cell' }, s ? nameEl(s.name) : null, ' ', codeEl(l.service)),
        h('span', { class: ['badge', 'status', `cov-${status}`], i18n: `calc.status.${status}` })),
      h('td', { class: 'num' }, h('span', { fmt: ['number', l.covered_quantity] }), h('span', { class: 'muted' }, ' / '), h('span', { fmt: ['number', l.quantity] })),
      h('td', { class: 'num' }, moneyEl(l.amount, cur)),
      h('td', { class: ['num covered', !l.covered_amount && 'zero'] }, moneyEl(l.covered_amount, cur)),
      h('td', { class: ['num pays', !l.insured_pays && 'zero'] }, moneyEl(l.insured_pays, cur)),
      h('td', { class: 'reasons-cell' }, l.reasons.length
        ? h('ul', { class: 'reasons' }, l.reasons.map(reasonEl))
        : h('span', { class: 'muted', i18n: 'calc.no_reasons' }))));
    if (l.limits && l.limits.length) {
      body.push(h('tr', { class: 'res-touches', dataset: { line: String(i + 1) } },
        h('td'),
        h('td', { colspan: '6' },
          h('span', { class: 'touch-title', i18n: 'calc.limits_touched' }),
          h('ul', { class: 'touches' }, l.limits.map((x) => touchEl(x, cur))))));
    }
  });
  const tot = res.totals;
  result.replaceChildren(
    h('div', { class: 'card-head row-head' },
      h('div', null,
        h('h2', { id: 'calc-result-h', i18n: 'calc.result' }),
        h('p', { i18n: ['calc.result_text', { number: res.policy_number || '—', date: { fmt: 'date', value: S.els.form.elements.date.value } }] })),
      h('dl', { class: 'totals-strip' },
        h('div', null, h('dt', { i18n: 'calc.col.amount' }), h('dd', null, moneyEl(tot.amount, cur))),
        h('div', { class: 'covered' }, h('dt', { i18n: 'calc.col.covered' }), h('dd', { id: 'total-covered' }, moneyEl(tot.covered_amount, cur))),
        h('div', { class: 'pays' }, h('dt', { i18n: 'calc.col.insured_pays' }), h('dd', { id: 'total-pays' }, moneyEl(tot.insured_pays, cur))))),
    h('div', { class: 'table-wrap flat' },
      h('table', { class: 'data result-table', id: 'calc-result-table' },
        h('caption', { class: 'sr-only', i18n: 'calc.result' }),
        h('thead', null, h('tr', null,
          h('th', { scope: 'col', class: 'num col-n' }, '#'),
          h('th', { scope: 'col', i18n: 'calc.col.service' }),
          h('th', { scope: 'col', class: 'num', i18n: 'calc.col.covered_quantity' }),
          h('th', { scope: 'col', class: 'num', i18n: 'calc.col.amount' }),
          h('th', { scope: 'col', class: 'num', i18n: 'calc.col.covered' }),
          h('th', { scope: 'col', class: 'num', i18n: 'calc.col.insured_pays' }),
          h('th', { scope: 'col', i18n: 'calc.col.reasons' }))),
        h('tbody', null, body),
        h('tfoot', null, h('tr', { class: 'totals', id: 'calc-totals' },
          h('td'),
          h('th', { scope: 'row', i18n: 'calc.totals' }),
          h('td'),
          h('td', { class: 'num', dataset: { total: 'amount' } }, moneyEl(tot.amount, cur)),
          h('td', { class: 'num covered', dataset: { total: 'covered_amount' } }, moneyEl(tot.covered_amount, cur)),
          h('td', { class: 'num pays', dataset: { total: 'insured_pays' } }, moneyEl(tot.insured_pays, cur)),
          h('td'))))));
  result.hidden = false;
  result.classList.remove('pulse');
  void result.offsetWidth;
  result.classList.add('pulse');
  result.scrollIntoView({ block: 'start', behavior: 'smooth' });
}
