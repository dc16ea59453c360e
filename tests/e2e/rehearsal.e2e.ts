import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAdmin } from './flows.js';
import { addUser, launchBrowser, openPage, shot, signInAs, startHost, type RunningHost } from './support.js';

let host: RunningHost;
let browser: Browser;
let page: Page;
const errors: string[] = [];

beforeAll(async () => {
  host = await startHost();
  browser = await launchBrowser();
  page = await openPage(browser, host.url, errors);
  await createAdmin(page);
});

afterAll(async () => {
  await browser?.close();
  await host?.stop();
});

/** Both sizes the console must read well at. */
async function shots(name: string): Promise<void> {
  await shot(page, `${name}-1440`);
  await page.setViewportSize({ width: 1280, height: 720 });
  await shot(page, `${name}-1280`);
  await page.setViewportSize({ width: 1440, height: 900 });
}

describe('one truth between the round and its rehearsal, end to end in Chromium', () => {
  it('adds a second official', async () => {
    await addUser(page, { username: 'lee', name: '이승인', role: 'official' });
    await page.locator('[data-testid="users-grid"] .ag-row [role="gridcell"][col-id="username"]', { hasText: 'lee' }).waitFor();
  });

  it('the editor warns from a simulation of the settings as typed, saying which run it rests on', async () => {
    await page.getByRole('link', { name: '발행 회차' }).click();
    await page.getByRole('button', { name: '+ 새 회차' }).click();
    await page.locator('[data-preset="seoul-2022-07-14"]').click();
    await page.getByRole('heading', { name: '새 발행 회차' }).waitFor();
    // A small round, so the check and the recommendations run at full scale in seconds.
    await page.locator('#f-name').fill('리허설 회차');
    await page.locator('#f-total').fill('10억');
    await page.locator('#f-visitors').fill('30,000');
    await page.locator('#f-admission').fill('100');
    await page.locator('#f-active').fill('2,000');
    const warnings = page.getByTestId('sim-warnings');
    await warnings.filter({ hasText: '로그아웃됩니다' }).waitFor({ timeout: 30_000 });
    await expect.poll(() => page.getByTestId('sim-basis').innerText()).toMatch(/빠른 시뮬레이션 .*방문자 30,000명 전체/);
    // The same warning sits on the field it is about.
    await page.locator('.field .msg.warning', { hasText: '세션 유지 시간 10분 동안 기다리다' }).waitFor();
    // Typing makes the figures stale until the run for the new settings is back.
    await page.locator('#f-admission').fill('101');
    await page.getByTestId('sim-check-stale').waitFor();
    await page.locator('#f-admission').fill('100');
    await page.locator('[data-testid="sim-check"][data-state="fresh"]').waitFor({ timeout: 30_000 });
    // The save button sits above the check, whose result arrives seconds after each change and changes its height:
    // below it, the button moved as a result came in and a click at that moment missed it.
    const save = (await page.getByRole('button', { name: '저장', exact: true }).boundingBox())!;
    const check = (await page.getByTestId('sim-check').boundingBox())!;
    expect(save.y + save.height).toBeLessThanOrEqual(check.y);
    await shots('30-editor-sim-warning');
    await page.getByRole('button', { name: '저장', exact: true }).click();
    await page.getByTestId('round-name').waitFor();
  });

  it('applies the recommendations into new draft versions, showing what changes', async () => {
    await page.getByRole('link', { name: '수요 시뮬레이션' }).click();
    await page.getByRole('heading', { name: '수요 시뮬레이션' }).waitFor();
    await expect.poll(() => page.getByLabel('방문자 수').inputValue()).toBe('30,000');
    await page.getByRole('button', { name: '실행', exact: true }).click();
    await page.getByTestId('recommendations').waitFor({ timeout: 120_000 });
    // The waiting-page estimators side by side, with the one recommended for the sale page.
    await expect.poll(() => page.getByTestId('estimator-recommended').innerText()).toMatch(/^(판매 화면에는 재고·이탈을 반영한 안내를 권장합니다|이 조건에서는 단순 계산이 더 낫습니다)/);
    await page.getByTestId('estimators').screenshot({ path: 'test-results/screenshots/35-estimators.png' });
    await shots('31-simulation-apply');

    await page.locator('[data-apply="session"]').click();
    const dialog = page.getByRole('dialog');
    await dialog.getByTestId('dialog-items').filter({ hasText: '로그인 세션 유지 시간: 10분 →' }).waitFor();
    await expect.poll(() => dialog.getByTestId('dialog-items').innerText()).toContain('리허설 가정');
    await shot(page, '32-apply-dialog-1440');
    await dialog.getByRole('button', { name: '새 버전으로 저장' }).click();
    await page.getByText('권장 설정을 버전 2로 저장했습니다').waitFor();

    await page.locator('[data-apply="cutoff"]').click();
    await dialog.getByTestId('dialog-items').filter({ hasText: '재고 기반 미리 안내' }).waitFor();
    await dialog.getByRole('button', { name: '새 버전으로 저장' }).click();
    await page.getByText('권장 설정을 버전 3으로 저장했습니다').waitFor();
  });

  it('after applying, the editor finds nothing the simulation contradicts', async () => {
    await page.getByRole('link', { name: /← 리허설 회차/ }).click();
    await page.getByTestId('round-name').waitFor();
    await page.getByRole('link', { name: '수정' }).click();
    await page.getByTestId('sim-check-ok').waitFor({ timeout: 30_000 });
    await expect.poll(() => page.getByTestId('sim-warnings').count()).toBe(0);
    await expect.poll(() => page.getByTestId('sim-logouts').innerText()).toBe('0명');
    await expect.poll(() => page.locator('#f-cutoff').isChecked()).toBe(true);
    await expect.poll(() => page.getByTestId('rehearsal-summary').innerText()).toMatch(/^시드 \d+ · 서버 용량/);
    await shots('33-editor-after-apply');
  });

  it('a second official approves, the dialog repeating no warning', async () => {
    await page.getByRole('button', { name: '로그아웃' }).click();
    await page.getByRole('heading', { name: '로그인' }).waitFor();
    await signInAs(page, 'lee', 'lee-password-1');
    await page.getByRole('link', { name: '발행 회차' }).click();
    await page.locator('[data-testid="rounds-grid"] .ag-row').first().click();
    await page.getByRole('button', { name: '승인', exact: true }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('heading').waitFor();
    // The dialog runs the check before it can say there is nothing to repeat.
    await expect.poll(() => dialog.getByText('이 설정을 시뮬레이션하는 중').count(), { timeout: 30_000 }).toBe(0);
    await expect.poll(() => dialog.getByTestId('dialog-items').count()).toBe(0);
    await dialog.getByRole('button', { name: '승인' }).click();
    await page.getByText('승인되었습니다').waitFor();
    await page.locator('.badge[data-status="approved"]').waitFor();
    await shots('34-round-approved');
    expect(errors).toEqual([]);
  });

  it('saves a run’s assumptions to the round in one click, and the simulation starts from them', async () => {
    await page.getByRole('link', { name: '수요 시뮬레이션' }).click();
    await page.getByRole('heading', { name: '수요 시뮬레이션' }).waitFor();
    await page.getByLabel('방문자 수').fill('35,000');
    await page.getByLabel('난수 시드').fill('42');
    await page.getByTestId('save-assumptions').click();
    const items = page.getByRole('dialog').getByTestId('dialog-items');
    await items.filter({ hasText: '예상 방문자 수: 30,000 명 → 35,000 명' }).waitFor();
    await expect.poll(() => items.innerText()).toContain('→ 시드 42');
    await page.getByRole('dialog').getByRole('button', { name: '새 버전으로 저장' }).click();
    await page.getByText('가정을 회차 버전 4에 저장했습니다').waitFor();
    await page.getByLabel('방문자 수').fill('1,000');
    await page.getByRole('button', { name: '회차 설정으로 되돌리기' }).click();
    await expect.poll(() => page.getByLabel('방문자 수').inputValue()).toBe('35,000');
    await expect.poll(() => page.getByLabel('난수 시드').inputValue()).toBe('42');
    expect(errors).toEqual([]);
  });
});
