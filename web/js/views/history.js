// A record's change history from the audit trail, as a readable diff:
// "Role: Operator → Case manager". Other records (policies) pass their own
// field order, labels and value formatting in opts.
import { h, tx, dateEl } from '../dom.js';
import { has } from '../i18n.js';

/** Fields never shown in a diff (they change on every write or never). */
const HIDDEN = new Set(['id', 'created_at', 'updated_at']);
/** Field order in a diff; others follow alphabetically. */
const ORDER = ['login', 'full_name', 'role', 'language', 'disabled', 'password_reset', 'name', 'source'];
/** Actions that record a session, not a change. */
export const SESSION_ACTIONS = new Set(['login', 'logout']);

const sortKeys = (keys, order = ORDER) => keys.sort((a, b) => {
  const ia = order.indexOf(a), ib = order.indexOf(b);
  return (ia < 0 ? 99 : ia) - (ib < 0 ? 99 : ib) || a.localeCompare(b);
});

function defaultLabel(k) {
  if (k === 'disabled') return tx('field.status');
  if (k === 'password_reset') return tx('field.password');
  return has(`field.${k}`) ? tx(`field.${k}`) : h('span', null, k);
}

/** A value as the user reads it, in the UI language. */
function defaultValue(k, v) {
  if (v === null || v === undefined || v === '') return h('span', { class: 'muted', i18n: 'common.empty' });
  if (k === 'role') return h('span', { i18n: `role.${v}` });
  if (k === 'language') return h('span', { fmt: ['lang', v] });
  if (k === 'disabled') return h('span', { i18n: v ? 'status.disabled' : 'status.active' });
  if (typeof v === 'boolean') return h('span', { i18n: v ? 'common.yes' : 'common.no' });
  if (typeof v === 'object') return h('span', { class: 'mono' }, JSON.stringify(v));
  return h('span', null, String(v));
}

const isObj = (x) => x && typeof x === 'object' && !Array.isArray(x);

/**
 * The diff rows of one audit entry (empty when nothing readable changed).
 * opts: order (field names first in this order), label(k) → node,
 * value(k, v) → node (or undefined for the default).
 */
export function diffRows(entry, opts = {}) {
  const label = opts.label || defaultLabel;
  const value = (k, v) => (opts.value && opts.value(k, v)) || defaultValue(k, v);
  const order = opts.order || ORDER;
  const before = isObj(entry.before) ? entry.before : null;
  const after = isObj(entry.after) ? entry.after : null;
  const rows = [];
  if (before && after) {
    const keys = sortKeys([...new Set([...Object.keys(before), ...Object.keys(after)])].filter((k) => !HIDDEN.has(k)), order);
    for (const k of keys) {
      if (k === 'password_reset') {
        if (after[k]) rows.push(h('div', { class: 'diff-row', dataset: { field: k } },
          h('dt', null, label(k)), h('dd', null, h('ins', { i18n: 'history.password_reset' }))));
        continue;
      }
      if (JSON.stringify(before[k]) === JSON.stringify(after[k])) continue;
      rows.push(h('div', { class: 'diff-row', dataset: { field: k } },
        h('dt', null, label(k)),
        h('dd', null,
          h('del', null, value(k, before[k])),
          h('span', { class: 'arrow', 'aria-hidden': 'true' }, '→'),
          h('span', { class: 'sr-only', i18n: 'history.changed_to' }),
          h('ins', null, value(k, after[k])))));
    }
  } else if (after) {
    // created (or another action with only a result): the values set
    for (const k of sortKeys(Object.keys(after).filter((x) => !HIDDEN.has(x)), order)) {
      if (k === 'password_changed') continue;
      rows.push(h('div', { class: 'diff-row', dataset: { field: k } },
        h('dt', null, label(k)), h('dd', null, h('ins', null, value(k, after[k])))));
    }
  }
  return rows;
}

function actionText(a) {
  return has(`history.action.${a}`) ? tx(`history.action.${a}`) : tx('history.action.other', { action: a });
}

/** One <li> per audit entry (opts: as for diffRows). */
export function historyItem(entry, opts) {
  const rows = diffRows(entry, opts && typeof opts === 'object' ? opts : undefined);
  const quiet = SESSION_ACTIONS.has(entry.action);
  const actor = entry.actor && entry.actor.login ? entry.actor.login : '—';
  const showNoChange = !quiet && entry.action === 'update' && rows.length === 0;
  return h('li', { class: ['hist-item', quiet && 'quiet'], dataset: { action: entry.action, auditId: String(entry.id) } },
    h('div', { class: 'hist-head' },
      h('span', { class: 'hist-action' }, actionText(entry.action)),
      h('span', { class: 'hist-meta' },
        dateEl(entry.at, 'datetime'), ' · ', h('span', { i18n: ['history.by', { actor }] }),
        entry.version != null ? [' · ', h('span', { class: 'hist-version', i18n: ['history.version', { n: entry.version }] })] : null)),
    rows.length ? h('dl', { class: 'diff' }, rows) : null,
    showNoChange ? h('p', { class: 'hist-meta', i18n: 'history.no_changes' }) : null);
}
