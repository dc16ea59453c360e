import type { Kysely } from 'kysely';
import type { ServerUserInfo } from '../../sync/protocol.js';
import type { Database } from '../db/schema.js';
import type { UserKeys } from '../secrets/user-keys.js';

/** A console user's server identity: the token their commands are sent with, and who the server says they are. */
export interface UserToken {
  token: string;
  user: ServerUserInfo;
  obtainedAt: string;
}

/**
 * Keeps (or, with null, forgets) a user's server token. Every read and write
 * of `server_tokens` goes through this function and `userToken`, so the way
 * tokens are kept at rest can change in one place: sealed under the user's
 * password-derived key and the folder's vault (secrets/user-keys.ts). A user
 * who signed out meanwhile has no key: nothing is kept (false).
 */
export async function saveUserToken(db: Kysely<Database>, keys: UserKeys, userId: string, value: UserToken | null): Promise<boolean> {
  if (value === null) {
    await db.deleteFrom('server_tokens').where('user_id', '=', userId).execute();
    return true;
  }
  const vault = keys.vaultFor(userId);
  if (!vault) return false;
  const row = { token: vault.seal(value.token), server_user: JSON.stringify(value.user), obtained_at: value.obtainedAt };
  await db
    .insertInto('server_tokens')
    .values({ user_id: userId, ...row })
    .onConflict((oc) => oc.column('user_id').doUpdateSet(row))
    .execute();
  return true;
}

/**
 * The user's token while they are signed in. Signed out, or sealed under
 * another key (the folder moved between hosts, the password reset by an
 * administrator), it reads as none: their commands wait until they sign in again.
 */
export async function userToken(db: Kysely<Database>, keys: UserKeys, userId: string): Promise<UserToken | null> {
  const vault = keys.vaultFor(userId);
  if (!vault) return null;
  const row = await db.selectFrom('server_tokens').selectAll().where('user_id', '=', userId).executeTakeFirst();
  if (!row) return null;
  let token: string;
  try {
    token = vault.open(row.token);
  } catch {
    return null;
  }
  return { token, user: JSON.parse(row.server_user) as ServerUserInfo, obtainedAt: row.obtained_at };
}
