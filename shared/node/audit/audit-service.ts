import type { Kysely } from 'kysely';
import type { VerifyResult } from '../../api/audit-schemas.js';
import type { Database } from '../db/schema.js';
import type { SyncClient } from '../sync/client.js';
import { SyncError } from '../sync/sync-error.js';
import type { SyncHooks } from '../sync/sync-hooks.js';
import { AuditAnchors } from './anchors.js';

/** How long an audit verification waits for the server before calling the anchors unreachable. */
const VERIFY_TIMEOUT_MS = 15_000;

/**
 * The audit log checked against the server: anchored after every push,
 * verified at start, after every sync and on request. Its sync steps are
 * hooks it registers with the sync service, which never imports audit.
 */
export class AuditService {
  readonly anchors: AuditAnchors;

  constructor(
    db: Kysely<Database>,
    now: () => Date,
    private readonly connection: { client(signal?: AbortSignal): Promise<SyncClient> },
    private readonly log: (message: string, extra?: unknown) => void,
  ) {
    this.anchors = new AuditAnchors(db, now);
  }

  /** The last verification that finished, as the banner shows it. */
  get last(): VerifyResult | null {
    return this.anchors.last;
  }

  /**
   * Verifies the audit log against the server's anchors (see AuditAnchors);
   * without a connection the anchors are reported unchecked, never "ok". A
   * check that breaks is logged and shown as "could not verify", then thrown.
   */
  async verify(options: { full?: boolean } = {}): Promise<VerifyResult> {
    // Not configured, or a token that no longer opens: the anchors are reported unchecked.
    const client = await this.connection.client(AbortSignal.timeout(VERIFY_TIMEOUT_MS)).catch(() => null);
    try {
      return await this.anchors.verify(client, options);
    } catch (e) {
      this.log('audit verification failed', e);
      throw e;
    }
  }

  /** At start and after a sync: a failure is already logged and on screen, and must not fail what triggered it. */
  async verifyInBackground(options: { full?: boolean } = {}): Promise<void> {
    await this.verify(options).catch(() => undefined);
  }

  /**
   * States the audit head (which now includes the server's answers just
   * recorded). A refused or failed anchor does not stop the ledger sync: the
   * verification after it reports the anchored seq that no longer matches, or
   * that the anchors could not be checked. Losing the server stops it, as it
   * would stop the pull.
   */
  async anchorAfterPush(client: SyncClient): Promise<void> {
    try {
      await this.anchors.anchor(client);
    } catch (e) {
      if (!(e instanceof SyncError) || ['sync.offline', 'sync.unauthorized', 'sync.forbidden'].includes(e.key)) throw e;
    }
  }

  /** Anchors after each push; after each sync only the entries since the last check are hashed again (a background sync runs every minute). */
  register(hooks: SyncHooks): void {
    hooks.afterPush.push((client) => this.anchorAfterPush(client));
    hooks.afterSync.push(() => this.verifyInBackground({ full: false }));
  }
}
