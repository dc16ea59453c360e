import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateToLatest, openDatabase, type LedgerDb } from '../../shared/node/db/open.js';
import { analyseSettlement } from '../../shared/node/reconcile/analyse.js';
import type { Manifest } from '../../shared/node/reconcile/generate.js';
import { seoulDay } from '../../shared/reconcile/days.js';
import { DEFAULT_PROFILES } from '../../shared/reconcile/profile.js';
import { callOk, signInAs } from '../support/http-client.js';
import { openSaleRound, ROOT_PASSWORD, ROOT_USER, startServerProcess, type ServerProcess } from '../support/server-process.js';
import { spec2022 } from '../support/specs.js';

/**
 * `npm run settlement` end to end: a real server process takes a sale (the feed),
 * a console syncs it, and the script writes each provider's files for the day
 * from that console's ledger. The files must read with their profiles, and
 * matching them against the console's record must find exactly what the
 * manifest says was injected.
 */
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const ROUND = 'round-settle';
let server: ServerProcess;
let work: string;
let consoleDir: string;
let day: string;

function run(script: string, args: string[]): Promise<{ code: number | null; out: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], { cwd: ROOT, env: process.env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr.on('data', (b: Buffer) => (out += b.toString()));
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, out })));
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'ic-settlement-cli-'));
  consoleDir = join(work, 'console');
  server = await startServerProcess({ dataDir: join(work, 'server') });
  const root = await signInAs(server.url);
  await openSaleRound(server.url, root, ROUND, spec2022({ name: ROUND, paymentMethods: ['bank_transfer', 'debit_card', 'credit_card'] }));
  await callOk(server.url, 'POST', '/api/feed/sale', { roundId: ROUND, purchases: 600, seed: 5, usesShare: 0 }, root);
  day = seoulDay(Date.now());
  // A console syncs the sale from the server, as an office would before generating or importing files.
  const synced = await run('tests/support/sync-child.ts', [consoleDir, server.url, ROOT_USER, ROOT_PASSWORD]);
  expect(synced.code, synced.out).toBe(0);
}, 180_000);

afterAll(async () => {
  await server?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('npm run settlement against a server process', () => {
  const files = ['hecto-pipe.txt', 'toss-csv.cp949.csv', 'toss-csv.utf8.csv', 'toss-csv.utf8bom.csv', 'kicc-fixed.txt'];

  it('writes every shape and encoding with a manifest, and the classification equals the manifest', async () => {
    const out = join(work, 'out');
    const r = await run('scripts/settlement.ts', [ROUND, day, '--data-dir', consoleDir, '--out', out, '--seed', '4']);
    expect(r.code, r.out).toBe(0);
    expect(r.out).toContain(`written to ${out}`);
    for (const f of files) expect(existsSync(join(out, f)), f).toBe(true);
    const manifests = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as (Manifest & { file: string })[];
    expect(manifests.map((m) => m.file)).toEqual(files);

    const l: LedgerDb = openDatabase(join(consoleDir, 'console.sqlite'));
    await migrateToLatest(l.db);
    try {
      for (const m of manifests) {
        expect(m.day).toBe(day);
        const bytes = readFileSync(join(out, m.file));
        if (m.encoding === 'utf-8-bom') expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
        if (m.encoding === 'cp949') expect(bytes.includes(Buffer.from('거래구분'))).toBe(false); // not UTF-8 Korean
        const profile = DEFAULT_PROFILES.find((p) => p.id === m.profileId)!;
        const a = await analyseSettlement(l.sqlite, profile, bytes, { windowBusinessDays: 1 });
        expect(a.encoding, m.file).toBe(m.encoding);
        expect(a.result.rows, m.file).toBe(m.rows);
        expect(a.result.matched, m.file).toBe(m.matched);
        const key = (e: { class: string; line: number | null }) => `${e.class}@${e.line ?? '-'}`;
        const want = m.injected.filter((i) => i.class !== 'matched' && i.line !== null).map(key).sort();
        const got = a.result.exceptions.filter((e) => e.line !== null).map(key).sort();
        expect(got, m.file).toEqual(want);
        expect(a.result.exceptions.filter((e) => e.class === 'only_in_ledger').length, m.file).toBe(m.injected.filter((i) => i.class === 'only_in_ledger').length);
        expect(new Set(m.injected.map((i) => i.kind)).size, m.file).toBe(8);
      }
    } finally {
      await l.close();
    }
  });

  it('writes the same bytes for the same seed (a re-import is recognised), and refuses a bad day', async () => {
    const again = join(work, 'again');
    expect((await run('scripts/settlement.ts', [ROUND, day, '--data-dir', consoleDir, '--out', again, '--seed', '4'])).code).toBe(0);
    for (const f of files) expect(readFileSync(join(again, f)).equals(readFileSync(join(work, 'out', f))), f).toBe(true);
    const bad = await run('scripts/settlement.ts', [ROUND, '2026-13-40', '--data-dir', consoleDir]);
    expect(bad.code).toBe(2);
    expect(bad.out).toContain('usage');
  });
});
