import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import type { ServerDatabase } from '../db/schema.js';
import type { SaleGate } from './gate.js';

/** Lots the sale service made carry this prefix, so their sums can be told from a feed's or a console's. */
export const SALE_LOT_PREFIX = 'sale-lot-';

export interface SaleCheck {
  ok: boolean;
  stock: number;
  soldRedis: number;
  left: number;
  soldLog: number;
  problems: string[];
}

/**
 * Redis against PostgreSQL, once the ledger writer has caught up: what the
 * gate sold plus what it has left is the stock it was given; the log holds
 * exactly what the gate sold; each buyer's sum in the log is the gate's.
 */
export async function checkSale(db: Kysely<ServerDatabase>, gate: SaleGate, roundId: string): Promise<SaleCheck> {
  // A leftover move a stopped process left half done is finished first (it counted as left meanwhile).
  await gate.settleMoves(roundId);
  const c = await gate.counters(roundId);
  const problems: string[] = [];
  const stock = c.stock ?? 0;
  const soldRedis = c.sold ?? 0;
  const left = c.left ?? 0;
  if (soldRedis + left !== stock) problems.push(`redis: sold ${soldRedis} + left ${left} ≠ stock ${stock}`);
  const rows = await sql<{ buyer_id: string; face: string }>`
    select buyer_id, sum(face) as face from lots where round_id = ${roundId} and lot_id like ${SALE_LOT_PREFIX + '%'} group by buyer_id`.execute(db);
  const logByBuyer = new Map(rows.rows.map((r) => [r.buyer_id, Number(r.face)]));
  const soldLog = [...logByBuyer.values()].reduce((s, v) => s + v, 0);
  if (soldLog !== soldRedis) problems.push(`log holds ${soldLog} sold, redis ${soldRedis}`);
  const gateByBuyer = await gate.boughtByBuyer(roundId);
  for (const [buyer, face] of gateByBuyer) if ((logByBuyer.get(buyer) ?? 0) !== face) problems.push(`buyer ${buyer}: redis ${face}, log ${logByBuyer.get(buyer) ?? 0}`);
  for (const buyer of logByBuyer.keys()) if (!gateByBuyer.has(buyer)) problems.push(`buyer ${buyer}: in the log, not in redis`);
  return { ok: problems.length === 0, stock, soldRedis, left, soldLog, problems };
}
