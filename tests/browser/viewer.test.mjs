// End-to-end tests of the web viewer in real headless Chromium against the real `daftar serve`
// on a temporary copy of knowledge/ plus a bilingual note and a hostile one; then against a small
// root with access control (`[auth]` tokens, public / internal / restricted notes).
//
//   npm ci --prefix tests/browser && node --test tests/browser/
//
// DAFTAR_BIN picks the binary (default target/release/daftar), DAFTAR_CHROMIUM the browser
// (default /usr/bin/chromium). `cargo test` runs this file through tests/it/viewer.rs.

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { browser, knowledgeRoot, serve } from './harness.mjs';

const BILINGUAL = `---
title: Bilingual handover note
kind: reference
portfolio: Operations
program: Digital Transformation
project: ERP Rollout
experts: [Sara Ahmadi]
tags: [handover, تحویل]
date: 2026-01-10
review_by: 2020-01-01
key: true
summary: A note written in both languages, for the viewer's tests.
---
# Bilingual handover note

## English section

This paragraph is written in English and reads from left to right.

## بخش فارسی

این بند به فارسی نوشته شده است و از راست به چپ خوانده می‌شود.

- An English item in a mixed list
- یک مورد فارسی در فهرستی که با انگلیسی آغاز شده است

| ستون | مقدار |
| --- | --- |
| الف | ۱۲ |

\`\`\`sql
select count(*) from handover;
\`\`\`

See [[cutover-runbook]].
`;

const LINKER = `---
title: Handover index
kind: reference
program: Digital Transformation
---
The [[bilingual]] note is the one to read.
`;

// Every payload would set window.__pwned if it ever ran.
const HOSTILE = `---
title: "<script>window.__pwned='title'</script>Hostile payloads"
kind: reference
program: Zeta
tags: ["<img src=x onerror=window.__pwned='tag'>"]
summary: "<svg onload=window.__pwned='summary'></svg>hostile summary"
---
# Hostile payloads

<script>window.__pwned = 'script'</script>

<img src="x" onerror="window.__pwned = 'img'">

<svg onload="window.__pwned = 'svg'"><circle r="4"/></svg>

<svg><script>window.__pwned = 'svg-script'</script></svg>

<iframe srcdoc="<script>parent.__pwned = 'srcdoc'</script>"></iframe>

<object data="javascript:window.__pwned='object'"></object>

<embed src="javascript:window.__pwned='embed'">

<details open ontoggle="window.__pwned = 'details'"><summary>s</summary>d</details>

<a href="javascript:window.__pwned='a'">a javascript link</a>

<a href="jav&#x09;ascript:window.__pwned='tab'">an obfuscated javascript link</a>

[a markdown javascript link](javascript:window.__pwned='md')

<a href="data:text/html,<script>alert(1)</script>">a data link</a>

<form action="javascript:window.__pwned='form'"><button>go</button></form>

<meta http-equiv="refresh" content="0;url=javascript:window.__pwned='meta'">

<base href="javascript:window.__pwned='base'//">

<style>body { display: none }</style>

<math><mtext><table><mglyph><style><img src=x onerror="window.__pwned='mxss'"></style></mglyph></table></mtext></math>

<div style="background:url(javascript:window.__pwned='style')" onclick="window.__pwned='click'">hostile words to search</div>
`;

let kb;
let server;
let chrome;

async function newPage(options = {}) {
  const context = await chrome.newContext({ locale: 'en-US', ...options });
  const page = await context.newPage();
  page.setDefaultTimeout(10000);
  const problems = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('dialog', async (d) => {
    problems.push(`dialog: ${d.message()}`);
    await d.dismiss();
  });
  page.problems = problems;
  return page;
}

async function closePage(page) {
  await page.context().close();
}

/** Elements in the main area that carry anything executable. */
function executableLeftovers() {
  const found = [];
  for (const el of document.querySelectorAll('main *')) {
    if (/^(script|iframe|object|embed|base|meta|form|style)$/i.test(el.tagName)) found.push(`<${el.tagName}>`);
    for (const a of el.attributes) {
      if (/^on/i.test(a.name) || a.name === 'srcdoc' || a.name === 'style') found.push(`${el.tagName}[${a.name}]`);
      if (/^\s*(javascript|data|vbscript):/i.test(a.value.replace(/[\u0000-\u0020]/g, ''))) found.push(`${el.tagName}[${a.name}=${a.value}]`);
    }
  }
  return found;
}

before(async () => {
  chrome = await browser();
});

after(async () => {
  await chrome?.close();
});

