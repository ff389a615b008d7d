// Live events: ONE server-sent-events stream per page
// (GET /api/v1/events/stream?topics=…), shared by the shell and the open
// screen. The shell keeps the user's department on it (the server adds the
// user's own topic); a screen asks for its topics with watch(), and the
// stream is reopened with the union of all topics when that set changes.
// Events carry ids only: a handler re-fetches what it shows. After every
// (re)connection each watcher's `open` handler runs, so that a screen can
// catch up on what it may have missed while the stream was being reopened.

/** The event types the server sends (EventSource needs a listener per type). */
const TYPES = [
  `case.created`, `case.updated`, `case.contact_added`, `case.quality_added`,
  `task.created`, `task.updated`, `task.due`,
  `policy.updated`, `coverage.changed`, `message.status`,
];
const MAX_TOPICS = 64;

let es = null;
let esTopics = null;
let base = [];
let running = false;
let timer = 0;
const watchers = new Set();

function wanted() {
  const all = new Set(base);
  for (const w of watchers) for (const t of w.topics) all.add(t);
  return [...all].sort().slice(0, MAX_TOPICS);
}

function dispatch(type, ev) {
  let data = {};
  try { data = JSON.parse(ev.data || '{}'); } catch { /* ids only: handlers re-fetch anyway */ }
  for (const w of [...watchers]) {
    const fn = w.handlers[type];
    if (fn && watchers.has(w)) {
      try { fn(data, type); } catch (e) { console.error(e); }
    }
  }
}

function connect() {
  timer = 0;
  if (!running || typeof EventSource === 'undefined') return;
  const topics = wanted();
  const key = topics.join(',');
  if (es && key === esTopics) return;
  if (es) es.close();
  esTopics = key;
  document.documentElement.dataset.live = 'connecting';
  const stream = new EventSource(`/api/v1/events/stream?topics=${encodeURIComponent(key)}`);
  es = stream;
  stream.addEventListener('open', () => {
    if (es !== stream) return;
    document.documentElement.dataset.live = 'open';
    for (const w of [...watchers]) if (w.handlers.open) w.handlers.open();
  });
  stream.addEventListener('error', () => { if (es === stream) document.documentElement.dataset.live = 'connecting'; });
  for (const type of TYPES) stream.addEventListener(type, (ev) => { if (es === stream) dispatch(type, ev); });
}

function schedule() {
  if (!running || timer) return;
  timer = setTimeout(connect, 0);
}

/** Start the page's stream with the shell's own topics (e.g. ['department:assistance']). */
export function liveStart(topics = []) {
  base = topics.filter(Boolean);
  running = true;
  esTopics = null;
  schedule();
}

/** Close the stream (signing out). Watchers are forgotten. */
export function liveStop() {
  running = false;
  if (timer) { clearTimeout(timer); timer = 0; }
  if (es) es.close();
  es = null;
  esTopics = null;
  watchers.clear();
  delete document.documentElement.dataset.live;
}

/**
 * Hear events on topics: handlers = {[`case.updated`]: (data) => …, open: () => …}.
 * Handlers hear every event of their type on the page's stream, whichever
 * topic brought it: they check the ids in data. Returns the function that
 * stops watching.
 */
export function watch(topics, handlers) {
  const w = { topics: topics.filter(Boolean), handlers };
  watchers.add(w);
  // a watcher whose topics are already on the stream is told at once that it is live
  if (es && es.readyState === 1 && w.topics.every((t) => esTopics.split(',').includes(t)) && handlers.open) {
    setTimeout(() => { if (watchers.has(w)) handlers.open(); }, 0);
  }
  schedule();
  return () => {
    if (!watchers.delete(w)) return;
    // keep the stream as it is when only topics went away: reopening costs more than hearing a little extra
  };
}

/** Is the stream connected (for tests and a status dot)? */
export const liveState = () => (es ? es.readyState : -1);
