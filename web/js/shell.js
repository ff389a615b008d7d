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
  { id: 'policies', href: '#/policies', key: 'nav.policies', go: 'o', keys: 'keys.go_policies' },
  { id: 'coverage', href: '#/coverage', key: 'nav.coverage', go: 'c', keys: 'keys.go_coverage' },
  { id: 'programs', href: '#/programs', key: 'nav.programs', go: 'r', keys: 'keys.go_programs' },
  { id: 'imports', href: '#/imports', key: 'nav.imports', roles: ['supervisor', 'admin'], go: 'i', keys: 'keys.go_imports' },
  { id: 'users', href: '#/users', key: 'nav.users', roles: ['admin'], go: 'u', keys: 'keys.go_users' },
  { id: 'profile', href: '#/profile', key: 'nav.profile', go: 'p', keys: 'keys.go_profile' },
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
    h('ul', null, entries.map((n) => {
      const a = h('a', { href: n.href, i18n: n.key, dataset: { nav: n.id } });
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
  root.replaceChildren(h('div', { class: 'shell' }, skip, header, main), help);

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

  return {
    main,
    setUser,
    openHelp,
    closeMenu,
    setActive(id) {
      for (const [nid, a] of navLinks) {
        if (nid === id) a.setAttribute('aria-current', 'page');
        else a.removeAttribute('aria-current');
      }
    },
  };
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
        NAV.filter((n) => canUse(n, user)).map((n) => row(k('g', 'then', n.go), n.keys)))),
      h('table', { class: 'keys' }, h('tbody', null,
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
