// The JSON API client: same-origin cookie session, CSRF header on writes,
// errors as ApiError {status, code, message, field, retryAfter, data}
// (data: the whole JSON answer, e.g. an import report sent with 422).

export class ApiError extends Error {
  constructor(status, code, message, field = null, retryAfter = null) {
    super(message || code);
    this.status = status;
    this.code = code;
    this.field = field;
    this.retryAfter = retryAfter;
    this.data = null;
  }
}

let csrf = null;
let onSessionLost = null;

export function setCsrf(token) { csrf = token || null; }

/** Called with the error when a signed-in request answers 401 (session ended elsewhere). */
export function onUnauthorized(fn) { onSessionLost = fn; }

/**
 * api(method, path, body?, {quiet401}) → parsed JSON (null for 204).
 * quiet401: a 401 is expected (checking whether we are signed in);
 * signal: an AbortSignal (a search as you type cancels the stale request:
 * rejects with code 'aborted').
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
      signal: opts.signal,
    });
  } catch (e) {
    if (e && e.name === 'AbortError') throw new ApiError(0, 'aborted', 'cancelled');
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
    err.data = data;
    if (res.status === 401 && !opts.quiet401 && onSessionLost) onSessionLost(err);
    throw err;
  }
  return data;
}

export const get = (p, o) => api('GET', p, undefined, o);
export const post = (p, b, o) => api('POST', p, b, o);
export const patch = (p, b, o) => api('PATCH', p, b, o);
export const del = (p, o) => api('DELETE', p, undefined, o);

/**
 * Send a file as the request body (XMLHttpRequest, for upload progress).
 * opts: onProgress(sent, total) while the body goes up, onSent() when it is
 * all sent (the server is working), signal (AbortSignal: cancels).
 * Resolves with the parsed JSON; rejects with ApiError (code 'aborted' when cancelled).
 */
export function upload(method, path, file, opts = {}) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open(method, path);
    xhr.setRequestHeader('Accept', 'application/json');
    xhr.setRequestHeader('Content-Type', file.type || 'application/octet-stream');
    if (csrf) xhr.setRequestHeader('X-CSRF-Token', csrf);
    xhr.withCredentials = true;
    xhr.upload.addEventListener('progress', (e) => {
      if (opts.onProgress) opts.onProgress(e.loaded, e.lengthComputable ? e.total : file.size);
    });
    xhr.upload.addEventListener('load', () => { if (opts.onSent) opts.onSent(); });
    xhr.addEventListener('error', () => reject(new ApiError(0, 'network', 'network error')));
    xhr.addEventListener('abort', () => reject(new ApiError(0, 'aborted', 'cancelled')));
    xhr.addEventListener('load', () => {
      let data = null;
      try { data = xhr.responseText ? JSON.parse(xhr.responseText) : null; } catch { data = null; }
      if (xhr.status >= 200 && xhr.status < 300) { resolve(data); return; }
      const e = (data && data.error) || {};
      const retry = xhr.getResponseHeader('Retry-After');
      const err = new ApiError(xhr.status, e.code || `http_${xhr.status}`, e.message || xhr.statusText,
        e.field ?? null, retry ? Number(retry) : null);
      err.data = data;
      if (xhr.status === 401 && onSessionLost) onSessionLost(err);
      reject(err);
    });
    if (opts.signal) {
      if (opts.signal.aborted) { xhr.abort(); return; }
      opts.signal.addEventListener('abort', () => xhr.abort(), { once: true });
    }
    xhr.send(file);
  });
}

export const put = (p, b, o) => api('PUT', p, b, o);
