// The JSON API: one fetch wrapper with the error shape, and the URLs of notes, files and pages.

/** An error answered by the API (`{"error": {"code", "message"}}`), or a network failure (status 0). */
export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

/** GET a JSON route; `params` may hold arrays (repeated parameters). Aborts with `signal`. */
export async function get(path, params = {}, signal) {
  const qs = query(params);
  let res;
  try {
    res = await fetch(qs ? `${path}?${qs}` : path, { signal, headers: { accept: 'application/json' } });
  } catch (e) {
    if (e.name === 'AbortError') throw e;
    throw new ApiError(0, 'network', e.message);
  }
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
