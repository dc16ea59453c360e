import BetterSqlite3 from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { RoundTotals } from '../../shared/sync/protocol.js';
import { rewriteAuditLog } from '../support/audit-tamper.js';
import { callOk } from '../support/http-client.js';
import { createDatabase, queryDb } from '../support/postgres.js';
import { openSaleRound, startServerProcess, type ServerProcess } from '../support/server-process.js';
import { spec2022 } from '../support/specs.js';
import { createAdmin } from './flows.js';
import { launchBrowser, openPage, shot, startHost, syncNow as syncPage, type RunningHost } from './support.js';

/**
 * The central server as `npm run server` runs it (on the test PostgreSQL),
 * a console through `npm run web`, and Chromium clicking through sync and
 * the ledger.
 */
let server: ServerProcess;
let serverUrl: string;
let dbUrl: string;
let root: string;
let host: RunningHost;
let browser: Browser;
let page: Page;
const errors: string[] = [];
const ROUND = 'round-e2e-2022';
const fmt = new Intl.NumberFormat('ko-KR');

const api = (method: 'GET' | 'POST', path: string, body?: unknown, token = root) => callOk(serverUrl, method, path, body, token);

const query = <T,>(text: string, params: unknown[] = []) => queryDb<T>(dbUrl, text, params);

beforeAll(async () => {
  dbUrl = await createDatabase(inject('pgUrl'));
  server = await startServerProcess(dbUrl);
  serverUrl = server.url;
  root = (await api('POST', '/api/auth/sign-in', { username: 'root', password: 'root-password-1' }, '')).token;
  // The console's administrator has the same account on the server: what they request goes out in their name.
  await api('POST', '/api/users', { username: 'admin', displayName: '김관리', password: 'admin-password-1', role: 'admin', districtCode: null });
  await openSaleRound(serverUrl, root, ROUND, spec2022({ name: '2022 서울사랑상품권 재현' }));
  await api('POST', '/api/feed/sale', { roundId: ROUND, purchases: 3_000, seed: 5, usesShare: 0.4 });

  host = await startHost();
  browser = await launchBrowser();
  page = await openPage(browser, host.url, errors);
});

afterAll(async () => {
  await browser?.close();
  await host?.stop();
  await server?.stop();
});

const syncNow = () => syncPage(page);

