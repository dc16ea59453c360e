import type BetterSqlite3 from 'better-sqlite3';
import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { ReportParams } from '../../reports/params.js';
import type { Database } from '../db/schema.js';

function seoulMidnightUtc(day: string, plusDays = 0): string {
  return new Date(Date.parse(`${day}T00:00:00.000+09:00`) + plusDays * 86_400_000).toISOString();
}

/** The report's filters over ledger_events, for the event-level exports. */
export function eventFilters(p: ReportParams, districts: readonly string[]): RawBuilder<unknown> {
  const parts: RawBuilder<unknown>[] = [sql`1 = 1`];
  if (p.roundIds.length > 0) parts.push(sql`round_id in (${sql.join(p.roundIds)})`);
  if (districts.length > 0) parts.push(sql`district_code in (${sql.join(districts)})`);
  if (p.paymentMethods.length > 0) parts.push(sql`payment_method in (${sql.join(p.paymentMethods)})`);
  if (p.eventTypes.length > 0) parts.push(sql`type in (${sql.join(p.eventTypes)})`);
  if (p.fromDay) parts.push(sql`occurred_at >= ${seoulMidnightUtc(p.fromDay)}`);
  if (p.toDay) parts.push(sql`occurred_at < ${seoulMidnightUtc(p.toDay, 1)}`);
  return sql.join(parts, sql` and `);
}

export async function countEvents(db: Kysely<Database>, p: ReportParams, districts: readonly string[]): Promise<number> {
  return Number((await sql<{ n: number }>`select count(*) as n from ledger_events where ${eventFilters(p, districts)}`.execute(db)).rows[0]!.n);
}

/** An event as the exports read it: seq, occurred_at, type, round_id, lot_id, district_code, payment_method, amount. */
export type RawEvent = [number, string, string, string, string, string, string, number];

export interface ExportSource {
  db: Kysely<Database>;
  sqlite: BetterSqlite3.Database;
}

/**
 * The events in the filters, block by block in sequence order, as arrays
 * (better-sqlite3's raw mode, no row objects). Each block is one synchronous
 * query on the console's connection, so the connection is free between
 * blocks (an open iterator would hold it through every await of the writer)
 * and the console stays responsive while a million rows are exported.
 */
export function* eventBlocks(src: ExportSource, p: ReportParams, districts: readonly string[], blockSize = 50_000): Generator<RawEvent[]> {
  const where = eventFilters(p, districts).compile(src.db);
  const stmt = src.sqlite
    .prepare(`select seq, occurred_at, type, round_id, lot_id, district_code, payment_method, amount from ledger_events where seq > ? and ${where.sql} order by seq limit ?`)
    .raw();
  let after = 0;
  for (;;) {
    const rows = stmt.all(after, ...where.parameters, blockSize) as RawEvent[];
    if (rows.length === 0) return;
    yield rows;
    after = rows.at(-1)![0];
    if (rows.length < blockSize) return;
  }
}
