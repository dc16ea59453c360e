import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import type { UserKeys } from '../secrets/user-keys.js';

/**
 * The connection account's token, sealed once for each console user under
 * their password-derived key (`connection_wraps`, migration 0021): it opens
 * while one of them is signed in, and never from the data folder alone.
 */

/** Replaces every wrap with one for each user signed in now (a new connection, or the first for these users). */
export async function wrapConnectionToken(db: Kysely<Database>, keys: UserKeys, token: string, replace: boolean): Promise<void> {
  await db.transaction().execute(async (trx) => {
    if (replace) await trx.deleteFrom('connection_wraps').execute();
    const have = new Set((await trx.selectFrom('connection_wraps').select('user_id').execute()).map((r) => r.user_id));
    for (const userId of keys.held()) {
      if (have.has(userId)) continue;
      const vault = keys.vaultFor(userId);
      if (vault) await trx.insertInto('connection_wraps').values({ user_id: userId, token: vault.seal(token) }).execute();
    }
  });
}

/**
 * The token, opened with the key of any user signed in now; every other
 * signed-in user then gets a wrap of their own, so a shared console keeps
 * syncing for whoever is at it. A wrap that no longer opens (the user's
 * password was reset) is dropped. Null when no signed-in user can open it.
 */
export async function openConnectionToken(db: Kysely<Database>, keys: UserKeys): Promise<string | null> {
  const wraps = await db.selectFrom('connection_wraps').selectAll().execute();
  let token: string | null = null;
  for (const w of wraps) {
    const vault = keys.vaultFor(w.user_id);
    if (!vault) continue;
    try {
      token = vault.open(w.token);
      break;
    } catch {
      await db.deleteFrom('connection_wraps').where('user_id', '=', w.user_id).execute();
    }
  }
  if (token !== null) await wrapConnectionToken(db, keys, token, false);
  return token;
}

export async function hasConnectionToken(db: Kysely<Database>): Promise<boolean> {
  return (await db.selectFrom('connection_wraps').select('user_id').limit(1).executeTakeFirst()) !== undefined;
}

export async function forgetConnectionToken(db: Kysely<Database>): Promise<void> {
  await db.deleteFrom('connection_wraps').execute();
}
