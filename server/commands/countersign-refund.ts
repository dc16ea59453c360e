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
  const held = await trx
    .selectFrom('refund_countersigns')
    .select(['lot_id', 'kind', 'amount', 'countersigned_by'])
    .where('requested_by', '=', cmd.requestedBy)
    .where('request_command_id', '=', cmd.requestCommandId)
    .executeTakeFirst();
  if (held) {
    const same = held.lot_id === cmd.lotId && held.kind === cmd.kind && Number(held.amount) === cmd.amount && held.countersigned_by === user.id;
    return same ? ACCEPTED : reject('refunds.countersignConflict');
  }
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
    .execute();
  return ACCEPTED;
};
