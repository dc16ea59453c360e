import type { Kysely } from 'kysely';
import type { Command } from '../../sync/protocol.js';
import type { Database } from '../db/schema.js';
import { reopenForRefusedBooking, reopenForRefusedLock } from './reconcile-repo.js';

/**
 * Registered on sync's refused commands: a day locked on a booking the server
 * refused is open again; so is a day whose lock the server itself refused.
 */
export function reopenOnRefusedBooking(db: Kysely<Database>): (command: Command, at: string) => Promise<void> {
  return async (command, at) => {
    if (command.type === 'book_adjustment') await reopenForRefusedBooking(db, command.day, command.provider, command.commandId, at);
    if (command.type === 'lock_reconcile_day') await reopenForRefusedLock(db, command.day, command.provider, command.commandId, at);
  };
}
