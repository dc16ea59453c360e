/**
 * npm run bench:reconcile — 1,000,000 settlement rows parsed, matched against a
 * 1,000,000-purchase ledger and classified, then the exceptions grid's first page.
 *
 * Prepares (untimed) a file-backed console database with a million Hecto
 * purchases on one day and the provider's pipe-delimited file for that day with
 * the generator's discrepancies, then measures in a fresh process, so its peak
 * memory (maxRSS) covers only the reconciliation: reading the ledger index from
 * SQLite, decoding and parsing the file, both matching passes and classification.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { migrateToLatest, openDatabase } from '../../shared/node/db/open.js';
import { analyseSettlement } from '../../shared/node/reconcile/analyse.js';
import { sampleLedger, seedLedger } from '../../shared/node/reconcile/fixtures.js';
import { generateSettlement } from '../../shared/node/reconcile/generate.js';
import { listExceptions } from '../../shared/node/reconcile/reconcile-repo.js';
import { DEFAULT_PROFILES } from '../../shared/reconcile/profile.js';

const N = Number(process.env.RECONCILE_BENCH_ROWS ?? 1_000_000);
const DAY = '2026-03-10';
const profile = DEFAULT_PROFILES.find((p) => p.id === 'hecto-pipe')!;

async function prepare(dir: string): Promise<void> {
  const t0 = performance.now();
  const l = openDatabase(join(dir, 'console.sqlite'));
  await migrateToLatest(l.db);
  const ledger = sampleLedger('hecto', [DAY], N, 0);
  seedLedger(l.sqlite, 'hecto', ledger);
  const { bytes, manifest } = generateSettlement(ledger, profile, DAY, { seed: 1 });
  writeFileSync(join(dir, 'hecto.txt'), bytes);
  // Exceptions for the grid: 100,000 over 30 days and 4 providers, as months of work would leave.
  const ins = l.sqlite.prepare("insert into settlement_imports (id, sha256, profile_id, provider, file_name, encoding, day, row_count, imported_by, imported_at) values ('bench', 'bench', 'hecto-pipe', 'hecto', 'bench', 'utf-8', ?, 0, 'bench', ?)");
  ins.run(DAY, new Date().toISOString());
  const exc = l.sqlite.prepare('insert into reconcile_exceptions (import_id, provider, day, class, line, tid, district_code, file_amount, ledger_amount) values (?, ?, ?, ?, ?, ?, ?, ?, ?)');
  const classes = ['amount_mismatch', 'only_in_file', 'only_in_ledger', 'duplicate', 'cancel_without_original', 'other_day'];
  l.sqlite.transaction(() => {
    for (let i = 0; i < 100_000; i++) {
      exc.run('bench', ['hecto', 'toss', 'kicc', 'nice'][i % 4], `2026-02-${String(1 + (i % 28)).padStart(2, '0')}`, classes[i % 6], i + 2, `T${i}`, ['11110', '11440', '11680'][i % 3], 9_300, 9_300);
    }
  })();
  l.sqlite.exec('analyze');
  await l.close();
  console.log(`prepared ${N.toLocaleString()} ledger purchases and a ${(bytes.length / 1e6).toFixed(1)} MB file of ${manifest.rows.toLocaleString()} rows (${((performance.now() - t0) / 1000).toFixed(1)} s, untimed)`);
}

async function measure(dir: string): Promise<void> {
  const l = openDatabase(join(dir, 'console.sqlite'));
  const bytes = readFileSync(join(dir, 'hecto.txt'));
  const t0 = performance.now();
  const a = await analyseSettlement(l.sqlite, profile, bytes, { windowBusinessDays: 1 });
  const secs = (performance.now() - t0) / 1000;
  const peakMb = process.resourceUsage().maxRSS / 1024;
  const r = a.result;
  console.log(`reconcile: ${r.rows.toLocaleString()} rows vs ${a.ledgerRows.toLocaleString()} ledger payments in ${secs.toFixed(2)} s (${Math.round(r.rows / secs).toLocaleString()} rows/s); matched ${r.matched.toLocaleString()}, exceptions ${r.exceptions.length}; of which reading the ledger from SQLite ${(a.ledgerMs / 1000).toFixed(2)} s; peak RSS ${peakMb.toFixed(0)} MB (targets: < 10 s, < 500 MB)`);
  const times: number[] = [];
  for (const q of [{}, { day: '2026-02-14' }, { provider: 'toss', class: 'duplicate' as const }, { districtCode: '11440', status: 'open' as const }]) {
    const t = performance.now();
    const page = await listExceptions(l.db, { startRow: 0, endRow: 100, ...q });
    times.push(performance.now() - t);
    if (page.rows.length === 0) throw new Error('empty first page');
  }
  console.log(`exceptions grid first page (100 of 100,000, with its total), backend query: ${times.map((t) => t.toFixed(1)).join(' / ')} ms for none / day / provider+class / district+open (target < 200 ms)`);
  await l.close();
}

const [mode, dirArg] = process.argv.slice(2);
if (mode === 'measure') await measure(dirArg!);
else {
  // RECONCILE_BENCH_DIR keeps the prepared database and file between runs (prepared when missing).
  const keep = process.env.RECONCILE_BENCH_DIR;
  const dir = keep ?? mkdtempSync(join(tmpdir(), 'reconcile-bench-'));
  try {
    if (!keep || !existsSync(join(dir, 'hecto.txt'))) {
      mkdirSync(dir, { recursive: true });
      await prepare(dir);
    }
    const r = spawnSync(process.execPath, [...process.execArgv, process.argv[1]!, 'measure', dir], { stdio: 'inherit' });
    if (r.status !== 0) process.exitCode = 1;
  } finally {
    if (!keep) rmSync(dir, { recursive: true, force: true });
  }
}
