// Message templates and triggers (#/templates, admins): the templates by
// code, channel and language; an editor with a live preview (debounced
// POST /api/v1/templates/preview: the rendered text, SMS parts, GSM-7 or
// UCS-2, or the fault with its line and column); and the triggers with
// their enable switches.
import { h } from '../dom.js';
import { get, post, put, patch } from '../api.js';
import { errorMessage } from '../forms.js';

const SAMPLE = {
  first_name: 'Anna', last_name: 'Ivanova', case_id: '42', company: 'assist', policy_number: 'POL-26-0000042',
  end_date: '2026-12-31', event: 'case_opened', person_name: 'Anna Ivanova', manager_name: 'Oleg Petrov',
};
const DEBOUNCE_MS = 250;

let S = null;

export const templatesView = {
  mount(main, params, app) {
    S = { app, main, seq: 0, timer: 0, cur: null };
    build();
    load();
  },
  update() {},
  unmount() {
    if (S) clearTimeout(S.timer);
    S = null;
  },
};

function build() {
  const list = h('div', { id: 'tpl-list', 'aria-live': 'polite' });
  const editor = h('section', { class: 'card tpl-editor', id: 'tpl-editor', hidden: true, i18nAttr: { 'aria-label': 'tpl.editor' } });
  const triggers = h('div', { id: 'trg-list' });
  S.main.replaceChildren(h('div', { class: 'page templates-page', dataset: { view: 'templates' } },
    h('div', { class: 'page-head' }, h('h1', { i18n: 'tpl.title' })),
    h('p', { class: 'page-intro', i18n: 'tpl.intro' }),
    h('div', { class: 'tpl-layout' }, list, editor),
    h('h2', { i18n: 'trg.title' }),
    h('p', { class: 'hint', i18n: 'trg.intro' }),
    triggers));
  S.els = { list, editor, triggers };
}

function alertOf(err) {
  const m = errorMessage(err);
  return h('div', { class: 'alert error', role: 'alert', i18n: [m.key, m.params] });
}

async function load() {
  const mine = S;
  let tpls, trgs;
  try {
    [tpls, trgs] = await Promise.all([get('/api/v1/templates'), get('/api/v1/triggers')]);
  } catch (err) {
    if (S !== mine || err.status === 401) return;
    S.els.list.replaceChildren(alertOf(err));
    return;
  }
  if (S !== mine) return;
  renderList(tpls.items || []);
  renderTriggers(trgs.items || []);
}

const keyOf = (t) => `${t.code}/${t.channel}/${t.language}`;

function renderList(items) {
  S.items = items;
  const rows = items.map((t) => {
    const btn = h('button', { type: 'button', class: 'btn small', dataset: { edit: keyOf(t) } },
      h('span', { i18n: 'tpl.edit' }), h('span', { class: 'sr-only' }, ` ${t.code} ${t.channel} ${t.language}`));
    btn.addEventListener('click', () => edit(t));
    return h('tr', { dataset: { key: keyOf(t) } },
      h('td', null, h('code', null, t.code)),
      h('td', null, h('span', { i18n: `tpl.channel.${t.channel}` })),
      h('td', null, t.language),
      h('td', { class: 'num' }, String(t.version)),
      h('td', { class: 'tpl-snippet muted' }, t.text.length > 60 ? `${t.text.slice(0, 60)}…` : t.text),
      h('td', null, btn));
  });
  S.els.list.replaceChildren(h('div', { class: 'table-wrap' }, h('table', { class: 'data tpl-table', id: 'tpl-table' },
    h('caption', { class: 'sr-only', i18n: 'tpl.title' }),
    h('thead', null, h('tr', null,
      h('th', { scope: 'col', i18n: 'tpl.col.code' }),
      h('th', { scope: 'col', i18n: 'tpl.col.channel' }),
      h('th', { scope: 'col', i18n: 'tpl.col.language' }),
      h('th', { scope: 'col', class: 'num', i18n: 'tpl.col.version' }),
      h('th', { scope: 'col', i18n: 'tpl.col.text' }),
      h('th', { scope: 'col' }, h('span', { class: 'sr-only', i18n: 'tpl.col.actions' })))),
    h('tbody', null, rows))));
}

