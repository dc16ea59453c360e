import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser, launchBrowser, openPage, shot, signInAs, startHost, type RunningHost } from './support.js';

let host: RunningHost;
let browser: Browser;
let page: Page;
const errors: string[] = [];

beforeAll(async () => {
  host = await startHost();
  browser = await launchBrowser();
  page = await openPage(browser, host.url, errors);
});

afterAll(async () => {
  await browser?.close();
  await host?.stop();
});

async function signOut(): Promise<void> {
  await page.getByRole('button', { name: '로그아웃' }).click();
  await page.getByRole('heading', { name: '로그인' }).waitFor();
}

function gridRows(): Promise<string[]> {
  return page.locator('[data-testid="rounds-grid"] .ag-row [role="gridcell"][col-id="name"]').allInnerTexts();
}

describe('issuance rounds, end to end in Chromium', () => {
  it('asks for a first-run administrator and signs them in', async () => {
    await page.getByRole('heading', { name: '처음 사용 설정' }).waitFor();
    // The host token has been taken out of the address bar.
    expect(page.url()).not.toContain('token=');
    await page.getByLabel('아이디').fill('admin');
    await page.getByLabel('이름').fill('김관리');
    await page.getByLabel('비밀번호', { exact: true }).fill('admin-password-1');
    await page.getByLabel('비밀번호 확인').fill('admin-password-2');
    await page.getByRole('button', { name: '관리자 계정 만들기' }).click();
    await expect.poll(() => page.getByText('비밀번호 확인이 일치하지 않습니다').isVisible()).toBe(true);
    await page.getByLabel('비밀번호 확인').fill('admin-password-1');
    await page.getByRole('button', { name: '관리자 계정 만들기' }).click();
    await page.getByRole('heading', { name: '발행 회차' }).waitFor();
    await expect.poll(() => page.getByTestId('current-user').innerText()).toBe('김관리');
    await shot(page, '01-rounds-empty');
  });

  it('signs out and back in, refusing a wrong password', async () => {
    await signOut();
    await page.getByLabel('아이디').fill('admin');
    await page.getByLabel('비밀번호').fill('wrong-password');
    await page.getByRole('button', { name: '로그인' }).click();
    await page.getByText('아이디 또는 비밀번호가 올바르지 않습니다').waitFor();
    await signInAs(page, 'admin', 'admin-password-1');
  });

  it('creates a round from the 2022-07-14 preset and shows it in the grid', async () => {
    await page.getByRole('button', { name: '+ 새 회차' }).click();
    await page.locator('[data-preset="seoul-2022-07-14"]').click();
    await page.getByRole('heading', { name: '새 발행 회차' }).waitFor();
    await expect.poll(() => page.getByLabel('발행 총액').inputValue()).toBe('25,000,000,000');
    // Derived figures as they type: in 억/만 as budgets are written, the exact amount in the title.
    await expect.poll(() => page.getByTestId('fig-subsidy').innerText()).toBe('17억 5,000만 원');
    await expect.poll(() => page.getByTestId('fig-subsidy').getAttribute('title')).toBe('₩1,750,000,000');
    await expect.poll(() => page.getByTestId('fig-received').innerText()).toBe('232억 5,000만 원');
    await expect.poll(() => page.getByTestId('fig-received').getAttribute('title')).toBe('₩23,250,000,000');
    await expect.poll(() => page.getByTestId('fig-buyers').innerText()).toContain('62,500');
    // The 10-minute session is a warning from simulating the round (scaled down), not an error.
    await page.locator('.field .msg.warning', { hasText: '시뮬레이션에서 세션 유지 시간 10분 동안 기다리다' }).waitFor({ timeout: 30_000 });
    await expect.poll(() => page.getByTestId('sim-basis').innerText()).toContain('방문자 60,000명');
    await page.getByLabel('할인율 (%)').fill('10');
    await expect.poll(() => page.getByTestId('fig-subsidy').innerText()).toBe('25억 원');
    await page.getByLabel('할인율 (%)').fill('7');
    await shot(page, '02-round-form-preset');
    await page.getByRole('button', { name: '저장', exact: true }).click();
    await page.getByTestId('round-name').waitFor();
    await expect.poll(() => page.getByTestId('round-name').innerText()).toBe('서울사랑상품권 광역 (2022-07-14 기준)');
    await expect.poll(() => page.locator('.badge[data-status]').innerText()).toBe('초안');
    await shot(page, '03-round-detail-draft');
    await page.getByRole('link', { name: '← 목록으로' }).click();
    await page.locator('[data-testid="rounds-grid"] .ag-row').first().waitFor();
    expect(await gridRows()).toEqual(['서울사랑상품권 광역 (2022-07-14 기준)']);
    await expect.poll(() => page.locator('[data-testid="rounds-grid"] .ag-row [role="gridcell"][col-id="totalAmount"]').first().innerText()).toBe('₩25,000,000,000');
    // Quick search matches names and translated statuses; no match shows no rows.
    await page.getByLabel('회차 검색').fill('없는 회차');
    await page.locator('[data-testid="rounds-grid"] .ag-row').first().waitFor({ state: 'detached' });
    expect(await gridRows()).toEqual([]);
    await page.getByLabel('회차 검색').fill('초안');
    await page.locator('[data-testid="rounds-grid"] .ag-row').first().waitFor();
    expect(await gridRows()).toHaveLength(1);
    await page.getByLabel('회차 검색').fill('');
    await shot(page, '04-rounds-grid');
  });

  it('refuses an invalid round with a clear message and saves nothing', async () => {
    await page.getByRole('button', { name: '+ 새 회차' }).click();
    await page.getByRole('menuitem', { name: '빈 양식' }).click();
    await page.getByRole('heading', { name: '새 발행 회차' }).waitFor();
    await page.getByLabel('회차 이름').fill('잘못된 회차');
    await page.getByLabel('발행 총액').fill('10,000,005,000');
    await page.getByLabel('1인 월 구매 한도').fill('2,000,000');
    await page.getByLabel('1인 보유 한도').fill('1,000,000');
    await page.getByRole('button', { name: '저장', exact: true }).click();
    await page.getByTestId('save-message').waitFor();
    await expect.poll(() => page.getByTestId('save-message').innerText()).toBe('저장할 수 없습니다. 표시된 항목을 고치세요.');
    await page.locator('.field .msg.error', { hasText: '1인 월 구매 한도(₩2,000,000)가 보유 한도(₩1,000,000)보다 클 수 없습니다' }).waitFor();
    await page.locator('.field .msg.error', { hasText: '발행 총액은 ₩10,000 단위여야 합니다 (입력: ₩10,000,005,000)' }).waitFor();
    await shot(page, '05-round-form-invalid');
    // Leaving with unsaved changes asks first: declining stays, accepting leaves.
    const editorUrl = page.url();
    const asked: string[] = [];
    page.once('dialog', (d) => (asked.push(d.message()), void d.dismiss()));
    await page.getByRole('link', { name: '← 목록으로' }).click();
    await expect.poll(() => asked.length).toBe(1);
    expect(asked[0]).toContain('저장하지 않은 변경이 있습니다');
    expect(page.url()).toBe(editorUrl);
    await page.getByRole('heading', { name: '새 발행 회차' }).waitFor();
    page.once('dialog', (d) => void d.accept());
    await page.goto(page.url().replace(/#.*$/, '#/rounds'));
    await page.locator('[data-testid="rounds-grid"] .ag-row').first().waitFor();
    expect(await gridRows()).toEqual(['서울사랑상품권 광역 (2022-07-14 기준)']);
  });

  it('adds a second official', async () => {
    await addUser(page, { username: 'lee', name: '이승인', role: 'official' });
    await page.getByRole('heading', { name: '관리' }).waitFor();
    await page.locator('[data-testid="users-grid"] .ag-row [role="gridcell"][col-id="username"]', { hasText: 'lee' }).waitFor();
    await shot(page, '06-admin-users');
  });

  it('lets only a second official approve', async () => {
    await page.getByRole('link', { name: '발행 회차' }).click();
    await page.locator('[data-testid="rounds-grid"] .ag-row').first().click();
    await page.getByTestId('round-name').waitFor();
    // The author has no approve button and is told why.
    await expect.poll(() => page.getByRole('button', { name: '승인', exact: true }).count()).toBe(0);
    await page.getByText('승인은 작성자가 아닌 다른 담당자가 해야 합니다.').waitFor();
    await signOut();
    await signInAs(page, 'lee', 'lee-password-1');
    await expect.poll(() => page.getByTestId('current-user').innerText()).toBe('이승인');
    await page.getByRole('link', { name: '발행 회차' }).click();
    await page.locator('[data-testid="rounds-grid"] .ag-row').first().click();
    await page.getByRole('button', { name: '승인', exact: true }).click();
    await page.getByRole('dialog').getByRole('button', { name: '승인' }).click();
    await page.getByText('승인되었습니다').waitFor();
    await page.locator('.badge[data-status="approved"]').waitFor();
    await shot(page, '07-round-approved');
  });

  it('turns an edit of the approved round into a new version awaiting approval', async () => {
    await page.getByRole('link', { name: '수정' }).click();
    await page.getByTestId('new-version-notice').waitFor();
    await page.getByLabel('로그인 세션 유지 시간 (분)').fill('60');
    await page.getByRole('button', { name: '저장', exact: true }).click();
    await page.getByText('버전 2로 저장되었습니다').waitFor();
    await expect.poll(() => page.getByTestId('round-version').innerText()).toBe('버전 2');
    await expect.poll(() => page.locator('.badge[data-status]').innerText()).toBe('초안');
    const versions = page.getByTestId('versions').locator('li');
    await expect.poll(() => versions.count()).toBe(2);
    await expect.poll(() => versions.nth(0).innerText()).toContain('승인 대기');
    await expect.poll(() => versions.nth(0).innerText()).toContain('로그인 세션 유지 시간');
    await expect.poll(() => versions.nth(1).innerText()).toContain('적용 중');
    await expect.poll(() => versions.nth(1).innerText()).toContain('승인: 이승인');
    await expect.poll(() => page.getByTestId('audit-trail').innerText()).toContain('10분 → 60분');
    await shot(page, '08-round-new-version');
  });

  it('switches to English', async () => {
    await page.getByLabel('언어').selectOption('en');
    await page.getByRole('heading', { name: 'Round details' }).waitFor();
    await expect.poll(() => page.getByTestId('round-version').innerText()).toBe('Version 2');
    // The total amount card reads as English budgets are written; the exact amount is its title.
    await page.locator('.kpi .value[title="₩25,000,000,000"]', { hasText: '₩25 billion' }).waitFor();
    await page.setViewportSize({ width: 1280, height: 720 });
    await shot(page, '09-round-detail-english');
    await page.getByRole('link', { name: 'Issuance rounds' }).click();
    await page.getByRole('columnheader', { name: 'Total amount' }).waitFor();
    await shot(page, '09-rounds-english');
    await page.getByLabel('Language').selectOption('ko');
  });

  it('raised no errors in the page', () => {
    expect(errors).toEqual([]);
  });
});
