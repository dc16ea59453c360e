import type { Browser, Page } from 'playwright-core';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { callOk } from '../support/http-client.js';
import { createDatabase } from '../support/postgres.js';
import { openSaleRound, startServerProcess, type ServerProcess } from '../support/server-process.js';
import { spec2022 } from '../support/specs.js';
import { settle } from './demo-tour.js';
import { createAdmin } from './flows.js';
import { addUser, launchBrowser, openPage, SHOTS, signInAs, startHost, syncNow, type RunningHost } from './support.js';

/**
 * The Korean UI's rough edges, seen in Chromium: dates typed in Korean order
 * whatever the browser's locale, denominations picked from the programme's
 * faces, particles after Latin names, one toast region, the rounds grid
 * without a horizontal scrollbar at 1280×720 — and a tour of every page and
 * dialog for each role, in Korean and English, at 1280×720 and 1440×900,
 * failing on a page wider than the window or a grid header cut off.
 */
let server: ServerProcess;
let serverUrl: string;
let root: string;
let host: RunningHost;
let browser: Browser;
let page: Page;
const errors: string[] = [];
const ROUND = 'round-ui-e2e';
const TOUR = join(SHOTS, 'tour');
let roundId = '';

const api = (method: 'GET' | 'POST', path: string, body?: unknown, token = root) => callOk(serverUrl, method, path, body, token);

beforeAll(async () => {
  const dbUrl = await createDatabase(inject('pgUrl'));
  server = await startServerProcess(dbUrl);
  serverUrl = server.url;
  root = (await api('POST', '/api/auth/sign-in', { username: 'root', password: 'root-password-1' }, '')).token;
  await api('POST', '/api/users', { username: 'admin', displayName: '김관리', password: 'admin-password-1', role: 'admin', districtCode: null });
  await openSaleRound(serverUrl, root, ROUND, spec2022({ name: '2022 서울사랑상품권 재현' }));
  await api('POST', '/api/feed/sale', { roundId: ROUND, purchases: 600, seed: 5, usesShare: 0.4 });
  host = await startHost();
  browser = await launchBrowser();
  page = await openPage(browser, host.url, errors);
});

afterAll(async () => {
  await browser?.close();
  await host?.stop();
  await server?.stop();
});

/** Browser-side code runs from strings: the tests' TypeScript has no DOM library. */
const inPage = <T,>(p: Page, code: string) => p.evaluate(code) as Promise<T>;

/**
 * Goes to `hash` and returns once the router has taken it and the page under it has drawn (two frames after the
 * hashchange, which the router handles first). A fixed 50 ms let a loaded machine's old page — its heading, its
 * layout — be waited for and checked in place of the new one. At load 19 these waits took 25 s for the four tours'
 * ~150 visits, the 50 ms sleeps ~7.5 s; with the checks' waits below the two come to about what the sleeps did.
 */
const go = async (hash: string) => {
  await inPage(
    page,
    `new Promise((done) => {
      const drawn = () => requestAnimationFrame(() => requestAnimationFrame(() => done(null)));
      if (location.hash === ${JSON.stringify(hash)}) return drawn();
      addEventListener('hashchange', drawn, { once: true });
      location.hash = ${JSON.stringify(hash)};
    })`,
  );
};

