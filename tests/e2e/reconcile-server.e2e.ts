import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { migrateToLatest, openDatabase } from '../../shared/node/db/open.js';
import { sampleLedger, seedLedger } from '../../shared/node/reconcile/fixtures.js';
import { generateSettlement } from '../../shared/node/reconcile/generate.js';
import { DEFAULT_PROFILES } from '../../shared/reconcile/profile.js';
import { callOk } from '../support/http-client.js';
import { createDatabase, queryDb } from '../support/postgres.js';
import { startServerProcess, type ServerProcess } from '../support/server-process.js';
import { connectToServer, createAdmin } from './flows.js';
import { addUser, launchBrowser, openPage, shot, signInAs, startHost, syncNow, type RunningHost } from './support.js';

/**
 * Issue 17, finding 1, console half, in Chromium against `npm run server` and `npm run web`: the day's lock is
 * the server's. A booking the server refuses (above the administrator's two-person amount) leaves the server's
 * figures unexplained, so the server refuses the lock too; the page says so in Korean with the server's reason
 * and the console's lock is gone; the booking shows "2인 승인 필요". Once another official countersigns it (never its
 * booker), the booking and the lock are the server's.
 */
const DAY = '2026-03-10';
let server: ServerProcess;
let dbUrl: string;
let host: RunningHost;
let browser: Browser;
let page: Page;
let csvPath: string;
let missing = 0;
let root = '';
const errors: string[] = [];
const api = (path: string, body: unknown, token: string) => callOk(server.url, 'POST', path, body, token);
const command = (body: Record<string, unknown>) => api('/api/commands', { commandId: crypto.randomUUID(), sentAt: new Date().toISOString(), ...body }, root);

beforeAll(async () => {
  dbUrl = await createDatabase(inject('pgUrl'));
  server = await startServerProcess(dbUrl);
  root = (await api('/api/auth/sign-in', { username: 'root', password: 'root-password-1' }, '')).token;
  await api('/api/users', { username: 'admin', displayName: '김관리', password: 'admin-password-1', role: 'admin', districtCode: null }, root);
  // Bookings above 1 won need a second official: the console's one booking will be refused.
  expect(await command({ type: 'set_adjustment_threshold', amount: 1 })).toMatchObject({ status: 'accepted' });
  const dataDir = mkdtempSync(join(tmpdir(), 'ic-e2e-reconcile-server-'));
  const l = openDatabase(join(dataDir, 'console.sqlite'));
  await migrateToLatest(l.db);
  const ledger = sampleLedger('toss', [DAY], 20);
  // The console's own sales, numbered far above the server's log so the events sync brings keep their numbers.
  seedLedger(l.sqlite, 'toss', ledger, 'round-reconcile', 1_000_000);
  await l.close();
  // The provider's file leaves out one approval the ledger has (and no cancel refers to): one exception, −its amount.
  const dropped = ledger.find((t) => t.kind === 'approval' && !ledger.some((c) => c.originalTid === t.tid))!;
  missing = dropped.amount;
  const made = generateSettlement(ledger.filter((t) => t !== dropped), DEFAULT_PROFILES.find((p) => p.id === 'toss-csv')!, DAY, { seed: 3, inject: false });
  csvPath = join(dataDir, '..', `toss-server-${DAY}-${process.pid}.csv`);
  writeFileSync(csvPath, made.bytes);
  host = await startHost(dataDir);
  browser = await launchBrowser();
  page = await openPage(browser, host.url, errors);
  await page.setViewportSize({ width: 1280, height: 720 });
  await createAdmin(page);
  await connectToServer(page, server.url);
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await host?.stop();
  await server?.stop();
});

const dayRow = () => page.locator(`[data-testid="reconcile-days"] tr[data-day="${DAY}"]`);

async function openReconcile(): Promise<void> {
  await page.getByRole('link', { name: '대사', exact: true }).click();
  await page.getByRole('heading', { name: '정산 대사' }).waitFor();
}

async function lockDay(): Promise<void> {
  await dayRow().getByRole('button', { name: '그날 마감' }).click();
  await page.getByRole('dialog').getByRole('button', { name: '그날 마감' }).click();
  await expect.poll(() => dayRow().getByTestId('day-status').innerText()).toContain('마감됨');
}

