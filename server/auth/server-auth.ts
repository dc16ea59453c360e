import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { dummyPasswordHash, hashPassword, verifyPassword } from '../../shared/node/auth/password.js';
import type { Role } from '../../shared/common/roles.js';
import { passwordMeetsPolicy, passwordProblem } from '../../shared/node/auth/password-policy.js';
import type { ServerDatabase } from '../db/schema.js';
import { HttpError } from '../http/errors.js';

export interface ServerUser {
  id: string;
  username: string;
  displayName: string;
  role: Role;
  districtCode: string | null;
  /** The password failed the policy at sign-in: only a change (or signing out) is allowed until then. */
  mustChangePassword?: boolean;
}

/**
 * A token lasts 12 hours (a working day) and is renewed while in use, never
 * past 30 days from sign-in: one copied from a console's folder dies soon.
 */
export const TOKEN_LIFE_MS = 12 * 3_600_000;
export const TOKEN_MAX_AGE_MS = 30 * 86_400_000;

const tokenKey = (token: string) => createHash('sha256').update(token).digest('hex');

export async function createUser(
  db: Kysely<ServerDatabase>,
  u: { username: string; displayName: string; password: string; role: Role; districtCode: string | null },
): Promise<ServerUser> {
  // Every way an account comes to exist (the route, --admin, tests) passes the same policy.
  const weak = passwordProblem(u.password, { username: u.username, displayName: u.displayName, districtCode: u.districtCode });
  if (weak) throw new HttpError(400, weak.key, weak.params);
  const id = randomUUID();
  await db
    .insertInto('users')
    .values({ id, username: u.username, display_name: u.displayName, password_hash: await hashPassword(u.password), role: u.role, district_code: u.districtCode, disabled: false })
    .execute();
  return { id, username: u.username, displayName: u.displayName, role: u.role, districtCode: u.districtCode };
}

export async function signIn(db: Kysely<ServerDatabase>, username: string, password: string, now: Date): Promise<{ token: string; user: ServerUser } | null> {
  const row = await db.selectFrom('users').selectAll().where('username', '=', username).executeTakeFirst();
  const ok = await verifyPassword(password, row?.password_hash ?? (await dummyPasswordHash()));
  if (!row || !ok || row.disabled) return null;
  // The plain password is known only here: one that fails today's policy must be changed before anything else.
  // A password an administrator reset stays to be changed whatever its strength: only its owner's change clears it.
  const mustChange = row.must_change_password || !passwordMeetsPolicy(password, { username: row.username, displayName: row.display_name, districtCode: row.district_code });
  if (mustChange !== row.must_change_password) await db.updateTable('users').set({ must_change_password: mustChange }).where('id', '=', row.id).execute();
  const token = randomBytes(32).toString('base64url');
  await db
    .insertInto('sessions')
    .values({ token_hash: tokenKey(token), user_id: row.id, created_at: now, expires_at: new Date(now.getTime() + TOKEN_LIFE_MS) })
    .execute();
  return { token, user: { id: row.id, username: row.username, displayName: row.display_name, role: row.role, districtCode: row.district_code, mustChangePassword: mustChange } };
}

/** The user behind a bearer token, read fresh so a disabled account stops at once. */
export async function userForToken(db: Kysely<ServerDatabase>, token: string, now: Date): Promise<ServerUser | null> {
  const row = await db
    .selectFrom('sessions as s')
    .innerJoin('users as u', 'u.id', 's.user_id')
    .select(['u.id', 'u.username', 'u.display_name', 'u.role', 'u.district_code', 'u.disabled', 'u.must_change_password', 's.expires_at'])
    .where('s.token_hash', '=', tokenKey(token))
    .executeTakeFirst();
  if (!row || row.disabled || new Date(row.expires_at).getTime() < now.getTime()) return null;
  return { id: row.id, username: row.username, displayName: row.display_name, role: row.role, districtCode: row.district_code, mustChangePassword: row.must_change_password };
}

/**
 * A signed-in user's new password: the current one proves it is them, the
 * policy judges the new one, and the flag set at sign-in is cleared. Their
 * other tokens stop working; the one in hand stays.
 */
export async function changePassword(db: Kysely<ServerDatabase>, user: ServerUser, token: string, current: string, next: string): Promise<void> {
  const row = await db.selectFrom('users').select(['password_hash', 'district_code']).where('id', '=', user.id).executeTakeFirstOrThrow();
  if (!(await verifyPassword(current, row.password_hash))) throw new HttpError(400, 'errors.wrongPassword');
  const weak = passwordProblem(next, { username: user.username, displayName: user.displayName, districtCode: row.district_code });
  if (weak) throw new HttpError(400, weak.key, weak.params);
  const hash = await hashPassword(next);
  await db.transaction().execute(async (trx) => {
    await trx.updateTable('users').set({ password_hash: hash, must_change_password: false }).where('id', '=', user.id).execute();
    await trx.deleteFrom('sessions').where('user_id', '=', user.id).where('token_hash', '!=', tokenKey(token)).execute();
  });
}

/** The token of an `Authorization: Bearer …` header, or '' when there is none. */
export function bearerToken(header: string | undefined): string {
  return header?.startsWith('Bearer ') ? header.slice(7) : '';
}

/** Signing out: the token stops working at once. */
export async function revokeToken(db: Kysely<ServerDatabase>, token: string): Promise<void> {
  if (token) await db.deleteFrom('sessions').where('token_hash', '=', tokenKey(token)).execute();
}

/** A live token's life extended to 12 hours from now (server time), up to 30 days after its sign-in. */
export async function renewToken(db: Kysely<ServerDatabase>, token: string, now: Date): Promise<Date> {
  const row = await db.selectFrom('sessions').select(['created_at', 'expires_at']).where('token_hash', '=', tokenKey(token)).executeTakeFirstOrThrow();
  const expiresAt = new Date(Math.min(now.getTime() + TOKEN_LIFE_MS, new Date(row.created_at).getTime() + TOKEN_MAX_AGE_MS));
  if (expiresAt.getTime() > new Date(row.expires_at).getTime()) {
    await db.updateTable('sessions').set({ expires_at: expiresAt }).where('token_hash', '=', tokenKey(token)).execute();
    return expiresAt;
  }
  return new Date(row.expires_at);
}
