// The note page (`/notes/{id}`): the rendered note (tables, code, images, PDF previews), its
// metadata, a table of contents, backlinks and related notes, and a link to the source file.
//
// The note's HTML is sanitised by the server, and the page's Content-Security-Policy forbids
// inline script; on top of both, the HTML is parsed inert (in a <template>) and scrubbed again
// here before it is shown, so a sanitiser slip still cannot run anything.

import { ApiError, apiNote, get, noteHref, rawHref, searchHref } from './api.js';
import { bdi, fill, h } from './dom.js';
import { date, kindName, lang, num, overdue, statusName, t } from './i18n.js';
import { busy } from './app.js';
import { signIn, whoami } from './session.js';

/** Renders a note. */
export async function render(main, url, ctx) {
  busy(true);
  let note;
  let related = null;
  try {
    [note, related] = await Promise.all([
      get(apiNote(ctx.id), {}, ctx.signal),
      get(`${apiNote(ctx.id)}/related`, {}, ctx.signal).catch((e) => {
        if (e.name === 'AbortError') throw e;
        return null;
      }),
    ]);
  } catch (e) {
    busy(false);
    if (e.name === 'AbortError') throw e;
    const me = await whoami();
    if (ctx.signal.aborted) return;
    document.title = `${t('not_found')} — daftar`;
    fill(main, failure(ctx.id, e, me));
    return;
  }
  busy(false);
  document.title = `${note.title} — daftar`;
  fill(main, page(note, related, ctx));
  watchHeadings(main);
}

function failure(id, e, me) {
  const notFound = e instanceof ApiError && e.status === 404;
  const words = id.split('/').pop().replace(/\.(md|markdown)$/i, '').replace(/[-_]+/g, ' ');
  // A note the reader may not see answers 404 like a missing one; the hint is the same for both,
  // so it says nothing about whether this one exists.
  const hint = notFound && me.access_control && !me.name
    ? h('p', { class: 'sign-in-hint', dir: 'auto' }, t('not_found_sign_in'), ' ',
      h('button', { type: 'button', class: 'link', 'aria-haspopup': 'dialog', on: { click: () => signIn() } }, t('sign_in')))
    : null;
  return h('div', { class: 'note-missing' },
    h('h1', { dir: 'auto' }, notFound ? t('not_found') : t('note_error')),
    h('p', { dir: 'auto' }, notFound ? t('not_found_body') : e.message),
    hint,
    h('p', {}, h('code', { dir: 'ltr' }, id)),
    h('p', {}, h('a', { class: 'button', href: searchHref({ q: words }) }, t('nav_search'), ': ', bdi(words))));
}

function page(note, related, ctx) {
  const body = content(note);
  const toc = contents(note);
  return h('article', { class: 'note', 'aria-labelledby': 'daftar-note-title' },
    h('div', { class: 'note-top' },
      ctx.lastSearch ? h('a', { class: 'back', href: ctx.lastSearch }, h('span', { class: 'arrow', 'aria-hidden': 'true' }), t('back_to_results')) : null,
      crumbs(note)),
    h('div', { class: 'note-layout' },
      h('div', { class: 'note-main' },
        h('header', { class: 'note-head' },
          h('div', { class: 'hit-chips' }, chips(note)),
          h('h1', { id: 'daftar-note-title', dir: 'auto' }, note.title),
          note.summary ? h('p', { class: 'summary', dir: 'auto' }, note.summary) : null,
          byline(note)),
        problems(note),
        body,
        links(note, related)),
      h('aside', { class: 'note-side' }, toc, details(note))));
}

function chips(note) {
  return [
    h('span', { class: `chip kind kind-${String(note.kind).replace(/[^a-z0-9-]/gi, '')}` }, kindName(note.kind)),
    note.key ? h('span', { class: 'chip key' }, h('span', { 'aria-hidden': 'true' }, '★ '), t('key_document')) : null,
    note.status ? h('span', { class: `chip status status-${note.status}` }, statusName(note.status)) : null,
    overdue(note.review_by) ? h('span', { class: 'chip overdue' }, t('overdue')) : null,
  ];
}

function crumbs(note) {
  const parts = [];
  if (note.portfolio) parts.push(h('span', {}, bdi(note.portfolio)));
  if (note.program) parts.push(h('a', { href: searchHref({ program: note.program }) }, bdi(note.program)));
  if (note.project) parts.push(h('a', { href: searchHref({ program: note.program, project: note.project }) }, bdi(note.project)));
  if (!parts.length) return null;
  return h('nav', { class: 'crumbs', 'aria-label': t('breadcrumb') },
    h('ol', {}, parts.map((p) => h('li', {}, p))));
}

function list(items) {
  return items.map((x, i) => [i ? (lang() === 'fa' ? '، ' : ', ') : null, x]);
}

function byline(note) {
  const who = note.experts?.length
    ? h('span', { class: 'experts' }, list(note.experts.map((e) => h('a', { href: searchHref({ expert: e }) }, bdi(e)))))
    : null;
  const when = note.date ? h('time', { datetime: note.date }, date(note.date, 'long')) : null;
  if (!who && !when) return null;
  return h('p', { class: 'byline' }, who, who && when ? h('span', { class: 'dot', 'aria-hidden': 'true' }, '·') : null, when);
}

