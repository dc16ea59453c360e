import type { Kysely } from 'kysely';

/**
 * A booking above the administrator's amount that the server refused for want
 * of a second official is booked again once another official countersigns: the
 * new row names the refused one it completes (`countersign_of`, its command id)
 * and who countersigned. Null for every other booking.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('reconcile_adjustments').addColumn('countersign_of', 'text').execute();
  await db.schema.alterTable('reconcile_adjustments').addColumn('countersigned_by', 'text').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('reconcile_adjustments').dropColumn('countersigned_by').execute();
  await db.schema.alterTable('reconcile_adjustments').dropColumn('countersign_of').execute();
}
