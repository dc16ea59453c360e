import type { Browser, Download, Page } from 'playwright-core';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { pdfText } from '../support/pdf-text.js';
import { callOk } from '../support/http-client.js';
import { createDatabase, queryDb } from '../support/postgres.js';
import { openSaleRound, startServerProcess, type ServerProcess } from '../support/server-process.js';
import { spec2022 } from '../support/specs.js';
import { createAdmin } from './flows.js';
import { addUser, launchBrowser, openPage, shot, signInAs, startHost, syncNow as syncPage, type RunningHost } from './support.js';

/**
 * The refund counter as a Mapo district clerk uses it, against `npm run server`
 * and `npm run web`: find the buyer, read the working, confirm with a reason,
 * print the receipt, sync, see it accepted; a large refund waits for a second
 * clerk; a request withdrawn before sending never reaches the server.
 */
let server: ServerProcess;
let serverUrl: string;
let dbUrl: string;
let root: string;
let host: RunningHost;
let browser: Browser;
let page: Page;
const errors: string[] = [];
const ROUND = 'round-counter-e2e';
const fmt = new Intl.NumberFormat('ko-KR');
const won = (n: number | string) => `₩${fmt.format(Number(n))}`;
type LotRow = { lot_id: string; buyer_id: string; paid: string; district_code: string };
let small: LotRow;
let big: LotRow;
let third: LotRow;
let gangnam: LotRow;

const api = (method: 'GET' | 'POST', path: string, body?: unknown, token = root) => callOk(serverUrl, method, path, body, token);

const query = <T,>(text: string, params: unknown[] = []) => queryDb<T>(dbUrl, text, params);

