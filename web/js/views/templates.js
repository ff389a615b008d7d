// Message templates and triggers (#/templates, admins): the templates by
// code, channel and language; an editor with a live preview (debounced
// POST /api/v1/templates/preview: the rendered text, SMS parts, GSM-7 or
// UCS-2, or the fault with its line and column); and the triggers with
// their enable switches, and a form under the list to add a trigger or
// change one (event, channel, template, audience, class, days, urgent,
// enabled; Ctrl+Enter saves, Esc closes, errors next to the field the API
// names); and under them the holidays the holiday trigger greets on (a day
// of every year shown in the UI language, a name): added with month and day
// pickers, renamed in the row, deleted after a confirmation in the row.
import { h } from '../dom.js';
import { get, post, put, patch, del } from '../api.js';
import { errorMessage, showError, clearErrors, busy, ctrlEnterHint } from '../forms.js';
import { loadDepartments, flash } from '../casekit.js';

const SAMPLE = {
  first_name: 'Anna', last_name: 'Ivanova', case_id: '42', company: 'assist', policy_number: 'POL-26-0000042',
  end_date: '2026-12-31', event: 'case_opened', person_name: 'Anna Ivanova', manager_name: 'Oleg Petrov',
};
const DEBOUNCE_MS = 250;
const EVENTS = ['case_opened', 'case_closed', 'renewal_due', 'lapse_warning', 'policy_lapsed', 'maturity', 'birthday', 'holiday'];
// the scheduled policy events: the policy's end date is offset_days after the day
const OFFSET_EVENTS = new Set(['renewal_due', 'lapse_warning', 'policy_lapsed', 'maturity']);
const CLASSES = ['service', 'greeting', 'marketing'];

let S = null;

export const templatesView = {
  mount(main, params, app) {
    S = { app, main, seq: 0, timer: 0, cur: null };
    build();
    load();
  },
  update() {},
  onEscape() {
    if (!S) return false;
    if (S.holConfirm) { cancelHolidayDelete(); return true; }
    if (S.holRename) { cancelRename(); return true; }
    if (!S.trg) return false;
    closeTrigger();
    return true;
  },
  unmount() {
    if (S) clearTimeout(S.timer);
    S = null;
  },
};

function build() {
  const list = h('div', { id: 'tpl-list', 'aria-live': 'polite' });
  const editor = h('section', { class: 'card tpl-editor', id: 'tpl-editor', hidden: true, i18nAttr: { 'aria-label': 'tpl.editor' } });
  const triggers = h('div', { id: 'trg-list' });
  const trgEditor = h('section', { class: 'card trg-editor', id: 'trg-editor', hidden: true, i18nAttr: { 'aria-label': 'trg.editor' } });
  const add = h('button', { type: 'button', class: 'btn', id: 'trg-new' }, h('span', { i18n: 'trg.new' }));
  add.addEventListener('click', () => editTrigger(null));
  const holidays = h('div', { id: 'hol-list', 'aria-live': 'polite' });
  const holForm = holidayForm();
  const holNote = h('p', { class: 'alert warn hol-no-trigger', id: 'hol-no-trigger', hidden: true, i18n: 'hol.no_trigger' });
  S.main.replaceChildren(h('div', { class: 'page templates-page', dataset: { view: 'templates' } },
    h('div', { class: 'page-head' }, h('h1', { i18n: 'tpl.title' })),
    h('p', { class: 'page-intro', i18n: 'tpl.intro' }),
    h('div', { class: 'tpl-layout' }, list, editor),
    h('div', { class: 'trg-head' }, h('h2', { i18n: 'trg.title' }), add),
    h('p', { class: 'hint', i18n: 'trg.intro' }),
    triggers, trgEditor,
    h('section', { class: 'hol-section', 'aria-labelledby': 'hol-title' },
      h('h2', { id: 'hol-title', i18n: 'hol.title' }),
      h('p', { class: 'hint', i18n: 'hol.intro' }),
      holNote, holidays, holForm)));
  S.els = { list, editor, triggers, trgEditor, add, holidays, holForm, holNote };
}

