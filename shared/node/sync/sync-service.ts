import type BetterSqlite3 from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Role } from '../../common/roles.js';
import type { Kysely } from 'kysely';
import type { QueuedCommand, RoundTotals, ServerStatus } from '../../sync/protocol.js';
import type { Database } from '../db/schema.js';
import { connectionOf } from '../db/connection-of.js';
import type { JobContext } from '../jobs/job-registry.js';
import { toErrorPayload } from '../kernel/error-payload.js';
import { enqueueCommand } from '../kernel/outbox.js';
import type { UserKeys } from '../secrets/user-keys.js';
import { SyncApplier, type ChainPoint } from './apply.js';
import type { SyncClient } from './client.js';
import { SyncConnection, type Actor } from './connection.js';
import { ServerAccounts } from './server-accounts.js';
import type { OutboxViewer } from './outbox-scope.js';
import { checkChain, localHashAt, pullPages, pullPagesThreaded } from './pull.js';
import { ApplyThread, type ApplyThreadSpec } from './apply-thread.js';
import { pushDue, waitingCommands } from './push.js';
import { followRefundSettings } from './refund-settings.js';
import { cutBackFrom, firstDivergence } from './repair.js';
import { readSyncStatus, type SyncStatus } from './status.js';
import { syncFromSnapshot, type InstalledSnapshot, type SnapshotDeps } from './snapshot-fetch.js';
import { SyncError } from './sync-error.js';
import { PullProgress } from './sync-progress.js';
import type { SyncHooks } from './sync-hooks.js';
import { readSyncState, writeSyncState } from './sync-state.js';

export interface SyncSummary {
  pushed: number;
  accepted: number;
  rejected: number;
  pulled: number;
  lastSeq: number;
  headSeq: number;
  /** Commands still waiting for the server's answer after this sync: a sync that leaves some behind says so. */
  pending: number;
  /** When the earliest of them is next tried, or null when none is waiting. */
  nextAttemptAt: string | null;
}

/**
 * Keeps this console's ledger in step with the central server: commands go
 * out from the outbox, events come in page by page, and after every pull the
 * chain hash at the local head is compared with the server's. One sync at a
 * time; the steps themselves live in push, pull, repair and connection.
 */
