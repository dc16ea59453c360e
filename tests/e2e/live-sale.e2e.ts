import Database from 'better-sqlite3';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DATABASE_FILE } from '../../shared/node/backend/backend.js';
import { callOk } from '../support/http-client.js';
import { createDatabase } from '../support/postgres.js';
import { openSaleRound, startServerProcess, type ServerProcess } from '../support/server-process.js';
import { spec2022 } from '../support/specs.js';
import { connectToServer, createAdmin } from './flows.js';
import { addUser, launchBrowser, openPage, shot, signInAs, startHost, syncNow, type RunningHost } from './support.js';

/**
 * A live sale in Chromium (issue 19): `npm run server -- --sale` sells a small
 * round; three buyer pages (`/sale`) queue and buy; official kim watches the
 * console's live monitor, proposes a change beyond the approved envelope,
 * official lee approves it and it takes effect; after a sync the console's
 * ledger holds every purchase.
 */
let server: ServerProcess;
let host: RunningHost;
let browser: Browser;
let page: Page;
const errors: string[] = [];
const ROUND = 'round-live-e2e';
const BUYERS = ['buyer-a', 'buyer-b', 'buyer-c'];

beforeAll(async () => {
  server = await startServerProcess(await createDatabase(inject('pgUrl')), {}, ['--sale']);
  const api = (path: string, body: unknown, token = '') => callOk(server.url, 'POST', path, body, token);
  const root = (await api('/api/auth/sign-in', { username: 'root', password: 'root-password-1' })).token;
  await api('/api/users', { username: 'admin', displayName: '김관리', password: 'admin-password-1', role: 'admin', districtCode: null }, root);
  for (const [username, name] of [['kim', '김주무관'], ['lee', '이주무관']]) {
    await api('/api/users', { username, displayName: name, password: `${username}-password-1`, role: 'official', districtCode: null }, root);
  }
  await openSaleRound(server.url, root, ROUND, spec2022({
    name: '실시간 판매 e2e',
    totalAmount: 2_000_000,
    denominations: [10_000, 50_000],
    sessionTimeoutMinutes: 10,
    waitingRoom: { admissionPerMinute: 600, maxActiveSessions: 10, order: 'fifo' },
    expectedVisitors: 100,
  }));
  host = await startHost();
  browser = await launchBrowser();
  page = await openPage(browser, host.url, errors);
  await page.setViewportSize({ width: 1280, height: 720 });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await host?.stop();
  await server?.stop();
});

/** A buyer on the sale's own page: joins the queue, waits to be admitted, buys the smallest amount. */
async function buyOnSalePage(buyerId: string): Promise<void> {
  const buyer = await openPage(browser, `${server.url}/sale`, errors);
  await buyer.locator('#round').fill(ROUND);
  await buyer.locator('#buyer').fill(buyerId);
  await buyer.getByRole('button', { name: '본인 확인 후 대기열 참여' }).click();
  await buyer.getByRole('button', { name: '구매하기' }).click({ timeout: 30_000 });
  await buyer.getByText('10,000원 구매를 마쳤습니다').waitFor({ timeout: 30_000 });
  await buyer.close();
}

async function openMonitor(): Promise<void> {
  await page.evaluate(`window.location.hash = '#/rounds/${ROUND}'`);
  const open = async () => {
    await page.getByTestId('open-live-sale').click({ timeout: 20_000 });
    await page.getByTestId('sale-tiles').waitFor({ timeout: 20_000 });
  };
  await open().catch(async (e: unknown) => {
    await shot(page, 'live-sale-failed');
    throw new Error(`${String(e)}\npage: ${await page.locator('main').innerText()}`);
  });
}

describe('a live sale watched and steered from the console', () => {
  it('sets up: the administrator connects, adds both officials and syncs the round on sale', async () => {
    await createAdmin(page);
    await connectToServer(page, server.url);
    await addUser(page, { username: 'kim', name: '김주무관', role: 'official' });
    await addUser(page, { username: 'lee', name: '이주무관', role: 'official' });
    await syncNow(page);
  });

  it('three buyer pages queue and buy; the monitor shows them', async () => {
    await Promise.all(BUYERS.map(buyOnSalePage));
    await signInAs(page, 'kim', 'kim-password-1');
    await openMonitor();
    // Within a refresh or two (every 2 s), from the server's counters.
    await expect.poll(() => page.getByTestId('tile-sold').innerText(), { timeout: 15_000 }).toBe('₩30,000');
    await expect.poll(() => page.getByTestId('tile-arrivals').locator('xpath=..').innerText()).toContain('Σ 3');
    await expect.poll(() => page.getByTestId('tile-admitted').locator('xpath=..').innerText()).toContain('Σ 3');
    await expect.poll(() => page.getByTestId('tile-left').innerText()).toBe('₩1,970,000');
    await expect.poll(() => page.getByTestId('tile-last-change').innerText()).toBe('조정 없음');
    await shot(page, 'live-sale-monitor');
  });

  it('a change beyond the envelope proposed by kim waits; lee approves it and it takes effect', async () => {
    await page.getByTestId('steer-rate').fill('1200');
    await expect.poll(() => page.getByTestId('steer-envelope-note').innerText()).toContain('다른 담당자의 승인');
    await page.getByTestId('steer-apply').click();
    await page.getByRole('dialog').getByRole('button', { name: '확인' }).click();
    await page.getByTestId('proposals').waitFor();
    await expect.poll(() => page.getByTestId('proposals').innerText()).toContain('분당 1200명');
    // The proposer cannot approve their own change: the server says so.
    await page.getByTestId('approve-proposal').click();
    await page.getByRole('dialog').getByRole('button', { name: '확인' }).click();
    await expect.poll(() => page.getByTestId('steering-problem').innerText()).toContain('자신이 제안한 판매 조정은 승인할 수 없습니다');
    await shot(page, 'live-sale-proposal');

    await signInAs(page, 'lee', 'lee-password-1');
    await openMonitor();
    await page.getByTestId('approve-proposal').click();
    await page.getByRole('dialog').getByRole('button', { name: '확인' }).click();
    await expect.poll(() => page.getByTestId('tile-last-change-by').innerText(), { timeout: 15_000 }).toContain('kim 제안, lee 승인');
    // In effect on the sale: the gate's admission rate is the new one (the form shows the settings in effect).
    await expect.poll(() => page.getByTestId('steer-rate').inputValue(), { timeout: 15_000 }).toBe('1200');
    await expect.poll(() => page.getByTestId('tile-last-change').innerText()).toContain('분당 1200명');
    await expect.poll(() => page.getByTestId('proposals').count()).toBe(0);
    await shot(page, 'live-sale-approved');
    // The same screen in English.
    await page.getByRole('combobox', { name: '언어' }).selectOption('en');
    await expect.poll(() => page.getByTestId('tile-last-change-by').innerText(), { timeout: 10_000 }).toContain('proposed by kim, approved by lee');
    await shot(page, 'live-sale-approved-en');
    await page.getByRole('combobox', { name: 'Language' }).selectOption('ko');
  });

  it("after a sync the console's ledger holds every purchase", async () => {
    await syncNow(page);
    const db = new Database(join(host.dataDir, DATABASE_FILE), { readonly: true });
    try {
      const rows = db.prepare('select buyer_id, face from lots where round_id = ? order by buyer_id').all(ROUND) as { buyer_id: string; face: number }[];
      expect(rows).toEqual(BUYERS.map((b) => ({ buyer_id: b, face: 10_000 })));
    } finally {
      db.close();
    }
    expect(errors).toEqual([]);
  });
});
