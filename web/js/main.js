// Boot and the app's state: who is signed in, which screen is open.
// Screens are chosen by the URL hash (#/profile, #/users, #/users/12), so
// back/forward, reload and links work.
import { api, get, patch, del, setCsrf, onUnauthorized } from './api.js';
import { setLang, initialLang, currentLang, setTitle } from './i18n.js';
import { renderShell, NAV, canUse } from './shell.js';
import { renderSignIn } from './signin.js';
import { installKeys } from './keys.js';
import { toast } from './toast.js';
import { errorMessage } from './forms.js';
import { profileView } from './views/profile.js';
import { usersView } from './views/users.js';
import { messageView } from './views/message.js';
import { programsView } from './views/programs.js';
import { policiesView } from './views/policies.js';
import { calculatorView } from './views/calculator.js';
import { importsView } from './views/imports.js';
import { searchView } from './views/search.js';
import { personView } from './views/person.js';
import { caseView } from './views/case.js';
import { casesView } from './views/cases.js';
import { tasksView } from './views/tasks.js';
import { npsView } from './views/nps.js';
import { msgReportView } from './views/msgreport.js';
import { templatesView } from './views/templates.js';
import { gatewaysView } from './views/gateways.js';
import { liveStart, liveStop, watch } from './live.js';
import { startTicker, caseTypeEl } from './casekit.js';
import { h } from './dom.js';
import { personName } from './cover.js';

const root = document.getElementById('app');

/** Parse "a=1&b=2" of a hash like #/coverage?policy=N. */
const query = (s) => Object.fromEntries(new URLSearchParams(s || ''));
const dec = (s) => { try { return decodeURIComponent(s); } catch { return s; } };

const ROUTES = [
  { re: /^\/search(?:\?(.*))?$/, view: searchView, nav: 'search', title: 'nav.search',
    params: (m) => ({ q: query(m[1]).q || '' }) },
  { re: /^\/persons\/(\d+)$/, view: personView, nav: 'search', title: 'person.title',
    params: (m) => ({ id: Number(m[1]) }) },
  { re: /^\/cases\/(\d+)$/, view: caseView, nav: 'cases', title: 'case.title',
    params: (m) => ({ id: Number(m[1]) }) },
  { re: /^\/cases(?:\?(.*))?$/, view: casesView, nav: 'cases', title: 'nav.cases',
    params: (m) => query(m[1]) },
  { re: /^\/tasks(?:\?(.*))?$/, view: tasksView, nav: 'tasks', title: 'nav.tasks',
    params: (m) => query(m[1]) },
  { re: /^\/templates$/, view: templatesView, nav: 'templates', title: 'tpl.title', roles: ['admin'] },
  { re: /^\/gateways(?:\/(new\/smpp|new\/smtp|\d+))?$/, view: gatewaysView, nav: 'gateways', title: 'gw.title', roles: ['admin'],
    params: (m) => ({ panel: m[1] || null }) },
  { re: /^\/reports\/nps(?:\?(.*))?$/, view: npsView, nav: 'reports', title: 'nps.title', roles: ['supervisor', 'admin'],
    params: (m) => query(m[1]) },
  { re: /^\/reports\/messages(?:\?(.*))?$/, view: msgReportView, nav: 'reports', title: 'mrep.title', roles: ['supervisor', 'admin'],
    params: (m) => query(m[1]) },
  { re: /^\/policies(?:\/([^/?]+))?$/, view: policiesView, nav: 'policies', title: 'nav.policies',
    params: (m) => ({ number: m[1] ? dec(m[1]) : null }) },
  { re: /^\/coverage(?:\?(.*))?$/, view: calculatorView, nav: 'coverage', title: 'nav.coverage',
    params: (m) => query(m[1]) },
  { re: /^\/programs(?:\/([^/?]+))?$/, view: programsView, nav: 'programs', title: 'nav.programs',
    params: (m) => ({ code: m[1] ? dec(m[1]) : null }) },
  { re: /^\/imports$/, view: importsView, nav: 'imports', title: 'nav.imports', roles: ['supervisor', 'admin'] },
  { re: /^\/profile$/, view: profileView, nav: 'profile', title: 'nav.profile' },
  { re: /^\/users(?:\/(new|\d+))?$/, view: usersView, nav: 'users', title: 'nav.users', roles: ['admin'],
    params: (m) => ({ panel: m[1] || null }) },
];

const app = {
  user: null,
  shell: null,
  view: null,       // the mounted view object

  /** Update the signed-in user everywhere (after PATCH /me). */
  setUser(u) {
    app.user = { ...app.user, ...u };
    if (app.shell) app.shell.setUser(app.user);
  },

  /** Switch language; when signed in, remember it for the user (PATCH /api/v1/me). */
  async changeLang(lang) {
    const before = currentLang();
    await setLang(lang);
    if (!app.user || app.user.language === lang) return;
    try {
      app.setUser(await patch('/api/v1/me', { language: lang }));
    } catch (err) {
      if (err.status === 401) return;
      const m = errorMessage(err);
      toast(m.key, m.params, 'error');
      await setLang(before);
    }
  },

  go(hash) {
    if (location.hash === hash) route();
    else location.hash = hash;
  },
};

function homeHash(user) {
  const first = NAV.find((n) => canUse(n, user));
  return first ? first.href : '#/profile';
}

