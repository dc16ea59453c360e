import { type Kysely } from 'kysely';

/**
 * Payment references (event version 2): each lot keeps its provider and the
 * provider's transaction key, so a cancellation or refund names the purchase
 * it reverses (`originalTid`) and settlement files can be matched by key.
 * Nullable: lots sold before version 2 have none.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('lots').addColumn('payment_provider', 'text').execute();
  await db.schema.alterTable('lots').addColumn('payment_tid', 'text').execute();
  await db.schema.createIndex('lots_payment_tid').on('lots').columns(['payment_provider', 'payment_tid']).unique().execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('lots_payment_tid').execute();
  await db.schema.alterTable('lots').dropColumn('payment_tid').execute();
  await db.schema.alterTable('lots').dropColumn('payment_provider').execute();
}
