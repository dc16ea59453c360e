import { randomUUID } from 'node:crypto';
import { heldCountersign, MANAGERS, reject, type CommandHandler, type Outcome } from './command-kit.js';
import { adjustmentThreshold, dayLock, exceptionLeft } from './reconcile-figures.js';

/**
 * Whether a booking may explain this much of an exception: same direction as
 * what is left, and no more of it. Null when it may.
 */
export function checkAgainstLeft(amount: number, left: number): Outcome | null {
  if (left === 0 || Math.sign(amount) !== Math.sign(left) || Math.abs(amount) > Math.abs(left)) return reject('settlement.exceedsDifference', { left });
  return null;
}

export const bookAdjustment: CommandHandler<'book_adjustment'> = async (cmd, { trx, user, now }) => {
  // Officials and administrators reconcile; the author and the time are the server's, never the console's.
  if (!MANAGERS.includes(user.role)) return reject('sync.roleNotAllowed');
  // Two bookings on one exception are judged one after the other: commands run under the log head's lock.
  const file = await trx.selectFrom('settlement_files').select(['provider', 'day']).where('file_digest', '=', cmd.fileDigest).executeTakeFirst();
  if (!file || file.provider !== cmd.provider) return reject('settlement.fileNotRecorded', { day: cmd.day });
  const x = await exceptionLeft(trx, cmd.fileDigest, cmd.exceptionRef);
  if (!x) return reject('settlement.unknownException', { ref: cmd.exceptionRef });
  if (x.day !== cmd.day) return reject('settlement.dayOutsideFile', { day: cmd.day, fileDay: x.day });
  if (await dayLock(trx, cmd.day, cmd.provider)) return reject('settlement.dayLocked', { day: cmd.day });
  const tooMuch = checkAgainstLeft(cmd.amount, x.left);
  if (tooMuch) return tooMuch;
  const threshold = await adjustmentThreshold(trx);
  let countersign: { username: string; id: string } | null = null;
  if (threshold !== null && Math.abs(cmd.amount) > threshold) {
    countersign = await heldCountersign(trx, 'adjustment_countersigns', user, cmd.commandId, cmd.amount, (c) => c.file_digest === cmd.fileDigest && c.exception_ref === cmd.exceptionRef);
    if (!countersign) return reject('settlement.needsCountersign', { threshold });
  }
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
      file_digest: cmd.fileDigest,
      exception_ref: cmd.exceptionRef,
      countersigned_by: countersign?.id ?? null,
    })
    .execute();
  return {
    event: {
      type: 'adjustment_booked',
      eventId: randomUUID(),
      day: cmd.day,
      provider: cmd.provider,
      fileDigest: cmd.fileDigest,
      exceptionRef: cmd.exceptionRef,
      amount: cmd.amount,
      reason: cmd.reason,
      text: cmd.text,
      by: user.username,
      ...(countersign ? { countersignedBy: countersign.username } : {}),
      at: now.toISOString(),
    },
  };
};