function alertOf(err) {
  const m = errorMessage(err);
  return h('div', { class: 'alert error', role: 'alert', i18n: [m.key, m.params] });
}

async function load() {
  const mine = S;
  let tpls, trgs, depts, hols;
  try {
    [tpls, trgs, depts, hols] = await Promise.all([get('/api/v1/templates'), get('/api/v1/triggers'), loadDepartments(), get('/api/v1/holidays')]);
  } catch (err) {
    if (S !== mine || err.status === 401) return;
    S.els.list.replaceChildren(alertOf(err));
    return;
  }
  if (S !== mine) return;
  S.depts = depts || [];
  renderList(tpls.items || []);
  renderTriggers(trgs.items || []);
  renderHolidays(hols.items || []);
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

/** "Department {name}" (the name in the UI language), or the audience's own label. */
function audienceEl(audience) {
  if (!audience.startsWith('department:')) return h('span', { i18n: `trg.audience.${audience}` });
  const code = audience.slice(11), d = (S.depts || []).find((x) => x.code === code);
  return h('span', { i18n: ['trg.audience.department', { code: d ? { fmt: 'name', value: JSON.stringify(d.name) } : code }] });
}

function renderTriggers(items) {
  S.trgs = items;
  if (S.hols) holidayTriggerNote();
  const rows = items.map((t) => {
    const sw = h('input', { type: 'checkbox', id: `trg-on-${t.id}`, dataset: { trigger: t.id }, role: 'switch' });
    sw.checked = t.enabled;
    sw.addEventListener('change', async () => {
      sw.disabled = true;
      try {
        const r = await patch(`/api/v1/triggers/${t.id}`, { enabled: sw.checked });
        sw.checked = r.enabled;
        t.enabled = r.enabled;
        if (S && S.hols) holidayTriggerNote();
      } catch (err) {
        sw.checked = !sw.checked;
        if (S) S.els.triggers.prepend(alertOf(err));
      } finally {
        sw.disabled = false;
      }
    });
    const btn = h('button', { type: 'button', class: 'btn small', dataset: { editTrigger: t.id } },
      h('span', { i18n: 'tpl.edit' }), ' ', h('span', { class: 'sr-only', i18n: ['trg.edit_one', { event: { key: `trg.event.${t.event}` }, template: t.template }] }));
    btn.addEventListener('click', () => editTrigger(t));
    return h('tr', { dataset: { trigger: t.id }, class: S.trg && S.trg.id === t.id ? 'selected' : null },
      h('td', null, h('label', { class: 'check-field', for: `trg-on-${t.id}` }, sw,
        h('span', { class: 'sr-only', i18n: ['trg.enable_one', { event: t.event, template: t.template }] }))),
      h('td', null, h('span', { i18n: `trg.event.${t.event}` })),
      h('td', null, h('span', { i18n: `tpl.channel.${t.channel}` })),
      h('td', null, h('code', null, t.template)),
      h('td', null, audienceEl(t.audience)),
      h('td', null, h('span', { i18n: `trg.class.${CLASSES.includes(t.class) ? t.class : 'other'}`, dataset: { class: t.class } }),
        t.urgent ? h('span', { class: 'badge urgent-badge', i18n: 'trg.urgent_badge' }) : null),
      h('td', { class: 'num' }, OFFSET_EVENTS.has(t.event) ? String(t.offset_days) : '—'),
      h('td', null, btn));
  });
  S.els.triggers.replaceChildren(h('div', { class: 'table-wrap' }, h('table', { class: 'data trg-table', id: 'trg-table' },
    h('caption', { class: 'sr-only', i18n: 'trg.title' }),
    h('thead', null, h('tr', null,
      h('th', { scope: 'col', i18n: 'trg.col.enabled' }),
      h('th', { scope: 'col', i18n: 'trg.col.event' }),
      h('th', { scope: 'col', i18n: 'tpl.col.channel' }),
      h('th', { scope: 'col', i18n: 'trg.col.template' }),
      h('th', { scope: 'col', i18n: 'trg.col.audience' }),
      h('th', { scope: 'col', i18n: 'trg.col.class' }),
      h('th', { scope: 'col', class: 'num', i18n: 'trg.col.offset' }),
      h('th', { scope: 'col' }, h('span', { class: 'sr-only', i18n: 'tpl.col.actions' })))),
    h('tbody', null, rows))));
}

// ---- the trigger form ----

/** A labelled control with its hint and the box showError fills. */
function trgField(name, label, control, hint) {
  const id = `trg-${name.replace('_', '-')}`;
  control.id = id;
  control.name = name;
  control.setAttribute('aria-describedby', [hint ? `${id}-hint` : null, `${id}-err`].filter(Boolean).join(' '));
  return h('div', { class: 'field', dataset: { field: name } },
    h('label', { for: id, i18n: label }), control,
    hint ? h('p', { class: 'hint', id: `${id}-hint`, i18n: hint }) : null,
    h('p', { class: 'field-error', id: `${id}-err`, hidden: true }));
}

const opt = (value, key) => h('option', { value, i18n: key });

/** Open the form for trigger t (null: a new one) under the list. */
function editTrigger(t) {
  const cur = t || { event: 'case_opened', channel: 'sms', template: '', audience: 'person', class: 'service', urgent: false, offset_days: 0, enabled: true };
  S.trg = { id: t ? t.id : null };
  S.els.triggers.querySelector('.trg-saved')?.remove();
  const event = h('select', { class: 'input' }, EVENTS.map((e) => opt(e, `trg.event.${e}`)));
  event.value = cur.event;
  const channel = h('select', { class: 'input' }, opt('sms', 'tpl.channel.sms'), opt('email', 'tpl.channel.email'));
  channel.value = cur.channel;
  const template = h('select', { class: 'input' });
  const dept = cur.audience.startsWith('department:') ? cur.audience.slice(11) : '';
  const audience = h('select', { class: 'input' }, ['person', 'manager'].map((a) => opt(a, `trg.audience.${a}`)),
    opt('department', 'trg.audience.a_department'));
  audience.value = dept ? 'department' : cur.audience;
  const department = h('select', { class: 'input' }, (S.depts || []).map((d) => h('option', { value: d.code, fmt: ['name', JSON.stringify(d.name)] })));
  if (dept && ![...department.options].some((o) => o.value === dept)) department.append(h('option', { value: dept }, dept));
  if (dept) department.value = dept;
  const klass = h('select', { class: 'input' }, CLASSES.map((c) => opt(c, `trg.class.${c}`)));
  if (!CLASSES.includes(cur.class)) klass.append(h('option', { value: cur.class }, cur.class));
  klass.value = cur.class;
  const offset = h('input', { class: 'input num', type: 'number', min: '-366', max: '366', step: '1', inputmode: 'numeric' });
  offset.value = String(cur.offset_days);
  const urgent = h('input', { type: 'checkbox', id: 'trg-urgent', name: 'urgent' });
  urgent.checked = cur.urgent;
  const enabled = h('input', { type: 'checkbox', id: 'trg-enabled', name: 'enabled' });
  enabled.checked = cur.enabled;

  const deptField = trgField('department', 'trg.field.department', department);
  const offsetField = trgField('offset_days', 'trg.field.offset', offset, 'trg.offset_hint');
  const save = h('button', { type: 'submit', class: 'btn primary', id: 'trg-save' }, h('span', { i18n: 'tpl.save' }));
  const cancel = h('button', { type: 'button', class: 'btn', id: 'trg-cancel' }, h('span', { i18n: 'trg.cancel' }));
  cancel.addEventListener('click', () => closeTrigger());
  const form = h('form', { class: 'trg-form', id: 'trg-form', novalidate: true },
    h('h2', { i18n: t ? ['trg.editing', { event: { key: `trg.event.${t.event}` } }] : 'trg.adding' }),
    h('div', { class: 'trg-grid' },
      trgField('event', 'trg.field.event', event),
      trgField('channel', 'tpl.col.channel', channel),
      trgField('template', 'trg.field.template', template, 'trg.template_hint'),
      trgField('audience', 'trg.field.audience', audience),
      deptField,
      trgField('class', 'trg.field.class', klass, 'trg.class_hint'),
      offsetField),
    h('div', { class: 'trg-checks' },
      h('div', { class: 'check-field' }, h('label', { class: 'check-inline', for: 'trg-urgent' }, urgent, h('span', { i18n: 'trg.field.urgent' })),
        h('p', { class: 'field-error', id: 'trg-urgent-err', hidden: true })),
      h('div', { class: 'check-field' }, h('label', { class: 'check-inline', for: 'trg-enabled' }, enabled, h('span', { i18n: 'trg.field.enabled' })),
        h('p', { class: 'field-error', id: 'trg-enabled-err', hidden: true }))),
    h('div', { class: 'form-actions' }, save, cancel, ctrlEnterHint()));

  // the templates there are for the channel (the trigger's own kept on its
  // channel even when its text is gone, so the form shows what is stored)
  const syncTemplates = () => {
    const want = template.value || cur.template;
    const codes = [...new Set((S.items || []).filter((x) => x.channel === channel.value).map((x) => x.code))].sort();
    if (cur.template && channel.value === cur.channel && !codes.includes(cur.template)) codes.unshift(cur.template);
    template.replaceChildren(...codes.map((c) => h('option', { value: c }, c)));
    template.value = codes.includes(want) ? want : (codes.includes(event.value) ? event.value : codes[0] || '');
  };
  const sync = () => {
    deptField.hidden = audience.value !== 'department';
    offsetField.hidden = !OFFSET_EVENTS.has(event.value);
  };
  syncTemplates();
  sync();
  channel.addEventListener('change', syncTemplates);
  event.addEventListener('change', () => {
    // a new trigger takes the event's own template when the channel has one
    if (!t && [...template.options].some((o) => o.value === event.value)) template.value = event.value;
    if (event.value === 'birthday' || event.value === 'holiday') { if (!t) klass.value = 'greeting'; }
    sync();
  });
  audience.addEventListener('change', sync);
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    saveTrigger(t, { event, channel, template, audience, department, klass, offset, urgent, enabled, save, form });
  });

  S.els.trgEditor.replaceChildren(form);
  S.els.trgEditor.hidden = false;
  for (const tr of S.els.triggers.querySelectorAll('tr[data-trigger]')) tr.classList.toggle('selected', t != null && tr.dataset.trigger === String(t.id));
  S.els.trgEditor.scrollIntoView({ block: 'nearest' });
  event.focus();
}

