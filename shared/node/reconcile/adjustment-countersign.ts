import type { Kysely } from 'kysely';
import { AppError } from '../../common/errors.js';
import type { QueuedCommand } from '../../sync/protocol.js';
import type { Database } from '../db/schema.js';
import { appendAudit } from '../kernel/audit-append.js';
import { newCommandId } from '../kernel/command-ids.js';
import { enqueueCommand } from '../kernel/outbox.js';
import { NEEDS_SECOND } from './server-journal.js';

type BookCommand = Extract<QueuedCommand, { type: 'book_adjustment' }>;

/**
 * A second official countersigns a booking the server held back for want of
 * one. The server answered the refused command once and for good, so the
 * booking goes again under a new command id, in its booker's name, behind this
 * official's `countersign_adjustment` for that very id, amount and exception;
 * the server applies it only when it holds both. Locally the new row names the
 * refused one it completes, and counts towards the day as any booking.
 */
export async function countersignBooking(
  db: Kysely<Database>,
  now: Date,
  commandId: string,
  user: { id: string; username: string; displayName: string },
): Promise<{ day: string; provider: string }> {
  const at = now.toISOString();
  return db.transaction().execute(async (trx) => {
    const row = await trx
      .selectFrom('reconcile_adjustments as a')
      .innerJoin('outbox as o', 'o.command_id', 'a.command_id')
      .select(['a.exception_id', 'a.day', 'a.provider', 'a.amount', 'a.reason', 'a.text', 'a.by', 'a.by_name', 'o.state', 'o.reason_key', 'o.payload', 'o.created_by'])
      .where('a.command_id', '=', commandId)
      .executeTakeFirst();
    if (!row || row.state !== 'rejected' || row.reason_key !== NEEDS_SECOND) throw new AppError('conflict', 'reconcileCountersign.notAwaiting');
    // Never the booker: the server refuses it too, but the console says so before anything is queued.
    if (row.by === user.username || row.created_by === user.id) throw new AppError('forbidden', 'reconcileCountersign.selfCountersign');
    const again = await trx.selectFrom('reconcile_adjustments').select('id').where('countersign_of', '=', commandId).executeTakeFirst();
    if (again) throw new AppError('conflict', 'reconcileCountersign.notAwaiting');
    const locked = await trx.selectFrom('reconcile_days').select('locked_by').where('day', '=', row.day).where('provider', '=', row.provider).executeTakeFirst();
    if (locked?.locked_by) throw new AppError('conflict', 'reconcile.dayLocked');

    const refused = JSON.parse(row.payload) as BookCommand;
    const booking: BookCommand = { ...refused, commandId: newCommandId() };
    await trx
      .insertInto('reconcile_adjustments')
      .values({
        exception_id: row.exception_id, day: row.day, provider: row.provider, amount: row.amount, reason: row.reason, text: row.text,
        by: row.by, by_name: row.by_name, at, command_id: booking.commandId, countersign_of: commandId, countersigned_by: user.username,
      })
      .execute();
    // The countersign first, in this official's name; then the booking, in its booker's (sent when they sync).
    await enqueueCommand(
      trx,
      now,
      { type: 'countersign_adjustment', commandId: newCommandId(), requestCommandId: booking.commandId, requestedBy: row.by, fileDigest: booking.fileDigest, exceptionRef: booking.exceptionRef, amount: booking.amount },
      user.id,
    );
    await enqueueCommand(trx, now, booking, row.created_by);
    await appendAudit(trx, {
      at, actorId: user.id, actorName: user.displayName, action: 'reconcile.countersign', entityType: 'reconcile_day', entityId: `${row.day}/${row.provider}`,
      details: { refused: commandId, commandId: booking.commandId, amount: row.amount, bookedBy: row.by },
    });
    return { day: row.day, provider: row.provider };
  });
}
