// The case's messages (issue 5): the SMS and emails sent for a case with
// their delivery state as a coloured chip with text (queued/sending grey,
// sent blue, delivered green, failed/expired red with the reason), and a
// quick form to send one (own text or a template; Ctrl+Enter sends; an
// email may carry the case questionnaire as a PDF, and the list names the
// files a message carries with their sizes).
// The case screen reloads the list on `message.status` of case:ID.
import { h, uid } from '../dom.js';
import { get, post } from '../api.js';
import { has } from '../i18n.js';
import { showError, clearErrors, busy, ctrlEnterHint, errorMessage } from '../forms.js';
import { toast } from '../toast.js';
import { flash } from '../casekit.js';

export const MSG_CHANNELS = ['sms', 'email'];
/** Templates an operator may pick, with the channels they exist for. */
const TEMPLATES = [['case_opened', ['sms', 'email']], ['case_closed', ['sms']]];

const STATE_CLASS = { queued: 'grey', sending: 'grey', sent: 'blue', delivered: 'green', failed: 'red', expired: 'red' };

/** The translated reason of a failed or expired message (the code itself when unknown). */
export function reasonEl(reason) {
  if (!reason) return null;
  return has(`msg.reason.${reason}`)
    ? h('span', { class: 'msg-reason', dataset: { reason }, i18n: `msg.reason.${reason}` })
    : h('span', { class: 'msg-reason', dataset: { reason }, i18n: ['msg.reason.other', { reason }] });
}

/** The state of a message as a badge with text (and the reason when it failed). */
export function msgStatusChip(m) {
  const st = m.status in STATE_CLASS ? m.status : 'queued';
  const bad = st === 'failed' || st === 'expired';
  return h('span', { class: ['badge', 'status', 'msg-chip', `msg-${STATE_CLASS[st]}`], dataset: { status: m.status } },
    h('span', { i18n: `msg.status.${st}` }),
    bad && m.reason && m.reason !== st ? [h('span', { 'aria-hidden': 'true' }, '·'), reasonEl(m.reason)] : null);
}

export const channelEl = (ch) => h('span', { class: ['msg-channel', `ch-${ch}`], i18n: `msg.channel.${ch}` });

/**
 * The Messages card of a case. ctx: {caseId, personId, here() → still this case}.
 * Returns {el, load(highlight), focus()}.
 */
