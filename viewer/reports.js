// The browse pages (`/reports?tab=…`): a program's knowledge report (charts, review health,
// coverage, contributions, link health; printable and exportable), the program tree, each
// program's key documents with what is overdue for review (for decision-makers), the experts, and
// the problems list.

import { get, noteHref, query, searchHref } from './api.js';
import { bdi, fill, h } from './dom.js';
import { date, kindName, lang, month, num, overdue, statusName, t } from './i18n.js';
import { busy, navigate } from './app.js';
import { barChart, columnChart, stackedBar } from './charts.js';

const TABS = ['programs', 'report', 'key', 'experts', 'problems'];

/** Renders a browse tab. */
export async function render(main, url, ctx) {
  const program = url.searchParams.get('program') || '';
  // A program without a tab asks for its report; with neither, the program tree.
  const asked = url.searchParams.get('tab');
  const tab = TABS.includes(asked) ? asked : program ? 'report' : 'programs';
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
        h('a', {
          href: x === 'report' && program ? `/reports?${query({ tab: x, program })}` : `/reports?tab=${x}`,
          'aria-current': x === tab ? 'page' : null,
        }, t(`tab_${x}`)))))),
    h('div', { class: 'tab-body' }, body)));
}

const TAB_VIEWS = { report, programs, key, experts, problems };

function count(n) {
  return h('span', { class: 'n' }, t('notes_n', { n }));
}

// ----- report ---------------------------------------------------------------------------------

const STATUS_ORDER = ['approved', 'draft', 'superseded', 'archived', 'none'];

