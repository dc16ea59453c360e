import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { dummyPasswordHash, hashPassword, verifyPassword } from '../../shared/node/auth/password.js';
import type { Role } from '../../shared/common/roles.js';
import type { ServerDatabase } from '../db/schema.js';

export interface ServerUser {
  id: string;
  username: string;
  displayName: string;
  role: Role;
  districtCode: string | null;
}

/** Console sync tokens last a month; a console signs in again after that. */
const TOKEN_DAYS = 30;

const tokenKey = (token: string) => createHash('sha256').update(token).digest('hex');

export async function createUser(
  db: Kysely<ServerDatabase>,
  u: { username: string; displayName: string; password: string; role: Role; districtCode: string | null },
): Promise<ServerUser> {
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
  const token = randomBytes(32).toString('base64url');
  await db
    .insertInto('sessions')
    .values({ token_hash: tokenKey(token), user_id: row.id, created_at: now, expires_at: new Date(now.getTime() + TOKEN_DAYS * 86_400_000) })
    .execute();
  return { token, user: { id: row.id, username: row.username, displayName: row.display_name, role: row.role, districtCode: row.district_code } };
}

/** The user behind a bearer token, read fresh so a disabled account stops at once. */
export async function userForToken(db: Kysely<ServerDatabase>, token: string, now: Date): Promise<ServerUser | null> {
  const row = await db
    .selectFrom('sessions as s')
    .innerJoin('users as u', 'u.id', 's.user_id')
    .select(['u.id', 'u.username', 'u.display_name', 'u.role', 'u.district_code', 'u.disabled', 's.expires_at'])
    .where('s.token_hash', '=', tokenKey(token))
    .executeTakeFirst();
  if (!row || row.disabled || new Date(row.expires_at).getTime() < now.getTime()) return null;
  return { id: row.id, username: row.username, displayName: row.display_name, role: row.role, districtCode: row.district_code };
}

/** The token of an `Authorization: Bearer …` header, or '' when there is none. */
export function bearerToken(header: string | undefined): string {
  return header?.startsWith('Bearer ') ? header.slice(7) : '';
}

/** Signing out: the token stops working at once. */
export async function revokeToken(db: Kysely<ServerDatabase>, token: string): Promise<void> {
  if (token) await db.deleteFrom('sessions').where('token_hash', '=', tokenKey(token)).execute();
}
