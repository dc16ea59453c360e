import type { Kysely } from 'kysely';
import type { ErrorPayload } from '../../common/errors.js';
import type { RoundTotals } from '../../sync/protocol.js';
import type { Database } from '../db/schema.js';
import { appendAudit, auditBy, recordAudit } from '../kernel/audit-append.js';
import { toErrorPayload } from '../kernel/error-payload.js';
import type { UserKeys } from '../secrets/user-keys.js';
import { SyncClient } from './client.js';
import { SyncError } from './sync-error.js';
import { readSyncState } from './sync-state.js';
import { forgetConnectionToken, hasConnectionToken, openConnectionToken, wrapConnectionToken } from './connection-token.js';
import { saveUserToken, userToken } from './user-tokens.js';

/** Who asked for a connection change or a repair, as the audit log names them. */
export interface Actor {
  id: string;
  username: string;
  displayName: string;
}

/**
 * The console's link to its server: the connection account that pulls the
 * log, and each console user's own server identity for the commands they queue.
 */
export class SyncConnection {
  /** Why a user's last server sign-in failed, until one succeeds. In memory: the next console sign-in tries again. */
  private readonly signInErrors = new Map<string, ErrorPayload>();
  private readonly signIns = new Set<Promise<void>>();

  constructor(
    private readonly db: Kysely<Database>,
    private readonly now: () => Date,
    private readonly keys: UserKeys,
  ) {}

  /** A client with the connection account's token, opened with the key of a user signed in now. */
  async client(signal?: AbortSignal): Promise<SyncClient> {
    const s = await readSyncState(this.db);
    if (!s.server_url || !(await hasConnectionToken(this.db))) throw new SyncError('sync.notConfigured');
    const token = await openConnectionToken(this.db, this.keys);
    // Sealed for users none of whom is signed in now (or whose passwords were reset since).
    if (token === null) throw new SyncError('sync.tokenUnreadable');
    return new SyncClient(s.server_url, token, signal);
  }

  signInError(userId: string): ErrorPayload | null {
    return this.signInErrors.get(userId) ?? null;
  }

  /**
   * Signs a console user in to the server as themselves (same username and
   * password), in the background, so the commands they queue go out in their
   * own name. A failure never fails the console sign-in: it is noted for the
   * status, and their commands wait until they sign in again.
   */
  signInUserInBackground(userId: string, username: string, password: string): void {
    const work = (async () => {
      const s = await readSyncState(this.db);
      if (!s.server_url) return;
      try {
        const reply = await new SyncClient(s.server_url, null).signIn(username, password);
        await saveUserToken(this.db, this.keys, userId, { token: reply.token, user: reply.user, obtainedAt: this.now().toISOString() });
        this.signInErrors.delete(userId);
        if (s.username === reply.user.username) {
          // The connection account's own person: their fresh token is the connection's from now on.
          await wrapConnectionToken(this.db, this.keys, reply.token, true);
        } else {
          // Signed in while the connection opens: this user gets a wrap of it, and its life is renewed on the server.
          await this.renewConnection().catch(() => undefined);
        }
      } catch (e) {
        this.signInErrors.set(userId, toErrorPayload(e));
      }
    })();
    this.signIns.add(work);
    void work.finally(() => this.signIns.delete(work));
  }

  /**
   * Renews the connection token's life on the server (server tokens last
   * hours, not a month). A token the server no longer takes is left for the
   * next sync to report; no connection, or none open now: nothing to do.
   */
  private async renewConnection(): Promise<void> {
    const s = await readSyncState(this.db);
    if (!s.server_url) return;
    const token = await openConnectionToken(this.db, this.keys);
    if (token === null) return;
    await new SyncClient(s.server_url, token).renew();
  }

  /** The user's password changed: their token and connection wrap are sealed again under the new password's key. */
  async rekey(userId: string, key: Buffer): Promise<void> {
    const token = await userToken(this.db, this.keys, userId);
    const connection = await openConnectionToken(this.db, this.keys);
    this.keys.hold(userId, key);
    if (token) await saveUserToken(this.db, this.keys, userId, token);
    await this.db.deleteFrom('connection_wraps').where('user_id', '=', userId).execute();
    if (connection !== null) await wrapConnectionToken(this.db, this.keys, connection, false);
  }

