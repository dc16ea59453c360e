import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { expect } from 'vitest';
import { ko } from '../../shared/i18n/ko.js';
import { startServerProcess, type ServerProcess } from '../support/server-process.js';
import { demoDatabase } from './demo-template.js';
import { connectToServer, createAdmin } from './flows.js';
import { launchBrowser, openPage, shot, signInAs, startHost, syncNow, type RunningHost } from './support.js';

/**
 * What every role's tour stands on: a central server filled with the demo year (README's first steps), a web
 * host whose console demo-admin connected to it, and the page checks each visited screen passes.
 */
export interface DemoConsole {
  server: ServerProcess;
  /** The server's PostgreSQL database, for checking what reached the record. */
  dbUrl: string;
  host: RunningHost;
  browser: Browser;
  /** The demo accounts' passwords, as the server printed them once. */
  passwords: Record<string, string>;
  /** The generated Mapo buyer the server prints for a newcomer to look up at the counter. */
  sample: { name: string; birthDate: string; phone: string; lotId: string };
  /** demo-admin's page, signed in and synced. */
  admin: Page;
  stop(): Promise<void>;
}

/**
 * Fills a fresh server with the demo year at `scale`, starts a console, and connects it as demo-admin
 * (the console's own administrator is demo-admin itself, so what it sends goes out under a server account),
 * then runs a first sync. The demo fill is shared by the run's tours (demo-template.ts); budget a minute or two.
 */