async function report({ program, signal }) {
  const [tree, data] = await Promise.all([
    get('/api/programs', {}, signal),
    get('/api/reports', { program }, signal),
  ]);
  document.title = `${t('report_title')}: ${program || t('report_scope_all')} — daftar`;
  const rtl = lang() === 'fa';
  const fmt = (n) => num(n);
  const names = programNames(tree);
  if (program && !names.includes(program)) names.unshift(program);
  const select = h('select', {
    id: 'daftar-report-program',
    on: { change: (e) => navigate(`/reports?${query({ tab: 'report', program: e.target.value })}`) },
  },
  h('option', { value: '' }, t('program_all')),
  names.map((n) => h('option', { value: n, selected: n === program }, n)));
  const totals = data.totals || { notes: 0, key: 0, by_kind: {}, by_status: {} };
  const review = data.review || {};
  const kinds = Object.entries(totals.by_kind || {}).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  const statuses = Object.entries(totals.by_status || {}).sort((a, b) => rank(a[0]) - rank(b[0]) || a[0].localeCompare(b[0]));
  const growth = data.growth || [];
  const series = [{ label: t('growth_added'), cls: 's-added' }, { label: t('growth_changed'), cls: 's-changed' }];
  const reviewParts = [
    { label: t('review_overdue'), value: review.overdue || 0, cls: 's-overdue' },
    { label: t('review_due'), value: review.due_within_30_days || 0, cls: 's-due' },
    { label: t('review_ok'), value: review.ok || 0, cls: 's-ok' },
    { label: t('review_unscheduled'), value: review.unscheduled || 0, cls: 's-unscheduled' },
  ];
  return h('div', { class: 'report' },
    h('div', { class: 'report-head' },
      h('div', {},
        h('h2', { id: 'daftar-report-title' }, t('report_title'), ': ', program ? bdi(program) : t('report_scope_all')),
        h('p', { class: 'report-meta' }, data.generated ? t('report_generated', { date: date(data.generated, 'long') }) : null)),
      h('div', { class: 'report-controls', role: 'group', 'aria-label': t('report_actions') },
        h('div', { class: 'program-pick' }, h('label', { for: 'daftar-report-program' }, t('program_select')), select),
        h('a', { class: 'button', id: 'daftar-report-csv', href: `/api/reports?${query({ format: 'csv', program })}`, download: '' }, t('report_export')),
        h('button', { type: 'button', class: 'button', id: 'daftar-report-print', on: { click: () => window.print() } }, t('report_print')))),
    h('p', { class: 'intro' }, t('report_intro')),
    h('section', { class: 'figures', 'aria-label': t('headline') },
      figure('notes', t('fig_notes'), totals.notes),
      figure('key', t('fig_key'), totals.key),
      figure('overdue', t('fig_overdue'), review.overdue || 0, (review.overdue || 0) > 0),
      figure('due', t('fig_due'), review.due_within_30_days || 0)),
    totals.notes ? null : h('p', { class: 'muted' }, t('report_empty')),
    h('div', { class: 'report-grid' },
      section('kind', t('chart_kind'), barChart({
        label: t('chart_kind'),
        rows: kinds.map(([k, v]) => ({ label: kindName(k), value: v, cls: `kind-${k.replace(/[^a-z0-9-]/gi, '')}` })),
        rtl,
        fmt,
      })),
      section('status', t('chart_status'), barChart({
        label: t('chart_status'),
        rows: statuses.map(([k, v]) => ({ label: k === 'none' ? t('status_none') : statusName(k), value: v, cls: `status-${k.replace(/[^a-z0-9-]/gi, '')}` })),
        rtl,
        fmt,
      }))),
    section('growth', t('chart_growth'), [
      legend(series),
      growth.length
        ? columnChart({
          label: t('chart_growth'),
          points: growth.map((g) => ({ label: month(g.month), values: [g.added || 0, g.changed || 0], title: `${month(g.month)} (${g.month}): ${t('growth_added')} ${fmt(g.added || 0)}, ${t('growth_changed')} ${fmt(g.changed || 0)}` })),
          series,
          rtl,
          fmt,
        })
        : h('p', { class: 'muted' }, t('growth_none')),
    ], 'wide'),
    section('review', t('chart_review'), [
      stackedBar({ label: t('chart_review'), parts: reviewParts, rtl, fmt }),
      legend(reviewParts, true),
      h('div', { class: 'review-lists' },
        h('div', {},
          h('h4', {}, t('review_overdue_list'), ' ', h('span', { class: 'n warn' }, num(review.overdue ?? (review.overdue_notes || []).length))),
          (review.overdue_notes || []).length
            ? h('ol', { class: 'report-notes' }, review.overdue_notes.map((n) => reviewItem(n, true)))
            : h('p', { class: 'muted' }, t('review_none_overdue'))),
        (review.due_notes || []).length
          ? h('div', {},
            h('h4', {}, t('review_due_list'), ' ', h('span', { class: 'n' }, num(review.due_within_30_days ?? review.due_notes.length))),
            h('ol', { class: 'report-notes' }, review.due_notes.map((n) => reviewItem(n, false))))
          : null),
    ], 'wide'),
    section('coverage', t('coverage'), coverage(data.programs || [], program), 'wide'),
    h('div', { class: 'report-grid' },
      section('contributions', t('contributions'), contributions(data.contributions || [])),
      section('links', t('links'), links(data.links || {}))));
}

function rank(status) {
  const i = STATUS_ORDER.indexOf(status);
  return i < 0 ? STATUS_ORDER.length : i;
}

function programNames(tree) {
  return [...new Set((tree.portfolios || []).flatMap((pf) => (pf.children || []).map((p) => p.name)).filter(Boolean))];
}

function figure(id, label, value, warn = false) {
  return h('div', { class: ['figure', `fig-${id}`, warn && 'warn'] },
    h('span', { class: 'figure-value' }, num(value || 0)),
    h('span', { class: 'figure-label' }, label));
}

function section(id, title, body, cls) {
  return h('section', { class: ['report-section', `report-${id}`, cls], 'aria-labelledby': `daftar-r-${id}` },
    h('h3', { id: `daftar-r-${id}` }, title),
    body);
}

function legend(items, counts = false) {
  return h('ul', { class: 'legend' }, items.map((it) => h('li', {},
    h('span', { class: `swatch ${it.cls}`, 'aria-hidden': 'true' }),
    it.label,
    counts ? [' ', h('span', { class: 'n' }, num(it.value))] : null)));
}

function reviewItem(n, late) {
  return h('li', {},
    h('a', { href: noteHref(n.id), dir: 'auto' }, n.title || n.id),
    h('span', { class: 'hit-meta' },
      n.program ? [bdi(n.program), h('span', { class: 'dot', 'aria-hidden': 'true' }, '·')] : null,
      h('span', { class: late ? 'overdue-text' : '' }, t(late ? 'due_on' : 'review_due', { date: date(n.review_by) }))));
}

