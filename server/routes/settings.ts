import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import type { RefundSettings } from '../../shared/sync/protocol.js';
import type { ServerUser } from '../auth/server-auth.js';
import type { ServerDatabase } from '../db/schema.js';

export interface SettingsRouteDeps {
  db: Kysely<ServerDatabase>;
  authenticate(req: FastifyRequest): Promise<ServerUser>;
}

/**
 * Settings every console follows, read by any signed-in account at each sync: the two-person amount for
 * refunds, so a clerk's console holds a large request for a second person before sending it (the server
 * refuses it without one either way).
 */
export function registerSettingsRoutes(app: FastifyInstance, deps: SettingsRouteDeps): void {
  app.get('/api/settings/refunds', async (req): Promise<RefundSettings> => {
    await deps.authenticate(req);
    const row = await deps.db.selectFrom('refund_settings').select('countersign_above').where('id', '=', 1).executeTakeFirst();
    return { countersignAbove: row?.countersign_above == null ? null : Number(row.countersign_above) };
  });
}
