import { sql, type Kysely } from 'kysely';

/**
 * Steering a live sale (issue 19, item 4). `sale_controls`: one row per round
 * ever steered, the controls after the last change (the `sale_steered` events
 * in the log are the history), read by every sale process each second.
 * `sale_change_proposals`: changes that need a second official, kept until
 * another official approves them; `decided_seq` is the event that applied one.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('sale_controls')
    .addColumn('round_id', 'text', (c) => c.primaryKey())
    .addColumn('revision', 'integer', (c) => c.notNull().check(sql`revision >= 1`))
    .addColumn('controls', 'text', (c) => c.notNull())
    .addColumn('changed_by', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('changed_at', 'timestamptz', (c) => c.notNull())
    .addColumn('seq', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('sale_change_proposals')
    .addColumn('round_id', 'text', (c) => c.notNull())
    .addColumn('proposal_id', 'text', (c) => c.notNull())
    .addColumn('change', 'text', (c) => c.notNull())
    .addColumn('proposed_by', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('proposed_at', 'timestamptz', (c) => c.notNull())
    .addColumn('decided_seq', 'bigint')
    .addPrimaryKeyConstraint('sale_change_proposals_pk', ['round_id', 'proposal_id'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('sale_change_proposals').execute();
  await db.schema.dropTable('sale_controls').execute();
}
