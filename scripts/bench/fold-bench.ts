/**
 * `npm run bench:fold [-- --purchases N] [-- --uses K] [-- --days D]`: how a year of certificate uses grows
 * the snapshot a new console downloads, with and without folding (issue 21: "use events older than a settled
 * period are folded … a new one never downloads them"; "the README states how snapshot size and time grow
 * with a year of events").
 *
 * A server in this process on a throw-away PostgreSQL cluster, its clock moved by hand. Two halves of D/2
 * days, each day N/D purchases (the feed's own rules), every district closing every day: in the first each
 * lot is spent in one use, in the second in K; after each half an administrator folds what is a week old.
 * The official's snapshot is built from scratch before the first fold and after each; the growth between
 * the two folded files separates what a folded use costs from what a purchase (with its lot and checkpoint)
 * costs, and those two figures project a year.
 *
 * Checks (exit 1 on a wrong answer): each fold took every use the feed wrote since the last, in one checkpoint
 * per spent lot; a folded snapshot holds no use event and a checkpoint per spent lot, and its lots the same
 * won used as the unfolded one. Goal (derived from the issue's two first-sync goals: 1M events < 15 s, 10M < 90 s, so
 * 10M may take 6× what 1M takes): a year of 1M purchases and 9M uses, folded, must be at most 6× the bytes of
 * 1M unfolded events — a folded use may cost at most 5/9 of an unfolded event. Prints the ratio to
 * baselines/fold.json.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { SnapshotStore } from '../../server/log/snapshots.js';
import { ServerHarness } from '../../tests/support/server-harness.js';
import { startPostgres } from '../../tests/support/postgres.js';
import { judgeFigures } from './goals.js';
import { DAY, foldMismatch, settledSales } from './settled-sales.js';
import { table } from './stats.js';

const { values: args } = parseArgs({ options: { purchases: { type: 'string' }, uses: { type: 'string' }, days: { type: 'string' }, 'write-baseline': { type: 'boolean' }, 'no-enforce': { type: 'boolean' } } });
const N = Number(args.purchases ?? 20_000);
const K = Number(args.uses ?? 9);
const D = Number(args.days ?? 10);
for (const [name, v, min] of [['purchases', N, 1_000], ['uses', K, 2], ['days', D, 2]] as const) {
  if (!Number.isInteger(v) || v < min) throw new Error(`--${name} must be a whole number of at least ${min}, not ${v}`);
}
if (D % 2 !== 0) throw new Error(`--days must be even (two halves), not ${D}`);
const ROUND = 'bench-fold';
const MiB = 2 ** 20;
const load = () => `load ${loadavg()[0]!.toFixed(1)}`;

function check(ok: boolean, what: string, failures: string[]): void {
  if (!ok) failures.push(what);
}

async function main(): Promise<void> {
  console.log(`Fold benchmark (${new Date().toISOString()}, ${cpus().length} cores, Node ${process.version}, ${load()}): ${N.toLocaleString('en-US')} purchases over ${D} days, each lot spent in ${K} uses`);
  const pg = await startPostgres();
  const s = await ServerHarness.start({ adminUrl: pg.url, noSnapshots: true });
  const dirs: string[] = [];
  const failures: string[] = [];
  const rows: [string, string][] = [];
  try {
    // On sale for the whole history (two halves, a fold between).
    const sales = await settledSales(s, ROUND, 'fold bench', D + 11);
    const opens = sales.opens;

    const build = async (scope: { kind: 'all' } | { kind: 'district'; districtCode: string }) => {
      const dir = mkdtempSync(join(tmpdir(), 'ic-bench-fold-'));
      dirs.push(dir);
      // A store of its own each time: a store builds on its last file, which would carry uses folded since.
      const store = new SnapshotStore(s.sdb.db, { dir });
      const t0 = performance.now();
      await store.rebuild(scope);
      const ms = performance.now() - t0;
      const head = await s.sdb.db.selectFrom('log_head').select('seq').where('id', '=', 1).executeTakeFirstOrThrow();
      const ready = store.current(scope, Number(head.seq))!;
      const db = new Database(ready.file, { readonly: true });
      try {
        return {
          bytes: statSync(ready.file).size,
          ms,
          useEvents: db.prepare("select count(*) from ledger_events where type = 'use'").pluck().get() as number,
          checkpoints: db.prepare('select count(*) from use_checkpoints').pluck().get() as number,
          used: db.prepare('select coalesce(sum(used), 0) from lots').pluck().get() as number,
          lots: db.prepare('select count(*) from lots').pluck().get() as number,
        };
      } finally {
        db.close();
      }
    };
    const mib = (bytes: number) => `${(bytes / MiB).toFixed(1)} MiB`;
    let purchases = 0;
    let uses = 0;
    /** D/2 days of sales from `firstDay`, each lot spent in `k` uses that day, every district closing every day. */
    const history = async (firstDay: number, k: number) => {
      const t0 = performance.now();
      const got = { purchases: 0, uses: 0 };
      for (let d = firstDay; d < firstDay + D / 2; d++) {
        const sold = await sales.sellDay(opens + d * DAY + 2 * 3_600_000, { purchases: Math.round(N / D), seed: d + 1, usesPerLot: k });
        got.purchases += sold.purchases;
        got.uses += sold.uses;
      }
      purchases += got.purchases;
      uses += got.uses;
      rows.push([`server: days ${firstDay}–${firstDay + D / 2 - 1} written`, `${got.purchases.toLocaleString('en-US')} purchases + ${got.uses.toLocaleString('en-US')} uses in ${((performance.now() - t0) / 1000).toFixed(1)} s (${load()})`]);
      return got;
    };
    /** Folds at `day` everything a week old; checks it took exactly the uses written since the last fold. */
    const foldAt = async (day: number, want: { purchases: number; uses: number }) => {
      const t0 = performance.now();
      const fold = await sales.foldAt(opens + day * DAY);
      rows.push([`server: fold at day ${day}`, `${fold.events.toLocaleString('en-US')} uses → ${fold.checkpoints.toLocaleString('en-US')} checkpoints in ${((performance.now() - t0) / 1000).toFixed(1)} s (${load()})`]);
      const wrong = foldMismatch(fold, want);
      if (wrong) failures.push(`the fold at day ${day} ${wrong}`);
    };

    // Phase 1: one use a lot. Its unfolded snapshot gives an event's bytes; folded, a purchase with its checkpoint and one folded use.
    const h = D / 2;
    const first = await history(0, 1);
    const unfolded = await build({ kind: 'all' });
    check(unfolded.useEvents === first.uses, `the unfolded snapshot holds ${unfolded.useEvents} use events, not the ${first.uses} written`, failures);
    rows.push(['snapshot before any fold (official)', `${mib(unfolded.bytes)} = ${Math.round(unfolded.bytes / (first.purchases + first.uses))} B an event; built in ${(unfolded.ms / 1000).toFixed(1)} s`]);
    await foldAt(h + 9, first);
    const a = await build({ kind: 'all' });
    check(a.useEvents === 0 && a.checkpoints === first.purchases, `after the first fold: ${a.useEvents} use events, ${a.checkpoints} checkpoints (want 0, ${first.purchases})`, failures);
    check(a.lots === unfolded.lots && a.used === unfolded.used, `the fold changed the lots: ${a.lots} lots / ${a.used} won used vs ${unfolded.lots} / ${unfolded.used}`, failures);
    rows.push(['snapshot after folding 1 use a lot', `${mib(a.bytes)}; built in ${(a.ms / 1000).toFixed(1)} s`]);
    // Phase 2: as many purchases, K uses a lot: the growth over phase 1 separates a folded use from a purchase.
    const second = await history(h + 10, K);
    await foldAt(h + 10 + h + 30, second);
    const b = await build({ kind: 'all' });
    check(b.useEvents === 0 && b.checkpoints === purchases, `after the second fold: ${b.useEvents} use events, ${b.checkpoints} checkpoints (want 0, ${purchases})`, failures);
    rows.push([`snapshot after folding ${K} uses a lot too`, `${mib(b.bytes)}; built in ${(b.ms / 1000).toFixed(1)} s (${load()})`]);
    const clerk = await build({ kind: 'district', districtCode: '11680' });
    rows.push(['the same, one district (강남구)', `${mib(clerk.bytes)} = 1/${Math.round(b.bytes / clerk.bytes)} of the official's`]);

    // A = P1·(p + f), B − A = P2·p + U2·f: two equations for p (a purchase, its lot, its checkpoint) and f (a folded use).
    const eventBytes = unfolded.bytes / (first.purchases + first.uses);
    const f = ((b.bytes - a.bytes) / second.purchases - a.bytes / first.purchases) / (second.uses / second.purchases - first.uses / first.purchases);
    const p = a.bytes / first.purchases - f * (first.uses / first.purchases);
    rows.push(['bytes: an unfolded event / a purchase with its checkpoint / a folded use', `${Math.round(eventBytes)} / ${Math.round(p)} / ${Math.round(f)} B`]);
    const year = { purchases: 1_000_000, uses: 9_000_000 };
    rows.push([
      'a year of 1M purchases + 9M uses (projected): unfolded / folded',
      `${((year.purchases + year.uses) * eventBytes / 2 ** 30).toFixed(2)} GiB / ${((year.purchases * p + year.uses * f) / 2 ** 30).toFixed(2)} GiB`,
    ]);
    console.log(table(rows));
    const met = judgeFigures(
      'bench:fold — snapshot bytes of a folded use, against an unfolded event',
      new URL('./baselines/fold.json', import.meta.url),
      [
        { key: 'foldedUseBytes', label: 'a folded use in the snapshot (goal: 5/9 of an unfolded event)', value: f, unit: 'B', goal: (5 / 9) * eventBytes },
        { key: 'unfoldedEventBytes', label: 'an unfolded event in the snapshot', value: eventBytes, unit: 'B' },
        { key: 'purchaseBytes', label: 'a purchase with its lot and checkpoint', value: p, unit: 'B' },
        { key: 'foldedBuildSeconds', label: 'building the folded snapshot', value: b.ms / 1000, unit: 's' },
      ],
    );
    if (failures.length > 0) {
      console.log(`\nWrong results:\n${failures.map((f) => `  - ${f}`).join('\n')}`);
      process.exitCode = 1;
    } else if (met) console.log('\nAll checks passed, goal met.');
  } finally {
    await s.close();
    await pg.stop();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
