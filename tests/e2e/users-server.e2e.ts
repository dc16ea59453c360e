import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { callOk } from '../support/http-client.js';
import { createDatabase, queryDb } from '../support/postgres.js';
import { openSaleRound, startServerProcess, type ServerProcess } from '../support/server-process.js';
import { spec2022 } from '../support/specs.js';
import { connectToServer, createAdmin } from './flows.js';
import { addUser, launchBrowser, openPage, shot, signInAs, startHost, syncNow, type RunningHost } from './support.js';

/**
 * Issue 17, finding 8, in Chromium against `npm run server` and two `npm run web` consoles: a clerk the
 * administrator adds on one console exists on the server, signs in on a second console that has never
 * seen them (as the server knows them: role and district) and syncs there.
 */
let server: ServerProcess;
let dbUrl: string;
let hostA: RunningHost;
let hostB: RunningHost;
let browser: Browser;
let a: Page;
let b: Page;
const errors: string[] = [];
const ROUND = 'round-users-e2e';

async function connect(page: Page): Promise<void> {
  await connectToServer(page, server.url);
}

beforeAll(async () => {
  dbUrl = await createDatabase(inject('pgUrl'));
  server = await startServerProcess(dbUrl);
  const api = (path: string, body: unknown, token = '') => callOk(server.url, 'POST', path, body, token);
  const root = (await api('/api/auth/sign-in', { username: 'root', password: 'root-password-1' })).token;
  // The first accounts: `--admin root` (the server process), then root makes the console administrator's.
  await api('/api/users', { username: 'admin', displayName: '김관리', password: 'admin-password-1', role: 'admin', districtCode: null }, root);
  await openSaleRound(server.url, root, ROUND, spec2022({ name: '2022 서울사랑상품권 재현' }));
  await api('/api/feed/sale', { roundId: ROUND, purchases: 200, seed: 5, usesShare: 0.3 }, root);
  [hostA, hostB] = await Promise.all([startHost(), startHost()]);
  browser = await launchBrowser();
  a = await openPage(browser, hostA.url, errors);
  b = await openPage(browser, hostB.url, errors);
  await a.setViewportSize({ width: 1280, height: 720 });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await hostA?.stop();
  await hostB?.stop();
  await server?.stop();
});

describe('users made in the console exist on the server', () => {
  it('the administrator adds a Jongno clerk on console A: the server has the account with its role and district', async () => {
    await createAdmin(a);
    await connect(a);
    await addUser(a, { username: 'jongno', name: '종로담당', role: 'clerk', district: '11110' });
    const rows = await queryDb<{ role: string; district_code: string; disabled: boolean }>(dbUrl, 'select role, district_code, disabled from users where username = $1', ['jongno']);
    expect(rows).toEqual([{ role: 'clerk', district_code: '11110', disabled: false }]);
    await a.getByTestId('users-grid').getByText('jongno').waitFor();
    await shot(a, 'users-server-created');
  });

  it('a name the server already holds for another account is refused in Korean, and not added here', async () => {
    const form = a.getByRole('form', { name: '사용자 추가' });
    await form.getByLabel('아이디').fill('root');
    await form.getByLabel('이름').fill('다른사람');
    await form.getByLabel('비밀번호').fill('another-root-password-7');
    await form.getByLabel('역할').selectOption('official');
    await form.getByRole('button', { name: '사용자 추가' }).click();
    await a.getByText('‘root’ 아이디는 서버에 이미 다른 계정으로 있습니다').waitFor();
    await shot(a, 'users-server-taken');
    await expect.poll(() => a.getByTestId('users-grid').getByText('root', { exact: true }).count()).toBe(0);
  });

  it('the clerk signs in on console B, which never saw them, and syncs their district', async () => {
    await createAdmin(b);
    await connect(b);
    // The connection's token is sealed under each console user's own key (tokens at rest): a user this console has
    // never seen is admitted to it by signing in while one who holds it is signed in too — here the administrator,
    // still signed in on another window of console B.
    const clerkWindow = await openPage(browser, hostB.url, errors);
    await signInAs(clerkWindow, 'jongno', 'jongno-password-1');
    await expect.poll(() => clerkWindow.getByTestId('current-user').innerText()).toContain('종로담당');
    await syncNow(clerkWindow);
    // From then on the clerk syncs alone: the administrator signs out.
    await signInAs(b, 'jongno', 'jongno-password-1');
    await clerkWindow.close();
    await syncNow(b);
    await b.getByTestId('sync-status-bar').waitFor();
    const status = await b.getByTestId('sync-status-bar').innerText();
    expect(status).not.toContain('서버 연결 안 됨');
    expect(errors).toEqual([]);
  });
});

describe('folding settled uses, asked of the server from the administration page', () => {
  it('refuses a fold younger than a week in the form, and says so in Korean when the server finds nothing to fold', async () => {
    await a.evaluate("window.location.hash = '#/admin/users'");
    await a.getByRole('link', { name: '사용 내역 정리' }).click();
    await a.getByTestId('fold-none').waitFor();
    const days = a.getByLabel('며칠 지난 기록까지 정리할까요');
    await days.fill('3');
    await a.getByText('7일부터 3650일 사이의 정수로 입력하세요').waitFor();
    await expect.poll(() => a.getByTestId('fold-run').isDisabled()).toBe(true);
    await days.fill('30');
    await a.getByTestId('fold-run').click();
    await a.getByRole('dialog').getByText('사용 내역을 정리할까요?').waitFor();
    await a.getByRole('dialog').getByRole('button', { name: '사용 내역 정리' }).click();
    // The feed's uses are on days nobody closed: the server folds nothing and records no act.
    await expect.poll(() => a.getByTestId('fold-outcome').innerText()).toContain('정리할 사용 기록이 없습니다');
    await shot(a, 'compaction-nothing');
    expect(await queryDb(dbUrl, 'select id from use_folds')).toEqual([]);
    await a.getByTestId('fold-none').waitFor();
    expect(errors).toEqual([]);
  });
});
