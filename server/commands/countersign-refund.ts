import { lockLot } from '../log/state.js';
import { ACCEPTED, reject, type CommandHandler } from './command-kit.js';

export const countersignRefund: CommandHandler<'countersign_refund'> = async (cmd, { trx, user, now }) => {
  if (user.role === 'analyst') return reject('sync.roleNotAllowed');
  if (cmd.requestedBy === user.username) return reject('refunds.selfCountersign');
  const lot = await lockLot(trx, cmd.lotId);
  if (!lot || lot.roundId !== cmd.roundId) return reject('ledger.unknownLot', { lotId: cmd.lotId });
  // A second clerk of the lot's district, or an official: never a clerk of another district.
  if (user.role === 'clerk' && lot.districtCode !== user.districtCode) return reject('sync.otherDistrict', { district: lot.districtCode });
  const requester = await trx.selectFrom('users').select(['role', 'district_code']).where('username', '=', cmd.requestedBy).executeTakeFirst();
  if (!requester) return reject('refunds.unknownRequester', { name: cmd.requestedBy });
  // One row per colleague and content: a wrong countersignature sent first never takes the right one's place
  // (approve-refund.ts looks for one that matches the request); the same one sent again is already there.
  await trx
    .insertInto('refund_countersigns')
    .values({
      requested_by: cmd.requestedBy,
      request_command_id: cmd.requestCommandId,
      lot_id: cmd.lotId,
      kind: cmd.kind,
      amount: String(cmd.amount),
      countersigned_by: user.id,
      countersigned_at: now,
    })
    .onConflict((oc) => oc.constraint('refund_countersigns_pk').doNothing())
    .execute();
  return ACCEPTED;
};
