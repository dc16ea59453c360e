import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { Role } from '../../shared/common/roles.js';
import type { ServerUser } from '../auth/server-auth.js';
import type { ServerDatabase } from '../db/schema.js';
import { parseInput } from '../http/errors.js';
import { foldSettledUses, MIN_FOLD_AGE_DAYS } from '../log/compaction.js';

export interface CompactionRouteDeps {
  db: Kysely<ServerDatabase>;
  now: () => Date;
  authenticate(req: FastifyRequest): Promise<ServerUser>;
  requireRole(user: ServerUser, roles: readonly Role[]): void;
}

const foldBody = z.object({ olderThanDays: z.int().min(MIN_FOLD_AGE_DAYS).max(3_650) }).strict();

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
}
