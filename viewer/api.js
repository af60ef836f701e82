// The JSON API: one fetch wrapper with the error shape, the reader's token, and the URLs of notes,
// files and pages.
//
// The token lives in the `daftar_token` cookie, which the server reads when a request carries no
// Authorization header: so plain links (`/raw/…`, `/feed.atom`) are signed in too, and script never
// has to attach it. SameSite=Strict keeps other sites' links and forms from carrying it.

/** An error answered by the API (`{"error": {"code", "message"}}`), or a network failure (status 0). */
export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

const TOKEN = 'daftar_token';
const MONTH = 30 * 24 * 3600;

/** The token cookie as sent (still encoded), or null when signed out. */
export function token() {
  for (const part of document.cookie.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === TOKEN) return part.slice(eq + 1).trim() || null;
  }
  return null;
}

/** Keeps a token for 30 days, or forgets it (`null`). */
export function setToken(value) {
  const secure = location.protocol === 'https:' ? '; Secure' : '';
  const kept = value === null ? '; Max-Age=0' : `; Max-Age=${MONTH}`;
  document.cookie = `${TOKEN}=${value === null ? '' : encodeURIComponent(value)}; Path=/; SameSite=Strict${kept}${secure}`;
}

let unauthorized = () => {};

/** Who is told when the server rejects the token (the session, which asks the reader again). */
export function onUnauthorized(fn) {
  unauthorized = fn;
}

/**
 * GET a JSON route; `params` may hold arrays (repeated parameters). Aborts with `signal`.
 *
 * A 401 means the server no longer accepts the token (revoked, or the configuration changed): it
 * is forgotten, the session is told, and the request is made again without it, so the page shows
 * what anyone may read instead of an error. `quiet` skips the telling and the retry, for checking a
 * token the reader has just typed.
 */
export async function get(path, params = {}, signal, { quiet = false } = {}) {
  const qs = query(params);
  const url = qs ? `${path}?${qs}` : path;
  const sent = token();
  let res = await send(url, signal);
  if (res.status === 401) {
    // Only forget the token this request carried: the reader may have signed in meanwhile.
    if (token() === sent) setToken(null);
    if (!quiet) {
      unauthorized();
      if (sent !== null) res = await send(url, signal);
    }
  }
  return decode(res);
}

async function send(url, signal) {
  try {
    return await fetch(url, { signal, headers: { accept: 'application/json' } });
  } catch (e) {
    if (e.name === 'AbortError') throw e;
    throw new ApiError(0, 'network', e.message);
  }
}

async function decode(res) {
  let body = null;
  try {
    body = await res.json();
  } catch (e) {
    if (e.name === 'AbortError') throw e;
  }
  if (!res.ok) {
    const err = body && body.error;
    throw new ApiError(res.status, err?.code || 'http', err?.message || `${res.status} ${res.statusText}`);
  }
  return body;
}

/** A query string from an object whose values may be strings, numbers, booleans or arrays. */
export function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    for (const one of Array.isArray(v) ? v : [v]) {
      if (one === undefined || one === null || one === '' || one === false) continue;
      q.append(k, String(one));
    }
  }
  return q.toString();
}

/** A note id (a path) with each segment percent-encoded. */
export function encodeId(id) {
  return String(id).split('/').map(encodeURIComponent).join('/');
}

/** Whether an id is a Markdown note (else an attachment, shown from /raw). */
export function isNote(id) {
  return /\.(md|markdown)$/i.test(id);
}

/** The viewer page of a note, or the file itself for an attachment. */
export function noteHref(id) {
  return isNote(id) ? `/notes/${encodeId(id)}` : rawHref(id);
}

export function rawHref(id) {
  return `/raw/${encodeId(id)}`;
}

export function apiNote(id) {
  return `/api/notes/${encodeId(id)}`;
}

/** A search page URL for some filters, e.g. `searchHref({ program: 'X' })`. */
export function searchHref(params) {
  const qs = query(params);
  return qs ? `/?${qs}` : '/';
}
