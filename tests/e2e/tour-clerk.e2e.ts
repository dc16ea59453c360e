import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryDb } from '../support/postgres.js';
import { check, demoPage, go, setLang, startDemoConsole, type DemoConsole } from './demo-tour.js';
import { syncNow } from './support.js';

/**
 * A Mapo clerk's day on the demo data, at 1280×720, without leaving the UI: lands on the counter, finds the
 * sample citizen by mobile number and by name + birth date (masked), files a partial refund to an account typed
 * twice, cancels an unused lot, a second clerk approves both with the working shown, the day is closed with its
 * confirm, and after a sync the refund is in the console's ledger and on the server. The first clerk works in
 * Korean (the finder in English too); the second clerk works in English — finds the citizen by mobile number,
 * files a refund on a second lot to a bank from the list, approves the first clerk's requests with the working
 * shown and reads the closing confirm — and the first clerk approves that request in Korean, so every step runs
 * in both languages without a second day. Screenshots: test-results/screenshots/tour-clerk-*.png.
 */
let demo: DemoConsole;
const errors: string[] = [];
let clerk: Page;
let clerk2: Page;
/** An unused Mapo lot of the first demo round, to cancel. */
let unused: { lot_id: string; paid: string };
/** A second refundable Mapo lot (used 60 % or more, bank transfer), for the second clerk's refund in English. */
let second: { lot_id: string };
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
  // As the demo's sample lot (server/demo/build-demo.ts), a partial refund: bought by bank transfer (the only
  // payment a partial refund is paid back for), used 60 % or more, not all of it; of any round.
  const refundable = await queryDb<{ lot_id: string }>(
    demo.dbUrl,
    "select lot_id from lots where district_code = '11440' and status = 'active' and payment_method = 'bank_transfer' and used * 100 >= face * 60 and used < face and lot_id <> $1 order by lot_id limit 1",
    [demo.sample.lotId],
  );
  if (!refundable[0]) throw new Error('the demo year has no second refundable Mapo lot');
  second = refundable[0]!;
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

/** Any Hangul syllable or jamo: what an English screen must not show, once the data on it is taken out. */
const HANGUL = /[\u1100-\u11FF\u3130-\u318F\uAC00-\uD7A3]+/;
/**
 * `box`'s text in English: with the data it names taken out (a masked name, a clerk's display name, a receipt
 * number — data, not UI), no Korean word is left. The Korean found is named in the failure.
 */
async function expectEnglish(box: ReturnType<Page['locator']>, what: string, data: string[] = []): Promise<void> {
  // A provisional receipt number (가-11440-…) is the number printed on the citizen's receipt: data, in either language.
  // Polled: right after the language switch the box can still hold the Korean it drew before.
  const koreanLeft = async () => {
    let text = (await box.innerText()).replace(/가-[0-9A-Z-]+/g, '');
    for (const d of data) text = text.split(d).join('');
    const m = HANGUL.exec(text);
    return m && text.slice(Math.max(0, m.index - 40), m.index + 40);
  };
  await expect.poll(koreanLeft, { message: `${what}: Korean left in the English screen` }).toBeNull();
}

/** Today in Seoul as English writes a day (7 Dec 2026), from the platform's own en-GB calendar, not the app's. */
const seoulTodayEn = new Date().toLocaleDateString('en-GB', { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'Asia/Seoul' });
/** The sample buyer's masked name as the finder shows it (홍*동). */
const maskedName = () => {
  const letters = [...demo.sample.name];
  return `${letters[0]}${'*'.repeat(letters.length - 2)}${letters.at(-1)}`;
};

