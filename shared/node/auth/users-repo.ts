import type { Kysely, Selectable } from 'kysely';
import type { User } from '../../api/schemas.js';
import type { Database, UsersTable } from '../db/schema.js';
import type { SessionUser } from '../kernel/session-user.js';

export function toUser(row: Selectable<UsersTable>): User {
  return {
    id: row.id,
    username: row.username,
    displayName: row.display_name,
    role: row.role,
    districtCode: row.district_code,
    disabled: row.disabled === 1,
    createdAt: row.created_at,
    mustChangePassword: row.must_change_password === 1,
  };
}

/** The signed-in user, read fresh on every call so a role change or a disabled account takes effect at once. */
export async function loadSessionUser(db: Kysely<Database>, id: string): Promise<(SessionUser & { mustChangePassword: boolean }) | undefined> {
  const row = await db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row || row.disabled === 1) return undefined;
  return { id: row.id, username: row.username, displayName: row.display_name, role: row.role, districtCode: row.district_code, mustChangePassword: row.must_change_password === 1 };
}

/** Owns rounds and versions that arrived from the server (migration 0004); it cannot sign in. */
export const SERVER_USER_ID = 'server';

/** People, not counting the server's placeholder. */
export async function countUsers(db: Kysely<Database>): Promise<number> {
  const r = await db.selectFrom('users').select((eb) => eb.fn.countAll<number>().as('n')).where('id', '!=', SERVER_USER_ID).executeTakeFirstOrThrow();
  return Number(r.n);
}
