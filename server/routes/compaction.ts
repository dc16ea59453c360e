import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { Role } from '../../shared/common/roles.js';
import type { ServerUser } from '../auth/server-auth.js';
import type { ServerDatabase } from '../db/schema.js';
import { parseInput } from '../http/errors.js';
import { FOLD_LIST_LIMIT, foldAgeSchema, type FoldAct } from '../../shared/sync/fold-wire.js';
import { foldSettledUses } from '../log/compaction.js';

export interface CompactionRouteDeps {
  db: Kysely<ServerDatabase>;
  now: () => Date;
  authenticate(req: FastifyRequest): Promise<ServerUser>;
  requireRole(user: ServerUser, roles: readonly Role[]): void;
}

const foldBody = z.object({ olderThanDays: foldAgeSchema }).strict();

/**
 * POST /api/admin/compact-uses: an administrator folds the settled uses
 * older than `olderThanDays` (server/log/compaction.ts), judged by the
 * server's clock; the act is a `uses_folded` event in the log and a
 * `use_folds` row. Nothing to fold answers with zero checkpoints.
 */
export function registerCompactionRoutes(app: FastifyInstance, deps: CompactionRouteDeps): void {
  app.post('/api/admin/compact-uses', async (req) => {
    const user = await deps.authenticate(req);
    deps.requireRole(user, ['admin']);
    const { olderThanDays } = parseInput(foldBody, req.body);
    return foldSettledUses(deps.db, user, olderThanDays, deps.now());
  });

  /** GET /api/admin/use-folds: the folds done so far, newest first, with who did each (administrators only, as the act). */
  app.get('/api/admin/use-folds', async (req): Promise<{ folds: FoldAct[] }> => {
    const user = await deps.authenticate(req);
    deps.requireRole(user, ['admin']);
    const rows = await deps.db
      .selectFrom('use_folds as f')
      .innerJoin('users as u', 'u.id', 'f.by')
      .select(['f.id', 'u.display_name', 'f.at', 'f.through_day', 'f.older_than_days', 'f.checkpoints', 'f.events', 'f.seq'])
      .orderBy('f.seq', 'desc')
      .limit(FOLD_LIST_LIMIT)
      .execute();
    return {
      folds: rows.map((r) => ({
        id: r.id,
        byName: r.display_name,
        at: new Date(r.at).toISOString(),
        throughDay: r.through_day,
        olderThanDays: r.older_than_days,
        checkpoints: r.checkpoints,
        events: r.events,
        seq: Number(r.seq),
      })),
    };
  });
}
