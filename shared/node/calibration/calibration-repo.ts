import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { CalibrationView, SimPreset } from '../../api/calibration-schemas.js';
import type { SimParams } from '../../simulation/params.js';
import type { CalibrationResult } from '../../simulation/calibrate/schema.js';
import type { Database } from '../db/schema.js';

function selectCalibrations(db: Kysely<Database>) {
  return db
    .selectFrom('calibrations as c')
    .innerJoin('users as u', 'u.id', 'c.created_by')
    .innerJoin('rounds as r', 'r.id', 'c.round_id')
    .innerJoin('round_versions as v', (j) => j.onRef('v.round_id', '=', 'r.id').onRef('v.version', '=', 'r.current_version'))
    .select(['c.id', 'c.round_id', 'c.result', 'c.created_at', 'u.display_name', 'v.spec']);
}

type Row = { id: string; round_id: string; result: string; created_at: string; display_name: string; spec: string };

const view = (row: Row): CalibrationView => ({
  id: row.id,
  roundId: row.round_id,
  roundName: (JSON.parse(row.spec) as { name: string }).name,
  createdAt: row.created_at,
  createdByName: row.display_name,
  result: JSON.parse(row.result) as CalibrationResult,
});

export async function saveCalibration(db: Kysely<Database>, meta: { roundId: string; userId: string; at: string }, result: CalibrationResult): Promise<string> {
  const id = randomUUID();
  await db.insertInto('calibrations').values({ id, round_id: meta.roundId, result: JSON.stringify(result), created_by: meta.userId, created_at: meta.at }).execute();
  return id;
}

export async function getCalibration(db: Kysely<Database>, id: string): Promise<CalibrationView | undefined> {
  const row = await selectCalibrations(db).where('c.id', '=', id).executeTakeFirst();
  return row ? view(row) : undefined;
}

export async function latestCalibration(db: Kysely<Database>, roundId: string): Promise<CalibrationView | null> {
  const row = await selectCalibrations(db).where('c.round_id', '=', roundId).orderBy('c.created_at', 'desc').limit(1).executeTakeFirst();
  return row ? view(row) : null;
}

const preset = (r: { id: string; name: string; params: string; source_round_id: string | null; calibration_id: string | null; created_at: string }): SimPreset => ({
  id: r.id,
  name: r.name,
  params: JSON.parse(r.params) as SimParams,
  sourceRoundId: r.source_round_id,
  calibrationId: r.calibration_id,
  createdAt: r.created_at,
});

export async function listPresets(db: Kysely<Database>): Promise<SimPreset[]> {
  const rows = await db.selectFrom('sim_presets').selectAll().orderBy('created_at', 'desc').execute();
  return rows.map(preset);
}

/** Saves under `name`, replacing a preset of that name (saving a newer fit of the same round keeps one entry). */
export async function savePreset(db: Kysely<Database>, p: { name: string; params: SimParams; roundId: string; calibrationId: string; userId: string; at: string }): Promise<SimPreset> {
  const row = { id: randomUUID(), name: p.name, params: JSON.stringify(p.params), source_round_id: p.roundId, calibration_id: p.calibrationId, created_by: p.userId, created_at: p.at };
  await db.transaction().execute(async (tx) => {
    await tx.deleteFrom('sim_presets').where('name', '=', p.name).execute();
    await tx.insertInto('sim_presets').values(row).execute();
  });
  return preset(row);
}
