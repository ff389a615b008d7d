// Global keyboard handling. The current view may add its own keys through
// onKey(e), focusFilter() and onEscape(); lists use listKeys().
import { isTyping } from './dom.js';

/**
 * ctx: {signedIn(): bool, view(): current view or null, openHelp(), closeMenu(): bool,
 *       goKey(letter): bool — "g then letter" opens that screen when the user may use it,
 *       search() — "/" on a screen without a filter of its own opens the search}
 */
export function installKeys(ctx) {
  let pendingG = 0;
  document.addEventListener('keydown', (e) => {
    if (e.defaultPrevented || e.isComposing) return;
    const target = e.target instanceof Element ? e.target : null;

    // Ctrl+Enter (⌘+Enter on a Mac) submits the form that has the focus.
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
      const form = target && target.closest('form');
      if (form) {
        e.preventDefault();
        form.requestSubmit();
      }
      return;
    }
    if (!ctx.signedIn()) return;
    if (document.querySelector('dialog[open]')) return; // the dialog handles its own keys (Esc closes it)

    const view = ctx.view();
    if (e.key === 'Escape') {
      if (ctx.closeMenu()) { e.preventDefault(); return; }
      if (view && view.onEscape && view.onEscape(e)) e.preventDefault();
      return;
    }
    if (e.ctrlKey || e.metaKey || e.altKey || isTyping(target)) return;

    if (pendingG && Date.now() - pendingG < 1500) {
      pendingG = 0;
      if (ctx.goKey(e.key.toLowerCase())) e.preventDefault();
      return;
    }
    pendingG = 0;
    if (e.key === '?') { e.preventDefault(); ctx.openHelp(); return; }
    if (e.key === '/') {
      if (view && view.focusFilter && view.focusFilter()) e.preventDefault();
      else if (ctx.search) { e.preventDefault(); ctx.search(); }
      return;
    }
    if (e.key === 'g' && !e.shiftKey) { pendingG = Date.now(); return; }
    if (view && view.onKey) view.onKey(e);
  });
}

/**
 * Arrow keys, Home/End and Enter over a list of focusable items
 * (roving tabindex: one item is in the tab order).
 * container: the element holding the items; itemSel: CSS selector of an item;
 * onOpen(item): called on Enter or click.
 */
export function listKeys(container, itemSel, onOpen) {
  const items = () => [...container.querySelectorAll(itemSel)].filter((el) => !el.hidden);
  container.addEventListener('keydown', (e) => {
    const item = e.target.closest(itemSel);
    if (!item || e.target !== item || e.ctrlKey || e.metaKey || e.altKey) return;
    const list = items();
    const i = list.indexOf(item);
    let next = null;
    if (e.key === 'ArrowDown' || e.key === 'j') next = list[Math.min(i + 1, list.length - 1)];
    else if (e.key === 'ArrowUp' || e.key === 'k') next = list[Math.max(i - 1, 0)];
    else if (e.key === 'Home') next = list[0];
    else if (e.key === 'End') next = list[list.length - 1];
    else if (e.key === 'PageDown') next = list[Math.min(i + 10, list.length - 1)];
    else if (e.key === 'PageUp') next = list[Math.max(i - 10, 0)];
    else if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); onOpen(item); return; }
    else return;
    e.preventDefault();
    if (next) focusItem(list, next);
  });
  container.addEventListener('click', (e) => {
    const item = e.target.closest(itemSel);
    if (!item || e.target.closest('a, button, input, select') && !e.target.closest('a[data-open]')) return;
    if (e.button !== 0 || e.ctrlKey || e.metaKey || e.shiftKey) return;
    e.preventDefault();
    focusItem(items(), item);
    onOpen(item);
  });
  return {
    /** Make item the tab stop (first item when null) without moving focus. */
    setCurrent(item) {
      const list = items();
      const cur = item && list.includes(item) ? item : list[0];
      for (const el of list) el.tabIndex = el === cur ? 0 : -1;
    },
    focusFirst() {
      const list = items();
      const cur = list.find((el) => el.tabIndex === 0) || list[0];
      if (cur) focusItem(list, cur);
      return !!cur;
    },
    focus(item) { focusItem(items(), item); },
  };
}

function focusItem(list, item) {
  for (const el of list) el.tabIndex = el === item ? 0 : -1;
  item.focus();
  item.scrollIntoView({ block: 'nearest' });
}
