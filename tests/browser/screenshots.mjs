// Writes the viewer's screenshots to docs/screenshots/: the search and note pages in Persian and
// English, light and dark, at 1280 and 375 px, and the key-documents and report pages at 1280 px.
//
//   cargo build --release && npm ci --prefix tests/browser && node tests/browser/screenshots.mjs

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { REPO, browser, knowledgeRoot, serve } from './harness.mjs';

const OUT = join(REPO, 'docs', 'screenshots');

const PAGES = {
  search: { fa: '/?q=درس‌آموخته تأمین‌کننده', en: '/?q=vendor onboarding' },
  note: {
    fa: '/notes/طرح-توسعه-شبکه-برق/پست-های-فوق-توزیع/درس‌آموخته‌ها/درس‌آموخته-تأخیر-تأمین‌کننده.md',
    en: '/notes/digital-transformation/erp-rollout/lessons/vendor-onboarding.md',
  },
  browse: { fa: '/reports?tab=key&program=طرح توسعه شبکه برق', en: '/reports?tab=key&program=Digital Transformation' },
  report: { fa: '/reports?tab=report&program=طرح توسعه شبکه برق', en: '/reports?tab=report&program=Digital Transformation' },
};

const READY = { search: '.hit', note: '#daftar-note-title', browse: '.doc', report: '.report svg[role=img]' };

const only = process.argv.slice(2);
mkdirSync(OUT, { recursive: true });
const kb = knowledgeRoot();
const server = await serve(kb.root);
const chrome = await browser();
try {
  for (const [name, urls] of Object.entries(PAGES)) {
    for (const lang of ['fa', 'en']) {
      for (const scheme of ['light', 'dark']) {
        for (const width of [1280, 375]) {
          const file = `${name}-${lang}-${scheme}-${width}.png`;
          if (only.length && !only.some((o) => file.includes(o))) continue;
          if ((name === 'browse' || name === 'report') && width < 800) continue;
          const context = await chrome.newContext({
            viewport: { width, height: width > 800 ? 860 : 812 },
            colorScheme: scheme,
            locale: lang === 'fa' ? 'fa-IR' : 'en-GB',
          });
          await context.addCookies([{ name: 'daftar-lang', value: lang, url: server.base }]);
          const page = await context.newPage();
          await page.goto(server.base + urls[lang]);
          await page.waitForSelector(READY[name]);
          await page.evaluate(() => document.fonts.ready);
          await page.waitForTimeout(150);
          // The report is a document to read whole: the full page.
          await page.screenshot({ path: join(OUT, file), fullPage: name === 'report' });
          await context.close();
          console.log(file);
        }
      }
    }
  }
} finally {
  await chrome.close();
  await server.stop();
  kb.cleanup();
}