describe('a reconcile day locked by the server', () => {
  it('imports the file and books the difference; the lock waits for the server', async () => {
    await openReconcile();
    await page.getByLabel('파일 형식').selectOption('toss-csv');
    await page.getByLabel('정산 파일').setInputFiles(csvPath);
    await page.getByRole('button', { name: '미리 보기' }).click();
    await page.getByTestId('dry-run').waitFor();
    await page.getByRole('button', { name: '대사 결과 기록' }).click();
    await expect.poll(() => page.getByTestId('exceptions-count').innerText()).toBe('1');
    await page.locator('[data-testid="exceptions-grid"] .ag-row [role="gridcell"][col-id="tid"]').first().click();
    const panel = page.getByTestId('exception-panel');
    await panel.getByTestId('fill-difference').click();
    await panel.getByLabel('설명', { exact: true }).fill('대행사 누락 건');
    await panel.getByLabel('사유').selectOption('timing');
    await panel.getByRole('button', { name: '처리', exact: true }).click();
    await expect.poll(() => panel.getByTestId('exception-status').innerText()).toContain('처리됨');
    await panel.getByRole('button', { name: '닫기' }).click();
    await lockDay();
    await expect.poll(() => dayRow().getByTestId('day-server').innerText()).toBe('마감 요청을 서버로 보내는 중');
  });

  it('the server refuses the lock on its own figures: the page says why in Korean and the day is open again', async () => {
    await syncNow(page);
    await openReconcile();
    const refused = dayRow().getByTestId('day-server-refused');
    await refused.waitFor();
    await expect.poll(() => refused.innerText()).toContain('서버가 마감을 거부했습니다: 서버 집계로 설명되지 않은 차액이 남아 있어 마감할 수 없습니다 (2026-03-10, ');
    await expect.poll(() => dayRow().getByTestId('day-status').innerText()).not.toContain('마감됨');
    await shot(page, 'reconcile-server-lock-refused-1280');
    // The server's journal: nothing recorded yet; the console's booking waits for a second official, and its
    // booker is told they cannot be the one (no countersign button for them).
    await dayRow().getByTestId('open-journal').click();
    const held = page.getByTestId('server-journal').locator('[data-testid="journal-row"][data-source="awaiting_second"]');
    await expect.poll(() => held.innerText()).toContain('2인 승인 필요');
    await expect.poll(() => held.innerText()).toContain('본인이 처리한 조정은 승인할 수 없습니다');
    await expect.poll(() => held.getByTestId('countersign').count()).toBe(0);
    await expect.poll(() => page.getByTestId('server-journal').locator('[data-source="server"]').count()).toBe(0);
    await shot(page, 'reconcile-countersign-awaiting-1280');
    await page.getByLabel('언어').selectOption('en');
    await dayRow().getByRole('button', { name: 'Server journal' }).click();
    await page.getByTestId('server-journal').getByText('Second official needed').waitFor();
    await shot(page, 'reconcile-countersign-awaiting-en-1280');
    await page.getByLabel('Language').selectOption('ko');
    await page.getByRole('heading', { name: '정산 대사' }).waitFor();
    const locks = await queryDb<{ locked_by: string | null }>(dbUrl, 'select locked_by from reconcile_day_locks where day = $1', [DAY]);
    expect(locks.every((r) => r.locked_by === null)).toBe(true);
  });

  it('another official countersigns: the booking and the lock are the server’s, and the page shows who locked it', async () => {
    // Official B, made on the server through the console's user screen, countersigns in a confirmation dialog that shows the working.
    await addUser(page, { username: 'lee', name: '이공무', role: 'official' });
    await signInAs(page, 'lee', 'lee-password-1');
    await openReconcile();
    await dayRow().getByTestId('open-journal').click();
    const held = page.getByTestId('server-journal').locator('[data-testid="journal-row"][data-source="awaiting_second"]');
    await held.getByTestId('countersign').click();
    const dialog = page.getByRole('dialog');
    const money = `-₩${missing.toLocaleString('en-US')}`;
    // The dialog opens after the click returns: an empty list read then would be the state before it.
    const working = () => dialog.getByTestId('dialog-items').locator('li').allInnerTexts();
    await expect.poll(async () => (await working())[0]).toBe('처리자: 김관리 (admin)');
    await expect.poll(async () => (await working())[1]).toBe(`조정 금액: ${money}`);
    await expect.poll(async () => (await working())[3]).toBe(`차이: ${money}`);
    await shot(page, 'reconcile-countersign-dialog-1280');
    await dialog.getByRole('button', { name: '승인하고 보내기' }).click();
    await page.getByTestId('server-journal').locator('[data-testid="journal-row"][data-source="pending"]').waitFor();
    await expect.poll(() => held.count()).toBe(0);
    // The countersign is sent in lee's name; the booking goes in its booker's, so it waits for them.
    await page.getByRole('link', { name: '동기화', exact: true }).click();
    await page.getByRole('button', { name: '지금 동기화' }).click();
    await page.getByText('김관리 님의 서버 로그인이 없습니다').first().waitFor();
    expect(await queryDb<{ n: string }>(dbUrl, 'select count(*) as n from adjustment_countersigns', [])).toEqual([{ n: '1' }]);
    await signInAs(page, 'admin', 'admin-password-1');
    await syncNow(page);
    await openReconcile();
    await expect.poll(() => dayRow().getByTestId('day-unexplained').innerText()).toBe('₩0');
    await lockDay();
    await syncNow(page);
    await openReconcile();
    await expect.poll(() => dayRow().getByTestId('day-server').innerText()).toMatch(/^서버 마감 \(admin, /);
    // The journal read back from the server: the booking and the lock, each with its sequence, author and the server's time.
    await dayRow().getByTestId('open-journal').click();
    const journal = page.getByTestId('server-journal');
    const serverRows = journal.locator('[data-testid="journal-row"][data-source="server"]');
    await expect.poll(() => serverRows.count()).toBe(2);
    const [booked, locked] = [await serverRows.nth(0).innerText(), await serverRows.nth(1).innerText()];
    expect(booked).toContain('조정');
    expect(booked).toContain(`-₩${missing.toLocaleString('en-US')}`);
    expect(booked).toContain('admin');
    expect(booked).toContain('승인: lee');
    expect(booked).toContain('서버 기록');
    expect(locked).toContain('마감');
    const journalRows = await queryDb<{ seq: string; type: string }>(dbUrl, "select seq, type from events where type in ('adjustment_booked', 'reconcile_day_locked') order by seq");
    expect(journalRows.map((r) => r.type)).toEqual(['adjustment_booked', 'reconcile_day_locked']);
    expect(booked).toContain(String(journalRows[0]!.seq));
    await shot(page, 'reconcile-server-locked-1280');
    await page.getByLabel('언어').selectOption('en');
    // Switching language draws the page again: the journal is opened again.
    await dayRow().getByRole('button', { name: 'Server journal' }).click();
    await journal.getByText('Recorded').first().waitFor();
    await shot(page, 'reconcile-server-journal-en-1280');
    await page.getByLabel('Language').selectOption('ko');
    await page.getByRole('heading', { name: '정산 대사' }).waitFor();
    // The server's own figures: one file, its one exception, and the day locked by the console's administrator.
    const [x] = await queryDb<{ file_digest: string; ref: string; difference: string }>(dbUrl, 'select file_digest, ref, difference from settlement_exceptions where day = $1', [DAY]);
    expect(Number(x!.difference)).toBe(-missing);
    // A booking on the server's locked day, sent by hand as a modified console would: refused, nothing written.
    const late = await command({
      type: 'book_adjustment', provider: 'toss', day: DAY, fileDigest: x!.file_digest, exceptionRef: x!.ref, amount: -1,
      exception: { class: 'only_in_ledger', line: null, tid: null, fileAmount: null, ledgerAmount: missing }, reason: 'timing', text: '마감 뒤 조정',
    });
    expect(late).toMatchObject({ status: 'rejected', reason: { key: 'settlement.dayLocked' } });
    expect(errors).toEqual([]);
  });
});