/** Close the form unsaved; the focus goes back where the form was opened from. */
function closeTrigger() {
  const id = S.trg && S.trg.id;
  S.trg = null;
  S.els.trgEditor.hidden = true;
  S.els.trgEditor.replaceChildren();
  for (const tr of S.els.triggers.querySelectorAll('tr.selected')) tr.classList.remove('selected');
  (id != null && S.els.triggers.querySelector(`button[data-edit-trigger="${id}"]`) || S.els.add).focus();
}

async function saveTrigger(t, f) {
  const mine = S;
  clearErrors(f.form);
  if (!f.template.value) return showError(f.form, { key: 'error.required', params: { field: { key: 'trg.field.template' } }, field: 'template' });
  const body = {
    event: f.event.value, channel: f.channel.value, template: f.template.value,
    audience: f.audience.value === 'department' ? `department:${f.department.value}` : f.audience.value,
    class: f.klass.value, urgent: f.urgent.checked, enabled: f.enabled.checked,
  };
  if (OFFSET_EVENTS.has(body.event)) {
    const v = f.offset.value.trim();
    if (!/^-?\d+$/.test(v)) return showError(f.form, { key: 'trg.offset_invalid', field: 'offset_days' });
    body.offset_days = Number(v);
  } else {
    body.offset_days = 0; // only the policy events take days
  }
  let r;
  try {
    r = await busy(f.save, () => (t ? patch(`/api/v1/triggers/${t.id}`, body) : post('/api/v1/triggers', body)));
  } catch (err) {
    if (S !== mine || err.status === 401) return;
    // "no department X" names the audience: the department chosen is what is wrong
    const dept = err.field === 'audience' && body.audience.startsWith('department:') ? { audience: 'department' } : {};
    showError(f.form, err, dept);
    return;
  }
  if (S !== mine) return;
  const items = S.trgs.slice();
  const i = items.findIndex((x) => x.id === r.id);
  if (i >= 0) items[i] = r; else items.push(r);
  S.trg = null;
  renderTriggers(items);
  S.els.trgEditor.hidden = true;
  S.els.trgEditor.replaceChildren();
  S.els.triggers.querySelector('.trg-saved')?.remove();
  S.els.triggers.prepend(h('p', { class: 'trg-saved ok', role: 'status', i18n: t ? 'trg.saved' : 'trg.added' }));
  const row = S.els.triggers.querySelector(`tr[data-trigger="${r.id}"]`);
  flash(row);
  row?.querySelector('button[data-edit-trigger]')?.focus();
}

