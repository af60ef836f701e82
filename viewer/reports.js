// The browse pages (`/reports?tab=…`): the program tree, each program's key documents with what is
// overdue for review (for decision-makers), the experts, and the problems list.

import { get, noteHref, searchHref } from './api.js';
import { bdi, fill, h } from './dom.js';
import { date, kindName, num, overdue, statusName, t } from './i18n.js';
import { busy, navigate } from './app.js';

const TABS = ['programs', 'key', 'experts', 'problems'];

/** Renders a browse tab. */
export async function render(main, url, ctx) {
  const tab = TABS.includes(url.searchParams.get('tab')) ? url.searchParams.get('tab') : 'programs';
  const program = url.searchParams.get('program') || '';
  document.title = `${t(`tab_${tab}`)} — daftar`;
  busy(true);
  let body;
  try {
    body = await TAB_VIEWS[tab]({ program, signal: ctx.signal });
  } catch (e) {
    if (e.name === 'AbortError') throw e;
    body = h('div', { class: 'error', role: 'alert' }, h('h2', {}, t('note_error')), h('p', { dir: 'auto' }, e.message));
  } finally {
    busy(false);
  }
  fill(main, h('div', { class: 'browse' },
    h('h1', {}, t('browse_title')),
    h('nav', { class: 'tabs', 'aria-label': t('browse_title') },
      h('ul', {}, TABS.map((x) => h('li', {},
        h('a', { href: `/reports?tab=${x}`, 'aria-current': x === tab ? 'page' : null }, t(`tab_${x}`)))))),
    h('div', { class: 'tab-body' }, body)));
}

const TAB_VIEWS = { programs, key, experts, problems };

function count(n) {
  return h('span', { class: 'n' }, t('notes_n', { n }));
}

// ----- programs -------------------------------------------------------------------------------

async function programs({ signal }) {
  const tree = await get('/api/programs', {}, signal);
  const pfs = tree.portfolios || [];
  return [
    h('p', { class: 'intro' }, t('programs_intro')),
    pfs.map((pf) => h('section', { class: 'portfolio-block' },
      h('h2', {}, pf.name ? bdi(pf.name) : t('no_portfolio'), ' ', count(pf.count)),
      h('div', { class: 'cards' }, (pf.children || []).map((p) => programCard(p))))),
  ];
}

function programCard(p) {
  // Named projects first; notes filed directly under the program last.
  const projects = (p.children || []).filter((c) => c.count).sort((a, b) => (a.name ? 0 : 1) - (b.name ? 0 : 1));
  return h('article', { class: 'card program-card' },
    h('h3', { dir: 'auto' }, p.name ? h('a', { href: searchHref({ program: p.name }) }, p.name) : t('no_portfolio')),
    h('p', { class: 'card-meta' }, count(p.count),
      p.name ? [h('span', { class: 'dot', 'aria-hidden': 'true' }, '·'), h('a', { href: `/reports?tab=key&program=${encodeURIComponent(p.name)}` }, t('tab_key'))] : null),
    projects.length
      ? h('ul', { class: 'projects-list' }, projects.map((c) => h('li', {},
        c.name
          ? h('a', { href: searchHref({ program: p.name, project: c.name }), dir: 'auto' }, c.name)
          : h('span', { class: 'muted' }, t('no_project')),
        h('span', { class: 'n' }, num(c.count)))))
      : null);
}

// ----- key documents --------------------------------------------------------------------------

async function key({ program, signal }) {
  const [tree, docs, review] = await Promise.all([
    get('/api/programs', {}, signal),
    get('/api/search', { key: 'true', program, sort: 'date', limit: 100 }, signal),
    get('/api/review', {}, signal),
  ]);
  const names = [...new Set((tree.portfolios || []).flatMap((pf) => (pf.children || []).map((p) => p.name)).filter(Boolean))];
  const late = (review.notes || []).filter((n) => !program || n.program === program);
  const select = h('select', {
    id: 'daftar-program',
    on: {
      change: (e) => navigate(`/reports?tab=key${e.target.value ? `&program=${encodeURIComponent(e.target.value)}` : ''}`),
    },
  },
  h('option', { value: '' }, t('program_all')),
  names.map((n) => h('option', { value: n, selected: n === program }, n)));
  return [
    h('p', { class: 'intro' }, t('key_intro')),
    h('div', { class: 'program-pick' }, h('label', { for: 'daftar-program' }, t('program_select')), select),
    h('div', { class: 'key-columns' },
      h('section', { class: 'key-docs', 'aria-labelledby': 'daftar-key-docs' },
        h('h2', { id: 'daftar-key-docs' }, t('tab_key'), ' ', h('span', { class: 'n' }, num(docs.total))),
        docs.hits.length
          ? h('ol', { class: 'doc-list' }, docs.hits.map(docItem))
          : h('p', { class: 'muted' }, t('key_none')),
        docs.total > docs.hits.length
          ? h('p', {}, h('a', { href: searchHref({ key: 'true', program, sort: 'date' }) }, t('see_all', { n: docs.total })))
          : null),
      h('section', { class: 'overdue-docs', 'aria-labelledby': 'daftar-overdue' },
        h('h2', { id: 'daftar-overdue' }, t('overdue_title'), ' ', h('span', { class: 'n warn' }, num(late.length))),
        late.length ? h('ol', { class: 'doc-list compact' }, late.map(docItem)) : h('p', { class: 'muted' }, t('overdue_none')))),
  ];
}

