import type { FastifyInstance, FastifyRequest } from 'fastify';
import { sql, type Kysely } from 'kysely';
import { z } from 'zod';
import type { Role } from '../../shared/common/roles.js';
import { bearerToken, revokeToken, type ServerUser } from '../auth/server-auth.js';
import type { ServerDatabase } from '../db/schema.js';
import { HttpError, parseInput } from '../http/errors.js';

export interface UsersRouteDeps {
  db: Kysely<ServerDatabase>;
  now: () => Date;
  authenticate(req: FastifyRequest): Promise<ServerUser>;
  requireRole(user: ServerUser, roles: readonly Role[]): void;
}

const usernameParam = z.object({ username: z.string().trim().toLowerCase().regex(/^[a-z0-9._-]{3,32}$/) }).strict();
const disabledBody = z.object({ disabled: z.boolean() }).strict();

/**
 * Server accounts after creation: signing out, revoking a user's tokens,
 * disabling and enabling a user, and the list of users. A token is checked
 * against the sessions and the user's state on every request, so revoking or
 * disabling takes effect on the next request.
 */
export function registerUsersRoutes(app: FastifyInstance, deps: UsersRouteDeps): void {
  const { db } = deps;

  const admin = async (req: FastifyRequest) => {
    const user = await deps.authenticate(req);
    deps.requireRole(user, ['admin']);
    return user;
  };

  const target = async (req: FastifyRequest) => {
    const { username } = parseInput(usernameParam, req.params);
    const row = await db.selectFrom('users').select(['id', 'username', 'role', 'disabled']).where('username', '=', username).executeTakeFirst();
    if (!row) throw new HttpError(404, 'errors.userNotFound');
    return row;
  };

  /** Revokes the token the request was made with; the console forgets it too. */
  app.post('/api/auth/sign-out', async (req) => {
    await deps.authenticate(req);
    await revokeToken(db, bearerToken(req.headers.authorization));
    return { signedOut: true };
  });

  app.get('/api/users', async (req) => {
    await admin(req);
    const rows = await db
      .selectFrom('users as u')
      .select(['u.username', 'u.display_name', 'u.role', 'u.district_code', 'u.disabled', 'u.created_at'])
      .select((eb) =>
        eb
          .selectFrom('sessions as s')
          .whereRef('s.user_id', '=', 'u.id')
          .where('s.expires_at', '>', deps.now())
          .select(sql<number>`count(*)`.as('n'))
          .as('tokens'),
      )
      .orderBy('u.username')
      .execute();
    return {
      users: rows.map((r) => ({
        username: r.username,
        displayName: r.display_name,
        role: r.role,
        districtCode: r.district_code,
        disabled: r.disabled,
        createdAt: new Date(r.created_at).toISOString(),
        activeTokens: Number(r.tokens ?? 0),
      })),
    };
  });

  /** Every token of the user stops working; the account stays usable with its password. */
  app.post('/api/users/:username/revoke-tokens', async (req) => {
    await admin(req);
    const user = await target(req);
    const r = await db.deleteFrom('sessions').where('user_id', '=', user.id).executeTakeFirst();
    return { username: user.username, revoked: Number(r.numDeletedRows) };
  });

  /**
   * Disabling also revokes every token, so enabling again does not bring old
   * tokens back. An administrator cannot disable themself, so the one who
   * disables is always an enabled administrator left to undo it.
   */
  app.post('/api/users/:username/disabled', async (req) => {
    const me = await admin(req);
    const user = await target(req);
    const { disabled } = parseInput(disabledBody, req.body);
    if (disabled && user.id === me.id) throw new HttpError(409, 'errors.cannotDemoteSelf');
    return db.transaction().execute(async (trx) => {
      await trx.updateTable('users').set({ disabled }).where('id', '=', user.id).execute();
      const revoked = disabled ? Number((await trx.deleteFrom('sessions').where('user_id', '=', user.id).executeTakeFirst()).numDeletedRows) : 0;
      return { username: user.username, disabled, revoked };
    });
  });
}