export class SyncService {
  private applier: SyncApplier;
  readonly connection: SyncConnection;
  /** The console's users kept in step with the server's accounts. */
  readonly accounts: ServerAccounts;
  private busy = false;
  /** The sync under way, which a second request joins rather than being refused (the status bar's timer, another window). */
  private inflight: Promise<SyncSummary> | null = null;
  /** The progress callbacks of every job following the sync under way. */
  private readonly followers = new Set<JobContext['progress']>();
  private readonly pull: PullProgress;
  /** What the connected server said of itself at the last sync (its record is the demo data set, or not). */
  private serverDemo: ServerStatus['demo'] = null;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly sqlite: BetterSqlite3.Database,
    private readonly now: () => Date,
    private readonly keys: UserKeys,
    private readonly hooks: SyncHooks,
    applyThread?: ApplyThreadSpec,
  ) {
    this.applier = new SyncApplier(sqlite, hooks.ledgerWrites);
    // A ledger in memory has no second connection to give a thread: it applies on this one, in slices.
    this.thread = applyThread && !sqlite.memory ? new ApplyThread(applyThread, sqlite.name) : undefined;
    // A console stopped in the middle of a large catch-up opens with its indexes built again.
    this.applier.restoreIndexes();
    this.connection = new SyncConnection(db, now, keys);
    this.accounts = new ServerAccounts(db, keys, this.connection);
    this.pull = new PullProgress(() => now().getTime());
  }

  /** The sync state as `viewer` may see it: a clerk's pending and rejected counts are of their outbox only. */
  status(viewer?: OutboxViewer): Promise<SyncStatus> {
    return readSyncStatus(this.db, this.keys, this.connection, viewer, this.busy ? this.pull.view() : null, this.serverDemo);
  }

  signInUserInBackground(userId: string, username: string, password: string): void {
    this.connection.signInUserInBackground(userId, username, password);
  }

  rekey(userId: string, key: Buffer): Promise<void> {
    return this.connection.rekey(userId, key);
  }

  grantConnection(userId: string, key: Buffer): Promise<void> {
    return this.connection.grantConnection(userId, key);
  }

  signInsSettled(): Promise<void> {
    return this.connection.signInsSettled();
  }

  async connect(serverUrl: string, username: string, password: string, actor: Actor): Promise<SyncStatus> {
    await this.connection.connect(serverUrl, username, password, actor);
    return this.status({ id: actor.id, role: 'admin', districtCode: null });
  }

  async disconnect(actor: Actor): Promise<SyncStatus> {
    await this.connection.disconnect(actor);
    return this.status();
  }

  serverTotals(roundId: string, districtCode: string | null = null): Promise<RoundTotals> {
    return this.connection.serverTotals(roundId, districtCode);
  }

  serverDistrict(): Promise<string | null> {
    return this.connection.serverDistrict();
  }

  /** Puts a command in the outbox; it is sent with its id by the next sync, and retried until answered. */
  enqueue(db: Kysely<Database>, command: QueuedCommand, createdBy: string): Promise<void> {
    return enqueueCommand(db, this.now(), command, createdBy);
  }

  localHashAt(seq: number): Promise<string | null> {
    return localHashAt(this.db, seq);
  }

  checkChain(client: SyncClient): Promise<ChainPoint> {
    return checkChain(this.db, this.applier, client);
  }

  /** True while a sync (not a repair) runs that another request may follow. */
  get joinable(): boolean {
    return this.inflight !== null;
  }

  /** True while a sync or a repair runs. */
  get isBusy(): boolean {
    return this.busy;
  }

  /** One sync at a time: two pulls racing on one cursor would each take the other's pages for a gap. */
  private async exclusive<T>(fn: () => Promise<T>): Promise<T> {
    if (this.busy) throw new SyncError('sync.busy');
    this.busy = true;
    try {
      return await fn();
    } finally {
      this.busy = false;
    }
  }

  /**
   * Push, then pull, then check the chain. Records the outcome for the status
   * bar either way. A sync asked for while one runs follows that one and
   * ends with its result: both asked for the ledger to catch up, and one pull
   * does it (only the job that started it cancels it).
   */
  run(ctx: JobContext): Promise<SyncSummary> {
    if (this.inflight) {
      const running = this.inflight;
      this.followers.add(ctx.progress);
      return running.finally(() => this.followers.delete(ctx.progress));
    }
    this.followers.add(ctx.progress);
    const shared: JobContext = { signal: ctx.signal, progress: (f, phase) => this.followers.forEach((p) => p(f, phase)) };
    const run = this.exclusive(() => this.runOnce(shared).finally(() => this.afterSync()));
    this.inflight = run.finally(() => {
      this.inflight = null;
      this.followers.clear();
    });
    this.inflight.catch(() => undefined); // observed through `run`
    return run;
  }

  /** Cuts the local copy back to `fromSeq` and syncs again, with no other sync in between. */
  repair(fromSeq: number, ctx: JobContext, actor: Actor): Promise<SyncSummary> {
    return this.exclusive(async () => {
      ctx.progress(0, 'sync.phaseRepair');
      await cutBackFrom(this.db, this.applier, fromSeq, actor, this.now);
      return this.runOnce(ctx).finally(() => this.afterSync());
    });
  }

  /** See firstDivergence in repair.ts. */
  async firstDivergence(signal?: AbortSignal): Promise<number | null> {
    const client = await this.connection.client(signal);
    return firstDivergence(this.db, this.applier, client, signal);
  }

  /** Whatever the sync's outcome; the hooks report their own failures (the audit check says it could not verify). */
  private async afterSync(): Promise<void> {
    for (const hook of this.hooks.afterSync) await hook();
  }

  /** An empty ledger (first sync, or a repair cut back to the start) takes the server's snapshot rather than replaying the log. */
  private async firstSyncFromSnapshot(client: SyncClient, ctx: JobContext): Promise<InstalledSnapshot | null> {
    const s = await readSyncState(this.db);
    if (!s.server_user) return null;
    const user = JSON.parse(s.server_user) as { role: Role; districtCode?: string | null };
    const deps: SnapshotDeps = {
      sqlite: this.sqlite,
      exclusive: (fn) => this.db.connection().execute(async () => fn()),
      // A ledger in memory (tests) downloads to a temporary file of its own.
      ledgerFile: this.sqlite.memory ? (this.memoryPart ??= join(tmpdir(), `issuance-ledger-${randomUUID()}`)) : this.sqlite.name,
      serverUser: { role: user.role, districtCode: user.districtCode ?? null },
    };
    // The snapshot is renamed in only when this is the file's one connection (else it is copied in, page by page):
    // the applier's thread, if a pull started it, lets go of the ledger first and the next pull starts it again.
    if (this.applier.cursor().seq === 0) await this.thread?.close();
    // The ledger may now be another file on another connection (the snapshot renamed in): the applier's statements
    // are prepared again — also when a step after the rename failed, or every later sync would fail on statements
    // of a closed connection until the console restarts.
    const before = connectionOf(this.sqlite);
    let installed: InstalledSnapshot | null = null;
    try {
      installed = await syncFromSnapshot(deps, client, ctx);
    } finally {
      if (installed !== null || connectionOf(this.sqlite) !== before) this.applier = new SyncApplier(this.sqlite, this.hooks.ledgerWrites);
    }
    if (installed !== null) for (const hook of this.hooks.ledgerWrites) hook.afterInstall(this.sqlite);
    return installed;
  }

  private memoryPart: string | undefined;
  /** The applier's own thread and connection, for a file-backed ledger given one (apply-thread.ts). */
  private readonly thread: ApplyThread | undefined;

  /** Ends the applier's thread (the backend's close); a sync under way fails. */
  async close(): Promise<void> {
    await this.thread?.end();
  }

  private async runOnce(ctx: JobContext): Promise<SyncSummary> {
    await writeSyncState(this.db, { last_attempt_at: this.now().toISOString() });
    try {
      const client = await this.connection.client(ctx.signal);
      ctx.progress(0, 'sync.phasePush');
      const { warning, ...pushed } = await pushDue({ db: this.db, keys: this.keys, now: this.now, applier: this.applier, hooks: this.hooks }, client, ctx.signal);
      for (const hook of this.hooks.afterPush) await hook(client);
      await followRefundSettings(this.db, client, this.now);
      this.serverDemo = (await client.serverStatus()).demo;
      const installed = await this.firstSyncFromSnapshot(client, ctx);
      ctx.progress(0.02, 'sync.phasePull');
      let pulled = 0;
      try {
        this.pull.start(this.applier.cursor().seq);
        const onApplied = (seq: number, head: number) => this.pull.page(seq, head);
        // A snapshot at the server's head leaves no page to pull: the applier's thread is not started for nothing.
        if (installed !== null && installed.serverHeadSeq <= installed.seq) await writeSyncState(this.db, { head_seq: installed.seq });
        else pulled = this.thread ? await pullPagesThreaded(this.db, this.thread, client, ctx, onApplied) : await pullPages(this.db, this.applier, client, ctx, onApplied);
      } catch (e) {
        // A page that does not chain from our head: either the reply or our copy is wrong. Comparing the
        // head with the server's tells which, so a copy that diverged is flagged rather than left marked "ok".
        if (e instanceof SyncError && e.key === 'sync.hashMismatch') await this.checkChain(client).catch(() => undefined);
        throw e;
      }
      await this.checkChain(client);
      const s = await readSyncState(this.db);
      // A command held back (a wrong clock, an author not signed in to the server) stays visible in the status bar.
      await writeSyncState(this.db, { last_success_at: this.now().toISOString(), last_error: warning ? JSON.stringify(warning) : null });
      return { ...pushed, pulled, lastSeq: s.last_seq, headSeq: Math.max(s.head_seq, s.last_seq), ...(await waitingCommands(this.db, this.now())) };
    } catch (e) {
      if (!ctx.signal.aborted) await writeSyncState(this.db, { last_error: JSON.stringify(toErrorPayload(e)) });
      throw e;
    }
  }
}