describe('the Korean UI without rough edges, in Chromium', () => {
  it('sets up: an administrator connects and syncs the sale; adds an official, a Mapo clerk and an analyst', async () => {
    await createAdmin(page);
    await page.getByRole('link', { name: '동기화', exact: true }).click();
    await page.getByLabel('서버 주소').fill(serverUrl);
    await page.getByLabel('서버 아이디').fill('admin');
    await page.getByLabel('서버 비밀번호').fill('admin-password-1');
    await page.getByRole('button', { name: '연결', exact: true }).click();
    await page.getByTestId('sync-connected').waitFor();
    await expect.poll(() => page.getByTestId('sync-connected').innerText()).toContain('‘admin’ 계정으로');
    await syncNow(page);
    await addUser(page, { username: 'lee.official', name: '이공무', role: 'official' });
    await addUser(page, { username: 'mapo', name: '마포담당', role: 'clerk', district: '11440' });
    await addUser(page, { username: 'ana', name: '분석가', role: 'analyst' });
  });

  it('types dates and times in Korean order, and picks denominations from the programme’s faces', async () => {
    await signInAs(page, 'lee.official', 'lee.official-password-1');
    await page.getByRole('link', { name: '발행 회차' }).click();
    await page.getByRole('button', { name: '+ 새 회차' }).click();
    await page.locator('[data-preset="seoul-2022-07-14"]').click();
    await page.getByRole('heading', { name: '새 발행 회차' }).waitFor();
    // Year first, 24-hour, whatever order the browser's locale would give a native picker.
    await expect.poll(() => page.locator('#f-opens').inputValue()).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    await expect.poll(() => page.locator('#f-opens-time').inputValue()).toMatch(/^\d{2}:\d{2}$/);
    await page.locator('#f-opens').fill('20261201');
    await page.locator('#f-opens-time').fill('930');
    await page.locator('#f-closes').fill('2026.12.01');
    await page.locator('#f-closes-time').fill('18');
    await page.getByLabel('회차 이름').click();
    await expect.poll(() => page.locator('#f-opens').inputValue()).toBe('2026-12-01');
    await expect.poll(() => page.locator('#f-opens-time').inputValue()).toBe('09:30');
    await expect.poll(() => page.locator('#f-closes-time').inputValue()).toBe('18:00');

    // Denominations: toggles of the faces the programme issues; the reason is shown when refused.
    const denoms = page.getByTestId('denominations');
    for (const face of ['₩10,000', '₩50,000', '₩100,000']) await denoms.getByLabel(face, { exact: true }).uncheck();
    await page.getByRole('button', { name: '저장', exact: true }).click();
    await denoms.getByText('권종을 하나 이상 고르세요').waitFor();
    await denoms.getByLabel('₩500,000', { exact: true }).check();
    await denoms.getByText('권종 ₩500,000이 1인 월 구매 한도(₩400,000)보다 큽니다').waitFor();
    await denoms.getByLabel('₩500,000', { exact: true }).uncheck();
    for (const face of ['₩5,000', '₩10,000', '₩50,000', '₩100,000']) await denoms.getByLabel(face, { exact: true }).check();
    await expect.poll(() => denoms.locator('.msg.error').count()).toBe(0);
    await page.setViewportSize({ width: 1280, height: 720 });
    await page.screenshot({ path: join(SHOTS, 'ui-editor-dates-denoms-1280.png'), fullPage: true });
    await page.setViewportSize({ width: 1440, height: 900 });
    await page.getByRole('button', { name: '저장', exact: true }).click();
    await page.getByTestId('round-name').waitFor();
    await expect.poll(() => page.locator('main').innerText()).toContain('2026. 12. 01. 09:30');
    roundId = /#\/rounds\/([^/?]+)/.exec(page.url())![1]!;
    expect(roundId).not.toBe('');
  });

  it('shows the same Korean order in a Chromium whose locale is en-US, and English order in English', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 720 }, locale: 'en-US', timezoneId: 'America/New_York' });
    const us = await context.newPage();
    await us.goto(host.url);
    await us.locator('#signin-username').fill('lee.official');
    await us.locator('#signin-password').fill('lee.official-password-1');
    await us.getByRole('button', { name: '로그인' }).click();
    await us.getByTestId('current-user').waitFor();
    await inPage(us, `location.hash = '#/rounds/${roundId}/edit'`);
    await us.locator('#f-opens').waitFor();
    await expect.poll(() => us.locator('#f-opens').inputValue()).toBe('2026-12-01');
    await expect.poll(() => us.locator('#f-opens-time').inputValue()).toBe('09:30');
    await us.screenshot({ path: join(SHOTS, 'ui-editor-en-US-browser-ko.png'), fullPage: true });
    await us.getByLabel('언어').selectOption('en');
    await expect.poll(() => us.locator('#f-opens').inputValue()).toBe('1 Dec 2026');
    // A day typed day-first in English is read day-first, not as the en-US month/day.
    await us.locator('#f-closes').fill('2/12/2026');
    await us.locator('#f-closes-time').fill('18:00');
    await us.getByLabel('Round name').click();
    await expect.poll(() => us.locator('#f-closes').inputValue()).toBe('2 Dec 2026');
    await us.screenshot({ path: join(SHOTS, 'ui-editor-en-US-browser-en.png'), fullPage: true });
    await context.close();
  });

  it('shows at 1280×720 that the rounds grid scrolls sideways, and scrolls it with the round name kept in view', async () => {
    await page.setViewportSize({ width: 1280, height: 720 });
    await go('#/rounds');
    await page.locator('[data-testid="rounds-grid"] .ag-row').first().waitFor();
    const wrap = page.locator('.wrap', { has: page.getByTestId('rounds-grid') });
    const headerCut = () =>
      inPage<string[]>(page, `[...document.querySelectorAll('[data-testid="rounds-grid"] .ag-header-cell-text')].filter((e) => e.scrollWidth > e.clientWidth + 1).map((e) => e.textContent)`);
    const gridBox = (await page.getByTestId('rounds-grid').boundingBox())!;
    const version = page.locator('[data-testid="rounds-grid"] .ag-header-cell[col-id="version"]');
    const inView = async () => {
      // Columns off to the side are not rendered at all (the grid virtualises them).
      if ((await version.count()) === 0) return false;
      const b = await version.boundingBox({ timeout: 2_000 });
      return b !== null && b.x >= gridBox.x && b.x + b.width <= gridBox.x + gridBox.width + 1;
    };
    // More columns than fit: the grid says so at its right edge (overlay scrollbars would not).
    await expect.poll(() => wrap.getAttribute('data-more-right')).toBe('true');
    expect(await inView()).toBe(false);
    expect(await headerCut()).toEqual([]);
    const more = page.getByTestId('rounds-grid-more-right');
    await more.waitFor();
    await page.screenshot({ path: join(SHOTS, 'ui-rounds-grid-1280.png') });
    // Each click brings the next columns in; the button goes once the last column is in view.
    for (let i = 0; i < 10 && (await wrap.getAttribute('data-more-right')) === 'true'; i++) {
      await more.click({ timeout: 2_000 }).catch(() => {});
      await page.waitForTimeout(150);
    }
    await expect.poll(() => wrap.getAttribute('data-more-right')).toBe('false');
    await expect.poll(inView).toBe(true);
    // The round's name is pinned: still there after scrolling.
    await expect.poll(() => page.locator('[data-testid="rounds-grid"] .ag-cell[col-id="name"]', { hasText: '2022 서울사랑상품권 재현' }).isVisible()).toBe(true);
    await page.getByRole('button', { name: '왼쪽 열 보기' }).waitFor();
    await page.screenshot({ path: join(SHOTS, 'ui-rounds-grid-1280-scrolled.png') });
    // The date filter is typed year-first too, not the browser's locale-ordered picker.
    const back = page.getByRole('button', { name: '왼쪽 열 보기' });
    for (let i = 0; i < 10 && (await wrap.getAttribute('data-more-left')) === 'true'; i++) {
      await back.click({ timeout: 2_000 }).catch(() => {});
      await page.waitForTimeout(150);
    }
    await page.locator('[data-testid="rounds-grid"] .ag-header-cell[col-id="opensAt"] .ag-header-cell-filter-button').click();
    const dateField = page.locator('.ag-filter-body input').first();
    await dateField.waitFor();
    await expect.poll(() => dateField.getAttribute('type')).not.toBe('date');
    await page.keyboard.press('Escape');
    await page.setViewportSize({ width: 1440, height: 900 });
  });

  it('merges a repeated error toast with a count and keeps it until closed', async () => {
    await go(`#/rounds/${roundId}/simulate`);
    await page.locator('#s-visitors').fill('많이');
    for (let i = 0; i < 3; i++) await page.getByTestId('save-assumptions').click();
    const region = page.getByTestId('toasts');
    const errorToast = region.getByRole('alert').filter({ hasText: '표시된 조건을 고친 뒤 실행하세요' });
    await expect.poll(() => errorToast.count()).toBe(1);
    await expect.poll(() => errorToast.innerText()).toContain('×3');
    await page.waitForTimeout(6_000);
    await expect.poll(() => errorToast.count()).toBe(1);
    await page.screenshot({ path: join(SHOTS, 'ui-toasts.png') });
    await errorToast.getByRole('button', { name: '알림 닫기' }).click();
    await expect.poll(() => errorToast.count()).toBe(0);
  });

  const TOUR_ROLES: [string, string, string[]][] = [
    ['admin', 'admin-password-1', ['rounds', 'round', 'new', 'edit', 'simulate', 'ledger', 'reports', 'refunds', 'queue', 'closing', 'reconcile', 'sync', 'users', 'audit']],
    ['lee.official', 'lee.official-password-1', ['rounds', 'round', 'new', 'edit', 'simulate', 'ledger', 'reports', 'refunds', 'queue', 'closing', 'reconcile', 'sync']],
    ['mapo', 'mapo-password-1', ['rounds', 'round', 'ledger', 'reports', 'refunds', 'queue', 'closing', 'sync']],
    ['ana', 'ana-password-1', ['rounds', 'round', 'ledger', 'reports', 'reconcile', 'sync']],
  ];
  for (const [username, password, pages] of TOUR_ROLES) {
    it(`tours every page and dialog of ${username}, in Korean and English, at 1280×720 and 1440×900`, async () => {
      await tour(username, password, pages);
    }, 400_000);
  }
});

