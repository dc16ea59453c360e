import { randomUUID } from 'node:crypto';
import type { Kysely, Selectable } from 'kysely';
import type { SimRun, SimRunSummary } from '../../api/simulation-schemas.js';
import type { Recommendations } from '../../simulation/recommend.js';
import type { SimParams } from '../../simulation/params.js';
import type { SimResult } from '../../simulation/result.js';
import type { Database, SimulationRunsTable } from '../db/schema.js';
import type { Study } from './study.js';

type Row = Selectable<SimulationRunsTable> & { created_by_name: string };

function summary(row: Row, params: SimParams, result: Omit<SimResult, 'params'>): SimRunSummary {
  return {
    id: row.id,
    roundId: row.round_id,
    roundVersion: row.round_version,
    label: row.label,
    parentId: row.parent_id,
    backingKey: row.backing_key,
    createdAt: row.created_at,
    createdByName: row.created_by_name,
    seed: row.seed,
    visitors: params.visitors,
    soldOutMinute: result.soldOutMinute,
    buyers: result.buyers,
    amountSold: result.amountSold,
    logouts: result.logouts,
    requeues: result.requeues,
    waitedForNothing: result.waitedForNothing,
    personHoursLost: result.personHoursLost,
    peakConnections: result.peakConnections,
    peakActive: result.peakActive,
    sessionTimeoutMinutes: params.session.timeoutMinutes,
    sessionPolicy: params.session.policy,
    admissionPerMinute: params.waitingRoom.admissionPerMinute,
    stockCutoff: params.waitingRoom.stockCutoff,
    elapsedMs: row.elapsed_ms,
    hasRecommendations: row.recommendations !== null,
  };
}

function selectRuns(db: Kysely<Database>) {
  return db.selectFrom('simulation_runs as s').innerJoin('users as u', 'u.id', 's.created_by').selectAll('s').select('u.display_name as created_by_name');
}

function parse(row: Row): { params: SimParams; result: Omit<SimResult, 'params'> } {
  // Runs saved before stockReservedMinute existed read as "not recorded".
  const result = JSON.parse(row.result) as Omit<SimResult, 'params'>;
  return { params: JSON.parse(row.params) as SimParams, result: { ...result, stockReservedMinute: result.stockReservedMinute ?? null } };
}

/** Saves a study: the main run with its recommendations, and each backing run pointing to it. Returns the main run's id. */
export async function saveStudy(
  db: Kysely<Database>,
  study: Study,
  meta: { roundId: string; roundVersion: number; label: string; userId: string; at: string },
): Promise<string> {
  const mainId = randomUUID();
  const row = (id: string, r: SimResult, extra: Partial<SimulationRunsTable>) => {
    const { params, ...rest } = r;
    return {
      id,
      round_id: meta.roundId,
      round_version: meta.roundVersion,
      parent_id: null,
      backing_key: null,
      label: meta.label,
      params: JSON.stringify(params),
      seed: params.seed,
      result: JSON.stringify(rest),
      recommendations: null,
      created_by: meta.userId,
      created_at: meta.at,
      elapsed_ms: r.elapsedMs,
      ...extra,
    };
  };
  await db.transaction().execute(async (trx) => {
    await trx
      .insertInto('simulation_runs')
      .values(row(mainId, study.main, { recommendations: study.recommendations ? JSON.stringify(study.recommendations) : null }))
      .execute();
    for (const b of study.backing) {
      await trx
        .insertInto('simulation_runs')
        .values(row(randomUUID(), b.result, { parent_id: mainId, backing_key: b.key }))
        .execute();
    }
  });
  return mainId;
}

export async function listRuns(db: Kysely<Database>, roundId: string): Promise<SimRunSummary[]> {
  const rows = await selectRuns(db).where('s.round_id', '=', roundId).where('s.parent_id', 'is', null).orderBy('s.created_at', 'desc').execute();
  return rows.map((r) => {
    const { params, result } = parse(r);
    return summary(r, params, result);
  });
}

export async function getRun(db: Kysely<Database>, id: string): Promise<SimRun | undefined> {
  const row = await selectRuns(db).where('s.id', '=', id).executeTakeFirst();
  if (!row) return undefined;
  const { params, result } = parse(row);
  const children = await selectRuns(db).where('s.parent_id', '=', id).orderBy('s.backing_key').execute();
  return {
    ...summary(row, params, result),
    params,
    result: { ...result, params },
    recommendations: row.recommendations ? (JSON.parse(row.recommendations) as Recommendations) : null,
    backing: children.map((c) => {
      const parsed = parse(c);
      return summary(c, parsed.params, parsed.result);
    }),
  };
}
