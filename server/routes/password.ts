import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import { bearerToken, changePassword, renewToken, type ServerUser } from '../auth/server-auth.js';
import type { ServerDatabase } from '../db/schema.js';
import { parseInput } from '../http/errors.js';

const changeBody = z.object({ currentPassword: z.string().min(1).max(200), newPassword: z.string().min(1).max(200) }).strict();

/** A signed-in account changes its own password (the one step open to an account told to change it) and renews its token. */
export function registerPasswordRoutes(app: FastifyInstance, deps: { db: Kysely<ServerDatabase>; now: () => Date; authenticate(req: FastifyRequest): Promise<ServerUser> }): void {
  app.post('/api/auth/change-password', async (req) => {
    const user = await deps.authenticate(req);
    const body = parseInput(changeBody, req.body);
    await changePassword(deps.db, user, bearerToken(req.headers.authorization), body.currentPassword, body.newPassword);
    return { changed: true };
  });

  /** The calling token lives 12 more hours (server time); a console renews its tokens whenever a user signs in. */
  app.post('/api/auth/renew', async (req) => {
    await deps.authenticate(req);
    return { expiresAt: (await renewToken(deps.db, bearerToken(req.headers.authorization), deps.now())).toISOString() };
  });
}
