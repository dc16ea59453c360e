import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const SHOTS = join(ROOT, 'test-results', 'screenshots');

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export interface RunningHost {
  url: string;
  dataDir: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

/** Starts `node dist/node/web-host.cjs` (what `npm run web` runs after building) on a fresh data folder. */
export async function startHost(dataDir = mkdtempSync(join(tmpdir(), 'ic-e2e-'))): Promise<RunningHost> {
  const entry = join(ROOT, 'dist/node/web-host.cjs');
  if (!existsSync(entry)) throw new Error('dist/ is missing: run `npm run build` before the end-to-end tests');
  const child = spawn(process.execPath, [entry, '--data-dir', dataDir, '--port', '0'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const url = await new Promise<string>((resolveUrl, reject) => {
    // A minute: at a load of 25 on two cores (eight engineers' tests at once) 20 s was once not enough.
    const timer = setTimeout(() => reject(new Error(`web host did not start:\n${output}`)), 60_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const m = /running at (http:\/\/\S+)/.exec(output);
      if (m) {
        clearTimeout(timer);
        resolveUrl(m[1]!);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`web host exited with ${code}:\n${output}`)));
  });
  return {
    url,
    dataDir,
    process: child,
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** A page that fails the test on any uncaught error in the renderer. */
export async function openPage(browser: Browser, url: string, errors: string[]): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 }, locale: 'ko-KR', timezoneId: 'Asia/Seoul' });
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => {
    // Refused API calls (401, 422…) are expected answers, reported below by URL instead.
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) errors.push(m.text());
  });
  page.on('response', (r) => {
    if (r.status() >= 400 && !r.url().includes('/api/invoke')) errors.push(`${r.status()} ${r.url()}`);
    if (r.status() >= 500) errors.push(`${r.status()} ${r.url()}`);
  });
  await page.goto(url);
  return page;
}

export async function shot(page: Page, name: string): Promise<void> {
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
}

/**
 * Runs a sync from the Sync page and waits for its toast. The last sync's toast may still be up: it is waited
 * out first, or it would be taken for this sync's.
 */
export async function syncNow(page: Page): Promise<void> {
  await page.getByRole('link', { name: '동기화', exact: true }).click();
  await page.getByText('동기화를 마쳤습니다').first().waitFor({ state: 'detached', timeout: 15_000 });
  await page.getByRole('button', { name: '지금 동기화' }).click();
  await page.getByText('동기화를 마쳤습니다').first().waitFor();
}

/**
 * Signs `username` in, first signing out whoever is signed in. Found by the
 * sign-in form's field ids and either language's button, so it serves a page
 * in Korean or in English; the fields exist only once the sign-in form is in
 * place, so a page still leaving is never filled.
 */
export async function signInAs(page: Page, username: string, password: string): Promise<void> {
  const signOut = page.getByRole('button', { name: /^(로그아웃|Sign out)$/ });
  if (await signOut.count()) await signOut.click();
  await page.locator('#signin-username').fill(username);
  await page.locator('#signin-password').fill(password);
  await page.getByRole('button', { name: /^(로그인|Sign in)$/ }).click();
  await page.getByTestId('current-user').waitFor();
}

export interface NewUser {
  username: string;
  name: string;
  role: 'admin' | 'official' | 'clerk' | 'analyst';
  /** `<username>-password-1` unless given. */
  password?: string;
  /** A clerk's district code. */
  district?: string;
}

/** A user added through the administration page's form, as an administrator signed in on a Korean page; waits for the confirmation. */
export async function addUser(page: Page, user: NewUser): Promise<void> {
  await page.getByRole('link', { name: '관리', exact: true }).click();
  const form = page.getByRole('form', { name: '사용자 추가' });
  await form.getByLabel('아이디').fill(user.username);
  await form.getByLabel('이름').fill(user.name);
  await form.getByLabel('비밀번호').fill(user.password ?? `${user.username}-password-1`);
  await form.getByLabel('역할').selectOption(user.role);
  if (user.district) await form.getByLabel('담당 자치구').selectOption(user.district);
  await form.getByRole('button', { name: '사용자 추가' }).click();
  // A Latin user name is never followed by a guessed particle ("lee.official을(를)").
  await page.getByText(`‘${user.username}’ 사용자를 추가했습니다`).waitFor();
}
