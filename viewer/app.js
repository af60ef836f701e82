// The viewer's entry point: routing (the URL is the state; History API), the header's search box
// (search as you type), keyboard shortcuts and the language switch. Views live in their own
// modules and are loaded when first needed: search.js (`/`), note.js (`/notes/{id}`) and
// reports.js (`/reports`, the browse pages); session.js owns signing in.

import { lang, setLang, t, translateShell } from './i18n.js';
import { init as initSession } from './session.js';

const main = document.getElementById('main');
const input = document.getElementById('daftar-q');
const langButton = document.getElementById('daftar-lang');
const header = document.querySelector('.top');

const VIEWS = {
  search: () => import('./search.js'),
  note: () => import('./note.js'),
  reports: () => import('./reports.js'),
};

/** What the current URL shows. */
function routeOf(url) {
  if (url.pathname === '/' || url.pathname === '') return { view: 'search' };
  if (url.pathname.startsWith('/notes/')) {
    let id;
    try {
      id = url.pathname.slice('/notes/'.length).split('/').map(decodeURIComponent).join('/');
    } catch {
      id = url.pathname.slice('/notes/'.length);
    }
    return { view: 'note', id };
  }
  if (url.pathname === '/reports') return { view: 'reports' };
  return { view: 'search' };
}

let controller = null;
/** The path and query shown (or being rendered) now. */
let shown = null;
let rendered = null;
/** The URL of the last search page shown, for "back to results" and for searching from a note. */
let lastSearch = null;

/**
 * Renders the current URL. `how` says why: `push` (a link), `type` (typing in the search box:
 * focus stays there), `pop` (back/forward: scroll restored), `lang` (the language changed),
 * `auth` (the reader signed in or out: what they may see changed; scroll and focus stay).
 */