/** The masked sample buyer in the finder's list, and the working of the lot shown at once. */
async function expectSampleFound(page: Page = clerk): Promise<void> {
  const { name, phone, birthDate, lotId } = demo.sample;
  const list = page.getByTestId('finder-buyers');
  await list.waitFor();
  const text = () => list.innerText();
  const letters = [...name];
  await expect.poll(text).toContain(`${letters[0]}${'*'.repeat(letters.length - 2)}${letters.at(-1)}`);
  await expect.poll(text).toContain(`010-****-${phone.slice(-4)}`);
  await expect.poll(text).toContain(`${birthDate.slice(0, 4)}-**-**`);
  const body = await page.locator('body').innerText();
  for (const secret of [name, phone, phone.slice(4, 8), birthDate]) expect(body).not.toContain(secret);
  await page.locator(`[data-lot="${lotId}"]`).waitFor();
  await page.getByTestId('working-payout').waitFor();
  // Under each lot the buyer as the finder showed them, never the internal buyer number (buyer-…).
  await expect.poll(() => page.locator(`[data-lot="${lotId}"]`).getByTestId('lot-buyer').innerText()).toBe(`${letters[0]}${'*'.repeat(letters.length - 2)}${letters.at(-1)}`);
  await expect.poll(() => page.getByTestId('counter-lots').innerText()).not.toContain('buyer-');
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
    await expectEnglish(finder, 'the finder', [maskedName()]);
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
    await expect.poll(() => dialog.getByTestId('account-mismatch').count()).toBe(0);
    await shot(clerk, 'ko-refund-dialog');
    await dialog.getByRole('button', { name: '접수', exact: true }).click();
    await clerk.getByTestId('working-open').getByText('2인 승인 대기', { exact: false }).waitFor();
  });

  it('cancels an unused lot found by its number', async () => {
    await clerk.getByRole('link', { name: '창구', exact: true }).click();
    await clerk.getByLabel('구매 건 번호 (일부)').fill(unused.lot_id);
    await clerk.getByRole('button', { name: '찾기', exact: true }).click();
    await clerk.locator(`[data-lot="${unused.lot_id}"]`).click();
    // Found by its number, no buyer looked up: nothing under the lot, and never the internal buyer number.
    await expect.poll(() => clerk.getByTestId('counter-lots').innerText()).not.toContain('buyer-');
    await expect.poll(() => clerk.getByTestId('lot-buyer').count()).toBe(0);
    const payout = clerk.getByTestId('working-payout');
    await payout.getByText(won(unused.paid)).waitFor();
    await expect.poll(() => payout.innerText()).toContain('전액 취소');
    await clerk.getByTestId('working-confirm').click();
    const dialog = clerk.getByTestId('refund-dialog');
    await dialog.locator('select[name="reasonCode"]').selectOption({ label: '구매자 요청' });
    await dialog.getByRole('button', { name: '접수', exact: true }).click();
    await clerk.getByTestId('working-open').getByText('2인 승인 대기', { exact: false }).waitFor();
    await shot(clerk, 'ko-cancel-filed');
  });

  it('a second clerk, working in English, finds the citizen by mobile number and files a refund on another lot to a bank from the list', async () => {
    await setLang(clerk2, 'en');
    await clerk2.getByTestId('counter-scope').getByText('Searching Mapo-gu only').waitFor();
    const finder = clerk2.getByTestId('buyer-finder');
    await finder.getByLabel('By mobile number').check();
    await finder.locator('input[name="phone"]').fill(demo.sample.phone);
    await finder.locator('input[name="reason"]').fill('refund desk');
    await finder.getByRole('button', { name: 'Find a buyer' }).click();
    await expectSampleFound(clerk2);
    await expectEnglish(clerk2.locator('main'), 'the counter, buyer found by mobile number', [maskedName()]);
    await shot(clerk2, 'en-found-phone');
    // A language switch keeps the counter as it was: the typed number, the buyer found, the lot and its working.
    await setLang(clerk2, 'ko');
    await expect.poll(() => finder.locator('input[name="phone"]').inputValue()).toBe(demo.sample.phone);
    await expect.poll(() => finder.locator('input[name="reason"]').inputValue()).toBe('refund desk');
    await finder.getByText('휴대전화 번호로').waitFor();
    await expectSampleFound(clerk2);
    await setLang(clerk2, 'en');
    await expectSampleFound(clerk2);

    // The second lot, found by its number: a partial refund, paid into an account typed twice.
    await clerk2.getByLabel('Purchase number (part)').fill(second.lot_id);
    await clerk2.getByRole('button', { name: 'Find', exact: true }).click();
    await clerk2.locator(`[data-lot="${second.lot_id}"]`).click();
    const payout = clerk2.getByTestId('working-payout');
    await payout.getByText('Partial-use refund', { exact: false }).waitFor().catch(async (e: unknown) => {
      throw new Error(`${String(e)}\nworking: ${await clerk2.getByTestId('working-panel').innerText()}`);
    });
    await expect.poll(() => payout.innerText()).toContain('remaining');
    await expect.poll(() => clerk2.getByTestId('working-confirm').innerText()).toBe('Take refund');
    await clerk2.getByTestId('working-confirm').click();
    const dialog = clerk2.getByTestId('refund-dialog');
    await dialog.getByText('Confirm the Partial-use refund').waitFor();
    await dialog.locator('select[name="reasonCode"]').selectOption({ label: 'Buyer’s request' });
    // The banks in English, by name and code.
    await dialog.locator('select[name="bank"]').selectOption({ label: 'Shinhan Bank (088)' });
    await dialog.locator('input[name="accountNumber"]').fill('110-987-654321');
    // A different number the second time is refused at once, in English.
    await dialog.locator('input[name="accountNumberAgain"]').fill('110-987-654320');
    await dialog.locator('input[name="accountNumberAgain"]').blur();
    await dialog.getByTestId('account-mismatch').getByText('The two account numbers differ').waitFor();
    await expect(dialog.getByRole('button', { name: 'Take request' }).isDisabled()).resolves.toBe(true);
    await dialog.locator('input[name="accountNumberAgain"]').fill('110-987-654321');
    await expect.poll(() => dialog.getByTestId('account-mismatch').count()).toBe(0);
    await expect.poll(() => dialog.getByTestId('dialog-buyer').innerText()).toBe('Found by lot number (no buyer lookup)');
    await expectEnglish(dialog, 'the refund dialog');
    await shot(clerk2, 'en-refund-dialog');
    await dialog.getByRole('button', { name: 'Take request' }).click();
    await clerk2.getByTestId('working-open').getByText('Needs 2nd approval', { exact: false }).waitFor();
    await expectEnglish(clerk2.locator('main'), 'the counter after filing', [maskedName()]);
  });

  it('the second clerk approves both requests in English, each with the working shown; not offered Withdraw', async () => {
    await go(clerk2, '#/refunds/queue');
    for (const lotId of [demo.sample.lotId, unused.lot_id]) {
      const row = clerk2.locator('[data-testid="queue"] tr', { hasText: lotId });
      await row.getByText('Needs 2nd approval').waitFor();
      await expect.poll(() => row.getByRole('button', { name: 'Withdraw' }).count()).toBe(0);
      await row.getByRole('button', { name: 'Approve (second person)' }).click();
      const review = clerk2.getByTestId('countersign-review');
      await review.getByTestId('working-payout').waitFor();
      await expect.poll(() => review.innerText()).toContain('Taken by 데모 마포구 창구. Check the working below before approving');
      await expectEnglish(review, 'the countersign review', ['데모 마포구 창구', maskedName()]);
      if (lotId === demo.sample.lotId) await shot(clerk2, 'en-countersign');
      await review.getByRole('button', { name: 'Approve (second person)' }).click();
      await review.getByTestId('working-open').getByText('Waiting to send', { exact: false }).waitFor();
      await review.getByRole('button', { name: 'Close', exact: true }).click();
      await row.getByText('Waiting to send').waitFor();
    }
  });

  it('the first clerk approves the colleague’s request in Korean, with the working shown; not offered 철회', async () => {
    await go(clerk, '#/refunds/queue');
    const row = clerk.locator('[data-testid="queue"] tr', { hasText: second.lot_id });
    await row.getByText('2인 승인 대기').waitFor();
    await expect.poll(() => row.getByRole('button', { name: '철회' }).count()).toBe(0);
    await row.getByRole('button', { name: '2인 승인' }).click();
    const review = clerk.getByTestId('countersign-review');
    await review.getByTestId('working-payout').waitFor();
    await expect.poll(() => review.innerText()).toContain('데모 마포구 창구 2 담당자가 접수한 요청입니다');
    await shot(clerk, 'ko-countersign');
    await review.getByRole('button', { name: '2인 승인' }).click();
    await review.getByTestId('working-open').getByText('전송 대기', { exact: false }).waitFor();
    await review.getByRole('button', { name: '닫기' }).click();
    await row.getByText('전송 대기').waitFor();
  });

  it('syncs, closes the day with its confirm, and finds the refund in the ledger', async () => {
    await syncNow(clerk);
    const status = async (lotId: string) => (await queryDb<{ status: string }>(demo.dbUrl, 'select status from lots where lot_id = $1', [lotId]))[0]!.status;
    expect([await status(demo.sample.lotId), await status(unused.lot_id), await status(second.lot_id)]).toEqual(['refunded', 'cancelled', 'refunded']);

    // The second clerk reads the closing and its confirm in English, and leaves it to the first clerk.
    await go(clerk2, '#/refunds/closing');
    await clerk2.getByTestId('closing-nodiff').getByText('No differences').waitFor();
    await clerk2.getByRole('button', { name: 'Close the day' }).click();
    const confirmEn = clerk2.getByRole('dialog');
    await expect.poll(() => confirmEn.innerText()).toContain(`Close the Mapo-gu counter for ${seoulTodayEn}?`);
    await expect.poll(() => confirmEn.innerText()).toContain(`Counter record: full cancellations 1 (${won(unused.paid)}) · partial refunds 2 (`);
    await expectEnglish(confirmEn, 'the closing confirm');
    await shot(clerk2, 'en-close-confirm');
    await confirmEn.getByRole('button', { name: 'Cancel' }).click();
    await expect.poll(() => clerk2.getByRole('dialog').count()).toBe(0);

    await go(clerk, 'refunds');
    await clerk.getByRole('link', { name: '일일 마감', exact: true }).click();
    await clerk.getByTestId('closing-nodiff').waitFor();
    await shot(clerk, 'ko-closing');
    await clerk.getByRole('button', { name: '마감하기' }).click();
    const confirm = clerk.getByRole('dialog');
    await expect.poll(() => confirm.innerText()).toContain('마포구');
    await expect.poll(() => confirm.innerText()).toContain(`전액 취소 1건 ${won(unused.paid)}`);
    await shot(clerk, 'ko-close-confirm');
    await confirm.getByRole('button', { name: '마감하기' }).click();
    await clerk.getByTestId('closing-state').getByText('데모 마포구 창구 님이', { exact: false }).waitFor();
    await clerk.getByRole('link', { name: '창구', exact: true }).click();
    await clerk.getByTestId('counter-day-closed').getByText('창구는 마감되었습니다', { exact: false }).waitFor();
    await shot(clerk, 'ko-day-closed');
    // The second clerk's counter says so in English, with the day as English writes it.
    await go(clerk2, '#/refunds');
    const closedEn = clerk2.getByTestId('counter-day-closed');
    await closedEn.getByText(`Today (${seoulTodayEn}) the counter is closed`, { exact: false }).waitFor();
    await expectEnglish(closedEn, 'the closed-day notice', ['데모 마포구 창구']);
    await shot(clerk2, 'en-day-closed');
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
    // A language switch draws the ledger again in English; the round and the lot searched for stay chosen.
    await setLang(clerk, 'en');
    await clerk.getByRole('heading', { name: 'Ledger' }).waitFor();
    // The page reads its rounds again on being drawn; the kept round is chosen once the list is in.
    await expect.poll(() => clerk.locator('select[name="round"]').inputValue()).toBe('demo-2022-07-14');
    await expect.poll(() => clerk.locator('input[name="lotId"]').inputValue()).toBe(demo.sample.lotId);
    await expect.poll(() => clerk.getByTestId('ledger-grid').locator('.ag-header-cell-text', { hasText: 'Amount' }).count()).toBe(1);
    await clerk.locator('[data-testid="ledger-grid"] .ag-row', { hasText: demo.sample.lotId }).first().waitFor();
    await shot(clerk, 'en-ledger-kept');
    await setLang(clerk, 'ko');
    expect(errors).toEqual([]);
  });
});
