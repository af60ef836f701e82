// The search page (`/?q=…&program=…&kind=…`): hits with highlighted snippets and metadata, a
// facet sidebar with disjunctive counts and multi-select (OR within a field, AND across fields),
// date range, sort, pagination, and helpful empty and error states. The page keeps its layout
// between searches and only refills it, so focus and the live result count survive typing.

import { ApiError, get, noteHref, searchHref, token } from './api.js';
import { bdi, fill, h, snippet } from './dom.js';
import { date, kindName, lang, num, overdue, statusName, t } from './i18n.js';
import { busy, navigate } from './app.js';

const FIELDS = ['program', 'project', 'expert', 'kind', 'tag', 'status'];
const PAGE = 20;
const MAX_OFFSET = 10000;
const SHOWN = 8;

/** The search the URL describes. */
export function stateOf(url) {
  const p = url.searchParams;
  const s = {
    q: p.get('q') || '',
    key: p.get('key') === 'true',
    from: p.get('from') || '',
    to: p.get('to') || '',
    sort: p.get('sort') === 'date' || p.get('sort') === 'relevance' ? p.get('sort') : '',
    match: p.get('match') === 'all' ? 'all' : '',
    page: Math.max(1, Number.parseInt(p.get('page'), 10) || 1),
  };
  for (const f of FIELDS) s[f] = p.getAll(f);
  return s;
}

/** The URL of a search. */
export function hrefOf(s) {
  const params = { q: s.q };
  for (const f of FIELDS) params[f] = s[f];
  Object.assign(params, {
    key: s.key ? 'true' : '',
    from: s.from,
    to: s.to,
    sort: s.sort,
    match: s.match,
    page: s.page > 1 ? s.page : '',
  });
  return searchHref(params);
}

function filtered(s) {
  return FIELDS.some((f) => s[f].length) || s.key || s.from || s.to;
}

/** Without words there is nothing to rank: newest first unless the reader chose. */
function sortOf(s) {
  return s.sort || (s.q.trim() ? 'relevance' : 'date');
}

let programs = null;
let programsFor = null;
function programTree(signal) {
  // Which programs a reader sees depends on who they are: ask again after signing in or out.
  if (programsFor !== token()) programs = null;
  programsFor = token();
  programs ??= get('/api/programs', {}, signal).catch((e) => {
    programs = null;
    throw e;
  });
  return programs;
}

const expanded = new Set();
let filtersOpen = false;
let last = null;

/** Renders (or refills) the search page for a URL. */
export async function render(main, url, ctx) {
  const s = stateOf(url);
  document.title = s.q ? `${s.q} — daftar` : 'daftar';
  let page = main.querySelector('.search-page');
  if (!ctx.same || !page) page = fill(main, skeleton()).firstElementChild;
  busy(true);
  page.querySelector('.results').setAttribute('aria-busy', 'true');
  let res;
  let tree = null;
  try {
    const offset = Math.min((s.page - 1) * PAGE, MAX_OFFSET);
    const params = { q: s.q, key: s.key ? 'true' : '', from: s.from, to: s.to, sort: sortOf(s), match: s.match };
    for (const f of FIELDS) params[f] = s[f];
    [res, tree] = await Promise.all([
      get('/api/search', { ...params, prefix: 'true', limit: PAGE, offset }, ctx.signal),
      programTree(ctx.signal).catch(() => null),
    ]);
  } catch (e) {
    if (e.name === 'AbortError') throw e;
    busy(false);
    page.querySelector('.results').removeAttribute('aria-busy');
    showError(page, s, e, ctx);
    return;
  }
  busy(false);
  last = { s, res };
  const keep = focusKey();
  page.querySelector('.results').removeAttribute('aria-busy');
  page.querySelector('.typing-hint').hidden = true;
  renderFacets(page, s, res, tree);
  renderHead(page, s, res);
  renderActive(page, s);
  renderHits(page, s, res);
  renderPager(page, s, res);
  restoreFocus(page, keep);
  if (ctx.same && ctx.how === 'push' && previousPage !== s.page) {
    page.scrollIntoView({ block: 'start' });
    const title = page.querySelector('#daftar-results-title');
    title.tabIndex = -1;
    title.focus({ preventScroll: true });
  }
  previousPage = s.page;
}

