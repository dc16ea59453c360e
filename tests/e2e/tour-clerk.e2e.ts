import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryDb } from '../support/postgres.js';
import { check, demoPage, go, setLang, startDemoConsole, type DemoConsole } from './demo-tour.js';
import { syncNow } from './support.js';

/**
 * A Mapo clerk's day on the demo data, at 1280×720, without leaving the UI: lands on the counter, finds the
 * sample citizen by mobile number and by name + birth date (masked), files a partial refund to an account typed
 * twice, cancels an unused lot, a second clerk approves both with the working shown, the day is closed with its
 * confirm, and after a sync the refund is in the console's ledger and on the server. Korean throughout; the
 * finder and the closing confirm in English too. Screenshots: test-results/screenshots/tour-clerk-*.png.
 */
let demo: DemoConsole;
const errors: string[] = [];
let clerk: Page;
let clerk2: Page;
/** An unused Mapo lot of the first demo round, to cancel. */
let unused: { lot_id: string; paid: string };
const fmt = new Intl.NumberFormat('ko-KR');
const won = (n: number | string) => `₩${fmt.format(Number(n))}`;

beforeAll(async () => {
  demo = await startDemoConsole(errors);
  const lots = await queryDb<{ lot_id: string; paid: string }>(
    demo.dbUrl,
    "select lot_id, paid from lots where round_id = 'demo-2022-07-14' and district_code = '11440' and status = 'active' and used = 0 and lot_id <> $1 order by lot_id limit 1",
    [demo.sample.lotId],
  );
  unused = lots[0]!;
  // Every refund from here on needs a second clerk (the demo's own amount is ₩300,000), set by the administrator.
  await go(demo.admin, 'refunds');
  await go(demo.admin, '#/refunds/queue');
  await demo.admin.locator('input[name="threshold"]').fill('10,000');
  await demo.admin.locator('form.threshold button[type="submit"]').click();
  await demo.admin.getByText('기준 금액을 저장했습니다').first().waitFor();
  clerk = await demoPage(demo, 'demo-clerk', errors);
  clerk2 = await demoPage(demo, 'demo-clerk2', errors);
}, 300_000);

afterAll(async () => {
  await demo?.stop();
});

const shot = (page: Page, name: string) => check(page, name, 'tour-clerk');

/** The masked sample buyer in the finder's list, and the working of the lot shown at once. */
async function expectSampleFound(): Promise<void> {
  const { name, phone, birthDate, lotId } = demo.sample;
  const list = clerk.getByTestId('finder-buyers');
  await list.waitFor();
  const text = await list.innerText();
  const letters = [...name];
  expect(text).toContain(`${letters[0]}${'*'.repeat(letters.length - 2)}${letters.at(-1)}`);
  expect(text).toContain(`010-****-${phone.slice(-4)}`);
  expect(text).toContain(`${birthDate.slice(0, 4)}-**-**`);
  const body = await clerk.locator('body').innerText();
  for (const secret of [name, phone, phone.slice(4, 8), birthDate]) expect(body).not.toContain(secret);
  await clerk.locator(`[data-lot="${lotId}"]`).waitFor();
  await clerk.getByTestId('working-payout').waitFor();
}