describe('sync and the ledger, end to end in Chromium', () => {
  it('connects to the server, syncs, and shows totals that match the server', async () => {
    await createAdmin(page);
    // Offline until connected: the status bar says so.
    await expect.poll(() => page.getByTestId('sync-status-bar').innerText()).toContain('서버 연결 안 됨');
    await page.getByRole('link', { name: '동기화', exact: true }).click();
    await page.getByLabel('서버 주소').fill(serverUrl);
    await page.getByLabel('서버 아이디').fill('admin');
    await page.getByLabel('서버 비밀번호').fill('wrong-password');
    await page.getByRole('button', { name: '연결', exact: true }).click();
    await page.getByText('서버 아이디 또는 비밀번호가 올바르지 않습니다').waitFor();
    await page.getByLabel('서버 비밀번호').fill('admin-password-1');
    await page.getByRole('button', { name: '연결', exact: true }).click();
    await page.getByTestId('sync-connected').waitFor();

    const head = await api('GET', '/api/head');
    await page.getByRole('button', { name: '지금 동기화' }).click();
    await page.getByText('동기화를 마쳤습니다').first().waitFor();
    await expect.poll(() => page.getByTestId('sync-local-seq').innerText()).toBe(fmt.format(head.seq));
    await expect.poll(() => page.getByTestId('sync-chain').innerText()).toBe('서버와 일치');
    await expect.poll(() => page.getByTestId('status-last-sync').innerText()).not.toContain('아직 없음');
    await shot(page, 'sync-page');

    await page.getByRole('link', { name: '원장', exact: true }).click();
    const verdict = page.getByTestId('totals-verdict');
    await verdict.getByText('서버와 일치합니다').waitFor();
    const server: RoundTotals = await api('GET', `/api/rounds/${ROUND}/totals`);
    await expect.poll(() => page.getByTestId('local-purchases').innerText()).toBe(fmt.format(server.purchases));
    await expect.poll(() => page.getByTestId('server-purchases').innerText()).toBe(fmt.format(server.purchases));
    await expect.poll(() => page.getByTestId('local-faceSold').innerText()).toBe(`₩${fmt.format(server.faceSold)}`);
    await expect.poll(() => page.getByTestId('local-used').innerText()).toBe(`₩${fmt.format(server.used)}`);
    // Every event of the round is in the grid's count; the grid itself holds only the blocks on screen.
    // The log also holds the round's publication and its two status changes (scheduled, on sale).
    await page.getByTestId('ledger-count').getByText(`${fmt.format(head.seq - 3)}건`).waitFor();
    await page.locator('[data-testid="ledger-grid"] .ag-row[row-index="0"] [col-id="seq"]').getByText(fmt.format(head.seq)).waitFor();
    await shot(page, 'ledger-page');
  });

  it('filters the ledger by payment method and type as the server counts them', async () => {
    const [count] = await query<{ n: string }>(
      "select count(*) as n from events e join lots l on l.lot_id = e.lot_id where e.round_id = $1 and l.payment_method = 'bank_transfer' and e.type = 'purchase'",
      [ROUND],
    );
    await page.getByLabel('결제 수단').selectOption('bank_transfer');
    await page.getByLabel('종류').selectOption('purchase');
    await page.getByTestId('ledger-count').getByText(`${fmt.format(Number(count!.n))}건`).waitFor();
    // The count and the grid's rows are drawn from one answer, but the grid draws its rows a frame later.
    const types = () => page.locator('[data-testid="ledger-grid"] .ag-row [col-id="type"]').allInnerTexts();
    await expect.poll(async () => [...new Set(await types())]).toEqual(['구매']);
    expect((await types()).length).toBeGreaterThan(5);
    await page.getByLabel('결제 수단').selectOption('');
    await page.getByLabel('종류').selectOption('');
  });

  it('requests a cancellation, sends it through the outbox and sees it on the ledger', async () => {
    const [lot] = await query<{ lot_id: string; paid: string }>("select lot_id, paid from lots where round_id = $1 and used = 0 and status = 'active' order by lot_id limit 1", [ROUND]);
    await page.getByLabel('구매 건 번호').fill(lot!.lot_id);
    await page.getByTestId('ledger-count').getByText('1건').waitFor();
    await page.locator('[data-testid="ledger-grid"] .ag-row[row-index="0"]').click();
    const panel = page.getByTestId('lot-panel');
    await panel.getByText(`취소 금액: ₩${fmt.format(Number(lot!.paid))}`, { exact: false }).waitFor();
    // The panel hands the lot to the refund counter, which takes the request with its reason.
    await panel.getByRole('link', { name: '취소 요청' }).click();
    await page.getByTestId('working-payout').getByText(`₩${fmt.format(Number(lot!.paid))}`).waitFor();
    await page.getByTestId('working-confirm').click();
    await page.getByTestId('refund-dialog').locator('select[name="reasonCode"]').selectOption('buyer_request');
    await page.getByTestId('refund-dialog').getByRole('button', { name: '접수', exact: true }).click();
    await page.getByTestId('working-open').waitFor();
    await page.getByTestId('status-pending').getByText('보낼 명령 1건').waitFor();

    await syncNow();
    await page.locator('[data-testid="outbox-grid"] .ag-row [col-id="state"]').getByText('승인됨').waitFor();
    const [onServer] = await query<{ status: string }>('select status from lots where lot_id = $1', [lot!.lot_id]);
    expect(onServer!.status).toBe('cancelled');
    // Recorded on the server in the name of the console user who asked.
    const [ev] = await query<{ recorded_by: string; payload: string }>("select recorded_by, payload from events where lot_id = $1 and type = 'cancel'", [lot!.lot_id]);
    expect(ev!.recorded_by).toBe('admin');
    expect(JSON.parse(ev!.payload)).toMatchObject({ by: 'admin' });

    await page.getByRole('link', { name: '원장', exact: true }).click();
    await page.getByTestId('totals-verdict').getByText('서버와 일치합니다').waitFor();
    await page.getByLabel('구매 건 번호').fill(lot!.lot_id);
    await page.getByTestId('ledger-count').getByText('2건').waitFor();
    await page.locator('[data-testid="ledger-grid"] .ag-row[row-index="0"]').click();
    await expect.poll(() => page.getByTestId('lot-status').innerText()).toBe('취소됨');
    await shot(page, 'ledger-lot-cancelled');
    expect(errors).toEqual([]);
  });

  it('shows an audit log rewritten behind the console’s back on every page after the next sync, and in the audit tab', async () => {
    // The syncs above anchored the audit head on the server; now the file is edited and its chain recomputed.
    const file = new BetterSqlite3(join(host.dataDir, 'console.sqlite'));
    try {
      rewriteAuditLog(file, "update audit_log set actor_name = '누군가' where seq = 1");
    } finally {
      file.close();
    }
    await syncNow();
    const banner = page.getByTestId('audit-banner');
    await expect.poll(() => banner.innerText()).toContain('감사 로그가 서버에 기록된 기준점과 다릅니다');
    await page.getByRole('link', { name: '원장', exact: true }).click();
    await banner.waitFor();
    await shot(page, 'audit-banner');
    await banner.getByRole('link', { name: '감사 로그' }).click();
    const result = page.getByTestId('verify-result');
    await expect.poll(() => result.getAttribute('data-verdict')).toBe('tampered');
    await expect.poll(() => result.innerText()).toContain('고쳐 쓰였습니다');
    await shot(page, 'audit-tab-tampered');
    expect(errors).toEqual([]);
  });
});
