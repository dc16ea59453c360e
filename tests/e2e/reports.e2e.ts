import ExcelJS from 'exceljs';
import { parse } from 'csv-parse/sync';
import { sql } from 'kysely';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBackend } from '../../shared/node/backend/backend.js';
import { formatWon, formatWonHeadline } from '../../shared/common/money.js';
import { preset2022 } from '../../shared/simulation/params.js';
import { Feeder, ledgerEvents, reportSpec } from '../support/report-ledger.js';
import { launchBrowser, openPage, shot, signInAs, startHost, type RunningHost } from './support.js';

/**
 * An analyst in Chromium on a console whose ledger holds a synced round
 * (written through the sync applier before the web host starts): builds a
 * report, sees its chart and totals, exports CSV and XLSX as downloads and
 * the files are read back.
 */
let host: RunningHost;
let browser: Browser;
let page: Page;
const errors: string[] = [];
const expected = { events: 0, amount: 0, faceSold: 0, byDistrict: 0 };

beforeAll(async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'ic-e2e-reports-'));
  const backend = await createBackend({ dataDir, log: () => {} });
  const call = async (method: string, input: unknown, session?: string): Promise<any> => {
    const env = await backend.invoke({ method, input, session } as never);
    if (!env.ok) throw new Error(`${method}: ${env.error.message}`);
    return env.result;
  };
  await call('setup.createAdmin', { username: 'admin', displayName: '김관리', password: 'admin-password-1' });
  const { token } = await call('auth.signIn', { username: 'admin', password: 'admin-password-1' });
  await call('users.create', { username: 'analyst', displayName: '이분석', password: 'analyst-password-1', role: 'analyst', districtCode: null }, token);
  const spec = reportSpec('2026 봄 서울사랑상품권');
  // The sale starts at the round's opening; most purchases come that first day.
  new Feeder(backend.ledger.sqlite).feed(ledgerEvents({ roundId: 'r-e2e', spec, purchases: 2_000, start: spec.opensAt, days: 3, seed: 21 }));
  // The round's forecast: a saved simulation run, drawn beside the real sale.
  const job = await call('simulations.start', { roundId: 'r-e2e', label: '사전 예측', params: { ...preset2022(), visitors: 3_000 }, recommend: false, targetSellOutMinutes: 60 }, token);
  for (let view = job; view.state === 'running'; view = await call('jobs.get', { id: job.id }, token)) await new Promise((r) => setTimeout(r, 50));
  const e = (await sql<{ n: number; a: number }>`select count(*) as n, sum(amount) as a from ledger_events`.execute(backend.deps.db)).rows[0]!;
  const f = (await sql<{ f: number }>`select sum(face) as f from lots`.execute(backend.deps.db)).rows[0]!;
  const g = (await sql<{ f: number }>`select sum(face) as f from lots where district_code = '11680'`.execute(backend.deps.db)).rows[0]!;
  Object.assign(expected, { events: e.n, amount: e.a, faceSold: f.f, byDistrict: g.f });
  await backend.close();
  host = await startHost(dataDir);
  browser = await launchBrowser();
  page = await openPage(browser, host.url, errors);
});

afterAll(async () => {
  await browser?.close();
  await host?.stop();
});

async function download(testId: string): Promise<Buffer> {
  const [file] = await Promise.all([page.waitForEvent('download', { timeout: 60_000 }), page.getByTestId(testId).click()]);
  return readFileSync((await file.path())!);
}

