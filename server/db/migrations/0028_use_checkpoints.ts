import { sql, type Kysely } from 'kysely';

/**
 * Compaction of settled uses (shared/sync/use-checkpoint.ts). `folded_events`
 * marks a use folded into a checkpoint; the event itself is untouched (the log
 * stays append-only, its text is the record) but is served as its digest to a
 * console that asks for folded pages.
 * `use_checkpoints` holds each checkpoint as served (canonical JSON), found by
 * the sequence number it follows. `use_folds` is the administrator's act: who,
 * when, through which Seoul day, how much, and the `uses_folded` event's place
 * in the log.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('use_folds')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('by', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('at', 'timestamptz', (c) => c.notNull())
    .addColumn('through_day', 'text', (c) => c.notNull().check(sql`through_day ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$'`))
    .addColumn('older_than_days', 'integer', (c) => c.notNull().check(sql`older_than_days >= 7`))
    .addColumn('checkpoints', 'integer', (c) => c.notNull().check(sql`checkpoints > 0`))
    .addColumn('events', 'integer', (c) => c.notNull().check(sql`events >= checkpoints`))
    .addColumn('seq', 'bigint', (c) => c.notNull().unique())
    .execute();
  await db.schema
    .createTable('use_checkpoints')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('fold_id', 'text', (c) => c.notNull().references('use_folds.id'))
    .addColumn('lot_id', 'text', (c) => c.notNull())
    .addColumn('district_code', 'text', (c) => c.notNull())
    .addColumn('first_seq', 'bigint', (c) => c.notNull())
    .addColumn('last_seq', 'bigint', (c) => c.notNull())
    .addColumn('payload', 'text', (c) => c.notNull())
    .addCheckConstraint('use_checkpoints_range', sql`first_seq <= last_seq`)
    .execute();
  await db.schema.createIndex('use_checkpoints_last_seq').on('use_checkpoints').column('last_seq').execute();
  await db.schema
    .createTable('folded_events')
    .addColumn('seq', 'bigint', (c) => c.primaryKey().references('events.seq'))
    .addColumn('checkpoint_id', 'text', (c) => c.notNull().references('use_checkpoints.id'))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('folded_events').execute();
  await db.schema.dropTable('use_checkpoints').execute();
  await db.schema.dropTable('use_folds').execute();
}