export function messagesCard(ctx) {
  const st = { items: [], person: null, seq: 0 };
  const countEl = h('span', { class: 'count', id: 'messages-count' });
  const body = h('div', { id: 'message-list-body' });

  // ---- the quick form ----
  const chanName = uid('mch');
  const chans = h('fieldset', { class: 'field seg-field', dataset: { field: 'channel' } },
    h('legend', { class: 'field-label', i18n: 'msg.field.channel' }),
    h('div', { class: 'segmented radios' }, MSG_CHANNELS.map((c) => {
      const id = `${chanName}-${c}`;
      return h('span', { class: 'seg-radio' },
        h('input', { type: 'radio', name: 'channel', id, value: c, checked: c === 'sms' }),
        h('label', { for: id, i18n: `msg.channel.${c}` }));
    })));
  const toId = uid('mto');
  const to = h('input', { class: 'input', type: 'text', id: toId, name: 'to', autocomplete: 'off', 'aria-describedby': `${toId}-hint ${toId}-err` });
  const toHint = h('p', { class: 'hint', id: `${toId}-hint`, hidden: true });
  const tplId = uid('mtpl');
  const tpl = h('select', { class: 'input', id: tplId, name: 'template', 'aria-describedby': `${tplId}-err` });
  const subjId = uid('msubj');
  const subject = h('input', { class: 'input', type: 'text', id: subjId, name: 'subject', maxlength: '200', 'aria-describedby': `${subjId}-err` });
  const textId = uid('mtext');
  const text = h('textarea', {
    class: 'input', rows: '3', id: textId, name: 'text', 'aria-describedby': `${textId}-count ${textId}-err`,
    i18nAttr: { placeholder: 'msg.text_placeholder' },
  });
  const counter = h('span', { class: 'hint msg-counter', id: `${textId}-count`, 'aria-live': 'polite' });
  const urgentId = uid('murg');
  const urgent = h('input', { type: 'checkbox', id: urgentId, name: 'urgent' });
  const send = h('button', { type: 'submit', class: 'btn primary', id: 'message-send', i18n: 'msg.send' });
  const attachId = uid('mattq');
  const attachQ = h('input', { type: 'checkbox', id: attachId, name: 'attachments', 'aria-describedby': `${attachId}-err` });
  const attachField = h('div', { class: 'field msg-attach-field', dataset: { field: 'attachments' } },
    h('label', { class: 'check-inline', for: attachId }, attachQ, h('span', { i18n: 'msg.field.attach_questionnaire' })),
    h('p', { class: 'field-error', id: `${attachId}-err`, hidden: true }));
  const subjField = h('div', { class: 'field', dataset: { field: 'subject' } },
    h('label', { for: subjId, i18n: 'msg.field.subject' }), subject, h('p', { class: 'field-error', id: `${subjId}-err`, hidden: true }));
  const textField = h('div', { class: 'field', dataset: { field: 'text' } },
    h('div', { class: 'label-row' }, h('label', { for: textId, i18n: 'msg.field.text' }), counter), text,
    h('p', { class: 'field-error', id: `${textId}-err`, hidden: true }));
  const tplNote = h('p', { class: 'hint tpl-note', hidden: true });
  const form = h('form', { class: 'quick-form', id: 'message-form', novalidate: true },
    h('div', { class: 'quick-row' }, chans,
      h('div', { class: 'field', dataset: { field: 'to' } },
        h('label', { for: toId, i18n: 'msg.field.to' }), to, toHint, h('p', { class: 'field-error', id: `${toId}-err`, hidden: true }))),
    h('div', { class: 'field', dataset: { field: 'template' } },
      h('label', { for: tplId, i18n: 'msg.field.content' }), tpl, tplNote, h('p', { class: 'field-error', id: `${tplId}-err`, hidden: true })),
    subjField, textField, attachField,
    h('div', { class: 'form-actions' },
      send, ctrlEnterHint(),
      h('label', { class: 'check-inline', for: urgentId }, urgent, h('span', { i18n: 'msg.field.urgent' }))));

  const channel = () => form.querySelector('input[name="channel"]:checked')?.value || 'sms';
  let lastDefault = '';
  function syncChannel(resetTo) {
    const ch = channel();
    const keep = tpl.value;
    tpl.replaceChildren(h('option', { value: '', i18n: 'msg.own_text' }),
      ...TEMPLATES.filter(([, chs]) => chs.includes(ch)).map(([code]) => h('option', { value: code, i18n: `msg.template.${code}` })));
    tpl.value = [...tpl.options].some((o) => o.value === keep) ? keep : '';
    subjField.hidden = ch !== 'email' || !!tpl.value;
    textField.hidden = !!tpl.value;
    attachField.hidden = ch !== 'email';
    if (attachField.hidden) attachQ.checked = false;
    tplNote.hidden = !tpl.value;
    if (tpl.value) bindNote();
    to.type = ch === 'email' ? 'email' : 'tel';
    const p = st.person;
    const def = p ? (ch === 'email' ? p.email : p.phone) || '' : '';
    if (resetTo && (!to.value || to.value === lastDefault)) to.value = def;
    lastDefault = def;
    const opted = p && (p.opt_outs || []).includes(ch);
    toHint.hidden = !opted && !!def;
    if (opted) { toHint.className = 'hint warn-text'; setKey(toHint, `msg.opted_out_hint.${ch}`); }
    else if (!def && p) { toHint.className = 'hint'; setKey(toHint, `msg.no_contact.${ch}`); }
    updateCounter();
  }
  function setKey(el, key) { el.replaceChildren(h('span', { i18n: key })); }
  function bindNote() { tplNote.replaceChildren(h('span', { i18n: `msg.template_note.${tpl.value}` })); }
  function updateCounter() {
    const n = text.value.length;
    if (!n || channel() !== 'sms') { counter.replaceChildren(); return; }
    // GSM-7 when every character fits the basic set (roughly), UCS-2 otherwise
    const gsm = /^[\x20-\x7E\n\r£¥èéùìòÇØøÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ¡ÄÖÑÜ§¿äöñüà€]*$/.test(text.value);
    const one = gsm ? 160 : 70, many = gsm ? 153 : 67;
    const parts = n <= one ? 1 : Math.ceil(n / many);
    counter.replaceChildren(h('span', { i18n: ['msg.counter', { n, parts }] }));
  }
  form.addEventListener('change', (e) => {
    if (e.target.name === 'channel') syncChannel(true);
    if (e.target === tpl) syncChannel(false);
  });
  text.addEventListener('input', updateCounter);
  form.addEventListener('submit', (e) => { e.preventDefault(); sendMessage(); });

  async function sendMessage() {
    clearErrors(form);
    const ch = channel();
    const body = { channel: ch, to: to.value.trim(), case_id: ctx.caseId };
    if (!body.to) return showError(form, { key: 'error.required', params: { field: { key: 'msg.field.to' } }, field: 'to' });
    if (tpl.value) body.template = tpl.value;
    else {
      const tv = text.value.trim();
      if (!tv) return showError(form, { key: 'error.required', params: { field: { key: 'msg.field.text' } }, field: 'text' });
      body.text = tv;
      if (ch === 'email' && subject.value.trim()) body.subject = subject.value.trim();
    }
    if (urgent.checked) body.urgent = true;
    if (ch === 'email' && attachQ.checked) body.attachments = [{ kind: 'questionnaire' }];
    try {
      const m = await busy(send, () => post('/api/v1/messages', body));
      if (!ctx.here()) return;
      text.value = '';
      subject.value = '';
      urgent.checked = false;
      attachQ.checked = false;
      tpl.value = '';
      syncChannel(false);
      if (!st.items.some((x) => x.id === m.id)) st.items.unshift(m);
      render();
      flash(document.querySelector(`#message-list li[data-id="${m.id}"]`));
      toast('msg.queued');
      load(true);
    } catch (err) {
      if (err.status === 401) return;
      showError(form, err, { vars: 'template', channel: 'to', case_id: 'to', person_id: 'to', 'attachments[0].kind': 'attachments' });
    }
  }

  // ---- the list ----
  function item(m) {
    const times = [
      h('span', null, h('span', { class: 'muted', i18n: 'msg.time.created' }), ' ', h('time', { fmt: ['datetime', m.created_at] })),
      m.sent_at ? h('span', null, h('span', { class: 'muted', i18n: 'msg.time.sent' }), ' ', h('time', { fmt: ['datetime', m.sent_at] })) : null,
      m.delivered_at ? h('span', null, h('span', { class: 'muted', i18n: 'msg.time.delivered' }), ' ', h('time', { fmt: ['datetime', m.delivered_at] })) : null,
    ].filter(Boolean);
    return h('li', { class: ['message', `st-${m.status}`], dataset: { id: String(m.id), status: m.status, channel: m.channel } },
      h('div', { class: 'message-head' },
        channelEl(m.channel),
        h('span', { class: 'msg-to mono' }, m.to),
        m.urgent ? h('span', { class: 'badge urgent-badge', i18n: 'msg.urgent' }) : null,
        h('span', { class: 'msg-chip-slot' }, msgStatusChip(m))),
      m.subject ? h('p', { class: 'msg-subject' }, m.subject) : null,
      h('p', { class: 'msg-text' }, m.text || ''),
      m.attachments && m.attachments.length
        ? h('ul', { class: 'msg-attachments', i18nAttr: { 'aria-label': 'msg.attachments' } }, m.attachments.map((a) =>
          h('li', { class: 'msg-attachment', dataset: { name: a.name } },
            h('span', { class: 'mono' }, a.name), ' ',
            h('span', { class: 'muted', i18n: ['msg.attachment_size', { kb: Math.max(1, Math.round(a.size / 1024)) }] }))))
        : null,
      h('div', { class: 'message-meta small' },
        times.flatMap((x, i) => (i ? [h('span', { class: 'sep', 'aria-hidden': 'true' }, '·'), x] : [x])),
        m.channel === 'sms' && m.parts > 1 ? [h('span', { class: 'sep', 'aria-hidden': 'true' }, '·'), h('span', { i18n: ['msg.parts', { n: m.parts }] })] : null,
        m.template ? [h('span', { class: 'sep', 'aria-hidden': 'true' }, '·'), h('span', { class: 'muted', i18n: `msg.template.${m.template}` })] : null));
  }

  function render() {
    countEl.textContent = st.items.length ? `(${st.items.length})` : '';
    if (!st.items.length) {
      body.replaceChildren(h('div', { class: 'empty compact', dataset: { empty: 'messages' } }, h('p', { i18n: 'msg.none' })));
      return;
    }
    body.replaceChildren(h('ol', { class: 'message-list', id: 'message-list' }, st.items.map(item)));
  }

  async function load(highlight) {
    const seq = ++st.seq;
    let data;
    try { data = await get(`/api/v1/cases/${ctx.caseId}/messages`); } catch (err) {
      if (!ctx.here() || seq !== st.seq || err.status === 401) return;
      const m = errorMessage(err);
      body.replaceChildren(h('div', { class: 'alert error', role: 'alert', i18n: [m.key, m.params] }));
      return;
    }
    if (!ctx.here() || seq !== st.seq) return;
    const before = new Map(st.items.map((x) => [x.id, x.status]));
    st.items = Array.isArray(data) ? data : data.items || [];
    render();
    if (highlight) {
      for (const x of st.items) if (before.get(x.id) !== x.status) flash(document.querySelector(`#message-list li[data-id="${x.id}"]`));
    }
  }

  async function loadPerson() {
    if (!ctx.personId) return;
    try { st.person = await get(`/api/v1/persons/${ctx.personId}`); } catch { return; }
    if (ctx.here()) syncChannel(true);
  }

  syncChannel(true);
  loadPerson();
  const el = h('section', { class: 'card work-card', id: 'case-messages', 'aria-labelledby': 'messages-h' },
    h('div', { class: 'card-head row-head' },
      h('h2', { id: 'messages-h' }, h('span', { i18n: 'msg.title' }), ' ', countEl),
      h('span', { class: 'hint-keys' }, h('kbd', null, 'M'))),
    form, body);
  return {
    el, load,
    focus() { (to.value ? (tpl.value ? tpl : text) : to).focus(); form.scrollIntoView({ block: 'nearest' }); },
  };
}