function problems(note) {
  if (!note.problems?.length) return null;
  return h('section', { class: 'callout warn', 'aria-labelledby': 'daftar-problems' },
    h('h2', { id: 'daftar-problems' }, t('problems_title', { n: note.problems.length })),
    h('ul', {}, note.problems.map((p) => h('li', {},
      p.line ? h('span', { class: 'line' }, t('line_n', { n: p.line }), ': ') : null,
      h('span', { dir: 'auto' }, p.message)))));
}

// ----- the rendered note ----------------------------------------------------------------------

const DROP = 'script, style, iframe, frame, frameset, object, embed, applet, base, meta, link, form, input, button, textarea, select, svg, math, template, noscript';
const URL_ATTRS = ['href', 'src', 'action', 'formaction', 'xlink:href', 'poster', 'srcset', 'background', 'cite'];
const BLOCKS = 'p, li, h1, h2, h3, h4, h5, h6, blockquote, td, th, dt, dd, figcaption, caption, ul, ol, dl, table, summary';

function safeUrl(value) {
  const v = String(value).trim().replace(/[\u0000-\u001f\s]+/g, '');
  if (/^[a-z][a-z0-9+.-]*:/i.test(v)) return /^(https?|mailto):/i.test(v);
  return true;
}

/** Removes anything that could run or restyle the page, whatever the server let through. */
export function scrub(root) {
  for (const el of root.querySelectorAll(DROP)) el.remove();
  for (const el of root.querySelectorAll('*')) {
    for (const attr of [...el.attributes]) {
      const name = attr.name.toLowerCase();
      if (name.startsWith('on') || name === 'style' || name === 'srcdoc' || name === 'is' || name === 'target') el.removeAttribute(attr.name);
      else if (URL_ATTRS.includes(name) && !safeUrl(attr.value)) el.removeAttribute(attr.name);
    }
  }
}

function content(note) {
  const template = document.createElement('template');
  template.innerHTML = note.html || '';
  const root = template.content;
  scrub(root);
  // The title is shown in the page header; don't repeat the note's own first heading.
  const first = root.firstElementChild;
  if (first?.tagName === 'H1' && normal(first.textContent) === normal(note.title)) first.remove();
  for (const el of root.querySelectorAll(BLOCKS)) if (!el.hasAttribute('dir')) el.setAttribute('dir', 'auto');
  for (const el of root.querySelectorAll('pre, code')) el.setAttribute('dir', 'ltr');
  for (const table of root.querySelectorAll('table')) {
    const wrap = h('div', { class: 'table-wrap', tabindex: '0', role: 'region', 'aria-label': table.querySelector('th')?.textContent || 'table' });
    table.replaceWith(wrap);
    wrap.append(table);
  }
  for (const pre of root.querySelectorAll('pre')) pre.tabIndex = 0;
  for (const img of root.querySelectorAll('img')) {
    img.loading = 'lazy';
    img.decoding = 'async';
  }
  const previews = new Set();
  for (const a of root.querySelectorAll('a[href]')) {
    const href = a.getAttribute('href');
    const url = new URL(href, location.href);
    if (url.origin !== location.origin) {
      a.rel = 'noopener noreferrer';
      a.classList.add('external');
      continue;
    }
    if (url.pathname.startsWith('/raw/') && /\.pdf$/i.test(url.pathname)) {
      a.classList.add('file', 'pdf');
      if (!previews.has(url.pathname)) {
        previews.add(url.pathname);
        (a.closest('.table-wrap') || a.closest('p, li, blockquote') || a).after(pdfPreview(url.pathname, a.textContent));
      }
    }
  }
  return h('div', { class: 'prose', lang: '' }, root);
}

function normal(s) {
  return String(s).replace(/\s+/g, ' ').trim();
}

/** A PDF from the root, previewed on demand (same origin, so the CSP's frame-src allows it). */
function pdfPreview(path, label) {
  const name = decodeURIComponent(path.split('/').pop());
  const details = h('details', { class: 'pdf-preview' },
    h('summary', {}, h('span', { class: 'file-badge' }, 'PDF'), ' ', t('pdf_preview', { name: label || name })));
  details.addEventListener('toggle', () => {
    if (details.open && !details.querySelector('iframe')) {
      details.append(h('iframe', { src: path, title: name, loading: 'lazy' }));
    }
  });
  return details;
}

// ----- table of contents ----------------------------------------------------------------------

function contents(note) {
  const hs = (note.headings || []).filter((x, i) => !(i === 0 && x.level === 1 && normal(x.text) === normal(note.title)) && x.level <= 3);
  if (hs.length < 2) return null;
  const top = Math.min(...hs.map((x) => x.level));
  return h('nav', { class: 'toc', 'aria-labelledby': 'daftar-toc' },
    h('h2', { id: 'daftar-toc' }, t('on_this_page')),
    h('ol', {}, hs.map((x) => h('li', { class: `level-${x.level - top + 1}` },
      h('a', { href: `#${encodeURIComponent(x.anchor)}`, dir: 'auto', dataset: { anchor: x.anchor } }, x.text)))));
}