/** Every page of a role and the dialog every role has, screenshotted; a page wider than the window or a cut header or figure fails. */
async function tour(username: string, password: string, pages: string[]): Promise<void> {
  mkdirSync(TOUR, { recursive: true });
  const hashes: Record<string, string> = {
    rounds: '#/rounds',
    round: `#/rounds/${roundId}`,
    new: '#/rounds/new?preset=seoul-2022-07-14',
    edit: `#/rounds/${roundId}/edit`,
    simulate: `#/rounds/${roundId}/simulate`,
    ledger: '#/ledger',
    reports: '#/reports',
    refunds: '#/refunds',
    queue: '#/refunds/queue',
    closing: '#/refunds/closing',
    reconcile: '#/reconcile',
    sync: '#/sync',
    users: '#/admin/users',
    audit: '#/admin/audit',
  };
  const problems: string[] = [];
  const check = async (name: string) => {
    // Until nothing on the page is still loading (the page's own request answered), not a fixed 250 ms that a loaded
    // machine could pass with the page half drawn: the checks below would then pass on what was not yet there.
    await settle(page);
    const found = await inPage<string[]>(
      page,
      `(() => {
        const out = [];
        if (document.documentElement.scrollWidth > window.innerWidth + 1) out.push('page wider than the window (' + document.documentElement.scrollWidth + 'px)');
        for (const e of document.querySelectorAll('.ag-header-cell-text')) if (e.scrollWidth > e.clientWidth + 1) out.push('grid header cut: ' + e.textContent);
        // Figures, dates and names in grid cells show whole; only free text (details, reasons, notes) may end in an ellipsis.
        for (const e of document.querySelectorAll('.ag-cell')) {
          const col = e.getAttribute('col-id') || '';
          if (/detail|note|reason|message|text|comment|summary/i.test(col)) continue;
          const v = e.querySelector('.ag-cell-value') || e;
          if (v.scrollWidth > v.clientWidth + 1) out.push('grid value cut [' + col + ']: ' + e.textContent.trim().slice(0, 30));
        }
        for (const e of document.querySelectorAll('main button, nav a, nav button, main label, main th, dialog button, dialog label')) {
          const s = getComputedStyle(e);
          if (e.scrollWidth > e.clientWidth + 1 && (s.overflow === 'hidden' || s.textOverflow === 'ellipsis')) out.push('cut: ' + e.textContent.trim().slice(0, 40));
        }
        return out;
      })()`,
    );
    for (const f of found) problems.push(`${name}: ${f}`);
    await page.screenshot({ path: join(TOUR, `${name}.png`), fullPage: true });
  };
  await signInAs(page, username, password);
  for (const lang of ['ko', 'en']) {
    await inPage(page, `localStorage.setItem('console.lang', '${lang}')`);
    await page.reload();
    await page.getByTestId('current-user').waitFor();
    for (const [w, h] of [
      [1280, 720],
      [1440, 900],
    ] as const) {
      await page.setViewportSize({ width: w, height: h });
      for (const p of pages) {
        page.once('dialog', (d) => void d.accept());
        await go(hashes[p]!);
        await page.locator('main h1, main h2').first().waitFor();
        await check(`${username.replace('.', '-')}-${lang}-${w}-${p}`);
      }
      if (username === 'admin') {
        // A lifecycle dialog: approving the official's draft (the admin did not write it).
        await go(hashes.round!);
        await page.getByRole('button', { name: lang === 'ko' ? '승인' : 'Approve', exact: true }).click();
        await page.getByRole('dialog').waitFor();
        await check(`admin-${lang}-${w}-dialog-approve`);
        await page.getByRole('dialog').getByRole('button', { name: lang === 'ko' ? '취소' : 'Cancel' }).click();
        await page.getByRole('dialog').waitFor({ state: 'hidden' });
      }
      // The dialog every role has.
      await page.getByRole('button', { name: lang === 'ko' ? '비밀번호 변경' : 'Change password' }).click();
      await page.getByRole('dialog').waitFor();
      await check(`${username.replace('.', '-')}-${lang}-${w}-dialog-password`);
      await page.keyboard.press('Escape');
      if (await page.getByRole('dialog').count()) await page.getByRole('dialog').getByRole('button', { name: lang === 'ko' ? '취소' : 'Cancel' }).click();
    }
  }
  await inPage(page, `localStorage.setItem('console.lang', 'ko')`);
  await page.reload();
  await page.getByTestId('current-user').waitFor();
  expect(problems).toEqual([]);
  expect(errors).toEqual([]);
}