async function route(how = 'push') {
  const url = new URL(location.href);
  shown = url.pathname + url.search;
  const r = routeOf(url);
  controller?.abort();
  controller = new AbortController();
  const signal = controller.signal;
  if (r.view === 'search') {
    lastSearch = url.pathname + url.search;
    if (how !== 'type' && document.activeElement !== input) input.value = url.searchParams.get('q') || '';
  }
  inputDirection();
  for (const a of document.querySelectorAll('.nav a')) {
    const here = (a.dataset.nav === 'search' && r.view !== 'reports') || a.dataset.nav === r.view;
    if (here) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  const mod = await VIEWS[r.view]();
  if (signal.aborted) return;
  const same = rendered === r.view && how !== 'lang' ? 'same' : 'new';
  if (same === 'new') main.dataset.view = r.view;
  rendered = r.view;
  try {
    await mod.render(main, url, { ...r, how, same: same === 'same', signal, lastSearch: r.view === 'note' ? lastSearch : null });
  } catch (e) {
    if (e.name !== 'AbortError') throw e;
    return;
  }
  if (signal.aborted) return;
  afterRender(how, url, same === 'same');
}

function afterRender(how, url, same) {
  if (how === 'pop') {
    window.scrollTo(0, history.state?.scroll ?? 0);
  } else if (how === 'push' || how === 'first') {
    if (url.hash) {
      const target = document.getElementById(decodeURIComponent(url.hash.slice(1)));
      if (target) {
        target.scrollIntoView();
        return;
      }
    }
    if (how === 'push' && !same) {
      window.scrollTo(0, 0);
      const h1 = main.querySelector('[data-autofocus]') || main.querySelector('h1');
      if (h1) {
        if (!h1.hasAttribute('tabindex')) h1.tabIndex = -1;
        h1.focus({ preventScroll: true });
      }
    }
  }
}

/** Goes to a viewer URL. `replace` rewrites the current history entry instead of adding one. */
export function navigate(href, { replace = false, how = 'push' } = {}) {
  const url = new URL(href, location.href);
  if (url.href === location.href && how === 'type') return;
  // Remember where the reader was on the page they leave, for back/forward.
  history.replaceState({ ...(history.state || {}), scroll: window.scrollY }, '');
  if (replace) history.replaceState({ scroll: 0 }, '', url);
  else history.pushState({ scroll: 0 }, '', url);
  route(how);
}

/** Shows the progress bar while something loads (only if it takes a moment, to avoid flicker). */
let busyTimer = null;
export function busy(on) {
  clearTimeout(busyTimer);
  if (on) busyTimer = setTimeout(() => header.classList.add('busy'), 120);
  else header.classList.remove('busy');
}

/** Says something to screen readers. */
export function announce(text) {
  const live = document.getElementById('daftar-announce');
  live.textContent = '';
  setTimeout(() => (live.textContent = text), 50);
}

// Links: same-origin viewer URLs are routed here; everything else (raw files, the API, other
// sites, anchors on the same page) is left to the browser.
document.addEventListener('click', (e) => {
  if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
  const a = e.target.closest('a[href]');
  if (!a || (a.target && a.target !== '_self') || a.hasAttribute('download')) return;
  const url = new URL(a.href, location.href);
  if (url.origin !== location.origin) return;
  const viewer = url.pathname === '/' || url.pathname.startsWith('/notes/') || url.pathname === '/reports';
  if (!viewer) return;
  if (url.pathname === location.pathname && url.search === location.search && url.hash) return;
  e.preventDefault();
  navigate(url.href);
});

// Back/forward re-render, except between anchors of the page already shown (a fragment
// navigation fires popstate too): then the browser just scrolls.
window.addEventListener('popstate', () => {
  if (location.pathname + location.search === shown) {
    const target = location.hash && document.getElementById(decodeURIComponent(location.hash.slice(1)));
    if (target) target.scrollIntoView();
    else if (!location.hash) window.scrollTo(0, history.state?.scroll ?? 0);
    return;
  }
  route('pop');
});

// Search as you type: debounced; the first keystroke of a burst adds a history entry, the rest
// replace it, so Back returns to where the reader was before typing.
let typingTimer = null;
let typingEntry = false;
function searchFor(q, replace) {
  const here = new URL(location.href);
  const base = here.pathname === '/' ? here : new URL(lastSearch || '/', location.href);
  const params = new URLSearchParams(base.search);
  params.delete('page');
  if (q) params.set('q', q);
  else params.delete('q');
  const qs = params.toString();
  navigate(qs ? `/?${qs}` : '/', { replace, how: 'type' });
}

// An empty box takes the interface's direction (so the placeholder reads right); typed text
// takes its own.
function inputDirection() {
  input.dir = input.value ? 'auto' : lang() === 'fa' ? 'rtl' : 'ltr';
}

input.addEventListener('input', () => {
  inputDirection();
  clearTimeout(typingTimer);
  typingTimer = setTimeout(() => {
    const replace = typingEntry && location.pathname === '/';
    typingEntry = true;
    searchFor(input.value.trim(), replace);
  }, 150);
});
input.addEventListener('blur', () => (typingEntry = false));
input.form.addEventListener('submit', (e) => {
  e.preventDefault();
  clearTimeout(typingTimer);
  searchFor(input.value.trim(), typingEntry && location.pathname === '/');
  typingEntry = false;
});
input.addEventListener('keydown', (e) => {
  if (e.key === 'ArrowDown') {
    const first = main.querySelector('.hit-title a');
    if (first) {
      e.preventDefault();
      first.focus();
    }
  }
});

// `/` focuses the search box from anywhere but a text field.
document.addEventListener('keydown', (e) => {
  if (e.key !== '/' || e.ctrlKey || e.metaKey || e.altKey) return;
  const el = document.activeElement;
  if (el && (el.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName))) return;
  e.preventDefault();
  input.focus();
  input.select();
});

function labelShell() {
  translateShell();
  input.placeholder = t('search_placeholder');
  langButton.textContent = t('lang_switch');
  langButton.lang = lang() === 'fa' ? 'en' : 'fa';
  langButton.setAttribute('aria-label', t('lang_switch_label'));
}

langButton.addEventListener('click', () => {
  setLang(lang() === 'fa' ? 'en' : 'fa');
  labelShell();
  route('lang');
});

history.scrollRestoration = 'manual';
labelShell();
initSession(() => route('auth'));
route('first');
