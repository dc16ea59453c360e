import { sql, type Kysely } from 'kysely';
import { AppError } from '../../common/errors.js';
import type { Database } from '../db/schema.js';
import { findRound } from '../rounds/rounds-repo.js';

/** At most a day of minutes on the chart. */
const MAX_MINUTES = 24 * 60;

export interface SaleCurve {
  roundId: string;
  opensAt: string;
  /** Minutes from the opening; purchases in each (0 where none). */
  firstMinute: number;
  purchases: number[];
  /** Face sold in each minute (won). */
  face: number[];
  /** The simulation's face sold so far at each minute (won, cumulative as the engine records it). */
  forecast: { runId: string; label: string; firstMinute: number; sold: number[] } | null;
}

/**
 * The sale day as it happened, purchases and face sold per minute from the
 * round's opening, beside the round's latest saved simulation run (face sold
 * so far, minute by minute), so
 * forecast and reality share one chart.
 */
export async function saleCurve(db: Kysely<Database>, roundId: string, district: string | null): Promise<SaleCurve> {
  const round = await findRound(db, roundId);
  if (!round) throw new AppError('not_found', 'errors.roundNotFound');
  const opensAt = round.spec.opensAt;
  const rows = (
    await sql<{ m: number; n: number; face: number }>`
      select cast(floor((julianday(occurred_at) - julianday(${opensAt})) * 1440) as integer) as m, count(*) as n, sum(amount) as face
      from ledger_events where round_id = ${roundId} and type = 'purchase' and (${district} is null or district_code = ${district})
      group by m order by m`.execute(db)
  ).rows;
  // From the opening (or the first purchase, if it came before or long after), one day at most.
  const firstSale = rows[0]?.m ?? 0;
  const first = firstSale < 0 || firstSale >= MAX_MINUTES ? firstSale : 0;
  const last = Math.min(first + MAX_MINUTES - 1, Math.max(first, rows.at(-1)?.m ?? first));
  const purchases = new Array<number>(last - first + 1).fill(0);
  const face = new Array<number>(last - first + 1).fill(0);
  for (const r of rows) {
    if (r.m < first || r.m > last) continue;
    purchases[r.m - first] = Number(r.n);
    face[r.m - first] = Number(r.face);
  }

  const run = await db
    .selectFrom('simulation_runs')
    .select(['id', 'label', 'result'])
    .where('round_id', '=', roundId)
    .where('parent_id', 'is', null)
    .orderBy('created_at', 'desc')
    .limit(1)
    .executeTakeFirst();
  let forecast: SaleCurve['forecast'] = null;
  if (run) {
    const series = (JSON.parse(run.result) as { series: { firstMinute: number; sold: number[] } }).series;
    forecast = { runId: run.id, label: run.label, firstMinute: series.firstMinute, sold: series.sold.slice(0, MAX_MINUTES) };
  }
  return { roundId, opensAt, firstMinute: first, purchases, face, forecast };
}
