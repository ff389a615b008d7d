// The signed-in frame: top bar (product, navigation, language, shortcuts,
// user menu), the work area (<main>) and the keyboard shortcuts overlay.
import { h, tx, langSelect, globeIcon, initials } from './dom.js';
import { t, currentLang } from './i18n.js';

/**
 * Navigation entries; roles: who may use the screen (absent: everybody);
 * go: the letter of the "g then letter" shortcut. The first entry a user
 * may use is their start page.
 */
export const NAV = [
  { id: 'search', href: '#/search', key: 'nav.search', go: 's', keys: 'keys.go_search' },
  { id: 'cases', href: '#/cases', key: 'nav.cases', go: 'a', keys: 'keys.go_cases' },
  { id: 'tasks', href: '#/tasks', key: 'nav.tasks', go: 't', keys: 'keys.go_tasks' },
  { id: 'policies', href: '#/policies', key: 'nav.policies', go: 'o', keys: 'keys.go_policies' },
  { id: 'coverage', href: '#/coverage', key: 'nav.coverage', go: 'c', keys: 'keys.go_coverage' },
  { id: 'programs', href: '#/programs', key: 'nav.programs', go: 'r', keys: 'keys.go_programs' },
  { id: 'imports', href: '#/imports', key: 'nav.imports', roles: ['supervisor', 'admin'], go: 'i', keys: 'keys.go_imports' },
  { id: 'reports', href: '#/reports/nps', key: 'nav.reports', roles: ['supervisor', 'admin'], go: 'n', keys: 'keys.go_reports' },
  { id: 'users', href: '#/users', key: 'nav.users', roles: ['admin'], go: 'u', keys: 'keys.go_users' },
  // in the user menu, not in the bar (the bar keeps room for the work screens)
  { id: 'templates', href: '#/templates', key: 'nav.templates', roles: ['admin'], bar: false },
  { id: 'gateways', href: '#/gateways', key: 'nav.gateways', roles: ['admin'], bar: false },
  { id: 'profile', href: '#/profile', key: 'nav.profile', go: 'p', keys: 'keys.go_profile', bar: false },
];

export const canUse = (entry, user) => !entry.roles || entry.roles.includes(user.role);

/**
 * Build the shell into root. handlers: onLang(lang), onSignOut().
 * Returns {main, setActive(navId), setUser(user), openHelp(), closeMenu() → bool}.
 */
