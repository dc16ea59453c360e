/**
 * `npm run bench:rounds`: how long the rounds grid takes to show 10,000 rounds, and
 * how long an API call takes over the web host. Checks that every round arrives (in process, over HTTP and as
 * the grid's count). Its goals are Nielsen's response-time limits: the grid shown within 1 s of the click (the
 * user's flow of thought kept), a sort within 0.5 s, and an API round trip within 0.1 s at p99 (felt as instant). Prints the ratio of each figure to baselines/rounds.json (`--write-baseline` stores a run).
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { DISTRICT_CODES } from '../../shared/common/districts.js';
import { findPreset } from '../../shared/rounds/presets.js';
import type { RoundStatus } from '../../shared/rounds/lifecycle.js';
import { createBackend } from '../../shared/node/backend/backend.js';
import { launchBrowser, startHost } from '../../tests/e2e/support.js';
import { judgeFigures } from './goals.js';
import { median, ms, percentile, table } from './stats.js';

const ROUNDS = 10_000;
const PASSWORD = 'bench-password-1';

async function seed(dataDir: string): Promise<void> {
  const backend = await createBackend({ dataDir, log: () => {} });
  const admin = await backend.invoke({ method: 'setup.createAdmin', input: { username: 'bench', displayName: '벤치', password: PASSWORD } });
  if (!admin.ok) throw new Error(JSON.stringify(admin.error));
  const adminId = (admin.result as { id: string }).id;
  const base = findPreset('seoul-2022-07-14')!.spec(new Date());
  const statuses: RoundStatus[] = ['draft', 'approved', 'scheduled', 'on_sale', 'closed', 'settled'];
  const { sqlite } = backend.ledger;
  const insertRound = sqlite.prepare('insert into rounds (id, status, current_version, approved_version, created_at, created_by, updated_at) values (?, ?, 1, ?, ?, ?, ?)');
  const insertVersion = sqlite.prepare("insert into round_versions (round_id, version, spec, changed, author_id, created_at) values (?, 1, ?, '[]', ?, ?)");
  const insertSales = sqlite.prepare('insert into round_sales (round_id, sold_face, lot_count) values (?, ?, ?)');
  sqlite.transaction(() => {
    for (let i = 0; i < ROUNDS; i++) {
      const id = randomUUID();
      const status = statuses[i % statuses.length]!;
      const district = i % 3 === 0 ? null : DISTRICT_CODES[i % DISTRICT_CODES.length]!;
      const spec = { ...base, name: `${district ? '자치구' : '광역'} 회차 ${i + 1}`, kind: district ? 'district' : 'city', districtCode: district, totalAmount: (1 + (i % 50)) * 1_000_000_000 };
      const at = new Date(Date.UTC(2020, 0, 1) + i * 3_600_000).toISOString();
      insertRound.run(id, status, status === 'draft' ? null : 1, at, adminId, at);
      insertVersion.run(id, JSON.stringify(spec), adminId, at);
      if (status !== 'draft' && status !== 'approved') insertSales.run(id, Math.floor(spec.totalAmount / 20_000) * 10_000, 1_000);
    }
  })();
  await backend.close();
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'ic-bench-'));
  try {
    let t = performance.now();
    await seed(dataDir);
    const seedMs = performance.now() - t;

    // The handler alone, in process.
    const backend = await createBackend({ dataDir, log: () => {} });
    const signIn = await backend.invoke({ method: 'auth.signIn', input: { username: 'bench', password: PASSWORD } });
    const session = (signIn as { result: { token: string } }).result.token;
    const listTimes: number[] = [];
    for (let i = 0; i < 7; i++) {
      t = performance.now();
      const r = await backend.invoke({ method: 'rounds.list', input: {}, session });
      listTimes.push(performance.now() - t);
      if (!r.ok || (r.result as unknown[]).length !== ROUNDS) throw new Error('rounds.list did not return every round');
    }
    await backend.close();

    // Over HTTP, through the web host and its backend worker.
    const host = await startHost(dataDir);
    const origin = new URL(host.url).origin;
    const token = new URL(host.url).searchParams.get('token')!;
    const call = async (method: string, input: unknown, sessionToken?: string) => {
      const res = await fetch(`${origin}/api/invoke`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-console-token': token, ...(sessionToken ? { 'x-console-session': sessionToken } : {}) },
        body: JSON.stringify({ method, input }),
      });
      return (await res.json()) as { ok: boolean; result: unknown };
    };
    const httpSession = ((await call('auth.signIn', { username: 'bench', password: PASSWORD })).result as { token: string }).token;
    for (let i = 0; i < 50; i++) await call('auth.me', {}, httpSession);
    const rtt: number[] = [];
    for (let i = 0; i < 2_000; i++) {
      t = performance.now();
      await call('auth.me', {}, httpSession);
      rtt.push(performance.now() - t);
    }
    const listHttp: number[] = [];
    let bytes = 0;
    for (let i = 0; i < 7; i++) {
      t = performance.now();
      const r = await call('rounds.list', {}, httpSession);
      listHttp.push(performance.now() - t);
      bytes = JSON.stringify(r).length;
      if (!r.ok || (r.result as unknown[]).length !== ROUNDS) throw new Error('rounds.list over HTTP did not return every round');
    }

    // The grid in Chromium: from navigation to the first rows painted with the count shown.
    const browser = await launchBrowser();
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    await page.goto(host.url);
    await page.getByLabel('아이디').fill('bench');
    await page.getByLabel('비밀번호').fill(PASSWORD);
    await page.getByRole('button', { name: '로그인' }).click();
    await page.getByTestId('rounds-count').waitFor();
    const gridTimes: number[] = [];
    for (let i = 0; i < 5; i++) {
      await page.goto(`${origin}/#/admin/users`);
      await page.getByTestId('users-grid').waitFor();
      t = performance.now();
      await page.getByRole('link', { name: '발행 회차' }).click();
      await page.locator('[data-testid="rounds-grid"] .ag-row [role="gridcell"][col-id="name"]').first().waitFor();
      await page.getByText('10,000개 회차').waitFor();
      gridTimes.push(performance.now() - t);
    }
    // Sorting 10,000 rows by a money column, as a person clicking a header would.
    const sortTimes: number[] = [];
    for (let i = 0; i < 5; i++) {
      t = performance.now();
      await page.locator('[role="columnheader"][col-id="totalAmount"] .ag-header-cell-label').click();
      // Two frames: the sort is applied and painted. A string, because this file is type-checked without DOM types.
      await page.evaluate('new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))');
      sortTimes.push(performance.now() - t);
    }
    await browser.close();
    await host.stop();

    console.log(`Rounds grid and API benchmark (${ROUNDS.toLocaleString('en-US')} rounds, ${new Date().toISOString()})`);
    console.log(
      table([
        ['seed 10,000 rounds into SQLite', ms(seedMs)],
        ['rounds.list in process (median of 7)', ms(median(listTimes))],
        ['rounds.list over HTTP (median of 7)', `${ms(median(listHttp))}, ${(bytes / 1024 / 1024).toFixed(2)} MiB JSON`],
        ['grid load in Chromium: click → rows shown (median of 5)', ms(median(gridTimes))],
        ['grid load in Chromium (max of 5)', ms(Math.max(...gridTimes))],
        ['grid sort by total amount (median of 5)', ms(median(sortTimes))],
        ['API round trip auth.me over HTTP, median (2,000 calls)', ms(median(rtt))],
        ['API round trip auth.me over HTTP, p99', ms(percentile(rtt, 99))],
      ]),
    );
    judgeFigures('bench:rounds, 10,000 rounds: grid load and sort in Chromium, API round trips over the web host', new URL('./baselines/rounds.json', import.meta.url), [
      { key: 'listInProcessMs', label: 'rounds.list in process (median)', value: median(listTimes), unit: 'ms' },
      { key: 'listHttpMs', label: 'rounds.list over HTTP (median)', value: median(listHttp), unit: 'ms' },
      { key: 'gridLoadMs', label: 'grid load, click → rows and count shown (median)', value: median(gridTimes), unit: 'ms', goal: 1_000 },
      { key: 'gridSortMs', label: 'grid sort by total amount (median)', value: median(sortTimes), unit: 'ms', goal: 500 },
      { key: 'rttMedianMs', label: 'API round trip, median', value: median(rtt), unit: 'ms' },
      { key: 'rttP99Ms', label: 'API round trip, p99', value: percentile(rtt, 99), unit: 'ms', goal: 100 },
    ]);
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

void main();
