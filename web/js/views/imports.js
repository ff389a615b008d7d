// Import of policy lists (#/imports, supervisor and admin): pick or drop a
// .xlsx or .csv file, check it (a dry run that writes nothing and reports
// every bad row with its row, column and reason), then import it (all or
// nothing). Upload progress and a cancel button; the report stays on screen.
import { h } from '../dom.js';
import { upload } from '../api.js';
import { t, has } from '../i18n.js';
import { errorMessage } from '../forms.js';
import { toast } from '../toast.js';

const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const REQUIRED = ['policy_number', 'program', 'start_date', 'end_date', 'last_name', 'first_name', 'birth_date', 'sex'];
const OPTIONAL = ['packages', 'status', 'sum_insured', 'previous_policy', 'middle_name', 'phone', 'email', 'document',
  'address', 'city', 'language', 'time_zone'];

let S = null;

export const importsView = {
  mount(main, _params, app) {
    S = { app, main, file: null, checked: null, done: null, ctrl: null, phase: null };
    build();
  },
  unmount() {
    if (S && S.ctrl) S.ctrl.abort();
    S = null;
  },
  onEscape() {
    if (S && S.ctrl && S.cancellable) { S.ctrl.abort(); return true; }
    return false;
  },
};

// ---------- layout ----------

function build() {
  const input = h('input', {
    type: 'file', id: 'import-file', class: 'file-input', accept: `.xlsx,.csv,text/csv,${XLSX_TYPE}`,
    'aria-describedby': 'import-file-hint',
  });
  const choose = h('label', { for: 'import-file', class: 'btn', id: 'choose-file', tabindex: '0', role: 'button' },
    h('span', { i18n: 'imports.choose' }));
  const drop = h('div', { class: 'dropzone', id: 'dropzone' },
    h('div', { class: 'drop-icon', 'aria-hidden': 'true' }, '⇪'),
    h('p', { class: 'drop-title', i18n: 'imports.drop' }),
    h('p', { class: 'muted', i18n: 'imports.or' }),
    choose, input,
    h('p', { class: 'hint', id: 'import-file-hint', i18n: 'imports.file_hint' }));
  const fileInfo = h('div', { class: 'file-info', id: 'file-info', hidden: true });
  const checkBtn = h('button', { type: 'submit', class: 'btn primary', id: 'check-btn', disabled: true },
    h('span', { i18n: 'imports.check' }), h('span', { class: 'kbd-pair', 'aria-hidden': 'true' }, h('kbd', null, 'Ctrl'), h('kbd', null, 'Enter')));
  const importBtn = h('button', { type: 'button', class: 'btn', id: 'import-btn', disabled: true, i18n: 'imports.run' });
  const cancelBtn = h('button', { type: 'button', class: 'btn small danger', id: 'cancel-btn', hidden: true, i18n: 'common.cancel' });
  const progress = h('div', { class: 'progress-box', id: 'import-progress', hidden: true },
    h('progress', { max: '100', id: 'import-progress-bar', 'aria-labelledby': 'import-progress-text' }),
    h('div', { class: 'progress-row' },
      h('p', { class: 'progress-text', id: 'import-progress-text', 'aria-live': 'polite' }),
      cancelBtn));
  const status = h('div', { id: 'import-status', 'aria-live': 'polite' });
  const form = h('form', { class: 'import-form', id: 'import-form', novalidate: true },
    drop, fileInfo,
    h('div', { class: 'form-actions' }, checkBtn, importBtn),
    progress, status,
    h('p', { class: 'hint', id: 'import-step-hint', i18n: 'imports.step_hint' }));

  const template = h('a', { class: 'btn', href: '/api/v1/imports/policies/template.csv', download: 'policies-template.csv', id: 'template-link' },
    h('span', { i18n: 'imports.template' }));
  const colList = (cols) => h('ul', { class: 'col-list' }, cols.map((c) => h('li', null,
    h('code', { class: 'code' }, c), has(`imports.column.${c}`) ? h('span', { class: 'muted', i18n: `imports.column.${c}` }) : null)));
  const help = h('section', { class: 'card help-card', 'aria-labelledby': 'imp-help-h' },
    h('div', { class: 'card-head' }, h('h2', { id: 'imp-help-h', i18n: 'imports.how_title' })),
    h('ol', { class: 'steps' },
      h('li', { i18n: 'imports.step1' }),
      h('li', { i18n: 'imports.step2' }),
      h('li', { i18n: 'imports.step3' })),
    h('div', { class: 'mt' }, template),
    h('details', { class: 'disclosure mt', id: 'columns-details' },
      h('summary', null, h('h3', { i18n: 'imports.columns' })),
      h('div', { class: 'disclosure-body' },
        h('p', { class: 'field-label', i18n: 'imports.required' }), colList(REQUIRED),
        h('p', { class: 'field-label mt', i18n: 'imports.optional' }), colList(OPTIONAL),
        h('p', { class: 'hint mt', i18n: 'imports.formats_hint' }))));

  const report = h('section', { class: 'card report-card', id: 'import-report', hidden: true, 'aria-labelledby': 'report-h', tabindex: '-1' });
  const waiting = h('section', { class: 'card report-empty', id: 'report-empty' },
    h('div', { class: 'empty' },
      h('p', { class: 'empty-title', i18n: 'imports.no_report_title' }),
      h('p', { i18n: 'imports.no_report_text' }),
      h('a', { class: 'btn', href: '/api/v1/imports/policies/template.csv', download: 'policies-template.csv' },
        h('span', { i18n: 'imports.template' }))));

  const page = h('div', { class: 'page wide', dataset: { view: 'imports' } },
    h('div', { class: 'page-head' },
      h('h1', { i18n: 'imports.title' }),
      h('span', { class: 'sub', i18n: 'imports.subtitle' })),
    h('div', { class: 'import-grid' },
      h('div', { class: 'import-side' },
        h('section', { class: 'card', 'aria-labelledby': 'imp-file-h' },
          h('div', { class: 'card-head' }, h('h2', { id: 'imp-file-h', i18n: 'imports.file' })),
          form),
        help),
      h('div', { class: 'import-main' }, waiting, report)));
  S.main.replaceChildren(page);
  S.els = { input, drop, fileInfo, checkBtn, importBtn, cancelBtn, progress, status, report, form, choose, waiting };

  choose.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); input.click(); }
  });
  input.addEventListener('change', () => { if (input.files && input.files[0]) pick(input.files[0]); });
  // a file dropped anywhere on the page is taken (never opened by the browser instead)
  page.addEventListener('dragover', (e) => {
    if (![...(e.dataTransfer?.types || [])].includes('Files')) return;
    e.preventDefault();
    drop.classList.add('over');
  });
  page.addEventListener('dragleave', (e) => { if (!page.contains(e.relatedTarget)) drop.classList.remove('over'); });
  page.addEventListener('drop', (e) => {
    e.preventDefault();
    drop.classList.remove('over');
    const f = e.dataTransfer && e.dataTransfer.files && e.dataTransfer.files[0];
    if (f) pick(f);
  });
  form.addEventListener('submit', (e) => { e.preventDefault(); run(true); });
  importBtn.addEventListener('click', () => run(false));
  cancelBtn.addEventListener('click', () => { if (S.ctrl) S.ctrl.abort(); });
  choose.focus();
}