function docItem(d) {
  const late = overdue(d.review_by);
  return h('li', { class: ['doc', late && 'late'] },
    h('div', { class: 'hit-chips' },
      h('span', { class: `chip kind kind-${String(d.kind).replace(/[^a-z0-9-]/gi, '')}` }, kindName(d.kind)),
      d.key ? h('span', { class: 'chip key' }, h('span', { 'aria-hidden': 'true' }, '★ '), t('key')) : null,
      d.status && d.status !== 'approved' ? h('span', { class: `chip status status-${d.status}` }, statusName(d.status)) : null),
    h('h3', { dir: 'auto' }, h('a', { href: noteHref(d.id) }, d.title)),
    h('p', { class: 'hit-meta' },
      d.program ? bdi(d.program) : null,
      d.date ? [h('span', { class: 'dot', 'aria-hidden': 'true' }, '·'), h('time', { datetime: d.date }, date(d.date))] : null,
      d.review_by
        ? [h('span', { class: 'dot', 'aria-hidden': 'true' }, '·'),
          h('span', { class: late ? 'overdue-text' : '' }, t(late ? 'due_on' : 'review_due', { date: date(d.review_by) }))]
        : null),
    d.summary ? h('p', { class: 'snippet', dir: 'auto' }, d.summary) : null);
}

// ----- experts --------------------------------------------------------------------------------

async function experts({ signal }) {
  const data = await get('/api/experts', {}, signal);
  const list = data.experts || [];
  if (!list.length) return h('p', { class: 'muted' }, t('experts_none'));
  return [
    h('p', { class: 'intro' }, t('experts_intro')),
    h('div', { class: 'cards experts-cards' }, list.map((e) => h('article', { class: 'card expert-card' },
      h('h2', { dir: 'auto' }, h('a', { href: searchHref({ expert: e.name }) }, e.name)),
      h('p', { class: 'card-meta' }, count(e.notes)),
      e.programs?.length
        ? h('ul', { class: 'plain programs' }, e.programs.map((p) => h('li', {},
          h('a', { href: searchHref({ expert: e.name, program: p.value }), dir: 'auto' }, p.value), ' ', h('span', { class: 'n' }, num(p.count)))))
        : null,
      e.top_tags?.length
        ? h('div', { class: 'tags', 'aria-label': t('top_tags') }, e.top_tags.map((tg) => h('a', { class: 'tag', href: searchHref({ expert: e.name, tag: tg.value }), dir: 'auto' }, tg.value)))
        : null))),
  ];
}

// ----- problems -------------------------------------------------------------------------------

async function problems({ signal }) {
  const data = await get('/api/problems', {}, signal);
  const notes = data.notes || [];
  if (!notes.length) return h('p', { class: 'all-good' }, t('problems_none'));
  return [
    h('p', { class: 'intro' }, t('problems_intro')),
    h('p', { class: 'problems-total' }, t('problems_total', { n: data.total, m: notes.length })),
    h('ol', { class: 'problem-list' }, notes.map((n) => h('li', {},
      h('h2', { dir: 'auto' }, h('a', { href: noteHref(n.id) }, n.title || n.id)),
      h('code', { class: 'path', dir: 'ltr' }, n.id),
      h('ul', {}, (n.problems || []).map((p) => h('li', {},
        p.line ? h('span', { class: 'line' }, t('line_n', { n: p.line }), ': ') : null,
        h('span', { dir: 'auto' }, p.message))))))),
  ];
}