export function renderShell(root, user, handlers) {
  const navLinks = new Map();
  const entries = NAV.filter((n) => canUse(n, user));

  const nav = h('nav', { class: 'mainnav', i18nAttr: { 'aria-label': 'nav.label' } },
    h('ul', null, entries.filter((n) => n.bar !== false).map((n) => {
      const a = h('a', { href: n.href, dataset: { nav: n.id } }, h('span', { i18n: n.key }),
        h('span', { class: 'nav-badge', hidden: true, dataset: { badge: n.id } }));
      navLinks.set(n.id, a);
      return h('li', null, a);
    })));

  const lang = langSelect(currentLang(), { id: 'topbar-lang', 'data-lang-select': true });
  lang.addEventListener('change', () => handlers.onLang(lang.value));

  const helpBtn = h('button', {
    type: 'button', class: 'icon-btn', 'aria-keyshortcuts': 'Shift+?',
    i18nAttr: { 'aria-label': 'shell.shortcuts', title: 'shell.shortcuts' },
  }, '?');
  helpBtn.addEventListener('click', () => openHelp());

  // ---- user menu ----
  const whoName = h('span', { class: 'who-name' });
  const whoRole = h('span', { class: 'who-role' });
  const avatar = h('span', { class: 'avatar', 'aria-hidden': 'true' });
  const menuBtn = h('button', {
    type: 'button', class: 'usermenu-btn', id: 'usermenu-btn',
    'aria-haspopup': 'menu', 'aria-expanded': 'false', 'aria-controls': 'usermenu',
  }, avatar, h('span', { class: 'who' }, whoName, whoRole), h('span', { class: 'caret', 'aria-hidden': 'true' }, '▾'));
  const menuLogin = h('div', { class: 'login' });
  const menuName = h('div', { class: 'who-full' });
  const signOut = h('button', { type: 'button', role: 'menuitem', tabindex: '-1', dataset: { action: 'signout' } },
    tx('shell.signout'));
  const menu = h('div', { class: 'menu', id: 'usermenu', role: 'menu', hidden: true, 'aria-labelledby': 'usermenu-btn' },
    h('div', { class: 'menu-head', role: 'presentation' }, menuName, menuLogin),
    h('a', { href: '#/profile', role: 'menuitem', tabindex: '-1' }, tx('nav.profile')),
    entries.filter((n) => n.bar === false && n.id !== 'profile')
      .map((n) => h('a', { href: n.href, role: 'menuitem', tabindex: '-1', dataset: { nav: n.id } }, tx(n.key))),
    h('button', { type: 'button', role: 'menuitem', tabindex: '-1', dataset: { action: 'help' } },
      tx('shell.shortcuts'), h('kbd', null, '?')),
    h('div', { class: 'sep', role: 'separator' }),
    signOut);
  const items = () => [...menu.querySelectorAll('[role="menuitem"]')];

  function openMenu(focusLast = false) {
    menu.hidden = false;
    menuBtn.setAttribute('aria-expanded', 'true');
    const list = items();
    (focusLast ? list[list.length - 1] : list[0]).focus();
  }
  function closeMenu(refocus = true) {
    if (menu.hidden) return false;
    menu.hidden = true;
    menuBtn.setAttribute('aria-expanded', 'false');
    if (refocus) menuBtn.focus();
    return true;
  }
  menuBtn.addEventListener('click', () => (menu.hidden ? openMenu() : closeMenu()));
  menuBtn.addEventListener('keydown', (e) => {
    if (e.key === 'ArrowDown') { e.preventDefault(); openMenu(); }
    if (e.key === 'ArrowUp') { e.preventDefault(); openMenu(true); }
  });
  menu.addEventListener('keydown', (e) => {
    const list = items();
    const i = list.indexOf(document.activeElement);
    if (e.key === 'ArrowDown') { e.preventDefault(); list[(i + 1) % list.length].focus(); }
    else if (e.key === 'ArrowUp') { e.preventDefault(); list[(i - 1 + list.length) % list.length].focus(); }
    else if (e.key === 'Home') { e.preventDefault(); list[0].focus(); }
    else if (e.key === 'End') { e.preventDefault(); list[list.length - 1].focus(); }
    else if (e.key === 'Tab') closeMenu(false);
  });
  menu.addEventListener('click', (e) => {
    const item = e.target.closest('[role="menuitem"]');
    if (!item) return;
    closeMenu(false);
    if (item.dataset.action === 'signout') handlers.onSignOut();
    else if (item.dataset.action === 'help') openHelp();
  });
  document.addEventListener('pointerdown', (e) => {
    if (menu.isConnected && !menu.hidden && !menu.contains(e.target) && !menuBtn.contains(e.target)) closeMenu(false);
  });

  const skip = h('button', { type: 'button', class: 'skip-link', i18n: 'shell.skip' });
  const main = h('main', { id: 'main', class: 'workspace', tabindex: '-1' });
  skip.addEventListener('click', () => main.focus());

  const header = h('header', { class: 'topbar' },
    h('a', { class: 'brand', href: '#/' }, h('img', { src: '/favicon.svg', alt: '' }), 'assist'),
    nav,
    h('div', { class: 'topbar-right' },
      h('div', { class: 'lang-switch' },
        h('label', { for: 'topbar-lang' }, globeIcon(), h('span', { class: 'sr-only', i18n: 'lang.label' })),
        lang),
      helpBtn,
      h('div', { class: 'usermenu' }, menuBtn, menu)));

  const help = helpDialog(user);
  // live reminders (a task came due): they stay until opened or dismissed
  const alerts = h('section', { class: 'alerts', id: 'alerts', i18nAttr: { 'aria-label': 'alerts.label' } },
    h('div', { class: 'alerts-list', role: 'log', 'aria-live': 'assertive' }));
  root.replaceChildren(h('div', { class: 'shell' }, skip, header, main, alerts), help);

  function setUser(u) {
    const name = u.full_name || u.login;
    whoName.textContent = name;
    whoRole.dataset.i18n = `role.${u.role}`;
    whoRole.textContent = t(`role.${u.role}`);
    avatar.textContent = initials(u.full_name, u.login);
    menuName.textContent = name;
    menuLogin.textContent = u.login;
    menuBtn.setAttribute('title', `${name} (${u.login})`);
  }
  setUser(user);

  function openHelp() {
    if (!help.open) help.showModal();
  }

  /** The count on a nav entry (0 hides it). */
  function setBadge(id, n) {
    const b = navLinks.get(id)?.querySelector('.nav-badge');
    if (!b) return;
    b.hidden = !n;
    b.textContent = n ? String(n) : '';
    b.setAttribute('aria-label', n ? t('alerts.badge', { n }) : '');
    if (n) b.dataset.i18n = 'alerts.badge';
  }

  /**
   * Show an alert: {id, title: [key, params], text, meta: node, href, openKey}.
   * The same id replaces the alert shown before.
   */
  function showAlert(a) {
    const list = alerts.querySelector('.alerts-list');
    list.querySelector(`[data-alert="${CSS.escape(a.id)}"]`)?.remove();
    const close = h('button', { type: 'button', class: 'icon-btn alert-close', i18nAttr: { 'aria-label': 'alerts.dismiss', title: 'alerts.dismiss' } }, '×');
    const open = a.href ? h('a', { class: 'btn small primary', href: a.href, i18n: a.openKey || 'alerts.open' }) : null;
    const el = h('div', { class: 'alert-card', dataset: { alert: a.id, ...(a.data || {}) } },
      h('div', { class: 'alert-icon', 'aria-hidden': 'true' }, bellIcon()),
      h('div', { class: 'alert-body' },
        h('p', { class: 'alert-title', i18n: a.title }),
        a.text ? h('p', { class: 'alert-text' }, a.text) : null,
        a.meta ? h('p', { class: 'alert-meta' }, a.meta) : null,
        open ? h('div', { class: 'alert-actions' }, open) : null),
      close);
    const remove = () => el.remove();
    close.addEventListener('click', remove);
    if (open) open.addEventListener('click', remove);
    list.prepend(el);
    while (list.children.length > 4) list.lastElementChild.remove();
    return el;
  }

  return {
    main,
    setUser,
    openHelp,
    closeMenu,
    setBadge,
    showAlert,
    clearAlerts() { alerts.querySelector('.alerts-list').replaceChildren(); },
    setActive(id) {
      for (const [nid, a] of navLinks) {
        if (nid === id) a.setAttribute('aria-current', 'page');
        else a.removeAttribute('aria-current');
      }
    },
  };
}

