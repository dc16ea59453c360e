import { ACCEPTED, reject, type CommandHandler } from './command-kit.js';

export const setAdjustmentThreshold: CommandHandler<'set_adjustment_threshold'> = async (cmd, { trx, user, now }) => {
  if (user.role !== 'admin') return reject('sync.roleNotAllowed');
  await trx
    .updateTable('reconcile_settings')
    .set({ countersign_above: cmd.amount === null ? null : String(cmd.amount), updated_by: user.id, updated_at: now })
    .where('id', '=', 1)
    .execute();
  return ACCEPTED;
};