describe('a Mapo clerk’s day on the demo data, at 1280×720', { timeout: 120_000 }, () => {
  it('lands on the counter, finds the citizen by mobile number and by name + birth date, masked', async () => {
    // The clerk's home is the counter, scoped to Mapo.
    await clerk.getByTestId('counter-scope').getByText('마포구 구매 건만 찾습니다').waitFor();
    await shot(clerk, 'ko-counter');
    const finder = clerk.getByTestId('buyer-finder');
    await finder.locator('input[name="phone"]').fill(demo.sample.phone);
    await finder.locator('input[name="reason"]').fill('환불 상담');
    await finder.getByRole('button', { name: '구매자 찾기' }).click();
    await expectSampleFound();
    await shot(clerk, 'ko-found-phone');

    await finder.getByLabel('이름과 생년월일로').check();
    await finder.locator('input[name="name"]').fill(demo.sample.name);
    await finder.locator('input[name="birthDate"]').fill(demo.sample.birthDate);
    await finder.locator('input[name="reason"]').fill('구매 내역 확인');
    await finder.getByRole('button', { name: '구매자 찾기' }).click();
    await expectSampleFound();
    await shot(clerk, 'ko-found-name');

    // In English the finder's words differ; the masked values and the working are the same.
    await setLang(clerk, 'en');
    await finder.getByLabel('By name and birth date').check();
    await finder.locator('input[name="name"]').fill(demo.sample.name);
    await finder.locator('input[name="birthDate"]').fill(demo.sample.birthDate);
    await finder.locator('input[name="reason"]').fill('refund desk');
    await finder.getByRole('button', { name: 'Find a buyer' }).click();
    await expectSampleFound();
    await shot(clerk, 'en-found-name');
    await setLang(clerk, 'ko');

    const log = await queryDb<{ username: string; action: string }>(demo.dbUrl, "select username, action from directory_access_log where username = 'demo-clerk' order by id", []);
    expect(log.map((l) => l.action)).toEqual(['search_phone', 'search_name_birth', 'search_name_birth']);
  });

  it('files a partial refund to a bank from the list, the account number typed twice', async () => {
    const finder = clerk.getByTestId('buyer-finder');
    await finder.getByLabel('휴대전화 번호로').check();
    await finder.locator('input[name="phone"]').fill(demo.sample.phone);
    await finder.locator('input[name="reason"]').fill('환불 접수');
    await finder.getByRole('button', { name: '구매자 찾기' }).click();
    await clerk.locator(`[data-lot="${demo.sample.lotId}"]`).click();
    await clerk.getByTestId('working-payout').getByText('부분 사용 환불', { exact: false }).waitFor();
    await clerk.getByTestId('working-confirm').click();
    const dialog = clerk.getByTestId('refund-dialog');
    await dialog.locator('select[name="reasonCode"]').selectOption('buyer_request');
    await dialog.locator('select[name="bank"]').selectOption('088');
    // Typed twice, the same (a mismatch refused is counter.e2e's).
    await dialog.locator('input[name="accountNumber"]').fill('110-123-456789');
    await dialog.locator('input[name="accountNumberAgain"]').fill('110-123-456789');
    await expect(dialog.getByTestId('account-mismatch').count()).resolves.toBe(0);
    await shot(clerk, 'ko-refund-dialog');
    await dialog.getByRole('button', { name: '접수', exact: true }).click();
    await clerk.getByTestId('working-open').getByText('2인 승인 대기', { exact: false }).waitFor();
  });

  it('cancels an unused lot found by its number', async () => {
    await clerk.getByRole('link', { name: '창구', exact: true }).click();
    await clerk.getByLabel('구매 건 번호 (일부)').fill(unused.lot_id);
    await clerk.getByRole('button', { name: '찾기', exact: true }).click();
    await clerk.locator(`[data-lot="${unused.lot_id}"]`).click();
    const payout = clerk.getByTestId('working-payout');
    await payout.getByText(won(unused.paid)).waitFor();
    await expect(payout.innerText()).resolves.toContain('전액 취소');
    await clerk.getByTestId('working-confirm').click();
    const dialog = clerk.getByTestId('refund-dialog');
    await dialog.locator('select[name="reasonCode"]').selectOption({ label: '구매자 요청' });
    await dialog.getByRole('button', { name: '접수', exact: true }).click();
    await clerk.getByTestId('working-open').getByText('2인 승인 대기', { exact: false }).waitFor();
    await shot(clerk, 'ko-cancel-filed');
  });

  it('a second clerk approves both requests, each with the working shown; not offered 철회', async () => {
    await go(clerk2, 'refunds');
    await go(clerk2, '#/refunds/queue');
    for (const lotId of [demo.sample.lotId, unused.lot_id]) {
      const row = clerk2.locator('[data-testid="queue"] tr', { hasText: lotId });
      await row.getByText('2인 승인 대기').waitFor();
      await expect(row.getByRole('button', { name: '철회' }).count()).resolves.toBe(0);
      await row.getByRole('button', { name: '2인 승인' }).click();
      const review = clerk2.getByTestId('countersign-review');
      await review.getByTestId('working-payout').waitFor();
      await expect(review.innerText()).resolves.toContain('데모 마포구 창구 담당자가 접수한 요청입니다');
      if (lotId === demo.sample.lotId) await shot(clerk2, 'ko-countersign');
      await review.getByRole('button', { name: '2인 승인' }).click();
      await review.getByTestId('working-open').getByText('전송 대기', { exact: false }).waitFor();
      await review.getByRole('button', { name: '닫기' }).click();
      await row.getByText('전송 대기').waitFor();
    }
  });

  it('syncs, closes the day with its confirm, and finds the refund in the ledger', async () => {
    await syncNow(clerk);
    const status = async (lotId: string) => (await queryDb<{ status: string }>(demo.dbUrl, 'select status from lots where lot_id = $1', [lotId]))[0]!.status;
    expect([await status(demo.sample.lotId), await status(unused.lot_id)]).toEqual(['refunded', 'cancelled']);

    await go(clerk, 'refunds');
    await clerk.getByRole('link', { name: '일일 마감', exact: true }).click();
    await clerk.getByTestId('closing-nodiff').waitFor();
    await shot(clerk, 'ko-closing');
    await clerk.getByRole('button', { name: '마감하기' }).click();
    const confirm = clerk.getByRole('dialog');
    await expect(confirm.innerText()).resolves.toContain('마포구');
    await expect(confirm.innerText()).resolves.toContain(`전액 취소 1건 ${won(unused.paid)}`);
    await shot(clerk, 'ko-close-confirm');
    await confirm.getByRole('button', { name: '마감하기' }).click();
    await clerk.getByTestId('closing-state').getByText('데모 마포구 창구 님이', { exact: false }).waitFor();
    await clerk.getByRole('link', { name: '창구', exact: true }).click();
    await clerk.getByTestId('counter-day-closed').getByText('창구는 마감되었습니다', { exact: false }).waitFor();
    await shot(clerk, 'ko-day-closed');
    await syncNow(clerk);
    const [closing] = await queryDb<{ closed: boolean }>(demo.dbUrl, "select closed from day_closings where district_code = '11440' and day = to_char(now() at time zone 'Asia/Seoul', 'YYYY-MM-DD')", []);
    expect(closing?.closed).toBe(true);

    // The refund as the ledger shows it after the sync: the lot refunded, its refund event listed.
    await go(clerk, 'ledger');
    await clerk.locator('select[name="round"]').selectOption('demo-2022-07-14');
    await clerk.locator('input[name="lotId"]').fill(demo.sample.lotId);
    await clerk.locator('[data-testid="ledger-grid"] .ag-row').first().click();
    const panel = clerk.getByTestId('lot-panel');
    await panel.getByTestId('lot-status').getByText('환불됨').waitFor();
    await panel.locator('.events li', { hasText: '환불' }).waitFor();
    await shot(clerk, 'ko-ledger-refund');
    expect(errors).toEqual([]);
  });
});