// ---------- the file ----------

const kindOf = (f) => (/\.xlsx$/i.test(f.name) ? 'xlsx' : /\.csv$/i.test(f.name) ? 'csv' : null);

function pick(file) {
  if (S.ctrl) return;
  S.file = null;
  S.checked = null;
  S.done = null;
  const { fileInfo, status, report } = S.els;
  report.hidden = true;
  report.replaceChildren();
  S.els.waiting.hidden = false;
  const kind = kindOf(file);
  if (!kind) {
    fileInfo.hidden = true;
    status.replaceChildren(h('div', { class: 'alert error', role: 'alert', i18n: ['imports.bad_type', { name: file.name }] }));
    updateButtons();
    return;
  }
  S.file = file;
  status.replaceChildren();
  const again = h('button', { type: 'button', class: 'btn small', i18n: 'imports.another' });
  again.addEventListener('click', () => S.els.input.click());
  fileInfo.replaceChildren(
    h('span', { class: ['file-kind', kind], 'aria-hidden': 'true' }, kind.toUpperCase()),
    h('div', { class: 'file-meta' },
      h('strong', { class: 'file-name', id: 'file-name' }, file.name),
      h('span', { class: 'muted small' }, sizeText(file.size), ' · ', h('span', { i18n: `imports.kind.${kind}` }))),
    again);
  fileInfo.hidden = false;
  updateButtons();
  S.els.checkBtn.focus();
}

function sizeText(bytes) {
  const units = ['byte', 'kilobyte', 'megabyte', 'gigabyte'];
  let v = bytes, i = 0;
  while (v >= 1024 && i < units.length - 1) { v /= 1024; i++; }
  try {
    return new Intl.NumberFormat(document.documentElement.lang || 'en', {
      style: 'unit', unit: units[i], unitDisplay: 'short', maximumFractionDigits: i ? 1 : 0,
    }).format(v);
  } catch {
    return `${bytes} B`;
  }
}