// ---- holidays ----

const MONTH_DAYS = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const pad2 = (n) => String(n).padStart(2, '0');

/** Holidays greet nobody while no holiday trigger is on: say so above them. */
function holidayTriggerNote() {
  const note = S.els.holNote;
  const on = (S.trgs || []).some((t) => t.event === 'holiday' && t.enabled);
  note.hidden = on;
}

function renderHolidays(items) {
  S.hols = items;
  S.holConfirm = null;
  S.holRename = null;
  holidayTriggerNote();
  if (!items.length) {
    S.els.holidays.replaceChildren(h('p', { class: 'empty hol-empty', i18n: 'hol.empty' }));
    return;
  }
  const rows = items.map((x) => {
    const rename = h('button', { type: 'button', class: 'btn small', dataset: { renameHoliday: x.month_day } },
      h('span', { i18n: 'hol.rename' }), h('span', { class: 'sr-only' }, ` ${x.name}`));
    rename.addEventListener('click', () => startRename(x));
    const remove = h('button', { type: 'button', class: 'btn small danger', dataset: { deleteHoliday: x.month_day } },
      h('span', { i18n: 'hol.delete' }), h('span', { class: 'sr-only' }, ` ${x.name}`));
    remove.addEventListener('click', () => askHolidayDelete(x));
    return h('tr', { dataset: { holiday: x.month_day } },
      h('td', { class: 'hol-date' }, h('span', { fmt: ['monthday', x.month_day] })),
      h('td', { class: 'hol-name' }, x.name),
      h('td', { class: 'actions' }, rename, ' ', remove));
  });
  S.els.holidays.replaceChildren(h('div', { class: 'table-wrap' }, h('table', { class: 'data hol-table', id: 'hol-table' },
    h('caption', { class: 'sr-only', i18n: 'hol.title' }),
    h('thead', null, h('tr', null,
      h('th', { scope: 'col', i18n: 'hol.col.date' }),
      h('th', { scope: 'col', i18n: 'hol.col.name' }),
      h('th', { scope: 'col' }, h('span', { class: 'sr-only', i18n: 'tpl.col.actions' })))),
    h('tbody', null, rows))));
}

