// The browser tests' harness: a temporary knowledge root, the real `daftar serve` on a free port,
// and Debian's Chromium driven by playwright-core (never a downloaded browser).

import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const CHROMIUM = process.env.DAFTAR_CHROMIUM || '/usr/bin/chromium';
export const BINARY = process.env.DAFTAR_BIN || join(REPO, 'target', 'release', 'daftar');

/**
 * A copy of the bundled knowledge base (without its index) plus extra files, in a temp dir; with
 * `bundled: false`, the extra files alone. `dir` is the temp dir around the root, for files that
 * belong beside it (a `daftar.toml` given with `--config`).
 */
export function knowledgeRoot(extra = {}, { bundled = true } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'daftar-browser-'));
  const root = join(dir, 'kb');
  if (bundled) cpSync(join(REPO, 'knowledge'), root, { recursive: true, filter: (src) => !src.split(/[\\/]/).includes('.daftar') });
  else mkdirSync(root);
  for (const [rel, text] of Object.entries(extra)) {
    const path = join(root, rel);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text);
  }
  return { root, dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

function freePort() {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.unref();
    s.on('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => ok(port));
    });
  });
}

/**
 * Starts `daftar serve` on a root (with `config`, a `daftar.toml` path, if given) and waits (with
 * a deadline) until /readyz says ready.
 */
export async function serve(root, { config, timeoutMs = 30000 } = {}) {
  if (!existsSync(BINARY)) throw new Error(`no daftar binary at ${BINARY}: build it (cargo build --release) or set DAFTAR_BIN`);
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const args = ['serve', '--root', root, '--addr', `127.0.0.1:${port}`, '--no-watch', ...(config ? ['--config', config] : [])];
  const child = spawn(BINARY, args, {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, RUST_LOG: 'warn' },
  });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`daftar exited with ${child.exitCode}: ${stderr}`);
    try {
      const r = await fetch(`${base}/readyz`);
      if (r.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill();
      throw new Error(`daftar was not ready within ${timeoutMs} ms: ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    base,
    stop: () => new Promise((ok) => {
      if (child.exitCode !== null) return ok();
      child.once('exit', ok);
      child.kill('SIGTERM');
    }),
  };
}

/** Launches Debian's Chromium headless, with a fresh profile that playwright removes at the end. */
export async function browser() {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`no Chromium at ${CHROMIUM}: install Debian's chromium (apt-get install -y chromium) or set DAFTAR_CHROMIUM`);
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
    ],
  });
}
