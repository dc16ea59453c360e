import type { Kysely } from 'kysely';
import type { RefundSettings } from '../../sync/protocol.js';
import type { Database } from '../db/schema.js';
import type { SyncClient } from './client.js';
import { SyncError } from './sync-error.js';

/**
 * Takes the server's two-person amount for refunds, so this console holds a large request for a second
 * person before sending it. An amount this console set and has not yet sent wins until the server has it.
 */
export async function followRefundSettings(db: Kysely<Database>, client: SyncClient, now: () => Date): Promise<void> {
  let settings: RefundSettings;
  try {
    settings = await client.refundSettings();
  } catch (e) {
    // A server without the setting (an older one) leaves this console's amount as it is; losing the server stops the sync.
    if (e instanceof SyncError && ['sync.serverError', 'sync.malformedReply'].includes(e.key)) return;
    throw e;
  }
  const unsent = await db.selectFrom('outbox').select('command_id').where('type', '=', 'set_refund_threshold').where('state', '=', 'pending').executeTakeFirst();
  if (unsent) return;
  await db
    .updateTable('counter_settings')
    .set({ countersign_above: settings.countersignAbove, updated_by: 'server', updated_at: now().toISOString() })
    .where('id', '=', 1)
    .where((eb) => eb.or([eb('countersign_above', 'is', null), eb('countersign_above', '!=', settings.countersignAbove)]))
    .execute();
}
