import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAdmin } from './flows.js';
import { addUser, launchBrowser, openPage, shot, signInAs, startHost, type RunningHost } from './support.js';

// The officials' round editor: its rules said in Korean where the official types, and the way out of an approved round whose opening passed.
let host: RunningHost;
let browser: Browser;
let page: Page;
const errors: string[] = [];

/** A Seoul calendar day `days` from today, as the Korean date field shows it. */
const seoulDay = (days: number) => new Date(Date.now() + 9 * 3_600_000 + days * 86_400_000).toISOString().slice(0, 10);

const message = (text: string, severity: 'error' | 'warning') => page.locator(`.field .msg.${severity}`, { hasText: text });

async function both(name: string): Promise<void> {
  await page.setViewportSize({ width: 1280, height: 720 });
  await shot(page, `${name}-1280`);
  await page.setViewportSize({ width: 1440, height: 900 });
  await shot(page, `${name}-1440`);
}

beforeAll(async () => {
  host = await startHost();
  browser = await launchBrowser();
  page = await openPage(browser, host.url, errors);
});

afterAll(async () => {
  await browser?.close();
  await host?.stop();
});

describe("officials' round editor", () => {
  it('sets up an administrator and a second official', async () => {
    await createAdmin(page);
    await addUser(page, { username: 'lee', name: '이승인', role: 'official' });
  });

  it('says each rule where it is broken: discount, holding limit, a time like 2500, an opening already past', async () => {
    await page.getByRole('link', { name: '발행 회차' }).click();
    await page.getByRole('button', { name: '+ 새 회차' }).click();
    await page.locator('[data-preset="seoul-2022-07-14"]').click();
    await page.getByRole('heading', { name: '새 발행 회차' }).waitFor();
    await page.getByLabel('회차 이름').fill('지난 시작 회차');

    await page.getByLabel('할인율 (%)').fill('25');
    await page.getByLabel('할인율 (%)').blur();
    await message('할인율은 0%에서 20% 사이여야 합니다 (입력: 25%)', 'error').waitFor();
    await page.getByLabel('할인율 (%)').fill('15');
    await message('할인율 15%는 보통보다 높습니다. 행정안전부 지침은 할인율을 원칙적으로 10% 이내로 두고', 'warning').waitFor();

    await page.getByLabel('1인 월 구매 한도').fill('500,000');
    await page.getByLabel('1인 보유 한도').fill('300,000');
    await page.getByLabel('1인 보유 한도').blur();
    await message('보유 한도(₩300,000)가 1인 월 구매 한도(₩500,000)보다 낮습니다', 'error').waitFor();

    await page.locator('#f-opens-time').fill('2500');
    await page.locator('#f-opens-time').blur();
    await message('시각의 시는 0–23 사이여야 합니다 (판매 시작: ‘2500’). 14:00이나 1400처럼 24시간제로 입력하세요', 'error').waitFor();
    await both('60-round-form-rules');

    // The same in English. A language switch rewords the editor in place: nothing is asked, nothing typed is lost.
    const asked: string[] = [];
    const ask = (d: { message(): string; dismiss(): Promise<void> }) => void (asked.push(d.message()), d.dismiss());
    page.on('dialog', ask);
    await page.getByLabel('언어').selectOption('en');
    await page.getByRole('heading', { name: 'New issuance round' }).waitFor();
    await expect.poll(() => page.getByLabel('Round name').inputValue()).toBe('지난 시작 회차');
    await expect.poll(() => page.locator('#f-discount').inputValue()).toBe('15');
    await expect.poll(() => page.locator('#f-holding').inputValue()).toBe('300,000');
    await expect.poll(() => page.locator('#f-opens-time').inputValue()).toBe('2500');
    await page.locator('.field .msg.error', { hasText: 'The hour must be 0–23 (Sale opens: ‘2500’)' }).waitFor();
    await page.locator('.field .msg.error', { hasText: 'The holding limit (₩300,000) is below the monthly purchase limit (₩500,000)' }).waitFor();
    await page.locator('.field .msg.warning', { hasText: 'A 15% discount is higher than usual' }).waitFor();
    await both('61-round-form-rules-en');
    await page.getByLabel('Language').selectOption('ko');
    await page.getByRole('heading', { name: '새 발행 회차' }).waitFor();
    await expect.poll(() => page.getByLabel('회차 이름').inputValue()).toBe('지난 시작 회차');
    page.off('dialog', ask);
    expect(asked).toEqual([]);
    // Back to the preset's figures (7%, ₩400,000 a month, ₩1,000,000 held) before the opening is tried.
    await page.getByLabel('할인율 (%)').fill('7');
    await page.getByLabel('1인 월 구매 한도').fill('400,000');
    await page.getByLabel('1인 보유 한도').fill('1,000,000');

    // An opening yesterday: said at once, with whose clock judged it.
    await page.locator('#f-opens').fill(seoulDay(-1));
    await page.locator('#f-opens-time').fill('10:00');
    await page.locator('#f-opens-time').blur();
    await page.locator('#f-closes').fill(seoulDay(6));
    await page.locator('#f-closes').blur();
    await message('판매 시작 시각이 이미 지났습니다(이 컴퓨터 시각', 'warning').waitFor();
    await expect.poll(() => page.locator('.field .msg.error').count()).toBe(0);
    await both('62-round-form-opening-past');

    await page.getByRole('button', { name: '저장', exact: true }).click();
    await page.getByTestId('round-name').waitFor();
  });

  it('explains why an approved round whose opening passed cannot be scheduled, and proposes it again with a new schedule', async () => {
    await signInAs(page, 'lee', 'lee-password-1');
    await page.getByRole('link', { name: '발행 회차' }).click();
    await page.locator('[data-testid="rounds-grid"] .ag-row').first().click();
    await page.getByRole('button', { name: '승인', exact: true }).click();
    await page.getByRole('dialog').getByRole('button', { name: '승인' }).click();
    await page.locator('.badge[data-status="approved"]').waitFor();
    const notice = page.getByTestId('past-opening');
    await notice.waitFor();
    await expect.poll(() => notice.innerText()).toContain(`승인된 판매 시작 시각(${seoulDay(-1).replace(/-/g, '. ')}. 10:00)이 이미 지나 판매 예약을 할 수 없습니다`);
    await expect.poll(() => page.getByRole('button', { name: '판매 예약', exact: true }).count()).toBe(0);
    await both('63-round-past-opening');
    await page.getByLabel('언어').selectOption('en');
    await page.getByTestId('past-opening').getByText('cannot be scheduled').waitFor();
    await both('64-round-past-opening-en');
    await page.getByLabel('Language').selectOption('ko');

    await page.getByTestId('past-opening').getByRole('link', { name: '새 일정으로 다시 제안' }).click();
    await page.getByTestId('rescheduled-notice').waitFor();
    // Moved by whole days to the first 10:00 after now (today's when it is not yet 10:00 in Seoul), its length kept.
    const moved = (new Date().getUTCHours() + 9) % 24 < 10 ? 1 : 2;
    await expect.poll(() => page.locator('#f-opens').inputValue()).toBe(seoulDay(moved - 1));
    await expect.poll(() => page.locator('#f-opens-time').inputValue()).toBe('10:00');
    await expect.poll(() => page.locator('#f-closes').inputValue()).toBe(seoulDay(6 + moved));
    await expect.poll(() => page.locator('.field .msg.warning', { hasText: '판매 시작 시각이 이미 지났습니다' }).count()).toBe(0);
    await both('65-round-rescheduled');
    await page.getByRole('button', { name: '저장', exact: true }).click();
    await page.getByText('버전 2로 저장되었습니다').waitFor();
    await expect.poll(() => page.getByTestId('past-opening').count()).toBe(0);
  });

  it('raised no errors in the page', () => {
    expect(errors).toEqual([]);
  });
});