function updateButtons() {
  const { checkBtn, importBtn } = S.els;
  const busyNow = !!S.ctrl;
  checkBtn.disabled = busyNow || !S.file;
  const clean = S.checked && S.checked.file === S.file && S.checked.report.errors === 0 && S.checked.report.rows > 0;
  importBtn.disabled = busyNow || !clean || !!S.done;
  importBtn.classList.toggle('primary', !!clean && !S.done);
  checkBtn.classList.toggle('primary', !clean || !!S.done);
}

// ---------- upload ----------

function setProgress(textKey, params, value) {
  const { progress } = S.els;
  progress.hidden = false;
  const bar = progress.querySelector('progress');
  if (value === null) bar.removeAttribute('value'); else bar.value = value;
  const txt = progress.querySelector('.progress-text');
  txt.dataset.i18n = textKey;
  txt.dataset.i18nParams = JSON.stringify(params || {});
  txt.textContent = t(textKey, params);
}

async function run(dryRun) {
  if (!S.file || S.ctrl) return;
  const mine = S;
  const file = S.file;
  const kind = kindOf(file);
  const ctrl = new AbortController();
  S.ctrl = ctrl;
  S.cancellable = true;
  S.els.cancelBtn.hidden = false;
  S.els.status.replaceChildren();
  updateButtons();
  const what = dryRun ? 'imports.checking' : 'imports.importing';
  setProgress('imports.uploading', { pct: 0 }, 0);
  const body = file.type ? file : new Blob([file], { type: kind === 'xlsx' ? XLSX_TYPE : 'text/csv' });
  let report = null, error = null;
  try {
    report = await upload('POST', `/api/v1/imports/policies?dry_run=${dryRun}&file_name=${encodeURIComponent(file.name)}`, body, {
      signal: ctrl.signal,
      onProgress: (sent, total) => {
        if (S !== mine) return;
        const pct = total ? Math.floor((sent * 100) / total) : 0;
        setProgress('imports.uploading', { pct }, pct);
      },
      onSent: () => {
        if (S !== mine) return;
        // once a real import is on the server it runs to its end: it can no longer be cancelled here
        if (!dryRun) { S.cancellable = false; S.els.cancelBtn.hidden = true; }
        setProgress(what, null, null);
      },
    });
  } catch (err) {
    error = err;
  }
  if (S !== mine) return;
  S.ctrl = null;
  S.els.cancelBtn.hidden = true;
  S.els.progress.hidden = true;
  if (error && error.status === 422 && error.data && Array.isArray(error.data.issues)) {
    // a real run with bad rows: nothing was written; the answer is the report
    report = error.data;
    error = null;
  }
  if (error) {
    updateButtons();
    if (error.status === 401) return;
    if (error.code === 'aborted') {
      S.els.status.replaceChildren(h('div', { class: 'alert warn', role: 'status', i18n: dryRun ? 'imports.cancelled_check' : 'imports.cancelled' }));
      return;
    }
    const m = errorMessage(error);
    S.els.status.replaceChildren(h('div', { class: 'alert error', role: 'alert', dataset: { code: error.code } },
      h('span', { i18n: [m.key, m.params] })));
    return;
  }
  if (dryRun) S.checked = { file, report };
  else if (report.applied) {
    S.done = report;
    toast('toast.imported', { n: report.rows });
  }
  updateButtons();
  renderReport(report, dryRun);
  if (!dryRun || report.errors) S.els.report.focus({ preventScroll: true });
  S.els.report.scrollIntoView({ block: 'nearest', behavior: 'smooth' });
  if (dryRun && report.errors === 0 && report.rows > 0) S.els.importBtn.focus();
}

// ---------- the report ----------

/** The server's English issue text, said in the UI language where we know the sentence. */
const ISSUE_PATTERNS = [
  [/^(\w+) is empty$/, 'imports.issue.empty'],
  [/^(\w+) is not a date/, 'imports.issue.not_date'],
  [/^end_date is before start_date/, 'imports.issue.end_before_start'],
  [/^status must be/, 'imports.issue.status'],
  [/^sum_insured must be/, 'imports.issue.sum_insured'],
  [/^sex must be/, 'imports.issue.sex'],
  [/^email is not/, 'imports.issue.email'],
  [/^phone is not/, 'imports.issue.phone'],
  [/^language must be/, 'imports.issue.language'],
  [/^(\w+) is too long$/, 'imports.issue.too_long'],
  [/^(\w+) must be letters, digits/, 'imports.issue.code'],
  [/^(\w+) is not valid UTF-8/, 'imports.issue.utf8'],
  [/^no program (.+)$/, 'imports.issue.no_program'],
  [/^policy (.+) appears twice in the file$/, 'imports.issue.twice'],
  [/^(.+) is not a package of the program$/, 'imports.issue.no_package'],
  [/^package "(.+)" is not a code$/, 'imports.issue.package_code'],
  [/^no policy (.+) to renew$/, 'imports.issue.no_previous'],
  [/^the required column (\w+) is missing$/, 'imports.issue.missing_column'],
  [/^unknown column "(.*)"$/, 'imports.issue.unknown_column'],
  [/^column (\w+) appears twice$/, 'imports.issue.column_twice'],
  [/^the row has more cells than the header/, 'imports.issue.more_cells'],
];