function edit(t) {
  S.cur = { ...t };
  const email = t.channel === 'email';
  const text = h('textarea', { class: 'input tpl-text', id: 'tpl-text', name: 'text', rows: 6, spellcheck: 'false' });
  text.value = t.text;
  const subject = email ? h('input', { class: 'input', id: 'tpl-subject', name: 'subject' }) : null;
  if (subject) subject.value = t.subject || '';
  const names = (t.variables && t.variables.length ? t.variables : Object.keys(SAMPLE)).slice(0, 12);
  const vars = names.map((n) => {
    const i = h('input', { class: 'input small', id: `tpl-var-${n}`, name: `var.${n}`, dataset: { var: n } });
    i.value = SAMPLE[n] ?? '';
    return h('div', { class: 'field tpl-var' }, h('label', { for: `tpl-var-${n}` }, h('code', null, n)), i);
  });
  const preview = h('div', { class: 'tpl-preview', id: 'tpl-preview', 'aria-live': 'polite' });
  const status = h('p', { class: 'tpl-status', id: 'tpl-status', role: 'status' });
  const save = h('button', { type: 'submit', class: 'btn primary', id: 'tpl-save' }, h('span', { i18n: 'tpl.save' }));
  const form = h('form', { class: 'tpl-form', id: 'tpl-form', novalidate: true },
    h('h2', null, h('code', null, t.code), ' · ', h('span', { i18n: `tpl.channel.${t.channel}` }), ' · ', t.language),
    subject ? h('div', { class: 'field' }, h('label', { for: 'tpl-subject', i18n: 'tpl.subject' }), subject) : null,
    h('div', { class: 'field' }, h('label', { for: 'tpl-text', i18n: 'tpl.text' }), text,
      h('p', { class: 'hint', i18n: 'tpl.syntax' })),
    h('fieldset', { class: 'tpl-vars' }, h('legend', { i18n: 'tpl.sample_values' }), vars),
    h('h3', { i18n: 'tpl.preview' }), preview,
    h('div', { class: 'form-actions' }, save), status);
  form.addEventListener('input', () => schedule());
  form.addEventListener('submit', (e) => { e.preventDefault(); doSave(); });
  S.els.editor.replaceChildren(form);
  S.els.editor.hidden = false;
  S.form = { text, subject, preview, status, save, form };
  for (const tr of S.els.list.querySelectorAll('tr[data-key]')) tr.classList.toggle('selected', tr.dataset.key === keyOf(t));
  doPreview();
  text.focus();
}

function schedule() {
  clearTimeout(S.timer);
  S.form.status.replaceChildren();
  S.timer = setTimeout(doPreview, DEBOUNCE_MS);
}

function valuesOf() {
  const vars = {};
  for (const i of S.form.form.querySelectorAll('input[data-var]')) if (i.value !== '') vars[i.dataset.var] = i.value;
  return vars;
}

async function doPreview() {
  const mine = S, seq = ++S.seq, f = S.form;
  const body = { text: f.text.value, channel: S.cur.channel, code: S.cur.code, vars: valuesOf() };
  if (f.subject && f.subject.value) body.subject = f.subject.value;
  f.preview.setAttribute('aria-busy', 'true');
  let r;
  try {
    r = await post('/api/v1/templates/preview', body);
  } catch (err) {
    if (S !== mine || seq !== S.seq || err.status === 401) return;
    f.preview.removeAttribute('aria-busy');
    f.text.setAttribute('aria-invalid', 'true');
    const at = /^line (\d+), column (\d+): (.*)$/.exec(err.message || '');
    f.preview.replaceChildren(at
      ? h('div', { class: 'alert error tpl-fault', role: 'alert', i18n: ['tpl.fault_at', { line: at[1], column: at[2], what: at[3] }] })
      : alertOf(err));
    return;
  }
  if (S !== mine || seq !== S.seq) return;
  f.preview.removeAttribute('aria-busy');
  f.text.removeAttribute('aria-invalid');
  const out = [];
  if (r.subject != null) out.push(h('p', { class: 'tpl-out-subject' }, h('strong', null, r.subject)));
  out.push(h('pre', { class: 'tpl-out', id: 'tpl-out' }, r.text));
  if (r.parts != null) {
    out.push(h('p', { class: ['tpl-measure', r.fits ? '' : 'warn'], id: 'tpl-measure', dataset: { parts: r.parts, coding: r.coding } },
      h('span', { i18n: ['tpl.parts', { n: r.parts, coding: r.coding, units: r.units }] })));
  }
  f.preview.replaceChildren(...out);
}