/** Marks the section being read in the table of contents. */
function watchHeadings(main) {
  const links = new Map([...main.querySelectorAll('.toc a')].map((a) => [a.dataset.anchor, a]));
  if (!links.size || !('IntersectionObserver' in window)) return;
  const observer = new IntersectionObserver((entries) => {
    for (const e of entries) {
      if (!e.isIntersecting) continue;
      for (const a of links.values()) a.removeAttribute('aria-current');
      links.get(e.target.id)?.setAttribute('aria-current', 'location');
    }
  }, { rootMargin: '0px 0px -70% 0px' });
  for (const id of links.keys()) {
    const el = document.getElementById(id);
    if (el && main.contains(el)) observer.observe(el);
  }
}

// ----- metadata -------------------------------------------------------------------------------

function row(label, value) {
  if (value === null || value === undefined || value === '' || (Array.isArray(value) && !value.length)) return null;
  return [h('dt', {}, label), h('dd', {}, value)];
}

function size(bytes) {
  return bytes < 1024 ? t('bytes', { n: bytes }) : t('kb', { n: Math.round(bytes / 102.4) / 10 });
}

function details(note) {
  const tagLinks = (note.tags || []).map((tag) => h('a', { class: 'tag', href: searchHref({ tag }), dir: 'auto' }, tag));
  const extra = Object.entries(note.meta || {}).map(([k, vs]) => row(k, h('span', { dir: 'auto' }, vs.join(', '))));
  const review = note.review_by
    ? [h('time', { datetime: note.review_by }, date(note.review_by, 'long')), overdue(note.review_by) ? h('span', { class: 'chip overdue' }, t('overdue')) : null]
    : null;
  return h('section', { class: 'meta', 'aria-labelledby': 'daftar-details' },
    h('h2', { id: 'daftar-details' }, t('details')),
    h('dl', {},
      row(t('m_kind'), kindName(note.kind)),
      row(t('m_status'), note.status ? statusName(note.status) : null),
      row(t('m_portfolio'), note.portfolio ? bdi(note.portfolio) : null),
      row(t('m_program'), note.program ? h('a', { href: searchHref({ program: note.program }) }, bdi(note.program)) : null),
      row(t('m_project'), note.project ? h('a', { href: searchHref({ program: note.program, project: note.project }) }, bdi(note.project)) : null),
      row(t('m_experts'), note.experts?.length ? h('ul', { class: 'plain' }, note.experts.map((e) => h('li', {}, h('a', { href: searchHref({ expert: e }) }, bdi(e))))) : null),
      row(t('m_tags'), tagLinks.length ? h('div', { class: 'tags' }, tagLinks) : null),
      row(t('m_date'), note.date ? h('time', { datetime: note.date }, date(note.date, 'long')) : null),
      row(t('m_review'), review),
      row(t('m_visibility'), note.visibility),
      row(t('m_audience'), note.audience?.length ? note.audience.join(', ') : null),
      extra,
      row(t('m_modified'), note.modified ? h('time', { datetime: note.modified }, date(note.modified, 'long')) : null),
      row(t('m_size'), typeof note.size === 'number' ? size(note.size) : null),
      row(t('m_file'), h('code', { class: 'path', dir: 'ltr' }, note.id))),
    h('p', {}, h('a', { class: 'button', href: rawHref(note.id), type: 'text/markdown' }, t('raw'))));
}

// ----- backlinks and related ------------------------------------------------------------------

function ref(x, extra) {
  return h('li', {},
    h('a', { href: noteHref(x.id), dir: 'auto' }, x.title || x.id),
    ' ', h('span', { class: `chip kind small kind-${String(x.kind).replace(/[^a-z0-9-]/gi, '')}` }, kindName(x.kind)),
    extra);
}

const REASONS = { 'similar text': 'reason_similar', 'shared tags': 'reason_tags', 'links here': 'reason_links' };

function links(note, related) {
  const back = note.backlinks || [];
  const rel = (related?.related || []).filter((r) => r.id !== note.id).slice(0, 6);
  return h('div', { class: 'note-links' },
    h('section', { class: 'backlinks', 'aria-labelledby': 'daftar-backlinks' },
      h('h2', { id: 'daftar-backlinks' }, t('backlinks'), back.length ? h('span', { class: 'n' }, num(back.length)) : null),
      back.length ? h('ul', { class: 'refs' }, back.map((b) => ref(b))) : h('p', { class: 'muted' }, t('no_backlinks'))),
    rel.length
      ? h('section', { class: 'related', 'aria-labelledby': 'daftar-related' },
        h('h2', { id: 'daftar-related' }, t('related')),
        h('ul', { class: 'refs' }, rel.map((r) => ref(r, r.reasons?.length
          ? h('span', { class: 'reasons' }, list(r.reasons.map((x) => (REASONS[x] ? t(REASONS[x]) : x))))
          : null))))
      : null);
}