let previousPage = 1;

function skeleton() {
  const facets = h('aside', { class: 'facets', id: 'daftar-facets', 'aria-labelledby': 'daftar-facets-title' },
    h('h2', { id: 'daftar-facets-title', class: 'facets-title' }, t('filters')),
    h('div', { class: 'facet-groups' }));
  facets.dataset.open = String(filtersOpen);
  const toggle = h('button', {
    type: 'button', class: 'filters-toggle', 'aria-controls': 'daftar-facets', 'aria-expanded': String(filtersOpen),
    on: {
      click: () => {
        filtersOpen = !filtersOpen;
        facets.dataset.open = String(filtersOpen);
        toggle.setAttribute('aria-expanded', String(filtersOpen));
      },
    },
  }, h('span', { class: 'filters-icon', 'aria-hidden': 'true' }), h('span', { class: 'filters-label' }, t('filters')));
  const sort = h('select', {
    id: 'daftar-sort', class: 'sort-select',
    on: {
      change: (e) => navigate(hrefOf({ ...stateOf(new URL(location.href)), sort: e.target.value, page: 1 })),
    },
  });
  // The results' header comes first so that on a narrow screen the filters open below their
  // toggle; on a wide one the grid puts the filters beside everything.
  return h('div', { class: 'search-page' },
    h('div', { class: 'results-head' },
      h('h1', { id: 'daftar-results-title', class: 'visually-hidden', 'data-autofocus': '' }, t('results_heading')),
      h('p', { class: 'result-count', tabindex: '-1', role: 'status', 'aria-live': 'polite', 'aria-atomic': 'true' }),
      h('div', { class: 'results-tools' },
        toggle,
        h('label', { class: 'sort', for: 'daftar-sort' }, h('span', { class: 'sort-label' }, t('sort_label')), sort))),
    facets,
    h('section', { class: 'results', 'aria-labelledby': 'daftar-results-title' },
      h('p', { class: 'typing-hint', hidden: true, dir: 'auto' }),
      h('div', { class: 'active-filters' }),
      h('div', { class: 'hits-area' }),
      h('nav', { class: 'pager', 'aria-label': t('pages') })));
}

// ----- facets ---------------------------------------------------------------------------------

function go(s) {
  navigate(hrefOf({ ...s, page: 1 }));
}

function toggled(s, field, value) {
  const values = s[field].includes(value) ? s[field].filter((v) => v !== value) : [...s[field], value];
  return { ...s, [field]: values };
}

function check(s, field, value, count, label) {
  const on = s[field].includes(value);
  const id = `f-${field}-${hashOf(value)}`;
  return h('li', { class: ['check', !count && !on && 'zero'] },
    h('input', {
      type: 'checkbox', id, checked: on, dataset: { focusKey: `${field}:${value}` },
      on: { change: () => go(toggled(s, field, value)) },
    }),
    h('label', { for: id }, bdi(label ?? value, { class: 'name' }), h('span', { class: 'count' }, num(count || 0))));
}

function hashOf(s) {
  let x = 0;
  for (const ch of s) x = (Math.imul(x, 31) + ch.codePointAt(0)) | 0;
  return (x >>> 0).toString(36);
}

function countsOf(list) {
  return new Map((list || []).map((f) => [f.value, f.count]));
}

function group(titleKey, body, extra = {}) {
  const id = `g-${titleKey}`;
  return h('section', { class: ['facet', extra.class], 'aria-labelledby': id },
    h('h3', { id, class: 'facet-title' }, t(titleKey)), body);
}

/** A facet as a list of checkboxes: the most frequent first, the rest behind "show all". */
function listFacet(s, field, titleKey, values, name) {
  const counts = countsOf(values);
  const all = [...(values || [])];
  for (const v of s[field]) if (!counts.has(v)) all.push({ value: v, count: 0 });
  if (!all.length) return null;
  const open = expanded.has(field);
  const shown = open ? all : all.filter((v, i) => i < SHOWN || s[field].includes(v.value));
  const more = all.length > shown.length || open
    ? h('button', {
      type: 'button', class: 'more', 'aria-expanded': String(open), dataset: { focusKey: `more:${field}` },
      on: {
        click: () => {
          if (open) expanded.delete(field);
          else expanded.add(field);
          const keep = focusKey();
          const page = document.querySelector('.search-page');
          renderFacets(page, last.s, last.res, lastTree);
          restoreFocus(page, keep);
        },
      },
    }, open ? t('show_less') : t('show_more', { n: all.length }))
    : null;
  return group(`facet_${field}`, [
    h('ul', { class: 'checks' }, shown.map((v) => check(s, field, v.value, v.count, name ? name(v.value) : v.value))),
    more,
  ]);
}

