import type { Kysely } from 'kysely';
import { AppError } from '../../common/errors.js';
import type { NewServerAccount, ServerAccountChange } from '../../sync/accounts-wire.js';
import type { ServerUserInfo } from '../../sync/protocol.js';
import type { Database } from '../db/schema.js';
import type { UserKeys } from '../secrets/user-keys.js';
import { SyncClient } from './client.js';
import type { SyncConnection } from './connection.js';
import { SyncError } from './sync-error.js';
import { readSyncState } from './sync-state.js';
import { hasConnectionToken } from './connection-token.js';
import { saveUserToken, userToken } from './user-tokens.js';

/**
 * The console's users kept in step with the server's accounts. The server is
 * the record of who may act: a console connected to one changes an account
 * there first, with the administrator's own server token (the server checks
 * their role), and writes its own user only once the server has accepted. A
 * console never connected keeps its users alone (there is nothing to sync).
 */
export class ServerAccounts {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly keys: UserKeys,
    private readonly connection: SyncConnection,
  ) {}

  /** The server this console belongs to, or null for a console never connected. */
  private async serverUrl(): Promise<string | null> {
    return (await readSyncState(this.db)).server_url;
  }

  /**
   * A client for an administrator's change: in their own server name (their background sign-in waited for), or,
   * when they have none, the console's connection account when the server made that an administrator. Either
   * way the server checks the role of the token it gets.
   */
  private async adminClient(adminId: string, url: string, notSignedIn = 'serverUsers.notSignedIn'): Promise<SyncClient> {
    await this.connection.signInsSettled();
    const held = await userToken(this.db, this.keys, adminId);
    if (held) return new SyncClient(url, held.token);
    const s = await readSyncState(this.db);
    const connectionRole = s.server_user ? (JSON.parse(s.server_user) as { role?: string }).role : undefined;
    if (connectionRole === 'admin' && (await hasConnectionToken(this.db))) return this.connection.client();
    throw new AppError('rule_violation', notSignedIn);
  }

  /** Unreachable is said as what it means here: the console wrote nothing either. */
  private static async orOffline<T>(work: () => Promise<T>, offline = 'serverUsers.offline'): Promise<T> {
    try {
      return await work();
    } catch (e) {
      if (e instanceof SyncError && e.key === 'sync.offline') throw new AppError('rule_violation', offline, e.params);
      throw e;
    }
  }

  /**
   * Creates the account on the server before the console writes its user. An
   * account of that name already on the server (made by another console) is
   * taken as this one only when the given password signs in to it and its role
   * and district are the ones asked for; else the name is refused.
   */
  async create(adminId: string, account: NewServerAccount): Promise<void> {
    const url = await this.serverUrl();
    if (!url) return;
    const admin = await this.adminClient(adminId, url);
    try {
      await ServerAccounts.orOffline(() => admin.createUser(account));
    } catch (e) {
      if (!(e instanceof AppError) || e.key !== 'errors.usernameTaken') throw e;
      const existing = await this.signIn(url, account.username, account.password).catch(() => null);
      if (!existing || existing.role !== account.role || existing.districtCode !== account.districtCode) {
        throw new AppError('conflict', 'serverUsers.takenOnServer', { username: account.username }, [
          { path: 'username', code: 'serverUsers.takenOnServer', severity: 'error', params: { username: account.username } },
        ]);
      }
    }
  }

  /** An administrator's change (name, role, district, disabled, reset) on the server first; a disabled user's token here is forgotten. */
  async change(adminId: string, target: { id: string; username: string }, change: ServerAccountChange): Promise<void> {
    const url = await this.serverUrl();
    if (!url) return;
    const admin = await this.adminClient(adminId, url);
    const changed = await ServerAccounts.orOffline(() => admin.changeAccount(target.username, change));
    // The server ended their sessions; a token kept here would only be refused.
    if (changed.disabled || changed.passwordReset) await saveUserToken(this.db, this.keys, target.id, null);
  }

  /**
   * Work an administrator does on the server alone (nothing of it is written
   * here first), in their own server name. Refused with `<messages>.noServer`,
   * `.notSignedIn` or `.offline` (i18n keys the caller owns) when this console
   * has no server, no server sign-in for them, or cannot reach it.
   */
  async asAdmin<T>(adminId: string, messages: string, work: (server: SyncClient) => Promise<T>): Promise<T> {
    const url = await this.serverUrl();
    if (!url) throw new AppError('rule_violation', `${messages}.noServer`);
    const admin = await this.adminClient(adminId, url, `${messages}.notSignedIn`);
    return ServerAccounts.orOffline(() => work(admin), `${messages}.offline`);
  }

  /**
   * A user's own new password, on the server first. A user with no server
   * identity (made on this console before it was connected) changes it here only.
   */
  async changeOwnPassword(userId: string, currentPassword: string, newPassword: string): Promise<void> {
    const url = await this.serverUrl();
    if (!url) return;
    await this.connection.signInsSettled();
    const held = await userToken(this.db, this.keys, userId);
    if (!held) return;
    await ServerAccounts.orOffline(() => new SyncClient(url, held.token).changePassword(currentPassword, newPassword));
    await saveUserToken(this.db, this.keys, userId, { ...held, user: { ...held.user, mustChangePassword: false } });
  }

  /**
   * Who the server says a name and password are, for a user this console does
   * not have yet (created on another console): null when the console has no
   * server or the server does not know them.
   */
  async identify(username: string, password: string): Promise<{ token: string; user: ServerUserInfo } | null> {
    const url = await this.serverUrl();
    if (!url) return null;
    try {
      return await new SyncClient(url, null).signIn(username, password);
    } catch (e) {
      if (e instanceof SyncError && e.key === 'sync.badServerCredentials') return null;
      throw e;
    }
  }

  /** Keeps the token `identify` obtained as the user's own server identity. */
  async remember(userId: string, reply: { token: string; user: ServerUserInfo }, at: Date): Promise<void> {
    await saveUserToken(this.db, this.keys, userId, { token: reply.token, user: reply.user, obtainedAt: at.toISOString() });
  }

  private async signIn(url: string, username: string, password: string): Promise<ServerUserInfo> {
    return (await new SyncClient(url, null).signIn(username, password)).user;
  }
}
