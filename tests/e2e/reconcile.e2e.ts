import ExcelJS from 'exceljs';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateToLatest, openDatabase } from '../../shared/node/db/open.js';
import { sampleLedger, seedLedger } from '../../shared/node/reconcile/fixtures.js';
import { generateSettlement, type Manifest } from '../../shared/node/reconcile/generate.js';
import { DEFAULT_PROFILES } from '../../shared/reconcile/profile.js';
import { pdfText } from '../support/pdf-text.js';
import { createAdmin } from './flows.js';
import { launchBrowser, openPage, shot, startHost, type RunningHost } from './support.js';

const DAY = '2026-03-10';
let host: RunningHost;
let browser: Browser;
let page: Page;
let csvPath: string;
let manifest: Manifest;
const errors: string[] = [];

beforeAll(async () => {
  // The console's ledger as sync leaves it (payment references in their columns): the server → sync path is
  // covered by tests/server/payment-refs.pg.test.ts and shared/node/sync/apply.test.ts.
  const dataDir = mkdtempSync(join(tmpdir(), 'ic-e2e-reconcile-'));
  const l = openDatabase(join(dataDir, 'console.sqlite'));
  await migrateToLatest(l.db);
  const ledger = sampleLedger('toss', ['2026-03-09', DAY, '2026-03-11'], 40);
  seedLedger(l.sqlite, 'toss', ledger);
  await l.close();
  const made = generateSettlement(ledger, DEFAULT_PROFILES.find((p) => p.id === 'toss-csv')!, DAY, { seed: 2, encoding: 'cp949' });
  manifest = made.manifest;
  csvPath = join(dataDir, '..', `toss-${DAY}-${process.pid}.csv`);
  writeFileSync(csvPath, made.bytes);
  host = await startHost(dataDir);
  browser = await launchBrowser();
  page = await openPage(browser, host.url, errors);
  await createAdmin(page);
});

afterAll(async () => {
  await browser?.close();
  await host?.stop();
});


describe('settlement reconciliation, end to end in Chromium', () => {
  let exceptions = 0;
  beforeAll(() => {
    exceptions = manifest.injected.filter((i) => i.class !== 'matched').length;
  });
  it('imports a CP949 file with a dry run first, then records it', async () => {
    await page.getByRole('link', { name: '대사', exact: true }).click();
    await page.getByRole('heading', { name: '정산 대사' }).waitFor();
    await page.getByLabel('파일 형식').selectOption('toss-csv');
    await page.getByLabel('정산 파일').setInputFiles(csvPath);
    await page.getByRole('button', { name: '미리 보기' }).click();
    const summary = page.getByTestId('dry-run');
    await summary.waitFor();
    await expect(summary.innerText()).resolves.toContain(`예외 ${exceptions}건`);
    await expect(summary.innerText()).resolves.toContain('CP949');
    await expect(summary.innerText()).resolves.toContain('원거래 없는 취소');
    await page.setViewportSize({ width: 1280, height: 720 });
    await shot(page, '40-reconcile-dry-run-1280');
    await page.setViewportSize({ width: 1440, height: 900 });
    await shot(page, '40-reconcile-dry-run-1440');
    await page.getByRole('button', { name: '대사 결과 기록' }).click();
    await page.getByTestId('reconcile-days').waitFor();
    await expect(page.getByTestId('exceptions-count').innerText()).resolves.toBe(String(exceptions));
  });

  it('refuses the same file again, naming when it was imported', async () => {
    await page.getByLabel('정산 파일').setInputFiles(csvPath);
    await page.getByRole('button', { name: '미리 보기' }).click();
    await expect(page.getByTestId('reconcile-problem').innerText()).resolves.toContain('이미 가져온 파일입니다');
  });

  it('resolves every exception, locks the day, and exports the report', async () => {
    await page.getByLabel('상태').selectOption('open');
    for (let left = exceptions; left > 0; left--) {
      await expect.poll(() => page.getByTestId('exceptions-count').innerText()).toBe(String(left));
      await page.locator('[data-testid="exceptions-grid"] .ag-row [role="gridcell"][col-id="tid"]').first().click();
      const panel = page.getByTestId('exception-panel');
      await panel.waitFor();
      if (left === exceptions) {
        // An adjustment without an explanation cannot be saved.
        await panel.getByLabel('조정 금액').fill('1000');
        await panel.getByText('차액이 0이 아닌 조정에는 사유 설명이 필요합니다').waitFor();
        await panel.getByLabel('설명', { exact: true }).fill('대행사 정정 예정');
        await shot(page, '41-reconcile-exception-1440');
      }
      await panel.getByLabel('사유').selectOption('timing');
      await panel.getByRole('button', { name: '처리', exact: true }).click();
      await expect.poll(() => panel.getByTestId('exception-status').innerText()).toContain('처리됨');
      await panel.getByRole('button', { name: '닫기' }).click();
    }
    const row = page.locator(`[data-testid="reconcile-days"] tr[data-day="${DAY}"]`);
    await row.getByRole('button', { name: '그날 마감' }).click();
    await expect.poll(() => row.getByTestId('day-status').innerText()).toContain('마감됨');
    await page.setViewportSize({ width: 1280, height: 720 });
    await shot(page, '42-reconcile-locked-1280');
    await page.setViewportSize({ width: 1440, height: 900 });

    const [pdf] = await Promise.all([page.waitForEvent('download'), row.getByRole('button', { name: 'PDF 보고서' }).click()]);
    const text = (await pdfText(new Uint8Array(readFileSync(await pdf.path())))).text;
    expect(text).toContain('정산 대사');
    expect(text).toContain('마감됨');
    expect(text).toContain('정산 시점 차이');
    const [xlsx] = await Promise.all([page.waitForEvent('download'), row.getByRole('button', { name: 'XLSX 보고서' }).click()]);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(await xlsx.path());
    expect(wb.getWorksheet('대사')!.rowCount).toBe(exceptions + 1);
    expect(errors).toEqual([]);
  });
});
