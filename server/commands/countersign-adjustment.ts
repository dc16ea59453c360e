import { ACCEPTED, MANAGERS, reject, type CommandHandler } from './command-kit.js';
import { exceptionLeft } from './reconcile-figures.js';

/** A second official approves another's booking before it arrives, as refunds' countersign does. */
export const countersignAdjustment: CommandHandler<'countersign_adjustment'> = async (cmd, { trx, user, now }) => {
  if (!MANAGERS.includes(user.role)) return reject('sync.roleNotAllowed');
  if (cmd.requestedBy === user.username) return reject('settlement.selfCountersign');
  const requester = await trx.selectFrom('users').select('role').where('username', '=', cmd.requestedBy).executeTakeFirst();
  if (!requester) return reject('refunds.unknownRequester', { name: cmd.requestedBy });
  if (!(await exceptionLeft(trx, cmd.fileDigest, cmd.exceptionRef))) return reject('settlement.unknownException', { ref: cmd.exceptionRef });
  // One row per colleague and content (migration 0027): a wrong countersignature sent first never takes the
  // right one's place (book-adjustment.ts looks for one that matches); the same one sent again is already there.
  await trx
    .insertInto('adjustment_countersigns')
    .values({ requested_by: cmd.requestedBy, request_command_id: cmd.requestCommandId, file_digest: cmd.fileDigest, exception_ref: cmd.exceptionRef, amount: cmd.amount, countersigned_by: user.id, countersigned_at: now })
    .onConflict((oc) => oc.constraint('adjustment_countersigns_pk').doNothing())
    .execute();
  return ACCEPTED;
};
