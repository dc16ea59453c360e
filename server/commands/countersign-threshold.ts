import type { Trx } from './command-kit.js';

/** Refunds above this need a countersignature; null when the administrator set none. */
export async function countersignThreshold(trx: Trx): Promise<number | null> {
  const row = await trx.selectFrom('refund_settings').select('countersign_above').where('id', '=', 1).executeTakeFirst();
  return row?.countersign_above == null ? null : Number(row.countersign_above);
}