describe('the web viewer in Chromium', () => {
  before(async () => {
    kb = knowledgeRoot({
      'zz-viewer/bilingual.md': BILINGUAL,
      'zz-viewer/handover-index.md': LINKER,
      'zz-viewer/hostile.md': HOSTILE,
    });
    server = await serve(kb.root);
  });

  after(async () => {
    await server?.stop();
    kb?.cleanup();
  });

  it('serves the shell with a strict CSP, and a first load under 150 KB before fonts', async () => {
    const res = await fetch(`${server.base}/?q=x`);
    assert.equal(res.status, 200);
    const csp = res.headers.get('content-security-policy');
    assert.match(csp, /script-src 'self'/);
    assert.match(csp, /object-src 'none'/);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
    const html = await res.text();
    let total = html.length;
    const assets = [...html.matchAll(/(?:href|src)="(\/assets\/[^"]+\.(?:js|css))"/g)].map((m) => m[1]);
    assert.ok(assets.some((a) => a.endsWith('/app.js')) && assets.some((a) => a.endsWith('/style.css')), assets.join());
    for (const a of new Set(assets)) {
      const r = await fetch(`${server.base}${a}`);
      assert.equal(r.status, 200, a);
      assert.match(r.headers.get('cache-control'), /immutable/);
      total += (await r.arrayBuffer()).byteLength;
    }
    assert.ok(total < 150 * 1024, `first load is ${total} bytes`);
    const app = assets.find((a) => a.endsWith('/app.js'));
    const etag = (await fetch(`${server.base}${app}`)).headers.get('etag');
    assert.equal((await fetch(`${server.base}${app}`, { headers: { 'if-none-match': etag } })).status, 304);
    const font = await fetch(`${server.base}${app.replace('app.js', 'fonts/vazirmatn-arabic.woff2')}`);
    assert.equal(font.headers.get('content-type'), 'font/woff2');
    assert.equal((await fetch(`${server.base}${app.replace('app.js', 'nope.js')}`)).status, 404);
    const note = await fetch(`${server.base}/notes/zz-viewer/bilingual.md`);
    assert.equal(note.status, 200);
    assert.match(await note.text(), /<html lang="en" dir="ltr">/);
    const fa = await fetch(`${server.base}/reports`, { headers: { 'accept-language': 'fa-IR,fa;q=0.9' } });
    assert.match(await fa.text(), /<html lang="fa" dir="rtl">/);
  });

  it('searches as you type a Persian query, with hits, snippets and the URL as state', async () => {
    const page = await newPage();
    await page.goto(`${server.base}/`);
    await page.waitForSelector('.hit');
    // Without [auth] there is nothing to sign in to.
    assert.equal((await (await fetch(`${server.base}/api/me`)).json()).access_control, false);
    assert.equal(await page.isHidden('#daftar-session'), true);
    await page.keyboard.press('/');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'daftar-q');
    await page.keyboard.type('ترانسفورماتور', { delay: 15 });
    await page.waitForFunction(() => new URL(location.href).searchParams.get('q') === 'ترانسفورماتور');
    await page.waitForFunction(() => document.querySelector('.hit mark'));
    const titles = await page.$$eval('.hit-title a', (as) => as.map((a) => a.textContent));
    assert.ok(titles.length > 0);
    assert.ok(titles.some((t) => /[\u0600-\u06ff]/.test(t)), titles.join(' | '));
    const count = await page.textContent('.result-count');
    assert.match(count, /\d+ notes? in/);
    // Typing kept the focus in the search box.
    assert.equal(await page.evaluate(() => document.activeElement.id), 'daftar-q');
    assert.deepEqual(page.problems, []);
    await closePage(page);
  });

  it('shows Persian hits right-to-left and English hits left-to-right on the same page', async () => {
    const page = await newPage();
    await page.goto(`${server.base}/?q=ERP`);
    await page.waitForSelector('.hit');
    const dirs = await page.$$eval('.hit-title', (hs) => hs.map((h) => ({
      persian: /^[^A-Za-z]*[\u0600-\u06ff]/.test(h.textContent),
      rtl: h.matches(':dir(rtl)'),
      auto: h.getAttribute('dir'),
    })));
    assert.ok(dirs.some((d) => d.persian) && dirs.some((d) => !d.persian), JSON.stringify(dirs));
    for (const d of dirs) {
      assert.equal(d.auto, 'auto');
      assert.equal(d.rtl, d.persian, JSON.stringify(d));
    }
    await closePage(page);
  });

  it('narrows the search with a facet, multi-selects, and goes back and forward', async () => {
    const page = await newPage();
    await page.goto(`${server.base}/?q=project`);
    await page.waitForSelector('.hit');
    const before = await page.textContent('.result-count strong');
    await page.getByRole('checkbox', { name: /^Lesson\s*\d+$/ }).check();
    await page.waitForFunction(() => new URL(location.href).searchParams.getAll('kind').join() === 'lesson');
    await page.waitForFunction((b) => document.querySelector('.result-count strong')?.textContent !== b, before);
    let kinds = await page.$$eval('.hit .chip.kind', (cs) => cs.map((c) => c.textContent));
    assert.ok(kinds.length > 0 && kinds.every((k) => k === 'Lesson'), kinds.join());
    // The counts are disjunctive: the other kinds are still offered, with their counts.
    await page.getByRole('checkbox', { name: /^Decision\s*\d+$/ }).check();
    await page.waitForFunction(() => new URL(location.href).searchParams.getAll('kind').join() === 'lesson,decision');
    await page.waitForFunction(() => [...document.querySelectorAll('.hit .chip.kind')].some((c) => c.textContent === 'Decision'));
    kinds = await page.$$eval('.hit .chip.kind', (cs) => cs.map((c) => c.textContent));
    assert.ok(kinds.every((k) => k === 'Lesson' || k === 'Decision'), kinds.join());
    await page.goBack();
    await page.waitForFunction(() => new URL(location.href).searchParams.getAll('kind').join() === 'lesson');
    await page.waitForFunction(() => ![...document.querySelectorAll('.hit .chip.kind')].some((c) => c.textContent === 'Decision'));
    assert.equal(await page.getByRole('checkbox', { name: /^Decision\s*\d+$/ }).isChecked(), false);
    await page.goBack();
    await page.waitForFunction(() => !new URL(location.href).searchParams.has('kind'));
    await page.waitForFunction((b) => document.querySelector('.result-count strong')?.textContent === b, before);
    assert.equal(await page.inputValue('#daftar-q'), 'project');
    await page.goForward();
    await page.waitForFunction(() => new URL(location.href).searchParams.get('kind') === 'lesson');
    // The URL changes at once; the page follows when the search answers.
    await page.waitForFunction(() => document.querySelector('[data-focus-key="kind:lesson"]')?.checked);
    assert.deepEqual(page.problems, []);
    await closePage(page);
  });

  it('moves through hits with the arrow keys and opens one with Enter', async () => {
    const page = await newPage();
    await page.goto(`${server.base}/?q=handover`);
    await page.waitForSelector('.hit');
    await page.focus('#daftar-q');
    await page.keyboard.press('ArrowDown');
    const first = await page.evaluate(() => document.activeElement.textContent);
    assert.equal(first, await page.textContent('.hit-title a'));
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowUp');
    assert.equal(await page.evaluate(() => document.activeElement.textContent), first);
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/notes\//);
    await page.waitForSelector('#daftar-note-title');
    assert.equal(await page.textContent('#daftar-note-title'), first);
    await page.goBack();
    await page.waitForSelector('.hit');
    assert.equal(new URL(page.url()).searchParams.get('q'), 'handover');
    await closePage(page);
  });

  it('opens a note: rendered, each block in its own direction, contents, metadata, backlinks', async () => {
    const page = await newPage();
    await page.goto(`${server.base}/notes/zz-viewer/bilingual.md`);
    await page.waitForSelector('#daftar-note-title');
    assert.equal(await page.textContent('#daftar-note-title'), 'Bilingual handover note');
    const blocks = await page.$$eval('.prose p, .prose h2, .prose td', (els) => els.map((e) => ({
      text: e.textContent.trim(),
      dir: e.getAttribute('dir'),
      rtl: e.matches(':dir(rtl)'),
    })));
    const english = blocks.find((b) => b.text.startsWith('This paragraph'));
    const persian = blocks.find((b) => b.text.startsWith('این بند'));
    assert.equal(english.dir, 'auto');
    assert.equal(english.rtl, false);
    assert.equal(persian.dir, 'auto');
    assert.equal(persian.rtl, true);
    assert.equal(blocks.find((b) => b.text === 'بخش فارسی').rtl, true);
    assert.equal(blocks.find((b) => b.text === 'English section').rtl, false);
    assert.equal(await page.getAttribute('.prose pre', 'dir'), 'ltr');
    assert.equal(await page.locator('.prose .table-wrap table').count(), 1);
    // The title is not repeated by the note's own first heading.
    assert.equal(await page.locator('.prose h1').count(), 0);
    const toc = await page.$$eval('.toc a', (as) => as.map((a) => a.getAttribute('href')));
    assert.deepEqual(toc.length, 2, toc.join());
    // Contents links are anchors on the same page: no re-render, the heading comes into view.
    await page.evaluate(() => (document.getElementById('daftar-note-title').dataset.mark = 'same'));
    await page.click('.toc a >> nth=1');
    await page.waitForFunction(() => decodeURIComponent(location.hash).length > 1);
    assert.match(page.url(), /\/notes\/zz-viewer\/bilingual\.md#/);
    await page.waitForTimeout(200);
    assert.equal(await page.getAttribute('#daftar-note-title', 'data-mark'), 'same');
    const anchor = decodeURIComponent(new URL(page.url()).hash.slice(1));
    assert.ok(await page.evaluate((id) => {
      const r = document.getElementById(id).getBoundingClientRect();
      return r.top > -2 && r.top < innerHeight / 2;
    }, anchor));
    // Metadata, with the overdue review.
    const meta = await page.textContent('.meta');
    for (const want of ['Digital Transformation', 'ERP Rollout', 'Sara Ahmadi', 'handover', 'Review overdue', 'zz-viewer/bilingual.md']) {
      assert.ok(meta.includes(want), `${want} in ${meta}`);
    }
    assert.equal(await page.locator('.note-head .chip.overdue').count(), 1);
    assert.equal(await page.locator('.note-head .chip.key').count(), 1);
    assert.equal(await page.getAttribute('.meta a.button', 'href'), '/raw/zz-viewer/bilingual.md');
    const backlinks = await page.$$eval('.backlinks a', (as) => as.map((a) => a.textContent));
    assert.ok(backlinks.includes('Handover index'), backlinks.join());
    // A wiki-link in the note is a viewer link.
    await page.click('.prose a[href^="/notes/"]');
    await page.waitForURL(/cutover-runbook\.md$/);
    await page.waitForFunction(() => /cutover runbook/i.test(document.getElementById('daftar-note-title')?.textContent));
    assert.deepEqual(page.problems, []);
    await closePage(page);
  });

  it('switches the interface language, flipping the layout, and remembers it', async () => {
    const page = await newPage();
    await page.goto(`${server.base}/notes/zz-viewer/bilingual.md`);
    await page.waitForSelector('#daftar-note-title');
    assert.equal(await page.getAttribute('html', 'dir'), 'ltr');
    assert.equal(await page.textContent('#daftar-lang'), 'فارسی');
    await page.click('#daftar-lang');
    await page.waitForFunction(() => document.documentElement.lang === 'fa' && document.documentElement.dir === 'rtl');
    await page.waitForFunction(() => document.querySelector('.meta h2')?.textContent === 'مشخصات');
    assert.equal(await page.textContent('.nav a[data-nav="search"]'), 'جستجو');
    assert.equal(await page.getAttribute('#daftar-q', 'placeholder').then((p) => /[\u0600-\u06ff]/.test(p)), true);
    assert.equal(await page.textContent('.note-head .chip.kind'), 'مرجع');
    // Jalali date with Persian digits: 2026-01-10 is 20 Dey 1404.
    const when = await page.textContent('.byline time');
    assert.match(when, /۱۴۰۴/);
    assert.match(when, /دی/);
    // The note's own English text still reads left to right inside the Persian layout.
    assert.equal(await page.locator('.prose p', { hasText: 'This paragraph' }).evaluate((e) => e.matches(':dir(ltr)')), true);
    await page.reload();
    await page.waitForSelector('#daftar-note-title');
    assert.equal(await page.getAttribute('html', 'lang'), 'fa');
    await page.goto(`${server.base}/?q=handover`);
    await page.waitForSelector('.hit');
    assert.match(await page.textContent('.result-count'), /[۰-۹]+ یادداشت/);
    await page.click('#daftar-lang');
    await page.waitForFunction(() => document.documentElement.dir === 'ltr');
    await page.waitForFunction(() => /\d+ notes? in/.test(document.querySelector('.result-count').textContent));
    assert.deepEqual(page.problems, []);
    await closePage(page);
  });

  it('opens a hostile note and no script runs', async () => {
    const page = await newPage();
    const csp = [];
    page.on('console', (m) => {
      if (/Content Security Policy/i.test(m.text())) csp.push(m.text());
    });
    await page.goto(`${server.base}/?q=hostile`);
    await page.waitForSelector('.hit');
    const title = await page.textContent('.hit-title a');
    assert.match(title, /<script>window.__pwned='title'<\/script>Hostile payloads/);
    await page.click('.hit-title a');
    await page.waitForSelector('#daftar-note-title');
    await page.waitForTimeout(300);
    // Click everything clickable in the note, as a curious reader would.
    for (const el of await page.$$('.prose a, .prose div, .prose summary')) await el.click({ force: true, noWaitAfter: true }).catch(() => {});
    await page.waitForTimeout(200);
    assert.equal(await page.evaluate(() => window.__pwned), undefined);
    assert.deepEqual(await page.evaluate(executableLeftovers), []);
    assert.ok(page.url().includes('/notes/zz-viewer/hostile.md'), page.url());
    assert.ok((await page.textContent('.prose')).includes('hostile words to search'));
    assert.deepEqual(page.problems, []);
    assert.deepEqual(csp, [], 'the sanitiser let something through that only the CSP stopped');
    await closePage(page);
  });

  it('explains what to do when nothing matches, when a query is wrong, and when a note is missing', async () => {
    const page = await newPage();
    await page.goto(`${server.base}/?q=zzqqxxnothing&kind=lesson`);
    await page.waitForSelector('.empty');
    assert.match(await page.textContent('.empty h2'), /No notes match “zzqqxxnothing”/);
    assert.equal(await page.locator('.empty a', { hasText: 'Lesson' }).count(), 1);
    await page.goto(`${server.base}/?from=someday`);
    await page.waitForSelector('.error');
    assert.match(await page.textContent('.error'), /not a date/);
    await page.goto(`${server.base}/notes/nowhere/missing-note.md`);
    await page.waitForSelector('.note-missing');
    assert.match(await page.textContent('.note-missing h1'), /not found/);
    assert.match(await page.getAttribute('.note-missing a.button', 'href'), /q=missing\+note/);
    await closePage(page);
  });

  it('browses programs, key documents with overdue reviews, experts and problems', async () => {
    const page = await newPage();
    await page.goto(`${server.base}/reports`);
    await page.waitForSelector('.program-card');
    assert.ok(await page.locator('.program-card h3 a', { hasText: 'Digital Transformation' }).count() >= 1);
    await page.click('.program-card:has(h3 a:text-is("Digital Transformation")) a[href*="tab=key"]');
    await page.waitForURL(/tab=key&program=Digital/);
    await page.waitForSelector('.key-docs');
    const key = await page.$$eval('.key-docs .doc h3 a', (as) => as.map((a) => a.textContent));
    assert.ok(key.includes('Bilingual handover note'), key.join());
    const late = await page.$$eval('.overdue-docs .doc h3 a', (as) => as.map((a) => a.textContent));
    assert.ok(late.includes('Bilingual handover note'), late.join());
    await page.click('.tabs a[href="/reports?tab=experts"]');
    await page.waitForSelector('.expert-card');
    assert.ok(await page.locator('.expert-card h2 a', { hasText: 'Sara Ahmadi' }).count() >= 1);
    await page.click('.tabs a[href="/reports?tab=problems"]');
    await page.waitForSelector('.problem-list, .all-good');
    await closePage(page);
  });

  it('renders a program report: charts, headline figures, export, print, and Jalali months in Persian', async () => {
    const program = 'Digital Transformation';
    const api = await (await fetch(`${server.base}/api/reports?program=${encodeURIComponent(program)}`)).json();
    assert.ok(api.totals.notes > 0, JSON.stringify(api.totals));
    const page = await newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(`${server.base}/reports?tab=report&program=${encodeURIComponent(program)}`);
    await page.waitForSelector('.report svg[role=img]');
    const charts = await page.$$eval('.report svg[role=img]', (svgs) => svgs.map((s) => ({
      label: s.getAttribute('aria-label'),
      title: s.querySelector(':scope > title')?.textContent,
      bars: s.querySelectorAll('rect.bar').length,
    })));
    assert.ok(charts.length >= 3, JSON.stringify(charts));
    for (const c of charts) {
      assert.ok(c.bars > 0, JSON.stringify(c));
      assert.ok(c.label && c.title, JSON.stringify(c));
    }
    assert.equal(await page.textContent('.fig-notes .figure-value'), String(api.totals.notes));
    assert.equal(await page.textContent('.fig-overdue .figure-value'), String(api.review.overdue));
    assert.equal(await page.inputValue('#daftar-report-program'), program);
    const csv = await page.getAttribute('#daftar-report-csv', 'href');
    assert.match(csv, /^\/api\/reports\?/);
    assert.match(csv, /format=csv/);
    assert.equal(new URL(csv, server.base).searchParams.get('program'), program);
    const res = await fetch(new URL(csv, server.base));
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type'), /text\/csv/);
    // Overdue notes link to the notes.
    const late = await page.$$eval('.report-review .report-notes a', (as) => as.map((a) => a.getAttribute('href')));
    assert.equal(late.length, api.review.overdue_notes.length + api.review.due_notes.length);
    assert.ok(late.every((h) => h.startsWith('/notes/')), late.join());
    // A program without a tab opens its report; the other tabs still work.
    await page.goto(`${server.base}/reports?program=${encodeURIComponent(program)}`);
    await page.waitForSelector('.report svg[role=img]');
    assert.equal(await page.textContent('.tabs a[aria-current="page"]'), 'Report');
    // Print: no header, navigation or controls; the charts stay.
    await page.emulateMedia({ media: 'print' });
    assert.equal(await page.isVisible('header.top'), false);
    assert.equal(await page.isVisible('.tabs'), false);
    assert.equal(await page.isVisible('.report-controls'), false);
    assert.ok(await page.locator('.report svg[role=img]').first().isVisible());
    assert.equal(await page.evaluate(() => getComputedStyle(document.body).backgroundColor), 'rgb(255, 255, 255)');
    await page.emulateMedia({ media: 'screen' });
    assert.equal(await page.isVisible('header.top'), true);
    // Persian: Jalali months with Persian digits, bars growing from the right.
    await page.click('#daftar-lang');
    await page.waitForFunction(() => document.documentElement.dir === 'rtl' && document.querySelector('.fig-notes .figure-value')?.textContent !== '' && /[۰-۹]/.test(document.querySelector('.fig-notes .figure-value')?.textContent));
    const months = await page.$$eval('.report-growth svg text.month', (ts) => ts.map((x) => x.textContent));
    assert.ok(months.length > 0 && months.every((m) => /[۰-۹]/.test(m) && !/[0-9]/.test(m)), months.join(' | '));
    const mirrored = await page.$eval('.report-kind svg', (svg) => {
      const bar = svg.querySelector('g.row rect.bar').getBoundingClientRect();
      const name = svg.querySelector('g.row text.label').getBoundingClientRect();
      return name.left >= bar.right - 1;
    });
    assert.ok(mirrored, 'in Persian the bars grow from the right');
    assert.deepEqual(page.problems, []);
    await closePage(page);
  });

  it('works at 360 px: filters behind a toggle, nothing wider than the screen', async () => {
    const page = await newPage({ viewport: { width: 360, height: 740 } });
    await page.goto(`${server.base}/?q=risk`);
    await page.waitForSelector('.hit');
    assert.equal(await page.isVisible('.facets'), false);
    await page.click('.filters-toggle');
    assert.equal(await page.isVisible('.facets'), true);
    assert.equal(await page.getAttribute('.filters-toggle', 'aria-expanded'), 'true');
    const wide = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(wide <= 360, `page is ${wide} px wide`);
    for (const note of ['zz-viewer/bilingual.md', 'pmo/pmis/pmis-architecture.md']) {
      await page.goto(`${server.base}/notes/${note}`);
      await page.waitForSelector('#daftar-note-title');
      const width = await page.evaluate(() => document.documentElement.scrollWidth);
      assert.ok(width <= 360, `${note} is ${width} px wide`);
    }
    await closePage(page);
  });
});

