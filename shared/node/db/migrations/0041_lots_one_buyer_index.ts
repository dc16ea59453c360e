import { sql, type Kysely } from 'kysely';

/**
 * `lots` kept two indexes led by the buyer: `lots_buyer_month` (buyer, limit
 * scope, month: a buyer's monthly total) and `lots_buyer` (buyer, district,
 * purchase time: the counter's search). A buyer holds a handful of lots, so
 * `lots_buyer` finds them for the monthly total as well, and every synced
 * purchase pays one B-tree insert fewer (issue 21: steady sync). The query
 * plans are held by this migration's test.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`drop index if exists lots_buyer_month`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex('lots_buyer_month').on('lots').columns(['buyer_id', 'scope', 'month']).execute();
}
