import type { Kysely } from 'kysely';
import type { ServerUserInfo } from '../../sync/protocol.js';
import type { Database } from '../db/schema.js';
import type { Vault } from '../secrets/vault.js';

/** A console user's server identity: the token their commands are sent with, and who the server says they are. */
export interface UserToken {
  token: string;
  user: ServerUserInfo;
  obtainedAt: string;
}

/**
 * Keeps (or, with null, forgets) a user's server token. Every read and write
 * of `server_tokens` goes through this function and `userToken`, so the way
 * tokens are kept at rest can change in one place: sealed by the vault, like the connection token.
 */
export async function saveUserToken(db: Kysely<Database>, vault: Vault, userId: string, value: UserToken | null): Promise<void> {
  if (value === null) {
    await db.deleteFrom('server_tokens').where('user_id', '=', userId).execute();
    return;
  }
  const row = { token: vault.seal(value.token), server_user: JSON.stringify(value.user), obtained_at: value.obtainedAt };
  await db
    .insertInto('server_tokens')
    .values({ user_id: userId, ...row })
    .onConflict((oc) => oc.column('user_id').doUpdateSet(row))
    .execute();
}

/** A token sealed under another key (the folder moved between hosts) reads as none: the user signs in again. */
export async function userToken(db: Kysely<Database>, vault: Vault, userId: string): Promise<UserToken | null> {
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
