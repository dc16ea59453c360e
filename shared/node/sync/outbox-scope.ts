import type { ExpressionBuilder } from 'kysely';
import type { Database, OutboxTable } from '../db/schema.js';

/** Who is looking at the outbox: a clerk sees their own commands and those on their district's lots. */
export interface OutboxViewer {
  id: string;
  role: string;
  districtCode: string | null;
}

/** The outbox rows (aliased `o`) `viewer` may see, as a where-clause: everything but for a clerk. */
export function visibleOutbox(viewer: OutboxViewer) {
  return (eb: ExpressionBuilder<Database & { o: OutboxTable }, 'o'>) =>
    viewer.role !== 'clerk'
      ? eb.lit(true)
      : eb.or([eb('o.created_by', '=', viewer.id), eb('o.lot_id', 'in', eb.selectFrom('lots').select('lots.lot_id').where('lots.district_code', '=', viewer.districtCode))]);
}