/** Portfolio → program → project, from /api/programs, with this search's disjunctive counts. */
function programFacet(s, res, tree) {
  const programCounts = countsOf(res.facets.program);
  const projectCounts = countsOf(res.facets.project);
  const seen = new Set();
  const portfolios = (tree?.portfolios || []).map((pf) => ({
    name: pf.name,
    programs: (pf.children || []).filter((p) => p.name).map((p) => {
      seen.add(p.name);
      return { name: p.name, projects: (p.children || []).map((c) => c.name).filter(Boolean) };
    }),
  }));
  const others = [...programCounts.keys(), ...s.program].filter((p) => !seen.has(p));
  if (others.length) portfolios.push({ name: null, programs: [...new Set(others)].map((name) => ({ name, projects: [] })) });
  const projectsSeen = new Set(portfolios.flatMap((pf) => pf.programs.flatMap((p) => p.projects)));
  const looseProjects = [...projectCounts.keys(), ...s.project].filter((p) => !projectsSeen.has(p));
  if (!portfolios.length) return null;
  const single = portfolios.length === 1 && !portfolios[0].name;
  const programItem = (p) => {
    const open = expanded.has(`p:${p.name}`) || s.program.includes(p.name) || p.projects.some((x) => s.project.includes(x));
    const item = check(s, 'program', p.name, programCounts.get(p.name), p.name);
    if (p.projects.length) {
      const listId = `pr-${hashOf(p.name)}`;
      item.classList.add('has-children');
      item.append(h('button', {
        type: 'button', class: 'expand', 'aria-expanded': String(open), 'aria-controls': open ? listId : null,
        'aria-label': t('projects_of', { name: p.name }), dataset: { focusKey: `expand:${p.name}` },
        on: {
          click: () => {
            if (open) expanded.delete(`p:${p.name}`);
            else expanded.add(`p:${p.name}`);
            const keep = focusKey();
            const page = document.querySelector('.search-page');
            renderFacets(page, last.s, last.res, lastTree);
            restoreFocus(page, keep);
          },
        },
      }));
      if (open) {
        item.append(h('ul', { class: 'checks projects', id: listId },
          p.projects.map((name) => check(s, 'project', name, projectCounts.get(name), name))));
      }
    }
    return item;
  };
  return group('facet_program', [
    portfolios.map((pf) => h('div', { class: 'portfolio' },
      single ? null : h('p', { class: 'portfolio-name' }, pf.name ? bdi(pf.name) : (pf.name === null ? t('other_programs') : t('no_portfolio'))),
      h('ul', { class: 'checks tree' }, pf.programs.map(programItem)))),
    looseProjects.length
      ? h('ul', { class: 'checks' }, looseProjects.map((name) => check(s, 'project', name, projectCounts.get(name), name)))
      : null,
  ], { class: 'facet-programs' });
}

function dateFacet(s) {
  const field = (name, value) => {
    const id = `daftar-${name}`;
    return h('div', { class: 'date-field' },
      h('label', { for: id }, t(`date_${name}`)),
      h('input', {
        id, type: 'text', value, dir: 'auto', inputmode: 'numeric', autocomplete: 'off', placeholder: t('date_placeholder'),
        'aria-describedby': 'daftar-date-hint', dataset: { focusKey: `date:${name}` },
        on: { change: (e) => go({ ...stateOf(new URL(location.href)), [name]: e.target.value.trim() }) },
      }));
  };
  return group('facet_date', [
    h('div', { class: 'date-range' }, field('from', s.from), field('to', s.to)),
    h('p', { class: 'hint', id: 'daftar-date-hint' }, t('date_hint')),
  ]);
}

