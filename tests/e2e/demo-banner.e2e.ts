import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createDatabase } from '../support/postgres.js';
import { startServerProcess, type ServerProcess } from '../support/server-process.js';
import { createAdmin } from './flows.js';
import { launchBrowser, openPage, shot, startHost, syncNow, type RunningHost } from './support.js';

/**
 * The demo data set as a newcomer meets it: `npm run server -- --demo` (a tiny scale here) prints the demo
 * accounts once; a console connected with one of them syncs the demo year and says "데모 데이터" on every page.
 */
let server: ServerProcess;
let host: RunningHost;
let browser: Browser;
let page: Page;
let out: string;
const errors: string[] = [];
let adminPassword = '';

beforeAll(async () => {
  out = mkdtempSync(join(tmpdir(), 'demo-e2e-'));
  server = await startServerProcess(await createDatabase(inject('pgUrl')), {}, ['--demo', '--scale', '0.002', '--demo-out', out]);
  // The passwords are printed once, in the start-up output: "  admin    demo-admin      <password>   데모 관리자".
  adminPassword = /^\s+admin\s+demo-admin\s+(\S+)/m.exec(server.output())?.[1] ?? '';
  host = await startHost();
  browser = await launchBrowser();
  page = await openPage(browser, host.url, errors);
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await host?.stop();
  await server?.stop();
  rmSync(out, { recursive: true, force: true });
});

describe('a console connected to the demo server', () => {
  it('prints the demo accounts once at start-up, one per role', () => {
    for (const role of ['admin', 'official', 'clerk', 'analyst']) expect(server.output()).toMatch(new RegExp(`^\\s+${role}\\s+demo-${role}\\s+\\S{16}`, 'm'));
    expect(adminPassword).toHaveLength(16);
  });

  it('shows no banner before it is connected, then "데모 데이터" on every page once synced', async () => {
    await page.setViewportSize({ width: 1280, height: 720 });
    await createAdmin(page);
    await expect.poll(() => page.getByTestId('demo-banner').count()).toBe(0);
    await page.getByRole('link', { name: '동기화', exact: true }).click();
    await page.getByLabel('서버 주소').fill(server.url);
    await page.getByLabel('서버 아이디').fill('demo-admin');
    await page.getByLabel('서버 비밀번호').fill(adminPassword);
    await page.getByRole('button', { name: '연결', exact: true }).click();
    await page.getByTestId('sync-connected').waitFor();
    await syncNow(page);
    const banner = page.getByTestId('demo-banner');
    await banner.waitFor();
    await expect.poll(() => banner.innerText()).toContain('데모 데이터');
    for (const name of ['발행 회차', '원장', '보고서', '환불·취소', '대사', '동기화']) {
      await page.getByRole('link', { name, exact: true }).click();
      await banner.waitFor();
      await expect.poll(() => banner.isVisible()).toBe(true);
    }
    await page.getByRole('link', { name: '발행 회차', exact: true }).click();
    await shot(page, 'demo-banner-rounds');
    // The newest round is at the top of the list.
    await page.getByText('서울사랑상품권 광역 (데모 2023-03-30)').first().waitFor();
    expect(errors).toEqual([]);
  });
});
