import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';

/** Face value sold per round (cancelled lots returned to stock), from the derived round_sales table. */
export async function soldByRound(db: Kysely<Database>, roundId?: string): Promise<Map<string, number>> {
  let q = db.selectFrom('round_sales').select(['round_id', 'sold_face']);
  if (roundId !== undefined) q = q.where('round_id', '=', roundId);
  const rows = await q.execute();
  return new Map(rows.map((r) => [r.round_id, r.sold_face]));
}