/** A labelled control of the holiday form with the box showError fills. */
function holField(name, label, control) {
  const id = `hol-${name}`;
  control.id = id;
  control.name = name;
  control.setAttribute('aria-describedby', `${id}-err`);
  return h('div', { class: 'field', dataset: { field: name } },
    h('label', { for: id, i18n: label }), control,
    h('p', { class: 'field-error', id: `${id}-err`, hidden: true }));
}

/** The form to add a holiday: month, day (as many as the month has; 29 in February), name. */
function holidayForm() {
  const month = h('select', { class: 'input' }, MONTH_DAYS.map((_, i) => h('option', { value: pad2(i + 1), fmt: ['monthday', pad2(i + 1)] })));
  const day = h('select', { class: 'input num' });
  const name = h('input', { class: 'input', type: 'text', maxlength: '100', autocomplete: 'off' });
  const syncDays = () => {
    const want = day.value;
    const n = MONTH_DAYS[Number(month.value) - 1];
    day.replaceChildren(...Array.from({ length: n }, (_, i) => h('option', { value: pad2(i + 1) }, String(i + 1))));
    day.value = want && Number(want) <= n ? want : '01';
  };
  syncDays();
  month.addEventListener('change', syncDays);
  const save = h('button', { type: 'submit', class: 'btn primary', id: 'hol-add' }, h('span', { i18n: 'hol.add' }));
  // month and day share one error box (the API names month_day)
  for (const [el, n] of [[month, 'month'], [day, 'day']]) {
    el.id = `hol-${n}`;
    el.name = n;
    el.setAttribute('aria-describedby', 'hol-date-err');
  }
  const form = h('form', { class: 'hol-form', id: 'hol-form', novalidate: true },
    h('h3', { i18n: 'hol.adding' }),
    h('div', { class: 'hol-grid' },
      h('div', { class: 'field hol-date', dataset: { field: 'month_day' } },
        h('div', { class: 'hol-date-parts' },
          h('div', null, h('label', { for: 'hol-month', class: 'field-label', i18n: 'hol.field.month' }), month),
          h('div', null, h('label', { for: 'hol-day', class: 'field-label', i18n: 'hol.field.day' }), day)),
        h('p', { class: 'field-error', id: 'hol-date-err', hidden: true })),
      holField('name', 'hol.field.name', name),
      h('div', { class: 'form-actions' }, save, ctrlEnterHint())));
  form.addEventListener('submit', (e) => { e.preventDefault(); addHoliday({ month, day, name, save, form }); });
  return form;
}