function keyFacet(s) {
  return h('div', { class: 'facet facet-key' },
    h('input', {
      type: 'checkbox', id: 'daftar-key', checked: s.key, dataset: { focusKey: 'key' },
      on: { change: () => go({ ...s, key: !s.key }) },
    }),
    h('label', { for: 'daftar-key' }, h('span', { class: 'star', 'aria-hidden': 'true' }, '★'), t('key_only')));
}

let lastTree = null;
function renderFacets(page, s, res, tree) {
  lastTree = tree;
  const f = res.facets || {};
  fill(page.querySelector('.facet-groups'),
    keyFacet(s),
    programFacet(s, res, tree),
    listFacet(s, 'kind', 'facet_kind', f.kind, kindName),
    listFacet(s, 'status', 'facet_status', f.status, statusName),
    listFacet(s, 'expert', 'facet_expert', f.expert),
    listFacet(s, 'tag', 'facet_tag', f.tag),
    dateFacet(s));
  const n = FIELDS.reduce((a, k) => a + s[k].length, 0) + (s.key ? 1 : 0) + (s.from ? 1 : 0) + (s.to ? 1 : 0);
  page.querySelector('.filters-label').textContent = n ? t('filters_n', { n }) : t('filters');
}

// ----- results --------------------------------------------------------------------------------

function renderHead(page, s, res) {
  const count = !s.q.trim() && !filtered(s) ? t('results_all', { n: res.total }) : t('results', { n: res.total });
  const ms = res.took_ms < 10 ? num(res.took_ms, 1) : num(res.took_ms);
  fill(page.querySelector('.result-count'), h('strong', {}, count), ' ', h('span', { class: 'took' }, t('results_time', { ms })));
  const select = page.querySelector('.sort-select');
  const current = sortOf(s);
  fill(select,
    h('option', { value: 'relevance', selected: current === 'relevance' }, t('sort_relevance')),
    h('option', { value: 'date', selected: current === 'date' }, t('sort_date')));
  page.querySelector('.sort-label').textContent = t('sort_label');
}

function filterLabel(field, value) {
  if (field === 'kind') return kindName(value);
  if (field === 'status') return statusName(value);
  return value;
}

function renderActive(page, s) {
  const chips = [];
  const chip = (label, next, key) => h('button', {
    type: 'button', class: 'chip removable', dataset: { focusKey: `active:${key}` },
    'aria-label': t('remove_filter', { label }), on: { click: () => go(next) },
  }, bdi(label), h('span', { class: 'x', 'aria-hidden': 'true' }, '×'));
  for (const f of FIELDS) {
    for (const v of s[f]) chips.push(chip(`${t(`m_${f === 'expert' ? 'experts' : f === 'tag' ? 'tags' : f}`)}: ${filterLabel(f, v)}`, toggled(s, f, v), `${f}:${v}`));
  }
  if (s.key) chips.push(chip(t('key_document'), { ...s, key: false }, 'key'));
  if (s.from) chips.push(chip(`${t('date_from')} ${s.from}`, { ...s, from: '' }, 'from'));
  if (s.to) chips.push(chip(`${t('date_to')} ${s.to}`, { ...s, to: '' }, 'to'));
  if (s.match === 'all') chips.push(chip(t('every_word'), { ...s, match: '' }, 'match'));
  const box = page.querySelector('.active-filters');
  if (!chips.length) {
    fill(box);
    box.hidden = true;
    return;
  }
  box.hidden = false;
  const clear = { ...s, key: false, from: '', to: '', match: '' };
  for (const f of FIELDS) clear[f] = [];
  fill(box,
    h('span', { class: 'visually-hidden' }, t('active_filters')),
    chips,
    h('button', { type: 'button', class: 'link clear', on: { click: () => go(clear) } }, t('clear_all')));
}

function where(hit) {
  const parts = [hit.program, hit.project].filter(Boolean);
  if (!parts.length) return null;
  return h('span', { class: 'where' }, parts.map((p, i) => [i ? h('span', { class: 'sep', 'aria-hidden': 'true' }) : null, bdi(p)]));
}

