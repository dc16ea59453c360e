import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATABASE_FILE } from '../../shared/node/backend/backend.js';
import { migrateToLatest, openDatabase } from '../../shared/node/db/open.js';
import { calibrationSpec, simulatedSaleEvents } from '../support/calibration-sale.js';
import { Feeder } from '../support/report-ledger.js';
import { createAdmin } from './flows.js';
import { launchBrowser, openPage, shot, startHost, type RunningHost } from './support.js';

/**
 * A console whose ledger holds a sold round (applied through the sync
 * applier, as a pull would), and Chromium calibrating it and saving the fit
 * as a preset the simulator's picker then offers.
 */
let host: RunningHost;
let browser: Browser;
let page: Page;
const errors: string[] = [];
const ROUND = 'round-calibration-e2e';

beforeAll(async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'ic-e2e-cal-'));
  const l = openDatabase(join(dataDir, DATABASE_FILE));
  await migrateToLatest(l.db);
  new Feeder(l.sqlite).feed(
    simulatedSaleEvents(ROUND, calibrationSpec('여름 특별'), {
      waitingRoom: { admissionPerMinute: 150, maxActiveSessions: 2_000, order: 'fifo', slots: [], stockCutoff: false, cutoffMargin: 0.1 },
    }),
  );
  await l.close();
  host = await startHost(dataDir);
  browser = await launchBrowser();
  page = await openPage(browser, host.url, errors);
  await createAdmin(page);
});

afterAll(async () => {
  await browser?.close();
  await host?.stop();
});

describe('calibration, end to end in Chromium', () => {
  it('fits a sold round with an observed fact, shows the fit side by side, and saves it as a preset the simulator offers', async () => {
    await page.goto(`${host.url}#/rounds/${ROUND}/simulate`);
    await page.getByTestId('calibration').waitFor();
    await page.getByRole('heading', { name: '보정: 실제 판매에 맞추기' }).waitFor();
    // A wrong fact is named in Korean before anything starts.
    await page.getByLabel('최대 대기 인원').fill('많음');
    await page.getByTestId('calibration-start').click();
    await page.getByText('숫자로 입력하세요').waitFor();
    await page.getByLabel('최대 대기 인원').fill('');
    await page.getByLabel('재고 소진까지 걸린 시간').fill('34');
    await page.getByTestId('calibration-start').click();
    await page.getByTestId('calibration-progress').waitFor();
    await page.getByTestId('calibration-result').waitFor({ timeout: 220_000 });
    await page.getByText('보정이 끝났습니다').first().waitFor();
    const rows = () => page.getByTestId('calibration-table').locator('tbody tr').allInnerTexts();
    await expect.poll(async () => (await rows()).some((r) => r.startsWith('재고 소진까지(결제 중 포함, 분)'))).toBe(true);
    await expect.poll(async () => (await rows()).some((r) => r.startsWith('누적 판매 곡선'))).toBe(true);
    await expect.poll(() => page.getByTestId('calibration-fitted').innerText()).toContain('실효 입장 처리량');
    // Each fitted figure says whether the data pinned it; the admission rate that shaped the ledger's curve is pinned.
    await expect.poll(() => page.getByTestId('calibration-fitted').locator('tr[data-param="admissionPerMinute"]').getAttribute('data-pinned')).toBe('true');
    await expect.poll(() => page.getByTestId('calibration-fitted').locator('tr[data-param="admissionPerMinute"]').innerText()).toContain('확정');
    await page.getByTestId('calibration-identifiability-rule').getByText('허용 폭').waitFor();
    await page.getByTestId('calibration').scrollIntoViewIfNeeded();
    await shot(page, '40-calibration-1440');
    await page.setViewportSize({ width: 1280, height: 720 });
    await page.getByTestId('calibration').screenshot({ path: join('test-results', 'screenshots', '41-calibration-panel-1280.png') });
    await shot(page, '41-calibration-1280');
    await page.setViewportSize({ width: 1440, height: 900 });

    await expect.poll(() => page.getByTestId('calibration-preset-name').inputValue()).toBe('회차 여름 특별 보정');
    await page.getByTestId('calibration-save-preset').click();
    await page.getByText('프리셋을 저장했습니다: 회차 여름 특별 보정', { exact: false }).waitFor();
    // The simulator's picker offers it; choosing it fills the form with the fitted figures.
    await page.getByTestId('preset-pick').selectOption({ label: '회차 여름 특별 보정' });
    await expect.poll(() => page.getByLabel('실행 이름').inputValue()).toBe('회차 여름 특별 보정');
    expect(errors).toEqual([]);
  }, 300_000);
});