async function addHoliday(f) {
  const mine = S;
  clearErrors(f.form);
  const md = `${f.month.value}-${f.day.value}`;
  const known = (S.hols || []).find((x) => x.month_day === md);
  // a PUT on a day that is a holiday renames it: adding must not do that unseen
  if (known) return showError(f.form, { key: 'hol.exists', params: { name: known.name }, field: 'day' });
  if (!f.name.value.trim()) return showError(f.form, { key: 'error.invalid_field.name', field: 'name' });
  let r;
  try {
    r = await busy(f.save, () => put(`/api/v1/holidays/${md}`, { name: f.name.value }));
  } catch (err) {
    if (S !== mine || err.status === 401) return;
    showError(f.form, err, { month_day: 'day' });
    return;
  }
  if (S !== mine) return;
  const items = S.hols.filter((x) => x.month_day !== r.month_day).concat([r]).sort((a, b) => a.month_day.localeCompare(b.month_day));
  renderHolidays(items);
  f.name.value = '';
  const row = S.els.holidays.querySelector(`tr[data-holiday="${r.month_day}"]`);
  flash(row);
  holStatus('hol.added', { name: r.name });
  f.month.focus();
}

/** A short note above the list ("Holiday added."), replaced by the next one. */
function holStatus(key, params) {
  S.els.holidays.querySelector('.hol-saved')?.remove();
  S.els.holidays.prepend(h('p', { class: 'hol-saved ok', role: 'status', i18n: [key, params] }));
}

