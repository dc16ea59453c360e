import type { Kysely } from 'kysely';
import { userForToken, type ServerUser } from '../auth/server-auth.js';
import type { ServerDatabase } from '../db/schema.js';

/** The staff who may read a sale's check and monitor: officials, administrators and analysts (read-only); never a clerk. */
export async function saleStaff(db: Kysely<ServerDatabase>, authorization: string | undefined): Promise<ServerUser | null> {
  const token = authorization?.startsWith('Bearer ') ? authorization.slice(7) : '';
  const user = token ? await userForToken(db, token, new Date()) : null;
  return user && (user.role === 'official' || user.role === 'admin' || user.role === 'analyst') ? user : null;
}
