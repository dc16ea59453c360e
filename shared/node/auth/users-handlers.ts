import { randomUUID } from 'node:crypto';
import { AppError } from '../../common/errors.js';
import type { Role } from '../../common/roles.js';
import { appendAudit, auditBy } from '../kernel/audit-append.js';
import { requireUser, type HandlersFor } from '../kernel/call-context.js';
import type { AuthDeps } from './auth-deps.js';
import { hashPassword } from './password.js';
import { assertPasswordAllowed } from './password-policy.js';
import { SERVER_USER_ID, toUser } from './users-repo.js';

/** A clerk is bound to exactly one district; nobody else is bound to any. */
function checkDistrictBinding(role: Role, districtCode: string | null): void {
  if (role === 'clerk' && !districtCode) throw new AppError('validation_failed', 'errors.clerkNeedsDistrict', undefined, [
    { path: 'districtCode', code: 'errors.clerkNeedsDistrict', severity: 'error' },
  ]);
  if (role !== 'clerk' && districtCode) throw new AppError('validation_failed', 'errors.districtOnlyForClerk', undefined, [
    { path: 'districtCode', code: 'errors.districtOnlyForClerk', severity: 'error' },
  ]);
}

export const usersHandlers: HandlersFor<'users', AuthDeps> = {
  'users.list': async (_input, { deps }) => {
    const rows = await deps.db.selectFrom('users').selectAll().where('id', '!=', SERVER_USER_ID).orderBy('username').execute();
    return rows.map(toUser);
  },

  'users.create': async (input, ctx) => {
    const admin = requireUser(ctx);
    const { db, now } = ctx.deps;
    checkDistrictBinding(input.role, input.districtCode);
    assertPasswordAllowed(input.password, { username: input.username, displayName: input.displayName, districtCode: input.districtCode });
    if (await db.selectFrom('users').select('id').where('username', '=', input.username).executeTakeFirst()) {
      throw new AppError('conflict', 'errors.usernameTaken', { username: input.username });
    }
    // The server first: a user it has not accepted could never sync, so none is written here (offline included).
    await ctx.deps.sync.accounts.create(admin.id, input);
    const passwordHash = await hashPassword(input.password);
    const at = now().toISOString();
    return db.transaction().execute(async (trx) => {
      const taken = await trx.selectFrom('users').select('id').where('username', '=', input.username).executeTakeFirst();
      if (taken) throw new AppError('conflict', 'errors.usernameTaken', { username: input.username });
      const row = {
        id: randomUUID(),
        username: input.username,
        display_name: input.displayName,
        password_hash: passwordHash,
        role: input.role,
        district_code: input.districtCode,
        disabled: 0,
        created_at: at,
        must_change_password: 0,
        token_salt: null,
        created_by: admin.id,
      };
      await trx.insertInto('users').values(row).execute();
      await appendAudit(trx, {
        at,
        actorId: admin.id,
        actorName: admin.displayName,
        action: 'user.create',
        entityType: 'user',
        entityId: row.id,
        details: { username: row.username, role: row.role, districtCode: row.district_code },
      });
      return toUser(row);
    });
  },

  'users.update': async (input, ctx) => {
    const admin = requireUser(ctx);
    const { db, now, sessions } = ctx.deps;
    const row = await db.selectFrom('users').selectAll().where('id', '=', input.id).where('id', '!=', SERVER_USER_ID).executeTakeFirst();
    if (!row) throw new AppError('not_found', 'errors.userNotFound');
    const role = input.role ?? row.role;
    const districtCode = input.districtCode !== undefined ? input.districtCode : role === 'clerk' ? row.district_code : null;
    const disabled = input.disabled ?? row.disabled === 1;
    const displayName = input.displayName ?? row.display_name;
    if (row.id === admin.id && (role !== 'admin' || disabled)) throw new AppError('rule_violation', 'errors.cannotDemoteSelf');
    checkDistrictBinding(role, districtCode);
    // The username never changes, so the new password can be judged against it before hashing.
    if (input.password) assertPasswordAllowed(input.password, { username: row.username, displayName, districtCode });
    const next = {
      display_name: displayName,
      role,
      district_code: districtCode,
      disabled: disabled ? 1 : 0,
      ...(input.password ? { password_hash: await hashPassword(input.password), must_change_password: 1 } : {}),
    };
    const changes: Record<string, unknown> = {};
    if (next.display_name !== row.display_name) changes.displayName = [row.display_name, next.display_name];
    if (next.role !== row.role) changes.role = [row.role, next.role];
    if (next.district_code !== row.district_code) changes.districtCode = [row.district_code, next.district_code];
    if (next.disabled !== row.disabled) changes.disabled = [row.disabled === 1, disabled];
    if (input.password) changes.passwordReset = true;
    if (Object.keys(changes).length > 0) {
      // The server first, as one change; a user the server never had (made here before connecting) is changed here only.
      try {
        await ctx.deps.sync.accounts.change(admin.id, row, {
          ...(changes.displayName ? { displayName } : {}),
          ...(changes.role || changes.districtCode ? { role, districtCode } : {}),
          ...(changes.disabled ? { disabled } : {}),
          ...(input.password ? { password: input.password } : {}),
        });
      } catch (e) {
        if (!(e instanceof AppError && e.key === 'errors.userNotFound')) throw e;
      }
    }
    const updated = await db.transaction().execute(async (trx) => {
      await trx.updateTable('users').set(next).where('id', '=', row.id).execute();
      await appendAudit(trx, auditBy(admin, now().toISOString(), {
        action: 'user.update',
        entityType: 'user',
        entityId: row.id,
        details: { username: row.username, changes },
      }));
      return { ...row, ...next };
    });
    // A disabled account or a reset password ends that user's open sessions.
    if (updated.disabled === 1 || input.password) sessions.revokeUser(updated.id);
    return toUser(updated);
  },
};