function bellIcon() {
  const ns = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(ns, 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('fill', 'none');
  svg.setAttribute('stroke', 'currentColor');
  svg.setAttribute('stroke-width', '1.9');
  for (const d of ['M6 9a6 6 0 0 1 12 0c0 5 2 7 2 7H4s2-2 2-7', 'M10 20a2 2 0 0 0 4 0']) {
    const p = document.createElementNS(ns, 'path');
    p.setAttribute('d', d);
    svg.append(p);
  }
  return svg;
}

/** The "?" overlay listing the shortcuts this user can use. */
function helpDialog(user) {
  const isAdmin = user.role === 'admin';
  const canEdit = user.role === 'admin' || user.role === 'supervisor';
  const k = (...keys) => keys.map((x) => (x === 'then' ? h('span', { class: 'then', i18n: 'keys.then' }) : h('kbd', null, x)));
  const row = (keys, key) => h('tr', null, h('td', { class: 'k' }, keys), h('td', { i18n: key }));
  const group = (key) => h('tr', null, h('th', { colspan: '2', i18n: key }));
  const close = h('button', { type: 'button', class: 'icon-btn', i18nAttr: { 'aria-label': 'common.close' } }, '×');
  const dlg = h('dialog', { class: 'overlay wide', id: 'shortcuts', 'aria-labelledby': 'shortcuts-title' },
    h('div', { class: 'overlay-head' }, h('h2', { id: 'shortcuts-title', i18n: 'keys.title' }), close),
    h('div', { class: 'overlay-body keys-cols' },
      h('table', { class: 'keys' }, h('tbody', null,
        group('keys.group.everywhere'),
        row(k('?'), 'keys.help'),
        row(k('Esc'), 'keys.escape'),
        row(k('Ctrl', 'Enter'), 'keys.submit'),
        row(k('↑', '↓'), 'keys.arrows'),
        row(k('Enter'), 'keys.open'),
        NAV.filter((n) => n.go && canUse(n, user)).map((n) => row(k('g', 'then', n.go), n.keys)),
        group('keys.group.search'),
        row(k('/'), 'keys.search'),
        row(k('↑', '↓'), 'keys.search_arrows'),
        row(k('Esc'), 'keys.search_clear'))),
      h('table', { class: 'keys' }, h('tbody', null,
        group('keys.group.person'),
        row(k('n'), 'keys.new_case'),
        group('keys.group.case'),
        row(k('l'), 'keys.log_contact'),
        row(k('t'), 'keys.add_task'),
        row(k('m'), 'keys.send_message'),
        row(k('e'), 'keys.edit_case'),
        row(k('p'), 'keys.open_person'),
        row(k('Esc'), 'keys.leave_field'),
        group('keys.group.policies'),
        row(k('/'), 'keys.find_policy'),
        row(k('c'), 'keys.calculate'),
        canEdit ? row(k('e'), 'keys.edit_policy') : null,
        row(k('d'), 'keys.coverage_date'),
        group('keys.group.coverage'),
        row(k('Enter'), 'keys.add_line'),
        row(k('Ctrl', 'Enter'), 'keys.evaluate'),
        row(k('Ctrl', 'Delete'), 'keys.remove_line'),
        group('keys.group.programs'),
        row(k('/'), 'keys.filter_programs'),
        isAdmin ? group('keys.group.users') : null,
        isAdmin ? row(k('/'), 'keys.filter') : null,
        isAdmin ? row(k('n'), 'keys.new_user') : null))));
  close.addEventListener('click', () => dlg.close());
  dlg.addEventListener('click', (e) => { if (e.target === dlg) dlg.close(); });
  return dlg;
}