function chipsOf(hit) {
  return [
    h('span', { class: `chip kind kind-${String(hit.kind).replace(/[^a-z0-9-]/gi, '')}` }, kindName(hit.kind)),
    hit.key ? h('span', { class: 'chip key', title: t('key_document') }, h('span', { 'aria-hidden': 'true' }, '★ '), t('key')) : null,
    hit.status && hit.status !== 'approved' ? h('span', { class: `chip status status-${hit.status}` }, statusName(hit.status)) : null,
    overdue(hit.review_by) ? h('span', { class: 'chip overdue' }, t('overdue')) : null,
  ];
}

/** One hit: title, chips, where and when, snippet, tags; partial matches say how many words. */
export function hitItem(hit, words, { showSnippet = true } = {}) {
  const partial = words > 1 && hit.matched < words;
  const meta = [
    where(hit),
    hit.date ? h('time', { datetime: hit.date }, date(hit.date)) : null,
    hit.experts?.length ? h('span', { class: 'experts' }, hit.experts.map((e, i) => [i ? (lang() === 'fa' ? '، ' : ', ') : null, bdi(e)])) : null,
  ].filter(Boolean);
  const text = showSnippet && hit.snippet ? hit.snippet : null;
  return h('li', { class: ['hit', partial && 'partial'] },
    h('article', {},
      h('div', { class: 'hit-chips' }, chipsOf(hit), partial ? h('span', { class: 'chip partial-chip' }, t('matched_of', { m: hit.matched, w: words })) : null),
      h('h2', { class: 'hit-title', dir: 'auto' }, h('a', { href: noteHref(hit.id) }, hit.title || hit.id)),
      h('p', { class: 'hit-meta' }, meta.map((m, i) => [i ? h('span', { class: 'dot', 'aria-hidden': 'true' }, '·') : null, m])),
      text ? h('p', { class: 'snippet', dir: 'auto' }, snippet(text)) : (hit.summary ? h('p', { class: 'snippet', dir: 'auto' }, hit.summary) : null),
      hit.tags?.length ? h('ul', { class: 'tags', 'aria-label': t('m_tags') }, hit.tags.slice(0, 6).map((tag) => h('li', {}, h('a', { class: 'tag', href: searchHref({ tag }), dir: 'auto' }, tag)))) : null));
}

function renderHits(page, s, res) {
  const area = page.querySelector('.hits-area');
  if (!res.hits.length) {
    fill(area, empty(s, res));
    return;
  }
  const words = res.words || 0;
  const items = [];
  let divided = false;
  for (const hit of res.hits) {
    if (!divided && words > 1 && hit.matched < words && s.match !== 'all' && sortOf(s) === 'relevance') {
      divided = true;
      items.push(h('li', { class: 'partial-divider' },
        h('span', {}, t('partial_divider'), h('span', { class: 'dot', 'aria-hidden': 'true' }, '·'),
          h('a', { href: hrefOf({ ...s, match: 'all', page: 1 }) }, t('match_all_link')))));
    }
    items.push(hitItem(hit, words));
  }
  fill(area, h('ol', { class: 'hits', on: { keydown: arrows } }, items));
}

/** Up and down arrows move between hits; up from the first goes back to the search box. */
function arrows(e) {
  if (e.key !== 'ArrowDown' && e.key !== 'ArrowUp') return;
  const links = [...e.currentTarget.querySelectorAll('.hit-title a')];
  const i = links.indexOf(document.activeElement);
  if (i < 0) return;
  e.preventDefault();
  if (e.key === 'ArrowDown' && i + 1 < links.length) links[i + 1].focus();
  else if (e.key === 'ArrowUp') (i > 0 ? links[i - 1] : document.getElementById('daftar-q')).focus();
}

