import type { Page } from 'playwright-core';

/** First-run administrator through the setup screen. */
export async function createAdmin(page: Page, username = 'admin', password = 'admin-password-1', name = '김관리'): Promise<void> {
  await page.getByRole('heading', { name: '처음 사용 설정' }).waitFor();
  await page.getByLabel('아이디').fill(username);
  await page.getByLabel('이름').fill(name);
  await page.getByLabel('비밀번호', { exact: true }).fill(password);
  await page.getByLabel('비밀번호 확인').fill(password);
  await page.getByRole('button', { name: '관리자 계정 만들기' }).click();
  await page.getByTestId('current-user').waitFor();
}

/** Connects the signed-in console to the central server from the sync page, as its administrator's server account; waits until connected. */
export async function connectToServer(page: Page, url: string, username = 'admin', password = 'admin-password-1'): Promise<void> {
  await page.getByRole('link', { name: '동기화', exact: true }).click();
  await page.getByLabel('서버 주소').fill(url);
  await page.getByLabel('서버 아이디').fill(username);
  await page.getByLabel('서버 비밀번호').fill(password);
  await page.getByRole('button', { name: '연결', exact: true }).click();
  await page.getByTestId('sync-connected').waitFor();
}

/** A round from a real-round preset, saved through the form; leaves the page on its detail view. */
export async function createRoundFromPreset(page: Page, presetId: string): Promise<void> {
  await page.getByRole('link', { name: '발행 회차' }).click();
  await page.getByRole('button', { name: '+ 새 회차' }).click();
  await page.locator(`[data-preset="${presetId}"]`).click();
  await page.getByRole('heading', { name: '새 발행 회차' }).waitFor();
  await page.getByRole('button', { name: '저장', exact: true }).click();
  await page.getByTestId('round-name').waitFor();
}
