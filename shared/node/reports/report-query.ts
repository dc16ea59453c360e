import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { ReportParams } from '../../reports/params.js';
import type { Database } from '../db/schema.js';

export interface EventRow {
  seq: number;
  occurred_at: string;
  type: string;
  round_id: string;
  lot_id: string;
  district_code: string;
  payment_method: string;
  amount: number;
}

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

/**
 * The events in the filters, block by block in sequence order. Each block is
 * its own query, so the connection is free between blocks and the console
 * stays responsive while a million rows are exported.
 */
export async function* eventBlocks(db: Kysely<Database>, p: ReportParams, districts: readonly string[], blockSize = 20_000): AsyncGenerator<EventRow[]> {
  const where = eventFilters(p, districts);
  let after = 0;
  for (;;) {
    const rows = (
      await sql<EventRow>`select seq, occurred_at, type, round_id, lot_id, district_code, payment_method, amount from ledger_events
        where seq > ${after} and ${where} order by seq limit ${blockSize}`.execute(db)
    ).rows;
    if (rows.length === 0) return;
    yield rows;
    after = rows.at(-1)!.seq;
    if (rows.length < blockSize) return;
  }
}