describe('reports, end to end in Chromium as an analyst', () => {
  it('builds a report by district and sees its chart and totals', async () => {
    await signInAs(page, 'analyst', 'analyst-password-1');
    await page.getByRole('link', { name: '보고서', exact: true }).click();
    // The daily report opens first, with its chart.
    await page.getByTestId('report-chart').locator('canvas').waitFor();
    // The card reads in 억/만 (rounded to its two largest units); its title has the exact amount.
    await page.getByTestId('total-faceSold').getByText(formatWonHeadline(expected.faceSold, 'ko')).waitFor();
    await expect.poll(() => page.getByTestId('total-faceSold').getAttribute('title')).toBe(formatWon(expected.faceSold));

    await page.locator('select[name="group1"]').selectOption('district');
    await page.locator('select[name="group2"]').selectOption('');
    await page.locator('input[name="measure-buyers"]').check();
    await page.getByTestId('run-report').click();
    const grid = page.getByTestId('report-grid');
    await grid.locator('.ag-row [col-id="k0"]').getByText('종로구', { exact: true }).waitFor();
    await expect.poll(() => grid.locator('.ag-row-pinned [col-id="k0"]').innerText()).toBe('합계');
    await expect.poll(() => grid.locator('.ag-row-pinned [col-id="faceSold"]').innerText()).toBe(`₩${expected.faceSold.toLocaleString('en-US')}`);
    await page.getByTestId('report-chart').locator('canvas').waitFor();
    const drawn = await page.getByTestId('report-chart').locator('canvas').evaluate((c) => (c as unknown as { toDataURL(): string }).toDataURL().length);
    expect(drawn).toBeGreaterThan(5_000);
    await page.setViewportSize({ width: 1280, height: 720 });
    await shot(page, 'reports-district-1280');
    await page.setViewportSize({ width: 1440, height: 900 });
    await shot(page, 'reports-district-1440');

    // A language switch rewords the report in place: the builder keeps its choices and the table its rows.
    await page.getByLabel('언어').selectOption('en');
    await grid.locator('.ag-row [col-id="k0"]').getByText('Jongno-gu', { exact: true }).waitFor();
    await expect.poll(() => page.locator('select[name="group1"]').inputValue()).toBe('district');
    await expect.poll(() => page.locator('select[name="group2"]').inputValue()).toBe('');
    await expect.poll(() => page.locator('input[name="measure-buyers"]').isChecked()).toBe(true);
    await page.getByTestId('run-report').getByText('Show report').waitFor();
    // The footnote names the population's source in English, not in Korean.
    await expect.poll(() => page.getByTestId('population-note').innerText()).toBe(
      'Population: Ministry of the Interior and Safety, resident registration population statistics (2023-12). Per resident = face sold ÷ registered residents.',
    );
    await page.setViewportSize({ width: 1280, height: 720 });
    await shot(page, 'reports-district-en-1280');
    await page.getByLabel('Language').selectOption('ko');
    await expect.poll(() => page.locator('select[name="group1"]').inputValue()).toBe('district');
  });

  it('exports every event as CSV and XLSX; the files read back to the ledger totals', async () => {
    const csv = await download('export-csv');
    expect([...csv.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const rows = (parse(csv.toString('utf8').slice(1)) as string[][]).slice(1);
    expect(rows.length).toBe(expected.events);
    expect(rows.reduce((s, r) => s + Number(r[8]), 0)).toBe(expected.amount);
    // The round by its name beside its id, as the report page names it.
    expect(new Set(rows.map((r) => `${r[3]} · ${r[4]}`))).toEqual(new Set([`r-e2e · 2026 봄 서울사랑상품권`]));

    const xlsx = await download('export-xlsx');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(xlsx as unknown as ArrayBuffer);
    let n = 0;
    let total = 0;
    wb.worksheets[0]!.eachRow((row, i) => {
      if (i === 1) return;
      n++;
      total += row.getCell(9).value as number;
      if (i === 2) expect(row.getCell(5).value).toBe('2026 봄 서울사랑상품권');
    });
    expect(n).toBe(expected.events);
    expect(total).toBe(expected.amount);
    await page.getByText(/파일을 저장했습니다/).first().waitFor();
  });

  it('refuses a period that ends before it starts, in Korean', async () => {
    await page.locator('input[name="fromDay"]').fill('2026-03-11');
    await page.locator('input[name="toDay"]').fill('2026-03-10');
    await page.getByTestId('run-report').click();
    await expect.poll(() => page.getByTestId('report-problem').innerText()).toBe('기간의 종료일(2026-03-10)이 시작일(2026-03-11)보다 앞섭니다');
    await page.locator('input[name="fromDay"]').fill('');
    await page.locator('input[name="toDay"]').fill('');
  });

  it('shows an analyst no button they may not use, ledger totals that follow the filters and no lot event', async () => {
    await page.getByRole('link', { name: '원장', exact: true }).click();
    await page.getByTestId('ledger-totals').waitFor();
    await expect.poll(() => page.getByTestId('filtered-purchases').count()).toBe(0);
    await page.locator('select[name="district"]').selectOption('11680');
    await page.getByTestId('filtered-faceSold').waitFor();
    await expect.poll(() => page.getByTestId('filtered-faceSold').innerText()).toBe(`₩${expected.byDistrict.toLocaleString('en-US')}`);
    // The server's read scope: totals, but no lot event, no lot search and no lot to open (so no refund button either).
    await page.getByTestId('ledger-no-lots').waitFor();
    await expect.poll(() => page.getByTestId('ledger-grid').count()).toBe(0);
    await expect.poll(() => page.locator('input[name="lotId"]').count()).toBe(0);
    await expect.poll(() => page.getByRole('button', { name: /취소 요청|환불 요청/ }).count()).toBe(0);
    await shot(page, 'ledger-analyst-filtered');
    await page.getByRole('link', { name: '동기화', exact: true }).click();
    await page.getByRole('heading', { name: '동기화' }).first().waitFor();
    await expect.poll(() => page.getByRole('button', { name: '연결', exact: true }).count()).toBe(0);
    await expect.poll(() => page.getByRole('button', { name: '어긋난 곳 찾기' }).count()).toBe(0);
    await page.getByRole('link', { name: '발행 회차', exact: true }).click();
    await page.getByText('2026 봄 서울사랑상품권').first().click();
    await page.getByTestId('round-name').waitFor();
    await shot(page, 'round-detail-analyst');
    // Lifecycle actions (approve, schedule, open…) are the round header's buttons.
    await expect.poll(() => page.locator('header .actions button').count()).toBe(0);
    await expect.poll(() => page.getByRole('link', { name: '수정' }).count()).toBe(0);
    await page.getByRole('link', { name: '보고서', exact: true }).click();
  });

  it('draws the sale-day curve and the use-rate report', async () => {
    await page.getByTestId('preset-curve').click();
    await page.getByTestId('report-chart').getByText('판매일 곡선').waitFor();
    await expect.poll(() => page.getByText('이 회차에 저장된 시뮬레이션이 없어').count()).toBe(0);
    await shot(page, 'reports-curve');
    await page.getByTestId('preset-useRate').click();
    await page.getByTestId('report-chart').getByText('사용률 추이').waitFor();
    await shot(page, 'reports-use-rate');
    await page.getByLabel('언어').selectOption('en');
    await page.setViewportSize({ width: 1280, height: 720 });
    await page.getByTestId('preset-district').click();
    const sold = page.getByTestId('total-faceSold');
    await expect.poll(() => sold.getAttribute('title')).toBe(formatWon(expected.faceSold));
    await expect.poll(() => sold.innerText()).toBe(formatWonHeadline(expected.faceSold, 'en'));
    await shot(page, 'reports-english-1280');
    await page.getByLabel('Language').selectOption('ko');
    expect(errors).toEqual([]);
  });
});
