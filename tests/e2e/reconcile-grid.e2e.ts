import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedForGrid } from '../../scripts/bench/reconcile-grid.js';
import { createAdmin } from './flows.js';
import { launchBrowser, openPage, shot, startHost, type RunningHost } from './support.js';

/**
 * The Reconcile page over months of work (100,000 exceptions, 112 days and providers):
 * the grid's first block is asked for before the list of days, and the days scroll in
 * their own box, so the grid is in view and first in the host's queue when the page opens.
 */
let host: RunningHost;
let browser: Browser;
let page: Page;
const errors: string[] = [];

beforeAll(async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'ic-e2e-reconcile-grid-'));
  await seedForGrid(dataDir);
  host = await startHost(dataDir);
  browser = await launchBrowser();
  page = await openPage(browser, host.url, errors);
  await createAdmin(page);
});

afterAll(async () => {
  await browser?.close();
  await host?.stop();
});

describe('the exceptions grid over a large exception set, in Chromium', () => {
  it('asks for the first block before the days, and shows the grid in view with the days in a scrolling box', async () => {
    const order: string[] = [];
    page.on('request', (r) => {
      if (r.url().endsWith('/api/invoke')) {
        const method = (JSON.parse(r.postData() ?? '{}') as { method?: string }).method ?? '';
        if (method.startsWith('reconcile.')) order.push(method);
      }
    });
    await page.getByRole('link', { name: '대사', exact: true }).click();
    await expect.poll(() => page.getByTestId('exceptions-count').innerText()).toBe('100,000');
    await page.getByTestId('reconcile-days').waitFor();
    expect(order.indexOf('reconcile.exceptions')).toBeGreaterThanOrEqual(0);
    expect(order.indexOf('reconcile.exceptions')).toBeLessThan(order.indexOf('reconcile.days'));
    // 112 days scroll inside their box; the grid's first rows are on the first screen.
    const box = page.locator('.days-scroll');
    const { scrollHeight, clientHeight } = await box.evaluate((e) => ({ scrollHeight: e.scrollHeight, clientHeight: e.clientHeight }));
    expect(scrollHeight).toBeGreaterThan(clientHeight);
    const firstRow = page.locator('[data-testid="exceptions-grid"] .ag-row[aria-rowindex="2"]');
    const top = (await firstRow.boundingBox())!.y;
    expect(top).toBeLessThan(900);
    // Providers by the names their statements carry, never the profile's code; a provider not listed (nice) as its code.
    const names: Record<string, string> = { toss: '토스페이먼츠', hecto: '헥토파이낸셜', kicc: '한국정보통신(KICC)', nice: 'nice' };
    for (const [code, name] of Object.entries(names)) {
      await expect.poll(() => page.locator(`[data-testid="reconcile-days"] tr[data-provider="${code}"] td`).nth(1).innerText()).toBe(name);
      await expect.poll(() => page.locator(`select[name="provider"] option[value="${code}"]`).innerText()).toBe(name);
    }
    const providerCells = page.locator('[data-testid="exceptions-grid"] .ag-row [col-id="provider"]');
    await expect.poll(async () => (await providerCells.allInnerTexts()).length).toBeGreaterThan(0);
    const gridProviders = await providerCells.allInnerTexts();
    for (const p of gridProviders) expect(Object.values(names)).toContain(p);
    // A day far down the list is still reachable (scrolled into view inside the box).
    await page.locator('[data-testid="reconcile-days"] tr[data-day="2026-02-01"][data-provider="toss"]').getByRole('button', { name: 'PDF 보고서' }).scrollIntoViewIfNeeded();
    await page.setViewportSize({ width: 1280, height: 720 });
    await shot(page, '45-reconcile-large-1280');
    await page.setViewportSize({ width: 1440, height: 900 });
    await shot(page, '45-reconcile-large-1440');
    expect(errors).toEqual([]);
  });
});
