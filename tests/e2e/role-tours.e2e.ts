import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ko } from '../../shared/i18n/ko.js';
import { createDatabase } from '../support/postgres.js';
import { startServerProcess, type ServerProcess } from '../support/server-process.js';
import { connectToServer, createAdmin } from './flows.js';
import { launchBrowser, openPage, shot, signInAs, startHost, syncNow, type RunningHost } from './support.js';

/**
 * Each role's day on the demo data, in Korean and English at 1280×720, as the users would click through it:
 * every page visited is checked for sideways scrolling, i18n keys shown as text, raw ids where names belong,
 * and the navigation a role may not use. The screenshots land in test-results/screenshots/role-tours-*.
 */
let server: ServerProcess;
let host: RunningHost;
let browser: Browser;
let out: string;
const errors: string[] = [];
const pages: Record<string, Page> = {};
const passwords: Record<string, string> = {};
let sample: { name: string; birthDate: string; phone: string; lotId: string };

beforeAll(async () => {
  out = mkdtempSync(join(tmpdir(), 'tour-e2e-'));
  server = await startServerProcess(await createDatabase(inject('pgUrl')), {}, ['--demo', '--scale', '0.002', '--demo-out', out]);
  for (const m of server.output().matchAll(/^\s+\w+\s+(demo-\S+)\s+(\S{16})\s/gm)) passwords[m[1]!] = m[2]!;
  // "A Mapo buyer to find at demo-clerk's counter (generated, not a person): 홍길동, born 1980-01-02, 010-1234-5678 (lot L, refundable)"
  const m = /counter \(generated, not a person\): (\S+), born (\S+), (010-\d{4}-\d{4}) \(lot (\S+),/.exec(server.output());
  sample = { name: m![1]!, birthDate: m![2]!, phone: m![3]!, lotId: m![4]! };
  host = await startHost();
  browser = await launchBrowser();
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await host?.stop();
  await server?.stop();
  rmSync(out, { recursive: true, force: true });
});

/** Every catalog key as a dotted path ("counter.tabQueue"): shown as text, it is a key that was not translated. */
function keyPaths(node: Record<string, unknown>, prefix = ''): string[] {
  return Object.entries(node).flatMap(([k, v]) => (v && typeof v === 'object' ? keyPaths(v as Record<string, unknown>, `${prefix}${k}.`) : [`${prefix}${k}`]));
}
const KEYS = keyPaths(ko).filter((k) => k.includes('.'));
/** A key the catalog lacks shows as its path too ("audit.refund.setThreshold"): a section's name, a dot, a name. */
const KEY_PATTERN = new RegExp(`\\b(?:${Object.keys(ko).join('|')})\\.[A-Za-z_]\\w*`);
/** Ids that must never stand where a name belongs: UUIDs, the demo rounds' ids, bare district codes. */
const RAW_IDS = [/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/, /\bdemo-20\d\d-\d\d(-\d\d)?\b/, /(?<![\d,.-])11[1-7]\d0(?![\d,.-])/, /\{\{\w+\}\}/];

const NAV = { rounds: '#/rounds', ledger: '#/ledger', reports: '#/reports', refunds: '#/refunds', reconcile: '#/reconcile', sync: '#/sync', admin: '#/admin/users' } as const;
type Nav = keyof typeof NAV;
const ALLOWED: Record<string, Nav[]> = {
  admin: ['rounds', 'ledger', 'reports', 'refunds', 'reconcile', 'sync', 'admin'],
  official: ['rounds', 'ledger', 'reports', 'refunds', 'reconcile', 'sync'],
  clerk: ['rounds', 'ledger', 'reports', 'refunds', 'sync'],
  analyst: ['rounds', 'ledger', 'reports', 'reconcile', 'sync'],
};

/** Waits until nothing on the page is still loading. */
async function settle(page: Page): Promise<void> {
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
 * Scrolls a grid sideways, a few pixels at a time, until a sum of money in its first row straddles the right edge (the
 * rounds grid's ₩50,000,000,000 showed as ₩50,00 there); returns that figure, or null if none ever did.
 */
const STRADDLE = `(async (id) => {
  const g = document.querySelector('[data-testid="' + id + '"] .ag-root-wrapper');
  const bar = g.querySelector('.ag-body-horizontal-scroll-viewport');
  const frame = () => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
  for (let x = 0; x <= bar.scrollWidth; x += 8) {
    bar.scrollLeft = x;
    await frame();
    const edge = bar.getBoundingClientRect().right;
    for (const cell of g.querySelectorAll('.ag-row[row-index="0"] .ag-right-aligned-cell')) {
      if (!cell.textContent.startsWith('₩')) continue;
      const text = document.createRange();
      text.selectNodeContents(cell);
      const r = text.getBoundingClientRect();
      if (r.left < edge - 8 && r.right > edge + 8) return cell.textContent;
    }
  }
  return null;
})`;

/** The checks every visited page passes, then its screenshot. */
async function check(page: Page, name: string): Promise<void> {
  await settle(page);
  const seen = (await page.evaluate(MEASURE)) as { pageWide: boolean; wide: string[]; cut: string[]; text: string };
  await shot(page, `role-tours-${name}`);
  expect(seen.pageWide, `${name}: the page scrolls sideways`).toBe(false);
  expect(seen.wide, `${name}: a box scrolls sideways`).toEqual([]);
  expect(seen.cut, `${name}: a grid column cut at the grid's edge`).toEqual([]);
  // Dates read 2026. 11. 26. or 26 Nov 2026, never the day/month-ambiguous 07/12/2026.
  expect(/\b\d{1,2}\/\d{1,2}\/\d{4}\b/.exec(seen.text)?.[0], `${name}: a slashed date`).toBeUndefined();
  expect(KEYS.filter((k) => seen.text.includes(k)), `${name}: i18n keys shown as text`).toEqual([]);
  expect(KEY_PATTERN.exec(seen.text)?.[0], `${name}: an i18n key shown as text`).toBeUndefined();
  expect(RAW_IDS.map((r) => r.exec(seen.text)?.[0]).filter(Boolean), `${name}: raw ids or placeholders shown`).toEqual([]);
}

async function go(page: Page, nav: Nav | string): Promise<void> {
  const target = nav in NAV ? NAV[nav as Nav] : nav;
  await page.locator(`a[href="${target}"]`).first().click();
}

async function setLang(page: Page, lang: 'ko' | 'en'): Promise<void> {
  await page.locator('select[aria-label="언어"], select[aria-label="Language"]').selectOption(lang);
  await page.locator(`html[lang="${lang}"]`).waitFor({ state: 'attached' });
}

/** The role's main screens, in both languages: what it may use is there and passes the checks; what it may not is absent. */
async function tour(role: string, extra: (page: Page, lang: 'ko' | 'en') => Promise<void> = async () => {}): Promise<void> {
  const page = pages[role]!;
  for (const lang of ['ko', 'en'] as const) {
    await setLang(page, lang);
    const links = await page.locator('nav a.nav').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
    expect(links.sort()).toEqual(ALLOWED[role]!.map((n) => NAV[n]).sort());
    for (const nav of ALLOWED[role]!) {
      await go(page, nav);
      await check(page, `${role}-${lang}-${nav}`);
    }
    // Typed into the address bar, a forbidden page answers "not found", not the page.
    for (const nav of Object.keys(NAV) as Nav[]) {
      if (ALLOWED[role]!.includes(nav)) continue;
      await page.evaluate(`window.location.hash = ${JSON.stringify(NAV[nav])}`);
      await page.locator('main .notice.warn').filter({ hasText: lang === 'ko' ? ko.errors.not_found : 'Not found' }).waitFor();
    }
    await extra(page, lang);
  }
}

// Each role's tour is some 25 pages; at a load of 20 on two cores one took 110 s.
describe('each role’s day on the demo data, in Korean and English at 1280×720', { timeout: 240_000 }, () => {
  it('the administrator connects the console to the demo server; each demo account signs in', async () => {
    const admin = (pages.admin = await openPage(browser, host.url, errors));
    await admin.setViewportSize({ width: 1280, height: 720 });
    // The console's own administrator is demo-admin itself (README's first steps), so what the administrator
    // sends (2인 승인 기준 금액) goes out under a server account; signing in again once connected gives its sign-in.
    await createAdmin(admin, 'demo-admin', passwords['demo-admin'], '데모 관리자');
    await connectToServer(admin, server.url, 'demo-admin', passwords['demo-admin']);
    await signInAs(admin, 'demo-admin', passwords['demo-admin']!);
    await syncNow(admin);
    // Each demo account is admitted to this console by signing in while the administrator is signed in here.
    for (const role of ['official', 'clerk', 'clerk2', 'analyst']) {
      const page = (pages[role] = await openPage(browser, host.url, errors));
      await page.setViewportSize({ width: 1280, height: 720 });
      await signInAs(page, `demo-${role}`, passwords[`demo-${role}`]!);
    }
    // Five sign-ins (each a deliberately slow password hash) on a loaded machine.
  }, 300_000);

  it('administrator: every page, the users and the audit log', async () => {
    await tour('admin', async (page, lang) => {
      await go(page, 'admin');
      await page.locator('a[href="#/admin/audit"]').click();
      await check(page, `admin-${lang}-audit`);
      await go(page, 'refunds');
      if (lang === 'ko') {
        // Every refund from here on needs a second clerk, so the clerks' day below meets 2인 승인.
        await go(page, '#/refunds/queue');
        await page.locator('input[name="threshold"]').fill('10,000');
        await page.locator('form.threshold button[type="submit"]').click();
        await page.getByText(ko.counter.thresholdSaved).first().waitFor();
      }
      for (const tab of ['#/refunds/queue', '#/refunds/closing']) {
        await go(page, tab);
        await check(page, `admin-${lang}-${tab.split('/').at(-1)}`);
      }
    });
  });

  it('official: rounds, a round, its simulation and calibration, a new round, reconciliation', async () => {
    await tour('official', async (page, lang) => {
      await go(page, 'rounds');
      // A figure straddling the grid's edge is covered, never read as a shorter figure.
      await page.locator('[data-testid="rounds-grid"] .ag-row').first().waitFor();
      await expect(page.evaluate(`${STRADDLE}('rounds-grid')`), 'no figure ever straddled the edge').resolves.toMatch(/^₩[\d,]+$/);
      await check(page, `official-${lang}-rounds-scrolled`);
      await page.locator('[data-testid="rounds-grid"] .ag-row').first().click();
      await page.getByTestId('round-name').waitFor();
      await check(page, `official-${lang}-round`);
      // A round from the server names the official who wrote it, not the sync; an empty audit card says why.
      await expect(page.getByTestId('version-author').first().innerText()).resolves.toBe(`${lang === 'ko' ? '작성' : 'Author'}: 데모 주무관`);
      await page.getByTestId('audit-empty').waitFor();
      await page.locator('a[href$="/simulate"]').click();
      await page.getByTestId('calibration').waitFor();
      await check(page, `official-${lang}-simulate`);
      // The observed facts' boxes line up in each row, whether or not a label wraps to two lines.
      const tops = await page.locator('input[data-testid^="cal-"]').evaluateAll((els) => els.map((e) => Math.round(e.getBoundingClientRect().top)));
      expect(new Set(tops.slice(0, 3)).size, `${lang}: calibration boxes ${tops.join(',')}`).toBe(1);
      await go(page, 'reconcile');
      await expect(page.getByTestId('exceptions-count-label').innerText()).resolves.toMatch(lang === 'ko' ? /^예외 [\d,]+건$/ : /^Exceptions: [\d,]+$/);
      await go(page, 'rounds');
      await page.getByRole('button', { name: lang === 'ko' ? '+ 새 회차' : '+ New round' }).click();
      await page.locator('[data-preset="seoul-2022-07-14"]').click();
      await page.locator('form').first().waitFor();
      await check(page, `official-${lang}-editor`);
      if (lang === 'ko') {
        // Switching the language redraws the page: with unsaved changes it asks first; staying keeps them.
        const name = page.locator('#f-name');
        await name.fill('여름 회차 (작성 중)');
        page.once('dialog', (d) => void d.dismiss());
        await page.locator('select[aria-label="언어"]').selectOption('en');
        await expect.poll(() => page.locator('html').getAttribute('lang')).toBe('ko');
        await expect(name.inputValue()).resolves.toBe('여름 회차 (작성 중)');
        await expect(page.locator('select[aria-label="언어"]').inputValue()).resolves.toBe('ko');
        page.once('dialog', (d) => void d.accept());
        await go(page, 'rounds');
      }
    });
  });

  it('clerk: lands on the counter, finds the citizen by mobile number, files a refund; the closing', async () => {
    await tour('clerk', async (page, lang) => {
      await go(page, 'refunds');
      for (const tab of ['#/refunds/queue', '#/refunds/closing']) {
        await go(page, tab);
        await check(page, `clerk-${lang}-${tab.split('/').at(-1)}`);
      }
      await go(page, '#/refunds');
      const finder = page.getByTestId('buyer-finder');
      await finder.locator('input[name="phone"]').fill(sample.phone);
      await finder.locator('input[name="reason"]').fill(lang === 'ko' ? '환불 상담' : 'refund desk');
      await finder.locator('button[type="submit"]').click();
      await page.getByTestId('working-payout').waitFor();
      await check(page, `clerk-${lang}-found`);
      if (lang === 'en') return;
      // The sample buyer used most of the lot: a partial refund to a bank account typed twice.
      await page.getByTestId('working-confirm').click();
      const dialog = page.getByTestId('refund-dialog');
      await dialog.locator('select[name="reasonCode"]').selectOption('buyer_request');
      await dialog.locator('select[name="bank"]').selectOption('088');
      await dialog.locator('input[name="accountNumber"]').fill('110-123-456789');
      await dialog.locator('input[name="accountNumberAgain"]').fill('110-123-456789');
      await check(page, `clerk-${lang}-refund-dialog`);
      // The buyer as the finder showed them (김*준 · 010-****-5688), never the internal buyer id.
      const masked = `${sample.name[0]}${'*'.repeat(sample.name.length - 2)}${sample.name.at(-1)} · 010-****-${sample.phone.slice(-4)}`;
      await expect(dialog.getByTestId('dialog-buyer').innerText()).resolves.toBe(masked);
      await expect(dialog.innerText()).resolves.not.toMatch(/buyer-/);
      await dialog.getByRole('button', { name: '접수', exact: true }).click();
      await dialog.waitFor({ state: 'detached' });
      await go(page, '#/refunds/queue');
      await page.locator('[data-testid="queue"] tbody tr').first().waitFor();
      // It opens on what needs the clerk, and says so.
      await expect(page.getByTestId('queue-shown').innerText()).resolves.toMatch(/^처리가 끝나지 않은 요청 전체\(접수일 무관\)와 오늘\(\d{4}-\d{2}-\d{2}\) 접수한 요청 \d+건$/);
      await check(page, `clerk-${lang}-queue-filed`);
    });
  });

  it('a second clerk: the colleague’s request in the queue, 2인 승인 with the working shown', async () => {
    const page = pages.clerk2!;
    for (const lang of ['ko', 'en'] as const) {
      await setLang(page, lang);
      await go(page, 'refunds');
      await go(page, '#/refunds/queue');
      const row = page.locator('[data-testid="queue"] tbody tr').first();
      await check(page, `clerk2-${lang}-queue`);
      await row.getByRole('button', { name: lang === 'ko' ? '2인 승인' : 'Approve (second person)' }).click();
      await page.getByTestId('countersign-review').getByTestId('working-payout').waitFor();
      await check(page, `clerk2-${lang}-countersign`);
      await page.getByTestId('countersign-review').getByRole('button', { name: lang === 'ko' ? '닫기' : 'Close' }).click();
    }
  });

  it('analyst: reports and their exports; no counter', async () => {
    await tour('analyst', async (page, lang) => {
      if (lang === 'en') {
        await go(page, 'ledger');
        await expect(page.getByText(/^Analysts are not shown single purchases/).innerText()).resolves.toMatch(/above\.$/);
      }
      await go(page, 'reports');
      await page.getByRole('button', { name: lang === 'ko' ? '보고서 보기' : 'Show report' }).click();
      await settle(page);
      await check(page, `analyst-${lang}-report`);
    });
    expect(errors).toEqual([]);
  });
});
