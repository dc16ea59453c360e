import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateToLatest, openDatabase } from '../../shared/node/db/open.js';
import { sampleLedger, seedLedger } from '../../shared/node/reconcile/fixtures.js';
import { generateSettlement, type Manifest } from '../../shared/node/reconcile/generate.js';
import { DEFAULT_PROFILES } from '../../shared/reconcile/profile.js';
import { createAdmin } from './flows.js';
import { launchBrowser, openPage, shot, startHost, type RunningHost } from './support.js';

/**
 * A ~10 MB settlement file through the real Reconcile page: uploaded as bytes
 * (POST /api/upload, with its progress shown), dry run, then recorded; the
 * upload is gone from the data folder afterwards.
 */
const DAY = '2026-03-10';
const ROWS = 115_000;
let host: RunningHost;
let browser: Browser;
let page: Page;
let dataDir: string;
let filePath: string;
let manifest: Manifest;
let size = 0;
const errors: string[] = [];

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'ic-e2e-upload-'));
  const l = openDatabase(join(dataDir, 'console.sqlite'));
  await migrateToLatest(l.db);
  const ledger = sampleLedger('hecto', [DAY], ROWS, 0);
  seedLedger(l.sqlite, 'hecto', ledger);
  await l.close();
  const made = generateSettlement(ledger, DEFAULT_PROFILES.find((p) => p.id === 'hecto-pipe')!, DAY, { seed: 4, encoding: 'utf-8' });
  manifest = made.manifest;
  size = made.bytes.length;
  filePath = join(dataDir, '..', `hecto-${DAY}-${process.pid}.txt`);
  writeFileSync(filePath, made.bytes);
  host = await startHost(dataDir);
  browser = await launchBrowser();
  page = await openPage(browser, host.url, errors);
  await createAdmin(page);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await host?.stop();
});

describe('a large settlement file uploaded and recorded through the UI', () => {
  it('cancels an upload part-way: the page says so and the data folder keeps nothing', async () => {
    await page.getByRole('link', { name: '대사', exact: true }).click();
    await page.getByRole('heading', { name: '정산 대사' }).waitFor();
    await page.getByLabel('파일 형식').selectOption('hecto-pipe');
    await page.getByLabel('정산 파일').setInputFiles(filePath);
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: 1024 * 1024 });
    await page.getByRole('button', { name: '미리 보기' }).click();
    const progress = page.getByTestId('reconcile-upload-progress');
    await progress.waitFor();
    await progress.getByRole('button', { name: '취소' }).click();
    await expect.poll(() => page.getByTestId('reconcile-problem').innerText()).toContain('가져오기를 취소했습니다');
    await expect.poll(() => readdirSync(join(dataDir, 'uploads'))).toEqual([]);
    await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
    await cdp.detach();
  }, 60_000);

  it('shows the upload progress, then the dry run, records it, and leaves no upload behind', async () => {
    expect(size).toBeGreaterThan(9_000_000);
    await page.getByRole('link', { name: '대사', exact: true }).click();
    await page.getByRole('heading', { name: '정산 대사' }).waitFor();
    await page.getByLabel('파일 형식').selectOption('hecto-pipe');
    await page.getByLabel('정산 파일').setInputFiles(filePath);
    // Slowed to ~4 MB/s so the upload's progress is there to see (loopback is otherwise too quick to catch).
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: 4 * 1024 * 1024 });
    await page.getByRole('button', { name: '미리 보기' }).click();
    const progress = page.getByTestId('reconcile-upload-progress');
    await progress.waitFor();
    await expect.poll(async () => Number(await progress.getByRole('progressbar').getAttribute('aria-valuenow').catch(() => '100'))).toBeGreaterThan(0);
    await expect.poll(() => progress.innerText()).toContain('파일을 올리는 중');
    await page.setViewportSize({ width: 1280, height: 720 });
    await shot(page, '46-reconcile-upload-progress-1280');
    await page.setViewportSize({ width: 1440, height: 900 });
    await shot(page, '46-reconcile-upload-progress-1440');
    await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
    const summary = page.getByTestId('dry-run');
    await summary.waitFor({ timeout: 60_000 });
    const exceptions = manifest.injected.filter((i) => i.class !== 'matched').length;
    await expect.poll(() => summary.innerText()).toContain(`예외 ${exceptions}건`);
    // The dry run keeps its upload for the record step: one file waiting in the data folder.
    expect(readdirSync(join(dataDir, 'uploads'))).toHaveLength(1);
    await page.getByRole('button', { name: '대사 결과 기록' }).click();
    await page.getByTestId('reconcile-days').waitFor();
    await expect.poll(() => page.getByTestId('exceptions-count').innerText(), { timeout: 60_000 }).toBe(String(exceptions));
    const db = new BetterSqlite3(join(dataDir, 'console.sqlite'), { readonly: true });
    try {
      expect(db.prepare('select count(*) from settlement_rows').pluck().get()).toBe(manifest.rows);
    } finally {
      db.close();
    }
    expect(readdirSync(join(dataDir, 'uploads'))).toEqual([]);
    // Line numbers of a large file (six digits here, seven for a million rows) are shown whole, not cut off.
    const lineCells = page.locator('[role="gridcell"][col-id="line"]');
    await expect.poll(() => lineCells.allInnerTexts()).toContain(String(manifest.injected.find((i) => i.class === 'only_in_file')!.line));
    const cut = await lineCells.evaluateAll((cells) => cells.filter((c) => (c.querySelector('.ag-cell-value') ?? c).scrollWidth > (c.querySelector('.ag-cell-value') ?? c).clientWidth).length);
    expect(cut).toBe(0);
    await shot(page, '46-reconcile-upload-recorded-1440');
    expect(errors).toEqual([]);
  }, 180_000);
});
