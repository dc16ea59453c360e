import type { FastifyInstance, FastifyRequest } from 'fastify';
import { sql, type Kysely } from 'kysely';
import { z } from 'zod';
import { DISTRICT_CODES } from '../../shared/common/districts.js';
import { ROLES, type Role } from '../../shared/common/roles.js';
import { passwordProblem } from '../../shared/node/auth/password-policy.js';
import { hashPassword } from '../../shared/node/auth/password.js';
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
/** What an administrator changes on a console's user screen, sent as one request so the server never holds half of it. */
const accountBody = z
  .object({
    displayName: z.string().trim().min(1).max(60).optional(),
    role: z.enum(ROLES).optional(),
    districtCode: z.enum(DISTRICT_CODES).nullable().optional(),
    disabled: z.boolean().optional(),
    // A reset: length and strength are the policy's, judged below with a reason.
    password: z.string().min(1).max(200).optional(),
  })
  .strict();

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
    const row = await db.selectFrom('users').select(['id', 'username', 'display_name', 'role', 'district_code', 'disabled']).where('username', '=', username).executeTakeFirst();
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

  /**
   * An administrator's change to an account: name, role and district,
   * enabled or not, and a password reset. A reset password must be changed
   * by its owner at their next sign-in (the administrator knows it); a reset
   * or a disabling ends every token of the user. Checked like a new account:
   * a clerk has exactly one district, nobody else has one, and an
   * administrator cannot demote or disable themself.
   */
  app.post('/api/users/:username/account', async (req) => {
    const me = await admin(req);
    const user = await target(req);
    const body = parseInput(accountBody, req.body);
    const role = body.role ?? user.role;
    const districtCode = body.districtCode !== undefined ? body.districtCode : role === 'clerk' ? user.district_code : null;
    const disabled = body.disabled ?? user.disabled;
    const displayName = body.displayName ?? user.display_name;
    if (user.id === me.id && (role !== 'admin' || disabled)) throw new HttpError(409, 'errors.cannotDemoteSelf');
    if ((role === 'clerk') !== (districtCode !== null)) throw new HttpError(400, role === 'clerk' ? 'errors.clerkNeedsDistrict' : 'errors.districtOnlyForClerk');
    if (body.password !== undefined) {
      const weak = passwordProblem(body.password, { username: user.username, displayName, districtCode });
      if (weak) throw new HttpError(400, weak.key, weak.params);
    }
    const passwordHash = body.password !== undefined ? await hashPassword(body.password) : undefined;
    return db.transaction().execute(async (trx) => {
      await trx
        .updateTable('users')
        .set({ display_name: displayName, role, district_code: districtCode, disabled, ...(passwordHash ? { password_hash: passwordHash, must_change_password: true } : {}) })
        .where('id', '=', user.id)
        .execute();
      const revoked = disabled || passwordHash ? Number((await trx.deleteFrom('sessions').where('user_id', '=', user.id).executeTakeFirst()).numDeletedRows) : 0;
      return { username: user.username, displayName, role, districtCode, disabled, passwordReset: passwordHash !== undefined, revoked };
    });
  });
}
