import { sql, type Kysely } from 'kysely';

/**
 * Compaction of settled uses (shared/sync/use-checkpoint.ts):
 * - `use_folds`: each `uses_folded` event of the log, with its text and hash so the chain is kept;
 * - `use_checkpoints`: each checkpoint received in place of folded uses, as received (`payload`, canonical
 *   JSON) and `applied`, the won this console added to the lot from it (the part it did not hold in full);
 * - `checkpoint_uses`: that part per Seoul hour and merchant district, for the report summaries
 *   (`summed` 0 until they took it in).
 * The first two are append-only except for a sync repair, as the other synced log tables.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('use_folds')
    .addColumn('seq', 'integer', (c) => c.primaryKey())
    .addColumn('event_id', 'text', (c) => c.notNull().unique())
    .addColumn('fold_id', 'text', (c) => c.notNull().unique())
    .addColumn('by', 'text', (c) => c.notNull())
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('hash', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('use_checkpoints')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('fold_id', 'text', (c) => c.notNull())
    .addColumn('lot_id', 'text', (c) => c.notNull())
    .addColumn('district_code', 'text', (c) => c.notNull())
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('count', 'integer', (c) => c.notNull().check(sql`count > 0`))
    .addColumn('amount', 'integer', (c) => c.notNull().check(sql`amount >= 0`))
    .addColumn('applied', 'integer', (c) => c.notNull().check(sql`applied >= 0 and applied <= amount`))
    .addColumn('payload', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('use_checkpoints_fold').on('use_checkpoints').columns(['fold_id', 'district_code']).execute();
  await db.schema.createIndex('use_checkpoints_seq').on('use_checkpoints').column('seq').execute();
  await db.schema
    .createTable('checkpoint_uses')
    .addColumn('checkpoint_id', 'text', (c) => c.notNull().references('use_checkpoints.id').onDelete('cascade'))
    .addColumn('round_id', 'text', (c) => c.notNull())
    .addColumn('lot_id', 'text', (c) => c.notNull())
    .addColumn('hour', 'text', (c) => c.notNull())
    .addColumn('merchant_district', 'text')
    .addColumn('n', 'integer', (c) => c.notNull().check(sql`n > 0`))
    .addColumn('amount', 'integer', (c) => c.notNull().check(sql`amount >= 0`))
    .addColumn('summed', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema.createIndex('checkpoint_uses_summed').on('checkpoint_uses').column('summed').where(sql.ref('summed'), '=', 0).execute();
  for (const t of ['use_folds', 'use_checkpoints']) {
    await sql.raw(`create trigger ${t}_no_update before update on ${t} begin select raise(abort, '${t} is append-only'); end`).execute(db);
    await sql.raw(`create trigger ${t}_no_delete before delete on ${t} when not exists (select 1 from sync_repair) begin select raise(abort, '${t} is append-only'); end`).execute(db);
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('checkpoint_uses').execute();
  await db.schema.dropTable('use_checkpoints').execute();
  await db.schema.dropTable('use_folds').execute();
}