/** Show the screen the hash names (or the sign-in page). */
function route() {
  if (!app.user) return;
  const path = location.hash.replace(/^#/, '') || '/';
  if (path === '/' || path === '') {
    history.replaceState(null, '', homeHash(app.user));
    return route();
  }
  let found = null, m = null;
  for (const r of ROUTES) {
    m = path.match(r.re);
    if (m) { found = r; break; }
  }
  let view, params = {}, nav = null, title;
  if (!found) {
    view = messageView;
    params = { kind: 'not_found' };
    title = 'page.not_found.title';
  } else if (found.roles && !found.roles.includes(app.user.role)) {
    view = messageView;
    params = { kind: 'forbidden' };
    title = 'page.forbidden.title';
  } else {
    view = found.view;
    params = found.params ? found.params(m) : {};
    nav = found.nav;
    title = found.title;
  }
  app.shell.setActive(nav);
  if (nav === 'tasks') { app.reminders = 0; app.shell.setBadge('tasks', 0); }
  setTitle(title);
  if (app.view === view && view.update) {
    view.update(params);
    return;
  }
  if (app.view && app.view.unmount) app.view.unmount();
  app.view = view;
  app.shell.main.replaceChildren();
  app.shell.main.scrollTop = 0;
  view.mount(app.shell.main, params, app);
}

function showShell() {
  app.view = null;
  app.shell = renderShell(root, app.user, {
    onLang: (l) => app.changeLang(l),
    onSignOut: signOut,
  });
  root.removeAttribute('aria-busy');
  startLive();
  route();
}

// ---------- live: one stream for the page; reminders show on any screen ----------

function startLive() {
  const u = app.user;
  liveStop();
  app.reminders = 0;
  liveStart(u.department ? [`department:${u.department}`] : []);
  watch([], { [`task.due`]: (data) => remind(data) });
  startTicker();
}

/** A task came due (the server's housekeeping): alert its assignee, or its department when nobody has it. */
async function remind(data) {
  const u = app.user;
  if (!u || !data || !data.id) return;
  let task;
  try { task = await get(`/api/v1/tasks/${data.id}`); } catch { return; }
  if (!app.user || app.user.id !== u.id || !app.shell) return;
  const forMe = task.assignee_id ? task.assignee_id === u.id : task.department === u.department;
  if (!forMe || task.status === 'done' || task.status === 'cancelled') return;
  const c = task.case || {};
  app.shell.showAlert({
    id: `task-${task.id}`,
    title: ['alerts.task_due', { id: c.id ?? task.case_id }],
    text: task.text,
    meta: h('span', null, personName(c), c.type ? ' · ' : null, c.type ? caseTypeEl(c.type) : null),
    href: `#/cases/${task.case_id}`,
    openKey: 'alerts.open_case',
    data: { taskId: String(task.id) },
  });
  if (app.view !== tasksView) app.shell.setBadge('tasks', ++app.reminders);
  if (app.view && app.view.onReminder) app.view.onReminder(task);
}

function showSignIn(notice) {
  liveStop();
  if (app.view && app.view.unmount) app.view.unmount();
  app.user = null;
  app.shell = null;
  app.view = null;
  setCsrf(null);
  setTitle('signin.title');
  renderSignIn(root, {
    notice,
    changeLang: (l) => setLang(l),
    onSignedIn: async (data, langChosen) => {
      setCsrf(data.csrf_token);
      app.user = data.user;
      if (langChosen && data.user.language !== currentLang()) {
        // chosen on the sign-in page: remember it for this user
        try { app.user = await patch('/api/v1/me', { language: currentLang() }); } catch { /* keep going */ }
      } else if (data.user.language !== currentLang()) {
        await setLang(data.user.language);
      }
      showShell();
    },
  });
  root.removeAttribute('aria-busy');
}

async function signOut() {
  liveStop();
  try {
    await del('/api/v1/session');
  } catch { /* signed out anyway */ }
  history.replaceState(null, '', location.pathname);
  showSignIn({ key: 'signin.signed_out' });
}

async function boot() {
  installKeys({
    signedIn: () => !!app.user,
    view: () => app.view,
    openHelp: () => app.shell && app.shell.openHelp(),
    closeMenu: () => (app.shell ? app.shell.closeMenu() : false),
    search: () => { if (app.user) app.go('#/search'); },
    goKey: (letter) => {
      const n = app.user && NAV.find((x) => x.go === letter && canUse(x, app.user));
      if (n) app.go(n.href);
      return !!n;
    },
  });
  onUnauthorized(() => {
    if (app.user) showSignIn({ key: 'signin.session_ended' });
  });
  window.addEventListener('hashchange', route);

  const langP = setLang(initialLang());
  let me = null;
  try {
    me = await api('GET', '/api/v1/me', undefined, { quiet401: true });
  } catch (err) {
    if (err.status !== 401) console.warn('GET /api/v1/me failed', err);
  }
  await langP;
  if (me && me.csrf_token) {
    setCsrf(me.csrf_token);
    const { csrf_token: _c, auth: _a, ...user } = me;
    app.user = user;
    if (user.language !== currentLang()) await setLang(user.language);
    showShell();
  } else {
    showSignIn(null);
  }
}


boot().catch((e) => {
  console.error(e);
  root.removeAttribute('aria-busy');
  root.textContent = 'assist could not start: ' + (e && e.message);
});
