import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ko } from '../../shared/i18n/ko.js';
import { check, demoPage, go, NAV, setLang, settle, startDemoConsole, type DemoConsole, type Nav } from './demo-tour.js';

/**
 * Each role's day on the demo data, in Korean and English at 1280×720, as the users would click through it:
 * every page visited is checked for sideways scrolling, i18n keys shown as text, raw ids where names belong,
 * and the navigation a role may not use. The screenshots land in test-results/screenshots/role-tours-*.
 */
let demo: DemoConsole;
const errors: string[] = [];
const pages: Record<string, Page> = {};
let sample: DemoConsole['sample'];

beforeAll(async () => {
  demo = await startDemoConsole(errors);
  sample = demo.sample;
}, 300_000);

afterAll(async () => {
  await demo?.stop();
});

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

const ALLOWED: Record<string, Nav[]> = {
  admin: ['rounds', 'ledger', 'reports', 'refunds', 'reconcile', 'sync', 'admin'],
  official: ['rounds', 'ledger', 'reports', 'refunds', 'reconcile', 'sync'],
  clerk: ['rounds', 'ledger', 'reports', 'refunds', 'sync'],
  analyst: ['rounds', 'ledger', 'reports', 'reconcile', 'sync'],
};

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
    pages.admin = demo.admin;
    // Each demo account is admitted to this console by signing in while the administrator is signed in here.
    for (const role of ['official', 'clerk', 'clerk2', 'analyst']) pages[role] = await demoPage(demo, `demo-${role}`, errors);
    // Five sign-ins (each a deliberately slow password hash) on a loaded machine.
  }, 300_000);

  it('administrator: every page, the users, the audit log and the folds of settled uses', async () => {
    await tour('admin', async (page, lang) => {
      await go(page, 'admin');
      await page.locator('a[href="#/admin/audit"]').click();
      await check(page, `admin-${lang}-audit`);
      // Folding settled uses: the server's list of folds, read in the administrator's server name.
      await page.locator('a[href="#/admin/compaction"]').click();
      await page.locator('[data-testid="fold-none"], [data-testid="fold-grid"]').first().waitFor();
      await check(page, `admin-${lang}-compaction`);
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
      await expect.poll(() => page.getByTestId('version-author').first().innerText()).toBe(`${lang === 'ko' ? '작성' : 'Author'}: 데모 주무관`);
      await page.getByTestId('audit-empty').waitFor();
      await page.locator('a[href$="/simulate"]').click();
      await page.getByTestId('calibration').waitFor();
      await check(page, `official-${lang}-simulate`);
      // The observed facts' boxes line up in each row, whether or not a label wraps to two lines.
      const tops = await page.locator('input[data-testid^="cal-"]').evaluateAll((els) => els.map((e) => Math.round(e.getBoundingClientRect().top)));
      expect(new Set(tops.slice(0, 3)).size, `${lang}: calibration boxes ${tops.join(',')}`).toBe(1);
      await go(page, 'reconcile');
      await expect.poll(() => page.getByTestId('exceptions-count-label').innerText()).toMatch(lang === 'ko' ? /^예외 [\d,]+건$/ : /^Exceptions: [\d,]+$/);
      await go(page, 'rounds');
      await page.getByRole('button', { name: lang === 'ko' ? '+ 새 회차' : '+ New round' }).click();
      await page.locator('[data-preset="seoul-2022-07-14"]').click();
      await page.locator('form').first().waitFor();
      await check(page, `official-${lang}-editor`);
      if (lang === 'ko') {
        // Switching the language rewords the editor in place: unsaved changes are kept, nothing is asked.
        const name = page.locator('#f-name');
        await name.fill('여름 회차 (작성 중)');
        await page.locator('select[aria-label="언어"]').selectOption('en');
        await page.getByRole('heading', { name: 'New issuance round' }).waitFor();
        await expect.poll(() => name.inputValue()).toBe('여름 회차 (작성 중)');
        await page.locator('select[aria-label="Language"]').selectOption('ko');
        await expect.poll(() => page.locator('html').getAttribute('lang')).toBe('ko');
        await expect.poll(() => name.inputValue()).toBe('여름 회차 (작성 중)');
        // Leaving with them still asks.
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
      await expect.poll(() => dialog.getByTestId('dialog-buyer').innerText()).toBe(masked);
      await expect.poll(() => dialog.innerText()).not.toMatch(/buyer-/);
      await dialog.getByRole('button', { name: '접수', exact: true }).click();
      // Closed, the lot kept in view (the counter no longer empties its table after a request).
      await dialog.waitFor({ state: 'hidden' });
      await go(page, '#/refunds/queue');
      await page.locator('[data-testid="queue"] tbody tr').first().waitFor();
      // It opens on what needs the clerk, and says so.
      await expect.poll(() => page.getByTestId('queue-shown').innerText()).toMatch(/^처리가 끝나지 않은 요청 전체\(접수일 무관\)와 오늘\(\d{4}-\d{2}-\d{2}\) 접수한 요청 \d+건$/);
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
        await expect.poll(() => page.getByText(/^Analysts are not shown single purchases/).innerText()).toMatch(/above\.$/);
      }
      await go(page, 'reports');
      await page.getByRole('button', { name: lang === 'ko' ? '보고서 보기' : 'Show report' }).click();
      await settle(page);
      await check(page, `analyst-${lang}-report`);
    });
    expect(errors).toEqual([]);
  });
});
