/**
 * npm run settlement -- ROUND_ID DAY [--out DIR] [--data-dir DIR] [--seed N] [--clean]
 *
 * Writes a day's settlement files for a round's sales, as each provider would
 * send them, from a console's ledger (the console's data folder, read-only; sync
 * the console first so the feed's sales are in it):
 *   hecto-pipe.txt                 Hecto pipe-delimited (bank transfers), UTF-8
 *   toss-csv.cp949.csv             Korean-header CSV (credit cards) in CP949, as Excel on Windows writes it
 *   toss-csv.utf8.csv / .utf8bom.csv   the same in UTF-8 without and with BOM
 *   kicc-fixed.txt                 fixed-width records (debit cards)
 *   manifest.json                  per file: the discrepancies injected and how matching must classify them
 * Each file gets missing rows, extra rows, changed amounts (one by the fee and VAT),
 * a duplicate, a cancellation without its original, a sale settled a day late and a
 * re-keyed row only pass 2 can place; --clean writes them without.
 * Files of the same shape and encoding are identical across runs with one seed, so a
 * file written twice is recognised on re-import. The CSV files hold the same sales:
 * import one of them.
 */
import Database from 'better-sqlite3';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LedgerTx } from '../shared/reconcile/ledger-tx.js';
import { seoulInstant } from '../shared/reconcile/days.js';
import { DEFAULT_PROFILES } from '../shared/reconcile/profile.js';
import { generateSettlement, type FileEncoding, type Manifest } from '../shared/node/reconcile/generate.js';
import { argValue, dataDirOverride, defaultDataDir } from '../shared/node/paths.js';

const args = process.argv.slice(2);
const [roundId, day] = args.filter((a, i) => !a.startsWith('--') && !(i > 0 && args[i - 1]!.startsWith('--') && !['--clean'].includes(args[i - 1]!)));
// A day that does not exist (2026-02-30) is refused here, not as a stack trace from the first date it meets.
if (!roundId || !day || Number.isNaN(seoulInstant(day, '000000'))) {
  console.error('usage: npm run settlement -- ROUND_ID YYYY-MM-DD [--out DIR] [--data-dir DIR] [--seed N] [--clean]');
  process.exit(2);
}
const out = argValue(args, 'out') ?? join(process.cwd(), 'settlement', `${roundId}-${day}`);
const dataDir = dataDirOverride(args) ?? defaultDataDir();
const seed = Number(argValue(args, 'seed') ?? 1);
const db = new Database(join(dataDir, 'console.sqlite'), { readonly: true, fileMustExist: true });

const start = Date.parse(`${day}T00:00:00+09:00`);
function ledger(provider: string): LedgerTx[] {
  const rows = db
    .prepare(
      `select event_id, type, pay_tid, pay_original_tid, pay_approved_at, pay_amount, district_code from ledger_events
       where round_id = ? and pay_provider = ? and pay_approved_at >= ? and pay_approved_at < ?`,
    )
    .raw()
    .all(roundId, provider, new Date(start).toISOString(), new Date(start + 86_400_000).toISOString()) as [string, string, string, string | null, string, number, string][];
  return rows.map(([eventId, type, tid, originalTid, at, amount, districtCode]) => ({ eventId, kind: type === 'purchase' ? 'approval' : 'cancel', tid, originalTid, approvedMs: Date.parse(at), amount, districtCode }));
}

mkdirSync(out, { recursive: true });
const manifests: (Manifest & { file: string })[] = [];
const files: [string, string, FileEncoding][] = [
  ['hecto-pipe', 'hecto-pipe.txt', 'utf-8'],
  ['toss-csv', 'toss-csv.cp949.csv', 'cp949'],
  ['toss-csv', 'toss-csv.utf8.csv', 'utf-8'],
  ['toss-csv', 'toss-csv.utf8bom.csv', 'utf-8-bom'],
  ['kicc-fixed', 'kicc-fixed.txt', 'utf-8'],
];
for (const [profileId, name, encoding] of files) {
  const profile = DEFAULT_PROFILES.find((p) => p.id === profileId)!;
  const txs = ledger(profile.provider);
  if (txs.length === 0) {
    console.log(`${name}: no ${profile.provider} payments on ${day} in round ${roundId}; skipped`);
    continue;
  }
  const { bytes, manifest } = generateSettlement(txs, profile, day, { seed, encoding, inject: !args.includes('--clean') });
  writeFileSync(join(out, name), bytes);
  manifests.push({ file: name, ...manifest });
  console.log(`${name}: ${manifest.rows} rows, ${manifest.injected.length} injected`);
}
writeFileSync(join(out, 'manifest.json'), JSON.stringify(manifests, null, 2));
console.log(`written to ${out}`);
