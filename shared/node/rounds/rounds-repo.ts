import type { Kysely } from 'kysely';
import type { RoundSpec } from '../../rounds/spec.js';
import type { RoundStatus } from '../../rounds/lifecycle.js';
import type { Database } from '../db/schema.js';

export interface RoundWithSpec {
  id: string;
  status: RoundStatus;
  currentVersion: number;
  approvedVersion: number | null;
  createdAt: string;
  updatedAt: string;
  spec: RoundSpec;
  currentAuthorId: string;
  /** Whether the current version was ever approved here (an approval the server may since have refused). */
  currentApproved: boolean;
}

/** Rounds joined to their current version. */
export function selectRoundsWithSpec(db: Kysely<Database>) {
  return db
    .selectFrom('rounds')
    .innerJoin('round_versions as v', (j) => j.onRef('v.round_id', '=', 'rounds.id').onRef('v.version', '=', 'rounds.current_version'))
    .select([
      'rounds.id',
      'rounds.status',
      'rounds.current_version',
      'rounds.approved_version',
      'rounds.created_at',
      'rounds.updated_at',
      'v.spec',
      'v.author_id',
      'v.approved_by',
    ]);
}

type Row = Awaited<ReturnType<ReturnType<typeof selectRoundsWithSpec>['execute']>>[number];

export function toRoundWithSpec(row: Row): RoundWithSpec {
  return {
    id: row.id,
    status: row.status,
    currentVersion: row.current_version,
    approvedVersion: row.approved_version,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    spec: JSON.parse(row.spec) as RoundSpec,
    currentAuthorId: row.author_id,
    currentApproved: row.approved_by !== null,
  };
}

export async function findRound(db: Kysely<Database>, id: string): Promise<RoundWithSpec | undefined> {
  const row = await selectRoundsWithSpec(db).where('rounds.id', '=', id).executeTakeFirst();
  return row ? toRoundWithSpec(row) : undefined;
}
