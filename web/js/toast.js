// Short confirmations ("Saved") in a polite live region; they fade on their own.
import { h } from './dom.js';

let region = null;

function ensureRegion() {
  if (!region || !region.isConnected) {
    region = h('div', { class: 'toasts', role: 'status', 'aria-live': 'polite' });
    document.body.append(region);
  }
  return region;
}

/** toast('toast.saved') or toast('error.network', null, 'error'); kinds: ok, info, warn, error. */
export function toast(key, params, kind = 'ok') {
  const r = ensureRegion();
  const el = h('div', { class: ['toast', kind !== 'ok' && kind], i18n: params ? [key, params] : key });
  r.append(el);
  while (r.children.length > 3) r.firstElementChild.remove();
  setTimeout(() => el.remove(), kind === 'error' || kind === 'warn' ? 7000 : 3500);
  return el;
}
