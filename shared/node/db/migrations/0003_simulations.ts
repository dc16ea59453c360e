import type { Kysely } from 'kysely';

/**
 * Saved simulation runs: the parameters and seed that reproduce a run, the
 * result, and for a main run its recommendations; backing runs point to it.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('simulation_runs')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('round_id', 'text', (c) => c.notNull().references('rounds.id'))
    .addColumn('round_version', 'integer', (c) => c.notNull())
    .addColumn('parent_id', 'text', (c) => c.references('simulation_runs.id'))
    .addColumn('backing_key', 'text')
    .addColumn('label', 'text', (c) => c.notNull())
    .addColumn('params', 'text', (c) => c.notNull())
    .addColumn('seed', 'integer', (c) => c.notNull())
    .addColumn('result', 'text', (c) => c.notNull())
    .addColumn('recommendations', 'text')
    .addColumn('created_by', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('elapsed_ms', 'integer', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('simulation_runs_round').on('simulation_runs').columns(['round_id', 'created_at']).execute();
  await db.schema.createIndex('simulation_runs_parent').on('simulation_runs').columns(['parent_id']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('simulation_runs').execute();
}
