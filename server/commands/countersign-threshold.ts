import { ACCEPTED, reject, type CommandHandler, type CommandOf, type Trx } from './command-kit.js';

/** The one-row tables holding an administrator's two-person amount: refunds', and reconciliation adjustments'. */
export type ThresholdTable = 'refund_settings' | 'reconcile_settings';

/** Amounts above this need a countersignature; null when the administrator set none. */
export async function countersignThreshold(trx: Trx, table: ThresholdTable = 'refund_settings'): Promise<number | null> {
  const row = await trx.selectFrom(table).select('countersign_above').where('id', '=', 1).executeTakeFirst();
  return row?.countersign_above == null ? null : Number(row.countersign_above);
}

/** The administrator's command setting one of those amounts (null: no second person needed). */
export function setThreshold<T extends 'set_refund_threshold' | 'set_adjustment_threshold'>(table: ThresholdTable): CommandHandler<T> {
  return async (cmd, { trx, user, now }) => {
    if (user.role !== 'admin') return reject('sync.roleNotAllowed');
    const { amount } = cmd as CommandOf<'set_refund_threshold' | 'set_adjustment_threshold'>;
    await trx
      .updateTable(table)
      .set({ countersign_above: amount === null ? null : String(amount), updated_by: user.id, updated_at: now })
      .where('id', '=', 1)
      .execute();
    return ACCEPTED;
  };
}
