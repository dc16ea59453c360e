import type { ExpressionBuilder } from 'kysely';
import type { Role } from '../../common/roles.js';
import { readScope } from '../../common/read-scope.js';
import type { Database, OutboxTable } from '../db/schema.js';

/** Who is looking at the outbox. */
export interface OutboxViewer {
  id: string;
  role: Role;
  districtCode: string | null;
}

/**
 * The outbox rows (aliased `o`) `viewer` may see, as a where-clause, by the
 * server's read scope: officials and administrators every command; a clerk
 * their own and those on their district's lots; anyone else (an analyst) only
 * the commands they queued themselves, since the others name lots and buyers
 * the server would never send them.
 */
export function visibleOutbox(viewer: OutboxViewer) {
  const scope = readScope(viewer);
  return (eb: ExpressionBuilder<Database & { o: OutboxTable }, 'o'>) => {
    if (scope.kind === 'all') return eb.lit(true);
    const own = eb('o.created_by', '=', viewer.id);
    if (scope.kind === 'none') return own;
    return eb.or([own, eb('o.lot_id', 'in', eb.selectFrom('lots').select('lots.lot_id').where('lots.district_code', '=', scope.districtCode))]);
  };
}
