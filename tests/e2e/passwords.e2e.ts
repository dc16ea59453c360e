import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, openPage, shot, startHost, type RunningHost } from './support.js';

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

describe('password policy and sign-in limits, end to end in Chromium', () => {
  it('first run refuses a common password and one built on the username, naming the problem in Korean', async () => {
    await page.getByRole('heading', { name: '처음 사용 설정' }).waitFor();
    await page.getByLabel('아이디').fill('kimadmin');
    await page.getByLabel('이름').fill('김관리');
    const fill = async (p: string) => {
      await page.getByLabel('비밀번호', { exact: true }).fill(p);
      await page.getByLabel('비밀번호 확인').fill(p);
      await page.getByRole('button', { name: '관리자 계정 만들기' }).click();
    };
    // The policy wants 12 characters before anything else (issue 17); this one is long enough and on the common list.
    await fill('qwertyuiop123');
    await page.locator('[data-field="password"]', { hasText: '흔한 비밀번호' }).waitFor();
    await fill('kimadmin2026');
    await page.locator('[data-field="password"]', { hasText: '비밀번호에 이름이나 아이디' }).waitFor();
    await shot(page, 'passwords-01-first-run-refused');
    await fill('한강 다리 위 노을 2026');
    await page.getByTestId('current-user').waitFor();
  });

  it('change password refuses one built on the username, then changes it', async () => {
    await page.getByRole('button', { name: '비밀번호 변경' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('현재 비밀번호').fill('한강 다리 위 노을 2026');
    await dialog.getByLabel('새 비밀번호').fill('kimadmin12345');
    await dialog.getByLabel('비밀번호 확인').fill('kimadmin12345');
    await dialog.getByRole('button', { name: '비밀번호 변경' }).click();
    await dialog.locator('[data-field="newPassword"]', { hasText: '비밀번호에 이름이나 아이디' }).waitFor();
    await shot(page, 'passwords-02-change-refused');
    await dialog.getByLabel('새 비밀번호').fill('남산 도서관 계단 열두 칸');
    await dialog.getByLabel('비밀번호 확인').fill('남산 도서관 계단 열두 칸');
    await dialog.getByRole('button', { name: '비밀번호 변경' }).click();
    await page.getByText('비밀번호를 바꿨습니다').waitFor();
    await expect.poll(() => dialog.isVisible()).toBe(false);
  });

  it('tells a throttled user how many seconds to wait', async () => {
    await page.getByRole('button', { name: '로그아웃' }).click();
    await page.getByRole('heading', { name: '로그인' }).waitFor();
    for (let i = 0; i < 6; i++) {
      await page.getByLabel('아이디').fill('kimadmin');
      await page.getByLabel('비밀번호').fill(`wrong-guess-${i}`);
      await page.getByRole('button', { name: '로그인' }).click();
      await page.getByRole('alert').first().waitFor();
    }
    await page.getByText(/시도가 너무 많습니다\. \d+초 후에 다시 시도하세요/).waitFor();
    await shot(page, 'passwords-03-throttled');
    expect(errors).toEqual([]);
  });
});
