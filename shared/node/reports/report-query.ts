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

/** What the event exports read: Kysely for the filters, better-sqlite3 for the blocks. */
export interface ExportSource {
  db: Kysely<Database>;
  sqlite: BetterSqlite3.Database;
}
