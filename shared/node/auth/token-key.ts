import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { deriveUserKey, newKeySalt } from '../secrets/user-keys.js';

/**
 * The key a user's server tokens are sealed under, from the password they
 * just gave (sign-in, change): their salt is made the first time, and a new
 * one with each new password.
 */
export async function tokenKeyFor(db: Kysely<Database>, user: { id: string; token_salt: string | null }, password: string, fresh = false): Promise<Buffer> {
  let salt = fresh ? null : user.token_salt;
  if (salt === null) {
    salt = newKeySalt();
    await db.updateTable('users').set({ token_salt: salt }).where('id', '=', user.id).execute();
  }
  return deriveUserKey(password, salt);
}