/** Rename in the row: the name becomes a field; Enter saves, Esc puts the row back. */
function startRename(x) {
  cancelHolidayDelete();
  cancelRename();
  const tr = S.els.holidays.querySelector(`tr[data-holiday="${x.month_day}"]`);
  if (!tr) return;
  const cell = tr.querySelector('td.hol-name'), actions = tr.querySelector('td.actions');
  const original = [[...cell.childNodes], [...actions.childNodes]];
  const name = h('input', { class: 'input', type: 'text', maxlength: '100', autocomplete: 'off', id: 'hol-rename', name: 'name', 'aria-describedby': 'hol-rename-err' });
  name.value = x.name;
  const save = h('button', { type: 'submit', class: 'btn small primary', id: 'hol-rename-save', i18n: 'common.save' });
  const cancel = h('button', { type: 'button', class: 'btn small', i18n: 'common.cancel' });
  const form = h('form', { class: 'hol-rename', novalidate: true },
    h('div', { class: 'field' }, h('label', { for: 'hol-rename', class: 'sr-only', i18n: ['hol.rename_one', { date: { fmt: 'monthday', value: x.month_day } }] }), name,
      h('p', { class: 'field-error', id: 'hol-rename-err', hidden: true })),
    save, cancel);
  cell.replaceChildren(form);
  actions.replaceChildren();
  S.holRename = { tr, cell, actions, original, x };
  cancel.addEventListener('click', cancelRename);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const mine = S;
    clearErrors(form);
    if (!name.value.trim()) return showError(form, { key: 'error.invalid_field.name', field: 'name' });
    let r;
    try {
      r = await busy(save, () => put(`/api/v1/holidays/${x.month_day}`, { name: name.value }));
    } catch (err) {
      if (S !== mine || err.status === 401) return;
      showError(form, err, { month_day: 'name' });
      return;
    }
    if (S !== mine) return;
    renderHolidays(S.hols.map((y) => (y.month_day === r.month_day ? r : y)));
    holStatus('hol.renamed', { name: r.name });
    const row = S.els.holidays.querySelector(`tr[data-holiday="${r.month_day}"]`);
    flash(row);
    row?.querySelector('button[data-rename-holiday]')?.focus();
  });
  name.focus();
  name.select();
}

function cancelRename() {
  if (!S || !S.holRename) return;
  const { cell, actions, original, x } = S.holRename;
  S.holRename = null;
  cell.replaceChildren(...original[0]);
  actions.replaceChildren(...original[1]);
  actions.querySelector(`button[data-rename-holiday="${x.month_day}"]`)?.focus();
}

/** Delete, confirmed in the row (no dialog); Esc or Cancel keeps the holiday. */
function askHolidayDelete(x) {
  cancelRename();
  cancelHolidayDelete();
  const tr = S.els.holidays.querySelector(`tr[data-holiday="${x.month_day}"]`);
  if (!tr) return;
  const cell = tr.querySelector('td.actions');
  const original = [...cell.childNodes];
  const yes = h('button', { type: 'button', class: 'btn small danger solid', id: 'hol-del-yes', i18n: 'hol.delete' });
  const no = h('button', { type: 'button', class: 'btn small', i18n: 'common.cancel' });
  cell.replaceChildren(h('div', { class: 'confirm-inline', role: 'group', 'aria-label': x.name },
    h('span', { class: 'q', i18n: ['hol.delete_question', { name: x.name }] }), yes, no));
  tr.classList.add('confirming');
  S.holConfirm = { tr, cell, original, x };
  no.addEventListener('click', cancelHolidayDelete);
  yes.addEventListener('click', async () => {
    const mine = S;
    try {
      await busy(yes, () => del(`/api/v1/holidays/${x.month_day}`));
    } catch (err) {
      if (S !== mine || err.status === 401) return;
      // gone meanwhile: the list is what the server has
      if (err.status === 404) { renderHolidays(S.hols.filter((y) => y.month_day !== x.month_day)); return; }
      cancelHolidayDelete();
      S.els.holidays.prepend(alertOf(err));
      return;
    }
    if (S !== mine) return;
    renderHolidays(S.hols.filter((y) => y.month_day !== x.month_day));
    holStatus('hol.deleted', { name: x.name });
    S.els.holForm.querySelector('#hol-month').focus();
  });
  no.focus();
}

function cancelHolidayDelete() {
  if (!S || !S.holConfirm) return;
  const { tr, cell, original, x } = S.holConfirm;
  S.holConfirm = null;
  tr.classList.remove('confirming');
  cell.replaceChildren(...original);
  cell.querySelector(`button[data-delete-holiday="${x.month_day}"]`)?.focus();
}