  /**
   * Gives a user the administrator has just created or reset (knowing the
   * password they set) a wrap of the connection token, while the administrator
   * holds it open: without one, a clerk signing in alone at a shared console
   * could not pull until someone with a wrap signed in beside them.
   */
  async grantConnection(userId: string, key: Buffer): Promise<void> {
    const connection = await openConnectionToken(this.db, this.keys);
    if (connection === null) return;
    const sealed = this.keys.vaultOfKey(key).seal(connection);
    await this.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('connection_wraps').where('user_id', '=', userId).execute();
      await trx.insertInto('connection_wraps').values({ user_id: userId, token: sealed }).execute();
    });
  }

  /** Resolves when every background server sign-in started so far has finished (for tests and shutdown). */
  async signInsSettled(): Promise<void> {
    await Promise.all([...this.signIns]);
  }

  /**
   * Signs in to a server and keeps the token (never the password). A console's ledger belongs to one server.
   * The connection account pulls the log for the whole console. When the
   * connecting console user has the same name on the server, it is also their
   * own identity for the commands they queue.
   */
  async connect(serverUrl: string, username: string, password: string, actor: Actor): Promise<void> {
    const s = await readSyncState(this.db);
    const url = new URL(serverUrl).toString().replace(/\/$/, '');
    // The address goes in the details: the audit grid shows only the start of an entity id.
    const entry = { at: this.now().toISOString(), actorId: actor.id, actorName: actor.displayName, entityType: 'server', entityId: null };
    let reply: Awaited<ReturnType<SyncClient['signIn']>>;
    try {
      if (s.server_url && s.server_url !== url && s.last_seq > 0) throw new SyncError('sync.serverChanged', { current: s.server_url });
      reply = await new SyncClient(url, null).signIn(username, password);
    } catch (e) {
      await recordAudit(this.db, { ...entry, action: 'server.connectFailed', details: { serverUrl: url, username, reasonKey: toErrorPayload(e).key } });
      throw e;
    }
    if (s.server_url && s.server_url !== url) {
      // Tokens of another server must never be sent to this one: everyone signs in again.
      for (const u of await this.db.selectFrom('users').select('id').execute()) await saveUserToken(this.db, this.keys, u.id, null);
      this.signInErrors.clear();
    }
    await this.db.transaction().execute(async (trx) => {
      await trx
        .updateTable('sync_state')
        // Another server's snapshot key is not this one's: it is pinned again at this server's first snapshot.
        .set({ server_url: url, username, token: null, server_user: JSON.stringify(reply.user), last_error: null, ...(s.server_url !== url ? { snapshot_key: null } : {}) })
        .where('id', '=', 1)
        .execute();
      await appendAudit(trx, { ...entry, action: 'server.connect', details: { serverUrl: url, username, serverRole: reply.user.role } });
    });
    await wrapConnectionToken(this.db, this.keys, reply.token, true);
    if (actor.username === reply.user.username) {
      await saveUserToken(this.db, this.keys, actor.id, { token: reply.token, user: reply.user, obtainedAt: this.now().toISOString() });
      this.signInErrors.delete(actor.id);
    }
  }

  async disconnect(actor: Actor): Promise<void> {
    const s = await readSyncState(this.db);
    await this.db.transaction().execute(async (trx) => {
      await trx.updateTable('sync_state').set({ token: null }).where('id', '=', 1).execute();
      await forgetConnectionToken(trx);
      await appendAudit(trx, auditBy(actor, this.now().toISOString(), {
        action: 'server.disconnect',
        entityType: 'server',
        entityId: null,
        details: { serverUrl: s.server_url, username: s.username },
      }));
    });
  }

  /** A round's totals on the server, for one district when given. */
  async serverTotals(roundId: string, districtCode: string | null = null): Promise<RoundTotals> {
    return (await this.client()).totals(roundId, districtCode);
  }

  /**
   * The district the server account this console syncs with is held to (a
   * clerk's), or null: the console then holds only that district in full.
   */
  async serverDistrict(): Promise<string | null> {
    const s = await readSyncState(this.db);
    if (!s.server_user) return null;
    const u = JSON.parse(s.server_user) as { role?: string; districtCode?: string | null };
    return u.role === 'clerk' ? (u.districtCode ?? null) : null;
  }
}