function issueText(issue) {
  const msg = issue.message;
  // the server names what is wrong with a code: say it in the UI language
  if (issue.code && has(`imports.issue.${issue.code}`)) {
    return h('span', { i18n: [`imports.issue.${issue.code}`, { x: issue.value || issue.column || '' }], title: msg });
  }
  // older servers sent the English sentence only
  for (const [re, key] of ISSUE_PATTERNS) {
    const m = re.exec(msg);
    if (m && has(key)) return h('span', { i18n: [key, { x: m[1] || '' }], title: msg });
  }
  return h('span', { lang: 'en' }, msg);
}

function stat(key, value, kind) {
  return h('div', { class: ['stat', kind], dataset: { stat: kind } },
    h('dt', { i18n: key }), h('dd', { fmt: ['number', value] }));
}

function renderReport(r, dryRun) {
  const { report } = S.els;
  const bad = r.errors > 0;
  const badRows = new Set(r.issues.map((x) => x.row)).size;
  let alert;
  if (bad) {
    alert = h('div', { class: 'alert error', role: 'alert', id: 'report-alert', dataset: { state: 'errors' } },
      h('span', { i18n: [dryRun ? 'imports.report_errors_check' : 'imports.report_errors_run', { n: r.errors, rows: badRows }] }));
  } else if (!r.rows) {
    alert = h('div', { class: 'alert warn', role: 'status', id: 'report-alert', dataset: { state: 'empty' } }, h('span', { i18n: 'imports.report_empty' }));
  } else if (dryRun) {
    alert = h('div', { class: 'alert ok', role: 'status', id: 'report-alert', dataset: { state: 'clean' } },
      h('span', { i18n: ['imports.report_clean', { n: r.rows }] }));
  } else {
    alert = h('div', { class: 'alert ok', role: 'status', id: 'report-alert', dataset: { state: 'applied' } },
      h('span', { i18n: ['imports.report_applied', { created: r.created, updated: r.updated, unchanged: r.unchanged }] }));
  }
  const pre = dryRun ? 'imports.would.' : 'imports.did.';
  const counts = !bad && (!dryRun || r.created + r.updated + r.unchanged > 0);
  const parts = [
    h('div', { class: 'card-head row-head' },
      h('h2', { id: 'report-h', i18n: dryRun ? 'imports.report_check' : 'imports.report_run' }),
      S.file ? h('span', { class: 'muted' }, S.file.name) : null),
    alert,
    // with problems nothing would be written; a dry run that does not count what it would change shows no counts
    h('dl', { class: 'stats', id: 'report-stats' },
      stat('imports.rows', r.rows, 'rows'),
      counts ? stat(`${pre}created`, r.created, 'created') : null,
      counts ? stat(`${pre}updated`, r.updated, 'updated') : null,
      counts ? stat(`${pre}unchanged`, r.unchanged, 'unchanged') : null,
      stat('imports.errors', r.errors, 'errors'),
      bad ? stat('imports.bad_rows', badRows, 'bad-rows') : null),
  ];
  if (r.issues.length) {
    parts.push(
      h('div', { class: 'section-head mt' },
        h('h3', { i18n: 'imports.issues' }),
        r.issues.length < r.errors
          ? h('p', { i18n: ['imports.issues_first', { shown: r.issues.length, total: r.errors }] })
          : h('p', { i18n: ['imports.issues_all', { total: r.errors }] })),
      h('div', { class: 'table-wrap flat issues-wrap' },
        h('table', { class: 'data compact', id: 'issues-table' },
          h('thead', null, h('tr', null,
            h('th', { scope: 'col', class: 'num col-row', i18n: 'imports.col.row' }),
            h('th', { scope: 'col', class: 'col-column', i18n: 'imports.col.column' }),
            h('th', { scope: 'col', i18n: 'imports.col.problem' }))),
          h('tbody', null, r.issues.map((x) => h('tr', { dataset: { row: String(x.row), column: x.column || '' } },
            h('td', { class: 'num' }, h('span', { fmt: ['number', x.row] })),
            h('td', null, x.column ? h('code', { class: 'code' }, x.column) : h('span', { class: 'muted', i18n: 'imports.whole_row' })),
            h('td', null, issueText(x))))))),
      h('p', { class: 'hint mt', i18n: 'imports.row_hint' }));
  }
  report.replaceChildren(...parts);
  report.hidden = false;
  S.els.waiting.hidden = true;
  report.classList.remove('pulse');
  void report.offsetWidth;
  report.classList.add('pulse');
}
