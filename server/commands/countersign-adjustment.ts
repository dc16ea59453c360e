import { ACCEPTED, MANAGERS, reject, type CommandHandler } from './command-kit.js';
import { exceptionLeft } from './reconcile-figures.js';

/** A second official approves another's booking before it arrives, as refunds' countersign does. */
export const countersignAdjustment: CommandHandler<'countersign_adjustment'> = async (cmd, { trx, user, now }) => {
  if (!MANAGERS.includes(user.role)) return reject('sync.roleNotAllowed');
  if (cmd.requestedBy === user.username) return reject('settlement.selfCountersign');
  const requester = await trx.selectFrom('users').select('role').where('username', '=', cmd.requestedBy).executeTakeFirst();
  if (!requester) return reject('refunds.unknownRequester', { name: cmd.requestedBy });
  if (!(await exceptionLeft(trx, cmd.fileDigest, cmd.exceptionRef))) return reject('settlement.unknownException', { ref: cmd.exceptionRef });
  const held = await trx
    .selectFrom('adjustment_countersigns')
    .select(['file_digest', 'exception_ref', 'amount', 'countersigned_by'])
    .where('requested_by', '=', cmd.requestedBy)
    .where('request_command_id', '=', cmd.requestCommandId)
    .executeTakeFirst();
  if (held) {
    const same = held.file_digest === cmd.fileDigest && held.exception_ref === cmd.exceptionRef && Number(held.amount) === cmd.amount && held.countersigned_by === user.id;
    return same ? ACCEPTED : reject('settlement.countersignConflict');
  }
  await trx
    .insertInto('adjustment_countersigns')
    .values({ requested_by: cmd.requestedBy, request_command_id: cmd.requestCommandId, file_digest: cmd.fileDigest, exception_ref: cmd.exceptionRef, amount: cmd.amount, countersigned_by: user.id, countersigned_at: now })
    .execute();
  return ACCEPTED;
};