function coverage(programs, scoped) {
  if (!programs.length) return h('p', { class: 'muted' }, t('report_empty'));
  return programs.map((p) => h('div', { class: 'coverage-program' },
    scoped ? null : h('h4', {}, p.program ? h('a', { href: `/reports?${query({ tab: 'report', program: p.program })}` }, bdi(p.program)) : t('no_program'),
      ' ', h('span', { class: 'n' }, t('notes_n', { n: p.notes }))),
    h('div', { class: 'coverage-cols' },
      h('div', {},
        h('h5', {}, t('coverage_missing')),
        (p.missing_kinds || []).length
          ? h('div', { class: 'hit-chips' }, p.missing_kinds.map((k) => h('span', { class: `chip kind kind-${String(k).replace(/[^a-z0-9-]/gi, '')}` }, kindName(k))))
          : h('p', { class: 'muted' }, t('coverage_complete')),
        h('h5', {}, t('coverage_no_lessons')),
        (p.projects_without_lessons || []).length
          ? h('ul', { class: 'plain warn-list' }, p.projects_without_lessons.map((x) => h('li', {}, bdi(x))))
          : h('p', { class: 'muted' }, t('coverage_all_lessons'))),
      (p.projects || []).length
        ? h('table', { class: 'report-table' },
          h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, t('project_col')), h('th', { scope: 'col', class: 'num' }, t('notes_col')), h('th', { scope: 'col', class: 'num' }, t('key_col')))),
          h('tbody', {}, p.projects.map((x) => h('tr', {},
            h('th', { scope: 'row' }, x.project ? h('a', { href: searchHref({ program: p.program, project: x.project }) }, bdi(x.project)) : h('span', { class: 'muted' }, t('program_level'))),
            h('td', { class: 'num' }, num(x.notes)),
            h('td', { class: 'num' }, num(x.key))))))
        : null)));
}

function contributions(list) {
  if (!list.length) return h('p', { class: 'muted' }, t('contributions_none'));
  return h('table', { class: 'report-table' },
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, t('person_col')), h('th', { scope: 'col', class: 'num' }, t('expert_col')), h('th', { scope: 'col', class: 'num' }, t('commits_col')))),
    h('tbody', {}, list.map((c) => h('tr', {},
      h('th', { scope: 'row' }, c.notes_as_expert ? h('a', { href: searchHref({ expert: c.person }) }, bdi(c.person)) : bdi(c.person)),
      h('td', { class: 'num' }, num(c.notes_as_expert || 0)),
      h('td', { class: 'num' }, num(c.commits || 0))))));
}

function links(l) {
  const orphans = l.orphans || [];
  return [
    h('dl', { class: 'link-figures' },
      h('div', {}, h('dt', {}, t('links_orphans')), h('dd', {}, num(l.orphans_total ?? orphans.length))),
      h('div', { class: l.broken_links ? 'warn' : '' }, h('dt', {}, t('links_broken')), h('dd', {}, num(l.broken_links || 0))),
      h('div', { class: l.notes_with_broken_links ? 'warn' : '' }, h('dt', {}, t('links_broken_notes')), h('dd', {}, num(l.notes_with_broken_links || 0)))),
    l.broken_links ? h('p', {}, h('a', { href: '/reports?tab=problems' }, t('links_see_problems'))) : null,
    orphans.length
      ? h('ul', { class: 'report-notes orphans' }, orphans.map((o) => h('li', {}, h('a', { href: noteHref(o.id), dir: 'auto' }, o.title || o.id))))
      : null,
  ];
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
      p.name ? [h('span', { class: 'dot', 'aria-hidden': 'true' }, '·'), h('a', { href: `/reports?tab=key&program=${encodeURIComponent(p.name)}` }, t('tab_key')),
        h('span', { class: 'dot', 'aria-hidden': 'true' }, '·'), h('a', { href: `/reports?${query({ tab: 'report', program: p.name })}` }, t('tab_report'))] : null),
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