export async function startDemoConsole(errors: string[], scale = '0.002'): Promise<DemoConsole> {
  const out = mkdtempSync(join(tmpdir(), 'tour-e2e-'));
  // The demo year filled once per run and copied (demo-template.ts); the server then starts on its own copy.
  const { dbUrl, output } = await demoDatabase(scale, out);
  const server = await startServerProcess(dbUrl);
  const passwords: Record<string, string> = {};
  for (const m of output.matchAll(/^\s+\w+\s+(demo-\S+)\s+(\S{16})\s/gm)) passwords[m[1]!] = m[2]!;
  // "A Mapo buyer to find at demo-clerk's counter (generated, not a person): 홍길동, born 1980-01-02, 010-1234-5678 (lot L, refundable)"
  const m = /counter \(generated, not a person\): (\S+), born (\S+), (010-\d{4}-\d{4}) \(lot (\S+),/.exec(output);
  if (!m) throw new Error(`the demo server printed no sample buyer:\n${output}`);
  const sample = { name: m[1]!, birthDate: m[2]!, phone: m[3]!, lotId: m[4]! };
  const host = await startHost();
  const browser = await launchBrowser();
  const admin = await openPage(browser, host.url, errors);
  await admin.setViewportSize({ width: 1280, height: 720 });
  await createAdmin(admin, 'demo-admin', passwords['demo-admin'], '데모 관리자');
  await connectToServer(admin, server.url, 'demo-admin', passwords['demo-admin']);
  // Signing in again once connected gives the administrator its server sign-in.
  await signInAs(admin, 'demo-admin', passwords['demo-admin']!);
  await syncNow(admin);
  return {
    server,
    dbUrl,
    host,
    browser,
    passwords,
    sample,
    admin,
    stop: async () => {
      await browser.close();
      await host.stop();
      await server.stop();
      rmSync(out, { recursive: true, force: true });
    },
  };
}

/**
 * A demo account's page at 1280×720, admitted to this console: a server account signing in while the
 * administrator is signed in here is taken on with its role and district.
 */
export async function demoPage(demo: DemoConsole, username: string, errors: string[]): Promise<Page> {
  const page = await openPage(demo.browser, demo.host.url, errors);
  await page.setViewportSize({ width: 1280, height: 720 });
  await signInAs(page, username, demo.passwords[username]!);
  return page;
}

/** Every catalog key as a dotted path ("counter.tabQueue"): shown as text, it is a key that was not translated. */
function keyPaths(node: Record<string, unknown>, prefix = ''): string[] {
  return Object.entries(node).flatMap(([k, v]) => (v && typeof v === 'object' ? keyPaths(v as Record<string, unknown>, `${prefix}${k}.`) : [`${prefix}${k}`]));
}
const KEYS = keyPaths(ko).filter((k) => k.includes('.'));
/** A key the catalog lacks shows as its path too ("audit.refund.setThreshold"): a section's name, a dot, a name. */
const KEY_PATTERN = new RegExp(`\\b(?:${Object.keys(ko).join('|')})\\.[A-Za-z_]\\w*`);
/** Ids that must never stand where a name belongs: UUIDs, the demo rounds' ids, bare district codes. */
const RAW_IDS = [/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/, /\bdemo-20\d\d-\d\d(-\d\d)?\b/, /(?<![\d,.-])11[1-7]\d0(?![\d,.-])/, /\{\{\w+\}\}/];

export const NAV = { rounds: '#/rounds', ledger: '#/ledger', reports: '#/reports', refunds: '#/refunds', reconcile: '#/reconcile', sync: '#/sync', admin: '#/admin/users' } as const;
export type Nav = keyof typeof NAV;

/** Waits until nothing on the page is still loading. */
export async function settle(page: Page): Promise<void> {
  // Only what shows: a grid keeps its loading words in a hidden live region for screen readers.
  const loading = page.locator('main').getByText(/불러오는 중|Loading/);
  await expect.poll(() => loading.evaluateAll((els) => els.filter((e) => e.getBoundingClientRect().width > 1).length), { timeout: 15_000 }).toBe(0);
}

/**
 * What the checks read from the page (a script, run in the page): whether the page or any box on it scrolls
 * sideways — a data grid's own sideways scroll, with its › hint, is its design; any other box must fit — and
 * the text shown.
 */
const MEASURE = `(() => {
  const doc = document.documentElement;
  const wide = [...document.querySelectorAll('body *')]
    .filter((el) => {
      const s = getComputedStyle(el);
      return (s.overflowX === 'auto' || s.overflowX === 'scroll') && el.scrollWidth > el.clientWidth + 1 && !el.closest('.ag-root-wrapper');
    })
    .map((el) => el.tagName.toLowerCase() + '.' + el.className);
  // A column of figures half in view at the grid's edge ("₩50,00" of ₩50,000,000,000) must be whole or covered.
  const cut = [];
  for (const g of document.querySelectorAll('.ag-root-wrapper')) {
    const root = g.getBoundingClientRect();
    // Named in full: the grid's own root carries ag-has-left-pinned-cols, which a [class*="pinned"] would match.
    const PINNED = '.ag-pinned-left-cols-container, .ag-pinned-left-header, .ag-pinned-right-cols-container, .ag-pinned-right-header';
    const pinned = [...g.querySelectorAll('.ag-pinned-left-cols-container .ag-cell, .ag-pinned-left-header .ag-header-cell')].map((c) => c.getBoundingClientRect().right);
    let lo = Math.max(root.left, ...pinned);
    let hi = root.right;
    for (const c of g.closest('.wrap')?.querySelectorAll('[data-testid="grid-cover"]') ?? []) {
      const r = c.getBoundingClientRect();
      if (r.left <= lo + 1) lo = Math.max(lo, r.right);
      else hi = Math.min(hi, r.left);
    }
    for (const cell of g.querySelectorAll('.ag-right-aligned-cell, .ag-right-aligned-header .ag-header-cell-text')) {
      if (cell.closest(PINNED) || !cell.textContent.trim()) continue;
      // The text's own box: a short figure in a wide cell is whole even where its cell runs on.
      const text = document.createRange();
      text.selectNodeContents(cell);
      const r = text.getBoundingClientRect();
      const seen = Math.min(r.right, hi) - Math.max(r.left, lo);
      if (seen > 1 && seen < r.width - 1) cut.push(cell.textContent.trim().slice(0, 20));
    }
  }
  return { pageWide: doc.scrollWidth > doc.clientWidth, wide, cut, text: document.body.innerText };
})()`;

/**
 * The checks every visited page passes — no sideways scrolling, no figure cut at a grid's edge, no slashed date,
 * no i18n key or raw id shown as text — then
 * its screenshot, test-results/screenshots/<prefix>-<name>.png.
 */
export async function check(page: Page, name: string, prefix = 'role-tours'): Promise<void> {
  await settle(page);
  const seen = (await page.evaluate(MEASURE)) as { pageWide: boolean; wide: string[]; cut: string[]; text: string };
  await shot(page, `${prefix}-${name}`);
  expect(seen.pageWide, `${name}: the page scrolls sideways`).toBe(false);
  expect(seen.wide, `${name}: a box scrolls sideways`).toEqual([]);
  expect(seen.cut, `${name}: a grid column cut at the grid's edge`).toEqual([]);
  // Dates read 2026. 11. 26. or 26 Nov 2026, never the day/month-ambiguous 07/12/2026.
  expect(/\b\d{1,2}\/\d{1,2}\/\d{4}\b/.exec(seen.text)?.[0], `${name}: a slashed date`).toBeUndefined();
  expect(KEYS.filter((k) => seen.text.includes(k)), `${name}: i18n keys shown as text`).toEqual([]);
  expect(KEY_PATTERN.exec(seen.text)?.[0], `${name}: an i18n key shown as text`).toBeUndefined();
  expect(RAW_IDS.map((r) => r.exec(seen.text)?.[0]).filter(Boolean), `${name}: raw ids or placeholders shown`).toEqual([]);
}

/** Follows the menu (or any in-page link) to `nav`, as a user clicks it. */
export async function go(page: Page, nav: Nav | string): Promise<void> {
  const target = nav in NAV ? NAV[nav as Nav] : nav;
  await page.locator(`a[href="${target}"]`).first().click();
}

export async function setLang(page: Page, lang: 'ko' | 'en'): Promise<void> {
  await page.locator('select[aria-label="언어"], select[aria-label="Language"]').selectOption(lang);
  await page.locator(`html[lang="${lang}"]`).waitFor({ state: 'attached' });
}
