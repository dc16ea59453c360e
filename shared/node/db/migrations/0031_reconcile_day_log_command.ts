import type { Kysely } from 'kysely';

/**
 * Each lock or reopening asked of the server names its outbox command, so the
 * Reconcile page can show the server's answer (waiting, or refused with its
 * reason) beside the day. Null for entries made before, or in the server's name.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('reconcile_day_log').addColumn('command_id', 'text').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('reconcile_day_log').dropColumn('command_id').execute();
}
