/**
 * A year's log for issue 21's 10M-event bench, made once and kept in the gitignored `.bench-cache/`
 * (delete the folder to make it again): `npx tsx scripts/bench/year-log.ts [--purchases N] [--uses K] [--days D]`.
 *
 * A server in this process, its clock moved by hand, on a PostgreSQL cluster living in the cache folder:
 * one round on sale over D sale days eight days apart; each day N/D purchases by the feed's own rules, each
 * lot then spent in K uses that day, every district closing the day; a week later an administrator folds
 * that day's uses (so the log holds N·(1+K) events plus one fold act a day, as a year would once settled
 * uses are folded — and the fold of one day at a time keeps its working set small). The cluster is stopped
 * and a `manifest.json` written last, so a half-made cache is made again, never used.
 *
 * The database is a template: a bench makes its own copy of it (`CREATE DATABASE … TEMPLATE`), so runs do not
 * change the cache. Accounts: admin, kim (official), lee (official), passwords `<name>-password-1`.
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import { ServerHarness } from '../../tests/support/server-harness.js';
import { createDatabase, startPostgres, type TestPostgres } from '../../tests/support/postgres.js';
import { DAY, foldMismatch, settledSales } from './settled-sales.js';

export interface YearManifest {
  purchases: number;
  uses: number;
  checkpoints: number;
  /** The log's head: purchases, uses and one fold act a day. */
  events: number;
  days: number;
  usesPerLot: number;
  database: string;
  madeAt: string;
  madeInSeconds: number;
}

const CACHE = fileURLToPath(new URL('../../.bench-cache/', import.meta.url));
/** Bump when what the log holds changes, so an old cache is not taken for the new shape. */
const SHAPE = 1;
export const YEAR_DATABASE = 'year';
export const YEAR_ROUND = 'bench-year';

/** The cache folder of a year of `purchases` purchases spent in `usesPerLot` uses over `days` sale days. */
export const yearFolder = (purchases: number, usesPerLot: number, days: number) => join(CACHE, `year-v${SHAPE}-${purchases}-${usesPerLot}-${days}`);

/**
 * The cluster holding that year, started (made first when the cache has none), and its manifest. The caller
 * copies the `year` database (`pg.createDatabase` with it as template is not enough: use `yearCopy`) and stops `pg`.
 */
export async function yearLog(o: { purchases: number; usesPerLot: number; days: number; log?: (line: string) => void }): Promise<{ pg: TestPostgres; manifest: YearManifest; made: boolean }> {
  const folder = yearFolder(o.purchases, o.usesPerLot, o.days);
  const manifestFile = join(folder, 'manifest.json');
  if (existsSync(manifestFile)) {
    const pg = await startPostgres({ keep: folder });
    return { pg, manifest: JSON.parse(readFileSync(manifestFile, 'utf8')) as YearManifest, made: false };
  }
  rmSync(folder, { recursive: true, force: true });
  const log = o.log ?? ((line: string) => console.log(line));
  const t0 = Date.now();
  const pg = await startPostgres({ keep: folder });
  const s = await ServerHarness.start({ adminUrl: pg.url, database: YEAR_DATABASE, noSnapshots: true });
  let manifest: YearManifest;
  try {
    const sales = await settledSales(s, YEAR_ROUND, '연간 벤치 회차', 8 * o.days + 1);
    const perDay = Math.ceil(o.purchases / o.days);
    const totals = { purchases: 0, uses: 0, checkpoints: 0 };
    for (let d = 0; d < o.days; d++) {
      const at = sales.opens + 8 * d * DAY + 2 * 3_600_000;
      const sold = await sales.sellDay(at, { purchases: Math.min(perDay, o.purchases - totals.purchases), seed: d + 1, usesPerLot: o.usesPerLot });
      // A week and an hour later that day is settled: its uses fold.
      const fold = await sales.foldAt(at + 7 * DAY + 3_600_000);
      const wrong = foldMismatch(fold, sold);
      if (wrong) throw new Error(`day ${d}: ${wrong}`);
      totals.purchases += sold.purchases;
      totals.uses += sold.uses;
      totals.checkpoints += fold.checkpoints;
      log(`day ${d + 1}/${o.days}: ${totals.purchases.toLocaleString('en-US')} purchases, ${totals.uses.toLocaleString('en-US')} uses so far (${((Date.now() - t0) / 1000).toFixed(0)} s)`);
    }
    await sql`analyze`.execute(s.sdb.db);
    const head = await s.sdb.db.selectFrom('log_head').select('seq').where('id', '=', 1).executeTakeFirstOrThrow();
    manifest = { ...totals, events: Number(head.seq), days: o.days, usesPerLot: o.usesPerLot, database: YEAR_DATABASE, madeAt: new Date().toISOString(), madeInSeconds: Math.round((Date.now() - t0) / 1000) };
  } finally {
    await s.close();
  }
  writeFileSync(manifestFile, `${JSON.stringify(manifest, null, 2)}\n`);
  return { pg, manifest, made: true };
}

/** A fresh database copied from the cached year (the cache stays as made); its URL. */
export function yearCopy(pg: TestPostgres, name: string): Promise<string> {
  return createDatabase(pg.url, name, YEAR_DATABASE);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({ options: { purchases: { type: 'string' }, uses: { type: 'string' }, days: { type: 'string' } } });
  const o = { purchases: Number(values.purchases ?? 1_000_000), usesPerLot: Number(values.uses ?? 9), days: Number(values.days ?? 20) };
  for (const [k, v] of Object.entries(o)) if (!Number.isInteger(v) || v < 1) throw new Error(`--${k} must be a whole number of at least 1, not ${v}`);
  const { pg, manifest, made } = await yearLog(o);
  await pg.stop();
  console.log(`${made ? 'made' : 'already cached'}: ${yearFolder(o.purchases, o.usesPerLot, o.days)}\n${JSON.stringify(manifest, null, 2)}`);
}
