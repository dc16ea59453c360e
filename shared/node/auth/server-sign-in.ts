import { randomUUID } from 'node:crypto';
import type { Selectable } from 'kysely';
import { AppError } from '../../common/errors.js';
import { DISTRICT_CODES } from '../../common/districts.js';
import { ROLES, type Role } from '../../common/roles.js';
import type { UsersTable } from '../db/schema.js';
import { appendAudit } from '../kernel/audit-append.js';
import type { AuthDeps } from './auth-deps.js';
import { hashPassword } from './password.js';

/**
 * A console sign-in the local users cannot answer, put to the server: a user
 * created on another console (or whose password was changed there) signs in
 * here as the server knows them, and the console keeps that user from then
 * on, role and district as the server says. Null when the server does not
 * know them either (or there is no server); unreachable, for a name this
 * console has never seen, is said as such rather than as a wrong password.
 */
export async function userFromServer(deps: AuthDeps, username: string, password: string, local: Selectable<UsersTable> | null): Promise<Selectable<UsersTable> | null> {
  let reply: Awaited<ReturnType<AuthDeps['sync']['accounts']['identify']>>;
  try {
    reply = await deps.sync.accounts.identify(username, password);
  } catch (e) {
    if (local || !(e instanceof AppError) || e.key !== 'sync.offline') return null;
    throw new AppError('unauthenticated', 'serverUsers.unknownOffline', { username });
  }
  if (!reply) return null;
  const u = reply.user;
  const role = (ROLES as readonly string[]).includes(u.role) ? (u.role as Role) : null;
  const district = u.districtCode === null || (DISTRICT_CODES as readonly string[]).includes(u.districtCode) ? u.districtCode : undefined;
  if (!role || district === undefined || u.username !== username) return null;
  const at = deps.now().toISOString();
  const passwordHash = await hashPassword(password);
  const row = await deps.db.transaction().execute(async (trx) => {
    const fields = {
      display_name: u.displayName.slice(0, 60),
      password_hash: passwordHash,
      role,
      district_code: role === 'clerk' ? district : null,
      must_change_password: u.mustChangePassword ? 1 : 0,
    };
    if (local) {
      await trx.updateTable('users').set(fields).where('id', '=', local.id).execute();
      await appendAudit(trx, { at, actorId: local.id, actorName: fields.display_name, action: 'user.fromServer', entityType: 'user', entityId: local.id, details: { username, role, districtCode: fields.district_code, passwordChanged: true } });
      return { ...local, ...fields };
    }
    const created = { id: randomUUID(), username, ...fields, disabled: 0, created_at: at, created_by: null, token_salt: null };
    await trx.insertInto('users').values(created).execute();
    await appendAudit(trx, { at, actorId: created.id, actorName: created.display_name, action: 'user.fromServer', entityType: 'user', entityId: created.id, details: { username, role, districtCode: created.district_code } });
    return created;
  });
  await deps.sync.accounts.remember(row.id, reply, deps.now());
  return row;
}