async function doSave() {
  const mine = S, f = S.form, t = S.cur;
  const body = { text: f.text.value, version: t.version };
  if (f.subject) body.subject = f.subject.value;
  f.save.disabled = true;
  try {
    const r = await put(`/api/v1/templates/${encodeURIComponent(t.code)}/${t.channel}/${t.language}`, body);
    if (S !== mine) return;
    S.cur = { ...t, ...r };
    f.status.replaceChildren(h('span', { class: 'ok', i18n: ['tpl.saved', { version: r.version }] }));
    const i = S.items.findIndex((x) => keyOf(x) === keyOf(t));
    if (i >= 0) S.items[i] = { ...S.items[i], ...r };
    renderList(S.items);
  } catch (err) {
    if (S !== mine || err.status === 401) return;
    f.status.replaceChildren(alertOf(err));
  } finally {
    if (S === mine) f.save.disabled = false;
  }
}

function renderTriggers(items) {
  const rows = items.map((t) => {
    const sw = h('input', { type: 'checkbox', id: `trg-on-${t.id}`, dataset: { trigger: t.id }, role: 'switch' });
    sw.checked = t.enabled;
    sw.addEventListener('change', async () => {
      sw.disabled = true;
      try {
        const r = await patch(`/api/v1/triggers/${t.id}`, { enabled: sw.checked });
        sw.checked = r.enabled;
      } catch (err) {
        sw.checked = !sw.checked;
        if (S) S.els.triggers.prepend(alertOf(err));
      } finally {
        sw.disabled = false;
      }
    });
    return h('tr', { dataset: { trigger: t.id } },
      h('td', null, h('label', { class: 'check-field', for: `trg-on-${t.id}` }, sw,
        h('span', { class: 'sr-only', i18n: ['trg.enable_one', { event: t.event, template: t.template }] }))),
      h('td', null, h('span', { i18n: `trg.event.${t.event}` })),
      h('td', null, h('span', { i18n: `tpl.channel.${t.channel}` })),
      h('td', null, h('code', null, t.template)),
      h('td', null, t.audience.startsWith('department:')
        ? h('span', { i18n: ['trg.audience.department', { code: t.audience.slice(11) }] })
        : h('span', { i18n: `trg.audience.${t.audience}` })),
      h('td', { class: 'num' }, t.scheduled ? String(t.offset_days) : '—'));
  });
  S.els.triggers.replaceChildren(h('div', { class: 'table-wrap' }, h('table', { class: 'data trg-table', id: 'trg-table' },
    h('caption', { class: 'sr-only', i18n: 'trg.title' }),
    h('thead', null, h('tr', null,
      h('th', { scope: 'col', i18n: 'trg.col.enabled' }),
      h('th', { scope: 'col', i18n: 'trg.col.event' }),
      h('th', { scope: 'col', i18n: 'tpl.col.channel' }),
      h('th', { scope: 'col', i18n: 'trg.col.template' }),
      h('th', { scope: 'col', i18n: 'trg.col.audience' }),
      h('th', { scope: 'col', class: 'num', i18n: 'trg.col.offset' }))),
    h('tbody', null, rows))));
}