function empty(s, res) {
  const removable = [];
  for (const f of FIELDS) {
    for (const v of s[f]) {
      removable.push(h('li', {}, h('a', { href: hrefOf({ ...toggled(s, f, v), page: 1 }) }, bdi(filterLabel(f, v)))));
    }
  }
  if (s.key) removable.push(h('li', {}, h('a', { href: hrefOf({ ...s, key: false, page: 1 }) }, t('key_document'))));
  if (s.from || s.to) removable.push(h('li', {}, h('a', { href: hrefOf({ ...s, from: '', to: '', page: 1 }) }, t('facet_date'))));
  if (s.page > 1 && res.total > 0) {
    return h('div', { class: 'empty' }, h('p', {}, h('a', { href: hrefOf({ ...s, page: 1 }) }, t('page_n', { n: 1 }))));
  }
  return h('div', { class: 'empty' },
    h('h2', { dir: 'auto' }, s.q ? t('empty_title', { q: s.q }) : t('empty_title_filters')),
    h('ul', { class: 'tips' },
      removable.length ? h('li', {}, t('empty_tip_filters'), h('ul', { class: 'inline-list' }, removable)) : null,
      s.q ? h('li', {}, t('empty_tip_spelling')) : null,
      h('li', {}, t('empty_tip_language')),
      h('li', {}, t('empty_tip_syntax'))));
}

function renderPager(page, s, res) {
  const nav = page.querySelector('.pager');
  nav.setAttribute('aria-label', t('pages'));
  const pages = Math.ceil(Math.min(res.total, MAX_OFFSET + PAGE) / PAGE);
  if (pages <= 1) {
    fill(nav);
    nav.hidden = true;
    return;
  }
  nav.hidden = false;
  const cur = Math.min(s.page, pages);
  const wanted = new Set([1, pages, cur - 1, cur, cur + 1, cur - 2 <= 2 ? 2 : 0, cur + 2 >= pages - 1 ? pages - 1 : 0]);
  const nums = [...wanted].filter((n) => n >= 1 && n <= pages).sort((a, b) => a - b);
  const link = (n, label, cls, extra = {}) => h('a', { href: hrefOf({ ...s, page: n }), class: cls, ...extra }, label);
  const items = [];
  nums.forEach((n, i) => {
    if (i && n - nums[i - 1] > 1) items.push(h('li', { class: 'gap', 'aria-hidden': 'true' }, '…'));
    items.push(h('li', {}, n === cur
      ? h('a', { href: hrefOf({ ...s, page: n }), class: 'num', 'aria-current': 'page', 'aria-label': t('page_n', { n }) }, num(n))
      : link(n, num(n), 'num', { 'aria-label': t('page_n', { n }) })));
  });
  fill(nav, h('ul', {},
    h('li', {}, cur > 1 ? link(cur - 1, t('prev'), 'step prev', { rel: 'prev' }) : h('span', { class: 'step prev', 'aria-disabled': 'true' }, t('prev'))),
    items,
    h('li', {}, cur < pages ? link(cur + 1, t('next'), 'step next', { rel: 'next' }) : h('span', { class: 'step next', 'aria-disabled': 'true' }, t('next')))));
}

function showError(page, s, e, ctx) {
  // While typing, an unfinished query ("an open quote) is normal: keep the last results and say
  // what is missing, quietly.
  if (e instanceof ApiError && e.code === 'bad_query' && ctx.how === 'type' && last) {
    const hint = page.querySelector('.typing-hint');
    hint.textContent = t('typing_hint', { message: e.message });
    hint.hidden = false;
    return;
  }
  const message = e instanceof ApiError && e.status === 0 ? t('error_network') : e instanceof ApiError && e.status >= 400 && e.status < 500 ? e.message : t('error_generic', { message: e.message });
  fill(page.querySelector('.result-count'), t('error_title'));
  fill(page.querySelector('.active-filters'));
  fill(page.querySelector('.pager'));
  fill(page.querySelector('.hits-area'), h('div', { class: 'error', role: 'alert' },
    h('h2', {}, t('error_title')),
    h('p', { dir: 'auto' }, message),
    h('button', { type: 'button', class: 'button', on: { click: () => navigate(location.href, { replace: true }) } }, t('retry'))));
}

// ----- focus across re-renders ----------------------------------------------------------------

function focusKey() {
  return document.activeElement?.dataset?.focusKey ?? null;
}

function restoreFocus(page, key) {
  if (!key) return;
  for (const el of page.querySelectorAll('[data-focus-key]')) {
    if (el.dataset.focusKey === key) {
      el.focus({ preventScroll: true });
      return;
    }
  }
  // The control the reader used is gone (a removed filter): continue from the results.
  if (document.activeElement === document.body) page.querySelector('.result-count').focus();
}
