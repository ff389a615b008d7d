// The JSON API client: same-origin cookie session, CSRF header on writes,
// errors as ApiError {status, code, message, field, retryAfter}.

export class ApiError extends Error {
  constructor(status, code, message, field = null, retryAfter = null) {
    super(message || code);
    this.status = status;
    this.code = code;
    this.field = field;
    this.retryAfter = retryAfter;
  }
}

let csrf = null;
let onSessionLost = null;

export function setCsrf(token) { csrf = token || null; }

/** Called with the error when a signed-in request answers 401 (session ended elsewhere). */
export function onUnauthorized(fn) { onSessionLost = fn; }

/**
 * api(method, path, body?, {quiet401}) → parsed JSON (null for 204).
 * quiet401: a 401 is expected (checking whether we are signed in).
 */
export async function api(method, path, body, opts = {}) {
  const headers = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET' && method !== 'HEAD' && csrf) headers['X-CSRF-Token'] = csrf;
  let res;
  try {
    res = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'same-origin',
      cache: 'no-store',
    });
  } catch (e) {
    throw new ApiError(0, 'network', String(e && e.message || e));
  }
  if (res.status === 204) return null;
  let data = null;
  const text = await res.text();
  if (text) {
    try { data = JSON.parse(text); } catch { data = null; }
  }
  if (!res.ok) {
    const e = (data && data.error) || {};
    const retry = res.headers.get('Retry-After');
    const err = new ApiError(res.status, e.code || `http_${res.status}`, e.message || res.statusText,
      e.field ?? null, retry != null && retry !== '' ? Number(retry) : null);
    if (res.status === 401 && !opts.quiet401 && onSessionLost) onSessionLost(err);
    throw err;
  }
  return data;
}

export const get = (p, o) => api('GET', p, undefined, o);
export const post = (p, b, o) => api('POST', p, b, o);
export const patch = (p, b, o) => api('PATCH', p, b, o);
export const del = (p, o) => api('DELETE', p, undefined, o);
