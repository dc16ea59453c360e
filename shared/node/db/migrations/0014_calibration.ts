import type { Kysely } from 'kysely';

/**
 * Calibration: fits of a round's simulated sale to its ledger (the fitted
 * parameters, measures and curves as JSON), and simulation presets saved from
 * them ("회차 X 보정"), which the simulator's preset picker offers.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('calibrations')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('round_id', 'text', (c) => c.notNull().references('rounds.id'))
    .addColumn('result', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('calibrations_round').on('calibrations').columns(['round_id', 'created_at']).execute();
  await db.schema
    .createTable('sim_presets')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('params', 'text', (c) => c.notNull())
    .addColumn('source_round_id', 'text', (c) => c.references('rounds.id'))
    .addColumn('calibration_id', 'text', (c) => c.references('calibrations.id'))
    .addColumn('created_by', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('sim_presets_name').on('sim_presets').column('name').unique().execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('sim_presets').execute();
  await db.schema.dropTable('calibrations').execute();
}
