import type { Kysely } from 'kysely';
import type { QueuedCommand } from '../../sync/protocol.js';
import type { Database } from '../db/schema.js';

/**
 * Puts a command in the outbox, in the caller's transaction so it commits with
 * the change it announces; the sync capability sends it with its id and
 * retries until answered.
 */
export async function enqueueCommand(db: Kysely<Database>, at: Date, command: QueuedCommand, createdBy: string): Promise<void> {
  const iso = at.toISOString();
  await db
    .insertInto('outbox')
    .values({
      command_id: command.commandId,
      type: command.type,
      payload: JSON.stringify(command),
      round_id: 'roundId' in command ? command.roundId : null,
      // A countersignature is ordered with its lot's request: held, it holds the request behind it.
      lot_id: command.type === 'approve_refund' || command.type === 'countersign_refund' ? command.lotId : null,
      created_at: iso,
      created_by: createdBy,
      state: 'pending',
      attempts: 0,
      next_attempt_at: iso,
    })
    .execute();
}
