import { randomUUID } from 'node:crypto';
import { AppError } from '../../common/errors.js';
import { recordSignIn } from '../audit/sign-in-audit.js';
import { appendAudit, auditBy } from '../kernel/audit-append.js';
import { requireUser, type HandlersFor } from '../kernel/call-context.js';
import { dummyPasswordHash, hashPassword, verifyPassword } from './password.js';
import { tokenKeyFor } from './token-key.js';
import { assertPasswordAllowed, passwordMeetsPolicy } from './password-policy.js';
import { countUsers, SERVER_USER_ID, toUser } from './users-repo.js';
import type { AuthDeps } from './auth-deps.js';
import { userFromServer } from './server-sign-in.js';

export const setupHandlers: HandlersFor<'setup', AuthDeps> = {
  'setup.status': async (_input, { deps }) => ({ needsAdmin: (await countUsers(deps.db)) === 0 }),

  'setup.createAdmin': async (input, { deps }) => {
    assertPasswordAllowed(input.password, { username: input.username, displayName: input.displayName });
    const passwordHash = await hashPassword(input.password);
    const at = deps.now().toISOString();
    const id = randomUUID();
    return deps.db.transaction().execute(async (trx) => {
      // Checked inside the transaction: two first-run screens racing create one admin.
      if ((await countUsers(trx)) > 0) throw new AppError('conflict', 'errors.setupDone');
      const row = {
        id,
        username: input.username,
        display_name: input.displayName,
        password_hash: passwordHash,
        role: 'admin' as const,
        district_code: null,
        disabled: 0,
        created_at: at,
        must_change_password: 0,
        token_salt: null,
        created_by: null,
      };
      await trx.insertInto('users').values(row).execute();
      await appendAudit(trx, {
        at,
        actorId: id,
        actorName: input.displayName,
        action: 'setup.createAdmin',
        entityType: 'user',
        entityId: id,
        details: { username: input.username },
      });
      return toUser(row);
    });
  },
};

export const authHandlers: HandlersFor<'auth', AuthDeps> = {
  'auth.signIn': async (input, { deps }) => {
    // Looked up first, so guesses at other names never lock this account; reserved before the hash: parallel guesses are counted before any of them is checked.
    let row = await deps.db.selectFrom('users').selectAll().where('username', '=', input.username).where('id', '!=', SERVER_USER_ID).executeTakeFirst();
    const ticket = deps.throttle.reserve(input.username, row !== undefined);
    if ('retryAfterSeconds' in ticket) throw new AppError('rate_limited', 'errors.rate_limited', { seconds: ticket.retryAfterSeconds });
    let valid = await verifyPassword(input.password, row?.password_hash ?? (await dummyPasswordHash()));
    if (!row || !valid) {
      // The server is the record of accounts: a user made on another console, or whose password was changed there, is who the server says.
      const fromServer = await userFromServer(deps, input.username, input.password, row ?? null);
      if (fromServer) {
        row = fromServer;
        valid = true;
      }
    }
    if (!row || !valid) {
      await recordSignIn(deps, input.username, row ?? null, 'errors.badCredentials');
      throw new AppError('unauthenticated', 'errors.badCredentials');
    }
    deps.throttle.succeeded(ticket);
    if (row.disabled === 1) {
      await recordSignIn(deps, input.username, row, 'errors.accountDisabled');
      throw new AppError('forbidden', 'errors.accountDisabled');
    }
    await recordSignIn(deps, input.username, row, null);
    // Only now is the plain password known: one that fails today's policy must be changed before anything else.
    // A password an administrator reset stays to be changed whatever its strength: only its owner's change clears it.
    const mustChange = row.must_change_password === 1 || !passwordMeetsPolicy(input.password, { username: row.username, displayName: row.display_name, districtCode: row.district_code }) ? 1 : 0;
    if (mustChange !== row.must_change_password) {
      await deps.db.updateTable('users').set({ must_change_password: mustChange }).where('id', '=', row.id).execute();
      row.must_change_password = mustChange;
    }
    // Their server tokens open only with this key, held while they are signed in.
    // Already signed in elsewhere: the key in hand is the same, and a second scrypt would only slow sign-in.
    if (!deps.userKeys.vaultFor(row.id)) deps.userKeys.hold(row.id, await tokenKeyFor(deps.db, row, input.password));
    const token = deps.sessions.create(row.id);
    // The user's own server identity, so what they queue goes out in their name; never holds up the console sign-in.
    deps.sync.signInUserInBackground(row.id, row.username, input.password);
    return { token, user: toUser(row) };
  },

  'auth.signOut': async (_input, ctx) => {
    if (ctx.sessionToken) ctx.deps.sessions.revoke(ctx.sessionToken);
    // Signed out everywhere: their tokens stay sealed, and their queued commands wait for their next sign-in.
    if (ctx.user && !ctx.deps.sessions.hasLive(ctx.user.id)) ctx.deps.userKeys.forget(ctx.user.id);
    return {};
  },

  'auth.me': async (_input, ctx) => {
    const user = requireUser(ctx);
    return toUser(await ctx.deps.db.selectFrom('users').selectAll().where('id', '=', user.id).executeTakeFirstOrThrow());
  },

  'auth.changePassword': async (input, ctx) => {
    const user = requireUser(ctx);
    const { db, now, sessions } = ctx.deps;
    const row = await db.selectFrom('users').selectAll().where('id', '=', user.id).executeTakeFirstOrThrow();
    if (!(await verifyPassword(input.currentPassword, row.password_hash))) {
      // Not 'unauthenticated': the session is fine, and clients sign out on that code.
      throw new AppError('validation_failed', 'errors.wrongPassword', undefined, [{ path: 'currentPassword', code: 'errors.wrongPassword', severity: 'error' }]);
    }
    assertPasswordAllowed(input.newPassword, { username: row.username, displayName: row.display_name, districtCode: row.district_code }, 'newPassword');
    // Their server account first: a password changed here only would leave the server signing them in with the old one.
    await ctx.deps.sync.accounts.changeOwnPassword(user.id, input.currentPassword, input.newPassword);
    const passwordHash = await hashPassword(input.newPassword);
    await db.transaction().execute(async (trx) => {
      await trx.updateTable('users').set({ password_hash: passwordHash, must_change_password: 0 }).where('id', '=', user.id).execute();
      await appendAudit(trx, auditBy(user, now().toISOString(), {
        action: 'auth.changePassword',
        entityType: 'user',
        entityId: user.id,
        details: {},
      }));
    });
    sessions.revokeUser(user.id, ctx.sessionToken);
    // The server token and connection wrap follow the password: sealed again under the new one's key.
    await ctx.deps.sync.rekey(user.id, await tokenKeyFor(db, row, input.newPassword, true));
    return {};
  },
};
