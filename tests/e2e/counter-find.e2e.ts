import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { demoIdentity } from '../../server/directory/korean-names.js';
import { callOk } from '../support/http-client.js';
import { createDatabase, queryDb } from '../support/postgres.js';
import { openSaleRound, startServerProcess, type ServerProcess } from '../support/server-process.js';
import { spec2022 } from '../support/specs.js';
import { connectToServer, createAdmin } from './flows.js';
import { addUser, launchBrowser, openPage, shot, signInAs, startHost, syncNow, type RunningHost } from './support.js';

/**
 * Finding the citizen, in Chromium against `npm run server` and `npm run web`:
 * a Mapo clerk finds a buyer by mobile number and by name + birth date, sees
 * only masked values and the working of their lot; the server logged both lookups.
 */
let server: ServerProcess;
let dbUrl: string;
let host: RunningHost;
let browser: Browser;
let page: Page;
const errors: string[] = [];
const ROUND = 'round-find-e2e';
const SEED = 31;
let buyer: { buyerId: string; lotId: string; name: string; phone: string; birthDate: string };

beforeAll(async () => {
  dbUrl = await createDatabase(inject('pgUrl'));
  server = await startServerProcess(dbUrl);
  const api = (path: string, body: unknown, token = '') => callOk(server.url, 'POST', path, body, token);
  const root = (await api('/api/auth/sign-in', { username: 'root', password: 'root-password-1' })).token;
  await api('/api/users', { username: 'admin', displayName: '김관리', password: 'admin-password-1', role: 'admin', districtCode: null }, root);
  await api('/api/users', { username: 'mapo', displayName: '마포담당', password: 'mapo-password-1', role: 'clerk', districtCode: '11440' }, root);
  await openSaleRound(server.url, root, ROUND, spec2022({ name: '2022 서울사랑상품권 재현' }));
  await api('/api/feed/sale', { roundId: ROUND, purchases: 500, seed: SEED, usesShare: 0.3 }, root);
  const [lot] = await queryDb<{ buyer_id: string; lot_id: string }>(dbUrl, "select buyer_id, lot_id from lots where district_code = '11440' order by lot_id limit 1", []);
  buyer = { buyerId: lot!.buyer_id, lotId: lot!.lot_id, ...demoIdentity(SEED, Number(lot!.buyer_id.split('-').at(-1))) };
  host = await startHost();
  browser = await launchBrowser();
  page = await openPage(browser, host.url, errors);
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await host?.stop();
  await server?.stop();
});

async function expectMaskedBuyer(): Promise<void> {
  const row = page.locator(`[data-testid="finder-buyers"] [data-buyer="${buyer.buyerId}"]`);
  await row.waitFor().catch(async (e: unknown) => {
    throw new Error(`${String(e)}\npage: ${await page.locator('main').innerText()}`);
  });
  const text = () => row.innerText();
  const letters = [...buyer.name];
  await expect.poll(text).toContain(`${letters[0]}${'*'.repeat(letters.length - 2)}${letters.at(-1)}`);
  await expect.poll(text).toContain(`010-****-${buyer.phone.slice(7)}`);
  await expect.poll(text).toContain(`${buyer.birthDate.slice(0, 4)}-**-**`);
  // Only masked values reach the page.
  const body = await page.locator('body').innerText();
  for (const secret of [buyer.name, buyer.phone.slice(3, 7), buyer.birthDate]) expect(body).not.toContain(secret);
  // One buyer, one lot: its working is shown at once.
  await page.locator(`[data-lot="${buyer.lotId}"]`).waitFor();
  await page.getByTestId('working-payout').waitFor();
}

describe('the counter finds a citizen by mobile number and by name + birth date', () => {
  it('sets up: the administrator connects, adds the Mapo clerk and syncs', async () => {
    await createAdmin(page);
    await connectToServer(page, server.url);
    await addUser(page, { username: 'mapo', name: '마포담당', role: 'clerk', district: '11440' });
    await syncNow(page);
  });

  it('finds by mobile number, then by name and birth date, masked, with the working; each lookup logged on the server', async () => {
    await page.setViewportSize({ width: 1280, height: 720 });
    await signInAs(page, 'mapo', 'mapo-password-1');
    await page.getByRole('link', { name: '환불·취소', exact: true }).click();
    const finder = page.getByTestId('buyer-finder');
    // A bad number is named before anything is asked.
    await finder.getByLabel('휴대전화', { exact: true }).fill('02-123-4567');
    await finder.getByLabel('조회 사유').fill('환불·취소 상담');
    await finder.getByRole('button', { name: '구매자 찾기' }).click();
    await page.getByTestId('finder-problem').getByText('휴대전화 번호 ‘02-123-4567’ 형식이 아닙니다', { exact: false }).waitFor();

    await finder.getByLabel('휴대전화', { exact: true }).fill(`${buyer.phone.slice(0, 3)}-${buyer.phone.slice(3, 7)}-${buyer.phone.slice(7)}`);
    await finder.getByRole('button', { name: '구매자 찾기' }).click();
    await expectMaskedBuyer();
    await shot(page, 'counter-find-phone-1280');

    await finder.getByLabel('이름과 생년월일로').check();
    await finder.getByLabel('이름', { exact: true }).fill(buyer.name);
    await finder.locator('input[name="birthDate"]').fill(buyer.birthDate);
    await finder.getByLabel('조회 사유').fill('구매 내역 확인');
    await finder.getByRole('button', { name: '구매자 찾기' }).click();
    await expectMaskedBuyer();
    await shot(page, 'counter-find-name-1280');

    const log = await queryDb<{ username: string; action: string; reason: string; buyer_ids: string[] }>(dbUrl, 'select username, action, reason, buyer_ids from directory_access_log order by id', []);
    expect(log.map((l) => [l.username, l.action, l.reason, l.buyer_ids.includes(buyer.buyerId)])).toEqual([
      ['mapo', 'search_phone', '환불·취소 상담', true],
      ['mapo', 'search_name_birth', '구매 내역 확인', true],
    ]);
    expect(errors).toEqual([]);
  });
});