beforeAll(async () => {
  dbUrl = await createDatabase(inject('pgUrl'));
  server = await startServerProcess(dbUrl);
  serverUrl = server.url;
  root = (await api('POST', '/api/auth/sign-in', { username: 'root', password: 'root-password-1' }, '')).token;
  await api('POST', '/api/users', { username: 'admin', displayName: '김관리', password: 'admin-password-1', role: 'admin', districtCode: null });
  await api('POST', '/api/users', { username: 'mapo', displayName: '마포담당', password: 'mapo-password-1', role: 'clerk', districtCode: '11440' });
  await api('POST', '/api/users', { username: 'mapo2', displayName: '마포둘째', password: 'mapo2-password-1', role: 'clerk', districtCode: '11440' });
  await openSaleRound(serverUrl, root, ROUND, spec2022({ name: '2022 서울사랑상품권 재현' }));
  await api('POST', '/api/feed/sale', { roundId: ROUND, purchases: 2_000, seed: 9, usesShare: 0.4 });
  const unused = await query<LotRow>("select lot_id, buyer_id, paid, district_code from lots where round_id = $1 and used = 0 and status = 'active' and district_code = '11440' order by paid, lot_id", [ROUND]);
  small = unused[0]!;
  third = unused[1]!;
  big = unused.at(-1)!;
  expect(Number(big.paid)).toBeGreaterThan(Number(third.paid));
  gangnam = (await query<LotRow>("select lot_id, buyer_id, paid, district_code from lots where round_id = $1 and district_code = '11680' limit 1", [ROUND]))[0]!;

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

async function findBuyer(buyerId: string): Promise<void> {
  await page.getByRole('link', { name: '환불·취소', exact: true }).click();
  await page.getByRole('link', { name: '창구', exact: true }).click();
  await page.getByLabel('구매자 번호').fill(buyerId);
  await page.getByLabel('구매 건 번호 (일부)').fill('');
  await page.getByRole('button', { name: '찾기', exact: true }).click();
}

async function takeRequest(reason: string, text: string): Promise<void> {
  await page.getByTestId('working-confirm').click();
  const dialog = page.getByTestId('refund-dialog');
  await dialog.locator('select[name="reasonCode"]').selectOption({ label: reason });
  await dialog.getByLabel('사유 내용').fill(text);
  await dialog.getByRole('button', { name: '접수', exact: true }).click();
  await page.getByTestId('working-open').waitFor();
}

/** The queue's headers and status badges that take more than one line: the tops of their text's line boxes. */
async function wrappedInQueue(): Promise<string[]> {
  return page.locator('[data-testid="queue"] th, [data-testid="queue-status"]').evaluateAll((els) =>
    els.flatMap((e) => {
      const range = e.ownerDocument.createRange();
      range.selectNodeContents(e);
      const lines = new Set([...range.getClientRects()].map((r) => Math.round(r.top))).size;
      return lines > 1 ? [`${e.textContent!.trim()} (${lines} lines)`] : [];
    }),
  );
}

/** Whether the queue's table fits its box: one line each must not push it sideways instead. */
const queueFits = () => page.locator('.desk-scroll:has([data-testid="queue"])').evaluate((e) => e.scrollWidth <= e.clientWidth);

async function download(trigger: () => Promise<void>): Promise<Uint8Array> {
  const [file] = await Promise.all([page.waitForEvent('download'), trigger()]);
  return new Uint8Array(readFileSync((await (file as Download).path())!));
}

async function serverLot(lotId: string): Promise<{ status: string }> {
  return (await query<{ status: string }>('select status from lots where lot_id = $1', [lotId]))[0]!;
}

describe('the refund counter, end to end in Chromium as a Mapo clerk', () => {
  it('sets up: the administrator connects, syncs, adds two Mapo clerks and sets the two-person amount', async () => {
    await createAdmin(page);
    await page.getByRole('link', { name: '동기화', exact: true }).click();
    await page.getByLabel('서버 주소').fill(serverUrl);
    await page.getByLabel('서버 아이디').fill('admin');
    await page.getByLabel('서버 비밀번호').fill('admin-password-1');
    await page.getByRole('button', { name: '연결', exact: true }).click();
    await page.getByTestId('sync-connected').waitFor();
    await addUser(page, { username: 'mapo', name: '마포담당', role: 'clerk', district: '11440' });
    await addUser(page, { username: 'mapo2', name: '마포둘째', role: 'clerk', district: '11440' });
    await page.getByRole('link', { name: '환불·취소', exact: true }).click();
    await page.getByRole('link', { name: '접수 목록', exact: true }).click();
    await page.getByLabel('2인 승인 기준 금액').fill(fmt.format(Number(third.paid)));
    await page.getByRole('button', { name: '저장', exact: true }).click();
    await page.getByText('기준 금액을 저장했습니다').first().waitFor();
    await syncNow();
    const [setting] = await query<{ countersign_above: string }>('select countersign_above from refund_settings');
    expect(Number(setting!.countersign_above)).toBe(Number(third.paid));
  });

  it('refuses bad input with a clear message and writes nothing; another district’s lot is not found', async () => {
    await signInAs(page, 'mapo', 'mapo-password-1');
    await expect.poll(() => page.getByTestId('current-user').locator('..').innerText()).toContain('마포구');
    // A clerk's home is the counter: the console's start address opens it, not 발행 회차.
    await page.evaluate('window.location.hash = "#/"');
    await page.getByTestId('counter-scope').getByText('마포구 구매 건만 찾습니다').waitFor();
    await page.getByLabel('구매자 번호').fill('member-does-not-exist');
    await page.getByRole('button', { name: '찾기', exact: true }).click();
    await page.getByTestId('counter-problem').getByText('이 자치구에는 구매자 번호 member-does-not-exist의 구매 건이 없습니다').waitFor();
    await page.getByLabel('구매자 번호').fill('');
    await page.getByLabel('구매 건 번호 (일부)').fill("l'");
    await page.getByRole('button', { name: '찾기', exact: true }).click();
    await page.getByTestId('counter-problem').getByText('구매 건 번호는 영문, 숫자, 밑줄, 하이픈으로 3자 이상 입력하세요').waitFor();
    // Part of a lot number matches other lots too (lot-…-12 in lot-…-120); Gangnam's own is never among them.
    await page.getByLabel('구매 건 번호 (일부)').fill(gangnam.lot_id);
    await page.getByRole('button', { name: '찾기', exact: true }).click();
    await page.locator('[data-testid="counter-count"], [data-testid="counter-nomatch"]').first().waitFor();
    await expect.poll(() => page.locator(`[data-lot="${gangnam.lot_id}"]`).count()).toBe(0);
    await page.getByLabel('구매자 번호').fill(gangnam.buyer_id);
    await page.getByLabel('구매 건 번호 (일부)').fill('');
    await page.getByRole('button', { name: '찾기', exact: true }).click();
    await page.getByTestId('counter-problem').getByText(`구매자 번호 ${gangnam.buyer_id}의 구매 건이 없습니다`, { exact: false }).waitFor();

    // An empty reason: the dialog says so and nothing is queued.
    await findBuyer(small.buyer_id);
    await page.getByTestId('working-payout').waitFor();
    await page.getByTestId('working-confirm').click();
    await page.getByTestId('refund-dialog').getByRole('button', { name: '접수', exact: true }).click();
    await page.getByTestId('dialog-problem').getByText('환불·취소 사유를 고르세요').waitFor();
    await page.getByTestId('refund-dialog').getByRole('button', { name: '취소', exact: true }).click();
    await expect.poll(() => page.getByTestId('status-pending').count()).toBe(0);
  });

  it('finds the buyer, shows the working, takes the cancellation with a reason, prints the receipt, syncs and shows it accepted', async () => {
    await page.setViewportSize({ width: 1280, height: 720 });
    await findBuyer(small.buyer_id);
    await page.locator(`[data-lot="${small.lot_id}"]`).waitFor();
    const payout = page.getByTestId('working-payout');
    await payout.getByText(won(small.paid)).waitFor();
    await expect.poll(() => payout.innerText()).toContain('전액 취소');
    // At 1280×720 the working and its confirm button are on screen without scrolling.
    for (const id of ['working-payout', 'working-confirm']) {
      const box = (await page.getByTestId(id).boundingBox())!;
      expect(box.y + box.height).toBeLessThanOrEqual(720);
      expect(box.x + box.width).toBeLessThanOrEqual(1280);
    }
    await shot(page, 'counter-working-1280');
    await page.getByTestId('working-confirm').click();
    await page.getByTestId('refund-dialog').getByTestId('dialog-payout').getByText(won(small.paid)).waitFor();
    await shot(page, 'counter-dialog-1280');
    await page.getByTestId('refund-dialog').getByRole('button', { name: '취소', exact: true }).click();
    await takeRequest('전출·이사', '부산으로 이사');
    // The panel can draw before its receipt line does: wait for the number, then read it.
    await expect.poll(() => page.getByTestId('working-open').innerText()).toMatch(/가-11440-[0-9A-F]{4}-\d{6}/);
    const open = await page.getByTestId('working-open').innerText();
    // Until the server answers, the counter's provisional number (가번호), with no date of this computer's making.
    const receiptNo = /가-11440-[0-9A-F]{4}-\d{6}/.exec(open)![0];
    const pdf = await pdfText(await download(() => page.getByRole('button', { name: '접수증 (A4)' }).click()));
    for (const s of ['환불·취소 접수증', `가번호 ${receiptNo}`, small.lot_id, '마포구', '전액 취소', won(small.paid), '전출·이사', '부산으로 이사', '마포담당', '전송 대기']) expect(pdf.text).toContain(s);
    const roll = await pdfText(await download(() => page.getByRole('button', { name: '접수증 (80mm)' }).click()));
    expect(roll.text).toContain(receiptNo);

    await syncNow();
    expect((await serverLot(small.lot_id)).status).toBe('cancelled');
    const [ev] = await query<{ payload: string }>("select payload from events where lot_id = $1 and type = 'cancel'", [small.lot_id]);
    const serverNo = (JSON.parse(ev!.payload) as { receiptNo: string }).receiptNo;
    expect(JSON.parse(ev!.payload)).toMatchObject({ by: 'mapo', amount: Number(small.paid) });
    // The server's number, dated by the server's Seoul day, replaces the provisional one.
    expect(serverNo).toMatch(/^11440-\d{8}-\d{6}$/);
    await page.getByRole('link', { name: '환불·취소', exact: true }).click();
    await page.getByRole('link', { name: '접수 목록', exact: true }).click();
    const row = page.locator(`[data-provisional="${receiptNo}"]`);
    await row.getByTestId('queue-status').getByText('서버 승인').waitFor();
    await expect.poll(() => row.getAttribute('data-receipt')).toBe(serverNo);
    await expect.poll(() => row.getByTestId('receipt-provisional').count()).toBe(0);
    const answer = await pdfText(await download(() => row.getByRole('button', { name: '결과 접수증 (A4)' }).click()));
    expect(answer.text).toContain(`접수 번호 ${serverNo}`);
    expect(answer.text).toContain(receiptNo);
    expect(answer.text).toContain('환불·취소 처리 결과');
    expect(answer.text).toContain('서버 승인');
    await shot(page, 'counter-queue-1280');
    await page.setViewportSize({ width: 1440, height: 900 });
  });

  it('holds a request above the two-person amount until a second clerk approves it', async () => {
    await findBuyer(big.buyer_id);
    await page.getByTestId('working-payout').getByText(won(big.paid)).waitFor();
    await page.getByText('다른 담당자나 공무원의 승인이 있어야 서버로 보냅니다', { exact: false }).waitFor();
    await takeRequest('구매자 요청', '');
    await page.getByTestId('working-open').getByText('2인 승인 대기', { exact: false }).waitFor();
    await syncNow();
    expect((await serverLot(big.lot_id)).status).toBe('active');

    await signInAs(page, 'mapo2', 'mapo2-password-1');
    await page.getByRole('link', { name: '환불·취소', exact: true }).click();
    await page.getByRole('link', { name: '접수 목록', exact: true }).click();
    const row = page.locator('[data-testid="queue"] tr', { hasText: big.lot_id });
    await row.getByText('2인 승인 대기').waitFor();
    // Only the clerk who took it may withdraw it: a colleague is not offered 철회.
    await expect.poll(() => row.getByRole('button', { name: '철회' }).count()).toBe(0);
    await shot(page, 'counter-queue-awaiting');
    // At 1280×720, in Korean and English, every header and status reads on one line.
    await page.setViewportSize({ width: 1280, height: 720 });
    await shot(page, 'counter-queue-awaiting-1280');
    expect(await wrappedInQueue()).toEqual([]);
    expect(await queueFits()).toBe(true);
    await page.getByLabel('언어').selectOption('en');
    await page.locator('[data-testid="queue"] th', { hasText: 'Status' }).waitFor();
    await shot(page, 'counter-queue-awaiting-en-1280');
    expect(await wrappedInQueue()).toEqual([]);
    expect(await queueFits()).toBe(true);
    await page.getByLabel('Language').selectOption('ko');
    await row.getByText('2인 승인 대기').waitFor();
    await page.setViewportSize({ width: 1440, height: 900 });
    // 2인 승인 from the list first shows the working; the approval is given there.
    await row.getByRole('button', { name: '2인 승인' }).click();
    const review = page.getByTestId('countersign-review');
    await review.getByTestId('working-payout').getByText(won(big.paid)).waitFor();
    await expect.poll(() => review.innerText()).toContain('마포담당 담당자가 접수한 요청입니다');
    await shot(page, 'counter-countersign-review-1440');
    await page.setViewportSize({ width: 1280, height: 720 });
    await shot(page, 'counter-countersign-review-1280');
    await page.setViewportSize({ width: 1440, height: 900 });
    await review.getByRole('button', { name: '2인 승인' }).click();
    await review.getByTestId('working-open').getByText('전송 대기', { exact: false }).waitFor();
    await review.getByRole('button', { name: '닫기' }).click();
    await row.getByText('전송 대기').waitFor();
    // The approval is mapo's command, sealed under mapo's password-derived key: it waits in the outbox until mapo
    // signs in again (a copied data folder must not be able to send it), then goes out with the countersignature.
    await page.getByRole('link', { name: '동기화', exact: true }).click();
    await page.getByRole('button', { name: '지금 동기화' }).click();
    await page.getByText('마포담당 님의 서버 로그인이 없습니다', { exact: false }).first().waitFor();
    expect((await serverLot(big.lot_id)).status).toBe('active');
    await signInAs(page, 'mapo', 'mapo-password-1');
    for (let i = 0; i < 5 && (await serverLot(big.lot_id)).status === 'active'; i++) await syncNow();
    expect((await serverLot(big.lot_id)).status).toBe('cancelled');
    const [ev] = await query<{ payload: string; recorded_by: string }>("select payload, recorded_by from events where lot_id = $1 and type = 'cancel'", [big.lot_id]);
    expect(ev!.recorded_by).toBe('mapo');
    expect(JSON.parse(ev!.payload)).toMatchObject({ by: 'mapo', countersignedBy: 'mapo2' });
  });

  it('withdraws a request before it is sent, and the server never sees it', async () => {
    await findBuyer(third.buyer_id);
    await page.getByTestId('working-payout').getByText(won(third.paid)).waitFor();
    await takeRequest('중복 구매', '같은 날 두 번 구매');
    await page.getByTestId('working-panel').getByRole('button', { name: '철회' }).click();
    await page.getByTestId('working-confirm').waitFor();
    await syncNow();
    expect((await serverLot(third.lot_id)).status).toBe('active');
    await page.getByRole('link', { name: '환불·취소', exact: true }).click();
    await page.getByRole('link', { name: '접수 목록', exact: true }).click();
    await page.locator('[data-testid="queue"] tr', { hasText: third.lot_id }).getByText('철회').first().waitFor();
    expect(errors).toEqual([]);
  });

  it('takes a partial refund only with the bank picked from the list and the account number typed twice the same', async () => {
    const [partly] = await query<LotRow>(
      "select lot_id, buyer_id, paid, district_code from lots where round_id = $1 and district_code = '11440' and status = 'active' and payment_method = 'bank_transfer' and used * 100 >= face * 60 and used < paid order by lot_id limit 1",
      [ROUND],
    );
    await findBuyer(partly!.buyer_id);
    await page.locator(`[data-lot="${partly!.lot_id}"]`).click();
    await page.getByTestId('working-payout').getByText('부분 사용 환불', { exact: false }).waitFor();
    await page.getByTestId('working-confirm').click();
    const dialog = page.getByTestId('refund-dialog');
    await dialog.locator('select[name="reasonCode"]').selectOption('buyer_request');
    const banks = () => dialog.locator('select[name="bank"] option').allInnerTexts();
    await expect.poll(banks).toContain('KB국민은행 (004)');
    await expect.poll(banks).toContain('신한은행 (088)');
    await dialog.locator('select[name="bank"]').selectOption('088');
    await dialog.locator('input[name="accountNumber"]').fill('110-123-456789');
    await dialog.locator('input[name="accountNumberAgain"]').fill('110-123-456780');
    await dialog.locator('input[name="accountNumberAgain"]').blur();
    await dialog.getByTestId('account-mismatch').getByText('두 번 입력한 계좌번호가 다릅니다').waitFor();
    await expect(dialog.getByRole('button', { name: '접수', exact: true }).isDisabled()).resolves.toBe(true);
    await page.setViewportSize({ width: 1280, height: 720 });
    await shot(page, 'counter-account-twice-1280');
    await page.setViewportSize({ width: 1440, height: 900 });
    await shot(page, 'counter-account-twice-1440');
    await dialog.locator('input[name="accountNumberAgain"]').fill('110 123 456789');
    await dialog.getByRole('button', { name: '접수', exact: true }).click();
    await page.getByTestId('working-open').waitFor();
    const [held] = await query<{ n: string }>("select count(*) as n from events where lot_id = $1 and type = 'refund'", [partly!.lot_id]);
    expect(Number(held!.n)).toBe(0);
    // Taken back by the clerk who took it, so the day's closing below counts cancellations only.
    await page.getByTestId('working-panel').getByRole('button', { name: '철회' }).click();
    await page.getByTestId('working-confirm').waitFor();
    // The same dialog in English.
    await page.getByLabel('언어').selectOption('en');
    const [other] = await query<LotRow>(
      "select lot_id, buyer_id, paid, district_code from lots where round_id = $1 and district_code = '11440' and status = 'active' and payment_method = 'bank_transfer' and used * 100 >= face * 60 and used < paid and lot_id <> $2 order by lot_id limit 1",
      [ROUND, partly!.lot_id],
    );
    await page.locator('input[name="buyerId"]').fill(other!.buyer_id);
    await page.getByRole('button', { name: 'Find', exact: true }).click();
    await page.locator(`[data-lot="${other!.lot_id}"]`).click();
    await page.getByTestId('working-confirm').click();
    await dialog.locator('select[name="bank"]').selectOption('004');
    await dialog.locator('input[name="accountNumber"]').fill('123456789012');
    await dialog.locator('input[name="accountNumberAgain"]').fill('123456789013');
    await dialog.locator('input[name="accountNumberAgain"]').blur();
    await dialog.getByTestId('account-mismatch').getByText('The two account numbers differ').waitFor();
    await page.setViewportSize({ width: 1280, height: 720 });
    await shot(page, 'counter-account-twice-en-1280');
    await page.setViewportSize({ width: 1440, height: 900 });
    await dialog.getByRole('button', { name: 'Cancel', exact: true }).click();
    await page.getByLabel('Language').selectOption('ko');
    expect(errors).toEqual([]);
  });

  it('closes the day with the counter matching the server, and the closed day takes no new request', async () => {
    await page.setViewportSize({ width: 1280, height: 720 });
    await page.getByRole('link', { name: '환불·취소', exact: true }).click();
    await page.getByRole('link', { name: '일일 마감', exact: true }).click();
    // What the server accepted in Mapo this Seoul day, straight from its database.
    const [onServer] = await query<{ n: string; sum: string }>(
      `select count(*) as n, coalesce(sum((e.payload::json->>'amount')::bigint), 0) as sum from events e join lots l on l.lot_id = e.lot_id
       where e.type = 'cancel' and l.district_code = '11440' and to_char(e.recorded_at at time zone 'Asia/Seoul', 'YYYY-MM-DD') = to_char(now() at time zone 'Asia/Seoul', 'YYYY-MM-DD')`,
    );
    expect(Number(onServer!.n)).toBe(2);
    const serverRow = page.getByTestId('closing-total-server');
    await serverRow.getByText(won(onServer!.sum)).waitFor();
    const expected = [fmt.format(Number(onServer!.n)), won(onServer!.sum), '0', won(0)];
    await expect.poll(async () => (await serverRow.locator('td').allInnerTexts()).slice(2)).toEqual(expected);
    await expect.poll(async () => (await page.getByTestId('closing-total-counter').locator('td').allInnerTexts()).slice(2)).toEqual(expected);
    await page.getByTestId('closing-nodiff').waitFor();
    await shot(page, 'counter-closing-1280');
    const sheet = await pdfText(await download(() => page.getByRole('button', { name: '마감표 PDF' }).click()));
    expect(sheet.text).toContain(won(onServer!.sum));
    await page.getByRole('button', { name: '마감하기' }).click();
    // Closing is asked first, naming the district and day, what the counter recorded and what closing stops.
    const confirm = page.getByRole('dialog');
    await expect.poll(() => confirm.innerText()).toContain('마포구');
    await expect.poll(() => confirm.innerText()).toContain(`전액 취소 ${fmt.format(Number(onServer!.n))}건 ${won(onServer!.sum)}`);
    await expect.poll(() => confirm.innerText()).toContain('서버도 이날의 환불·취소를 거절합니다');
    await shot(page, 'counter-close-confirm-1280');
    await confirm.getByRole('button', { name: '마감하기' }).click();
    await page.getByTestId('closing-state').getByText('마포담당 님이', { exact: false }).waitFor();
    // No reopening for a clerk, and no new request on the closed day.
    await expect.poll(() => page.getByRole('button', { name: '마감 풀기' }).count()).toBe(0);
    // The counter says so before the clerk types anything, not only at submit.
    await page.getByRole('link', { name: '창구', exact: true }).click();
    await page.getByTestId('counter-day-closed').getByText('창구는 마감되었습니다', { exact: false }).waitFor();
    await expect.poll(() => page.getByLabel('구매자 번호').inputValue()).toBe('');
    await findBuyer(third.buyer_id);
    await page.getByTestId('counter-day-closed').getByText('창구는 마감되었습니다', { exact: false }).waitFor();
    await page.getByTestId('working-payout').waitFor();
    await shot(page, 'counter-day-closed-1280');
    await page.getByTestId('working-confirm').click();
    await page.getByTestId('refund-dialog').locator('select[name="reasonCode"]').selectOption('buyer_request');
    await page.getByTestId('refund-dialog').getByRole('button', { name: '접수', exact: true }).click();
    await page.getByTestId('dialog-problem').getByText('마감된 날입니다', { exact: false }).waitFor();
    await page.getByTestId('refund-dialog').getByRole('button', { name: '취소', exact: true }).click();
    // The closing reaches the server in the clerk's name; from then on the server itself refuses a hand-made cancellation there.
    await syncNow();
    const [closing] = await query<{ closed: boolean; username: string }>(
      "select c.closed, u.username from day_closings c join users u on u.id = c.changed_by where c.district_code = '11440' and c.day = to_char(now() at time zone 'Asia/Seoul', 'YYYY-MM-DD')",
    );
    expect(closing).toEqual({ closed: true, username: 'mapo' });
    const clerk = (await api('POST', '/api/auth/sign-in', { username: 'mapo', password: 'mapo-password-1' }, '')).token;
    const now = new Date().toISOString();
    const raw = { type: 'approve_refund', commandId: randomUUID(), sentAt: now, requestedAt: now, roundId: ROUND, lotId: third.lot_id, kind: 'cancel', amount: Number(third.paid) };
    expect(await api('POST', '/api/commands', raw, clerk)).toMatchObject({ status: 'rejected', reason: { key: 'refunds.dayClosed' } });
    await page.setViewportSize({ width: 1440, height: 900 });
    expect(errors).toEqual([]);
  });

  it('shows an analyst no counter and no refund button, on the ledger either', async () => {
    await signInAs(page, 'admin', 'admin-password-1');
    await addUser(page, { username: 'ana', name: '분석', role: 'analyst', password: 'analyst-password-1' });
    await signInAs(page, 'ana', 'analyst-password-1');
    await expect.poll(() => page.getByRole('link', { name: '환불·취소', exact: true }).count()).toBe(0);
    await page.getByRole('link', { name: '원장', exact: true }).click();
    // The server's read scope on the console too: an analyst gets totals, no lot event and no lot to open.
    await page.getByTestId('ledger-no-lots').waitFor();
    await expect.poll(() => page.getByTestId('ledger-grid').count()).toBe(0);
    await expect.poll(() => page.getByTestId('lot-to-counter').count()).toBe(0);
    await page.goto(`${host.url.split('#')[0]}#/refunds`);
    await page.getByText('찾을 수 없습니다', { exact: false }).first().waitFor();
    await expect.poll(() => page.getByTestId('working-panel').count()).toBe(0);
    expect(errors).toEqual([]);
  });
});
