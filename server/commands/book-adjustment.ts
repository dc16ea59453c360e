import { ACCEPTED, MANAGERS, reject, type CommandHandler } from './command-kit.js';

export const bookAdjustment: CommandHandler<'book_adjustment'> = async (cmd, { trx, user, now }) => {
  // Officials and administrators reconcile; the author and the time are the server's, never the console's.
  if (!MANAGERS.includes(user.role)) return reject('sync.roleNotAllowed');
  await trx
    .insertInto('reconcile_adjustments')
    .values({
      command_id: cmd.commandId,
      booked_by: user.id,
      booked_at: now,
      provider: cmd.provider,
      day: cmd.day,
      exception: JSON.stringify(cmd.exception),
      amount: cmd.amount,
      reason: cmd.reason,
      text: cmd.text,
    })
    .execute();
  return ACCEPTED;
};