// ----- access control -------------------------------------------------------------------------

const PUBLIC = 'Harbour lesson for everyone';
const INTERNAL = 'Harbour decision for the team';
const RESTRICTED = 'Harbour risk for the board';

function aclNote(title, visibility, extra = '') {
  return `---\ntitle: ${title}\nkind: lesson\nprogram: Harbour\nvisibility: ${visibility}\n${extra}---\nWhat the harbour crane project taught us.\n`;
}

const TOKENS = { team: 'team-token-7f3a9c', board: 'board-token-e41d20' };

function sha256(text) {
  return createHash('sha256').update(text).digest('hex');
}

const AUTH_TOML = `[auth]

[[auth.tokens]]
name = "team"
sha256 = "${sha256(TOKENS.team)}"
groups = ["team"]

[[auth.tokens]]
name = "board"
sha256 = "${sha256(TOKENS.board)}"
groups = ["board"]
`;

describe('the web viewer with access control', () => {
  let acl;
  let aclServer;

  before(async () => {
    acl = knowledgeRoot({
      'harbour/public.md': aclNote(PUBLIC, 'public'),
      'harbour/internal.md': aclNote(INTERNAL, 'internal'),
      'harbour/restricted.md': aclNote(RESTRICTED, 'restricted', 'audience: [board]\n'),
    }, { bundled: false });
    const config = join(acl.dir, 'daftar.toml');
    writeFileSync(config, AUTH_TOML);
    aclServer = await serve(acl.root, { config });
  });

  after(async () => {
    await aclServer?.stop();
    acl?.cleanup();
  });

  /** Waits until the hits are exactly these titles; on timeout, says which were shown. */
  async function waitForHits(page, want) {
    const sorted = [...want].sort();
    try {
      await page.waitForFunction((w) => {
        const shown = [...document.querySelectorAll('.hit-title a')].map((a) => a.textContent).sort();
        return document.querySelector('.result-count strong') && JSON.stringify(shown) === JSON.stringify(w);
      }, sorted);
    } catch (e) {
      const shown = await page.$$eval('.hit-title a', (as) => as.map((a) => a.textContent).sort());
      assert.deepEqual(shown, sorted, `hits never became ${sorted.join(', ')}: ${e.message}`);
    }
  }

  async function tokenCookie(page) {
    return (await page.context().cookies()).find((c) => c.name === 'daftar_token');
  }

  /** Opens the dialog from the header, types a token and submits it with Enter. */
  async function signIn(page, token, from = '#daftar-sign-in') {
    await page.click(from);
    await page.waitForSelector('dialog.sign-in[open]');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'daftar-token');
    await page.fill('#daftar-token', token);
    await page.keyboard.press('Enter');
  }

  async function signedInAs(page, name) {
    await page.waitForSelector('dialog.sign-in', { state: 'detached' });
    await page.waitForFunction((n) => document.getElementById('daftar-session-who')?.textContent === n, name);
    assert.equal(await page.isVisible('#daftar-sign-out'), true);
    assert.equal(await page.isHidden('#daftar-sign-in'), true);
    assert.equal(await page.evaluate(() => document.activeElement.id), 'daftar-sign-out');
  }

  async function signOut(page) {
    await page.click('#daftar-sign-out');
    await page.waitForSelector('#daftar-sign-in', { state: 'visible' });
    assert.equal(await page.isHidden('.session-who'), true);
    assert.equal(await tokenCookie(page), undefined);
  }

  it('the server rejects a wrong token with 401 and a Bearer challenge', async () => {
    const res = await fetch(`${aclServer.base}/api/search?q=harbour`, { headers: { cookie: 'daftar_token=not-a-token' } });
    assert.equal(res.status, 401);
    assert.match(res.headers.get('www-authenticate') || '', /^Bearer realm="daftar"/);
    assert.equal((await res.json()).error.code, 'unauthorized');
    const me = await (await fetch(`${aclServer.base}/api/me`)).json();
    assert.equal(me.access_control, true);
    assert.equal(me.name, null);
    const board = await (await fetch(`${aclServer.base}/api/me`, { headers: { authorization: `Bearer ${TOKENS.board}` } })).json();
    assert.equal(board.name, 'board');
    assert.deepEqual(board.groups, ['board']);
  });

  it('signs in and out with tokens: each sees what its groups allow', async () => {
    const page = await newPage();
    const restricted = `${aclServer.base}/notes/harbour/restricted.md`;
    await page.goto(`${aclServer.base}/?q=harbour`);
    // Anonymous: the public note only, and a way to sign in.
    await waitForHits(page, [PUBLIC]);
    await page.waitForSelector('#daftar-sign-in', { state: 'visible' });
    assert.equal(await page.textContent('#daftar-sign-in'), 'Sign in');
    assert.equal(await page.isHidden('#daftar-sign-out'), true);

    // The dialog: labelled, a password field, Escape closes it and gives focus back.
    await page.click('#daftar-sign-in');
    await page.waitForSelector('dialog.sign-in[open]');
    assert.equal(await page.getAttribute('#daftar-token', 'type'), 'password');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'daftar-token');
    assert.equal(await page.getByRole('dialog', { name: 'Sign in to daftar' }).count(), 1);
    assert.equal(await page.getByLabel('Access token').count(), 1);
    await page.keyboard.press('Escape');
    await page.waitForSelector('dialog.sign-in', { state: 'detached' });
    assert.equal(await page.evaluate(() => document.activeElement.id), 'daftar-sign-in');

    // A wrong token is rejected in the dialog; nothing is kept and nothing changes.
    await signIn(page, 'not-a-token');
    await page.waitForFunction(() => /rejected/i.test(document.querySelector('.sign-in-message')?.textContent));
    assert.equal(await page.getAttribute('.sign-in-message', 'role'), 'alert');
    assert.equal(await page.isVisible('dialog.sign-in'), true);
    assert.equal(await page.evaluate(() => document.activeElement.id), 'daftar-token');
    assert.equal(await tokenCookie(page), undefined);
    await page.getByRole('button', { name: 'Cancel' }).click();
    await page.waitForSelector('dialog.sign-in', { state: 'detached' });
    assert.equal(await page.isVisible('#daftar-sign-in'), true);
    await waitForHits(page, [PUBLIC]);

    // The team: internal notes too, not the board's; the cookie is strict and kept for 30 days.
    await signIn(page, TOKENS.team);
    await signedInAs(page, 'team');
    await waitForHits(page, [PUBLIC, INTERNAL]);
    const cookie = await tokenCookie(page);
    assert.equal(cookie.value, encodeURIComponent(TOKENS.team));
    assert.equal(cookie.sameSite, 'Strict');
    assert.equal(cookie.path, '/');
    const days = (cookie.expires - Date.now() / 1000) / 86400;
    assert.ok(days > 29 && days <= 30, `the cookie lasts ${days} days`);
    // The restricted note is not found for the team, like a missing one, with no hint to sign in.
    await page.goto(restricted);
    await page.waitForSelector('.note-missing');
    assert.match(await page.textContent('.note-missing h1'), /not found/);
    assert.equal(await page.locator('.sign-in-hint').count(), 0);

    // Signed out, the same page hints that signing in may show more, and offers it.
    await signOut(page);
    await page.waitForSelector('.note-missing .sign-in-hint');
    assert.match(await page.textContent('.sign-in-hint'), /signing in may show more/);

    // The board, signing in from that hint: the note opens in place.
    await signIn(page, TOKENS.board, '.sign-in-hint button');
    await signedInAs(page, 'board');
    await page.waitForFunction((t) => document.getElementById('daftar-note-title')?.textContent === t, RESTRICTED);
    assert.ok((await page.textContent('header.top')).includes('board'));
    // Plain links carry the cookie too.
    assert.equal((await page.context().request.get(`${aclServer.base}/raw/harbour/restricted.md`)).status(), 200);
    await page.goto(`${aclServer.base}/?q=harbour`);
    await waitForHits(page, [PUBLIC, INTERNAL, RESTRICTED]);
    await page.waitForFunction(() => document.getElementById('daftar-session-who')?.textContent === 'board');

    // Signing out goes back to the public note alone.
    await signOut(page);
    await waitForHits(page, [PUBLIC]);
    assert.equal((await page.context().request.get(`${aclServer.base}/raw/harbour/restricted.md`)).status(), 404);
    assert.deepEqual(page.problems, []);
    await closePage(page);
  });

  it('forgets a token the server no longer accepts and asks again, showing public notes meanwhile', async () => {
    const page = await newPage();
    await page.context().addCookies([{ name: 'daftar_token', value: 'revoked-token', url: aclServer.base }]);
    await page.goto(`${aclServer.base}/?q=harbour`);
    await page.waitForSelector('dialog.sign-in[open]');
    await page.waitForFunction(() => /no longer accepted/.test(document.querySelector('.sign-in-message')?.textContent));
    assert.equal(await page.evaluate(() => document.activeElement.id), 'daftar-token');
    await waitForHits(page, [PUBLIC]);
    assert.equal(await tokenCookie(page), undefined);
    assert.equal(await page.locator('.error').count(), 0);
    await page.fill('#daftar-token', TOKENS.team);
    await page.keyboard.press('Enter');
    await signedInAs(page, 'team');
    await waitForHits(page, [PUBLIC, INTERNAL]);
    assert.deepEqual(page.problems, []);
    await closePage(page);
  });

  it('signs in in Persian at 360 px, right to left and in dark mode, nothing wider than the screen', async () => {
    const page = await newPage({ locale: 'fa-IR', viewport: { width: 360, height: 740 }, colorScheme: 'dark' });
    await page.goto(`${aclServer.base}/?q=harbour`);
    await waitForHits(page, [PUBLIC]);
    await page.waitForSelector('#daftar-sign-in', { state: 'visible' });
    assert.equal(await page.textContent('#daftar-sign-in'), 'ورود');
    const narrow = () => document.documentElement.scrollWidth;
    assert.ok(await page.evaluate(narrow) <= 360, `page is ${await page.evaluate(narrow)} px wide`);
    await page.click('#daftar-sign-in');
    await page.waitForSelector('dialog.sign-in[open]');
    const box = await page.evaluate(() => {
      const d = document.querySelector('dialog.sign-in');
      const r = d.getBoundingClientRect();
      return { left: r.left, right: r.right, rtl: d.matches(':dir(rtl)'), bg: getComputedStyle(d).backgroundColor, title: d.querySelector('h2').textContent };
    });
    assert.ok(box.left >= 0 && box.right <= 360, JSON.stringify(box));
    assert.equal(box.rtl, true);
    assert.equal(box.title, 'ورود به دفتر');
    assert.notEqual(box.bg, 'rgb(255, 255, 255)', 'the dialog follows the dark scheme');
    assert.equal(await page.getAttribute('#daftar-token', 'dir'), 'ltr');
    await page.fill('#daftar-token', 'not-a-token');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => /پذیرفته نشد/.test(document.querySelector('.sign-in-message')?.textContent));
    await page.fill('#daftar-token', TOKENS.board);
    await page.keyboard.press('Enter');
    await signedInAs(page, 'board');
    await waitForHits(page, [PUBLIC, INTERNAL, RESTRICTED]);
    assert.ok(await page.evaluate(narrow) <= 360, `page is ${await page.evaluate(narrow)} px wide when signed in`);
    assert.equal(await page.textContent('#daftar-sign-out'), 'خروج');
    assert.deepEqual(page.problems, []);
    await closePage(page);
  });
});
