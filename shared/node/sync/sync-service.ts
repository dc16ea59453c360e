import type BetterSqlite3 from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { sql, type Kysely, type Updateable } from 'kysely';
import type { VerifyResult } from '../../api/audit-schemas.js';
import type { ErrorPayload } from '../../common/errors.js';
import type { Command, CommandResult, QueuedCommand, RefundSettings, RoundTotals } from '../../sync/protocol.js';
import { AuditAnchors, recordAudit } from '../audit/anchors.js';
import { appendAudit } from '../audit/chain.js';
import type { Database, SyncStateTable } from '../db/schema.js';
import type { Vault } from '../secrets/vault.js';
import type { JobContext } from '../jobs/job-registry.js';
import { LOG_GENESIS } from '../ledger/chain.js';
import { SyncApplier, type ChainPoint } from './apply.js';
import { SyncClient } from './client.js';
import { SyncError, toErrorPayload } from './sync-error.js';
import { visibleOutbox, type OutboxViewer } from './outbox-scope.js';
import { saveUserToken, userToken } from './user-tokens.js';
import { reopenForRefusedBooking } from '../reconcile/reconcile-repo.js';

export const PAGE_SIZE = 10_000;

/** How long an audit verification waits for the server before calling the anchors unreachable. */
const VERIFY_TIMEOUT_MS = 15_000;

/** Who asked for a connection change or a repair, as the audit log names them. */
export interface Actor {
  id: string;
  username: string;
  displayName: string;
}

/** The local stand-in for the central server (migration 0004), named as the actor of its answers. */
const SERVER_ACTOR = { actorId: 'server', actorName: '중앙 서버' } as const;

export interface SyncStatus {
  configured: boolean;
  serverUrl: string | null;
  username: string | null;
  lastSeq: number;
  headSeq: number;
  lastAttemptAt: string | null;
  lastSuccessAt: string | null;
  lastError: ErrorPayload | null;
  chainStatus: 'unchecked' | 'ok' | 'mismatch';
  mismatchSeq: number | null;
  pendingOutbox: number;
  rejectedOutbox: number;
  /** The asking user's own server identity: whether their commands can go out, and why not when the last sign-in failed. */
  serverIdentity: { signedIn: boolean; error: ErrorPayload | null } | null;
}

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

/** The longest wait between two tries of a command. */
export const MAX_BACKOFF_MS = 10 * 60_000;

/** Retry delays for commands the server could not be reached for: 5 s doubling to 10 minutes. */
export function backoffMs(attempts: number): number {
  return Math.min(MAX_BACKOFF_MS, 5_000 * 2 ** Math.max(0, attempts - 1));
}

/**
 * Whether a pending command is due at `now`. A retry is never scheduled more
 * than MAX_BACKOFF_MS ahead, so a next attempt further away than that was
 * scheduled by a clock that has since been set back (a console a year ahead,
 * corrected): it is due now rather than a year later.
 */
export function isDue(nextAttemptAt: string, now: Date): boolean {
  const next = Date.parse(nextAttemptAt);
  return next <= now.getTime() || next > now.getTime() + MAX_BACKOFF_MS;
}

/**
 * Keeps this console's ledger in step with the central server: commands go
 * out from the outbox, events come in page by page, and after every pull the
 * chain hash at the local head is compared with the server's.
 */
export class SyncService {
  private readonly applier: SyncApplier;
  readonly audit: AuditAnchors;

  constructor(
    private readonly db: Kysely<Database>,
    sqlite: BetterSqlite3.Database,
    private readonly now: () => Date,
    private readonly vault: Vault,
  ) {
    this.applier = new SyncApplier(sqlite);
    this.audit = new AuditAnchors(db, now);
  }

  private async setState(patch: Updateable<SyncStateTable>): Promise<void> {
    await this.db.updateTable('sync_state').set(patch).where('id', '=', 1).execute();
  }

  private async state() {
    return this.db.selectFrom('sync_state').selectAll().where('id', '=', 1).executeTakeFirstOrThrow();
  }

  /** The sync state as `viewer` may see it: a clerk's pending and rejected counts are of their outbox only. */
  async status(viewer?: OutboxViewer): Promise<SyncStatus> {
    const userId = viewer?.id;
    const s = await this.state();
    const counts = await this.db
      .selectFrom('outbox as o')
      .select(['o.state as state', (eb) => eb.fn.countAll<number>().as('n')])
      .where(visibleOutbox(viewer ?? { id: '', role: 'admin', districtCode: null }))
      .groupBy('o.state')
      .execute();
    const n = (state: string) => Number(counts.find((c) => c.state === state)?.n ?? 0);
    return {
      configured: !!(s.server_url && s.token),
      serverUrl: s.server_url,
      username: s.username,
      lastSeq: s.last_seq,
      headSeq: Math.max(s.head_seq, s.last_seq),
      lastAttemptAt: s.last_attempt_at,
      lastSuccessAt: s.last_success_at,
      lastError: s.last_error ? (JSON.parse(s.last_error) as ErrorPayload) : null,
      chainStatus: s.chain_status,
      mismatchSeq: s.mismatch_seq,
      pendingOutbox: n('pending'),
      rejectedOutbox: n('rejected'),
      serverIdentity: userId ? { signedIn: (await userToken(this.db, this.vault, userId)) !== null, error: this.signInErrors.get(userId) ?? null } : null,
    };
  }

  /** Why a user's last server sign-in failed, until one succeeds. In memory: the next console sign-in tries again. */
  private readonly signInErrors = new Map<string, ErrorPayload>();
  private readonly signIns = new Set<Promise<void>>();

  /**
   * Signs a console user in to the server as themselves (same username and
   * password), in the background, so the commands they queue go out in their
   * own name. A failure never fails the console sign-in: it is noted for the
   * status, and their commands wait until they sign in again.
   */
  signInUserInBackground(userId: string, username: string, password: string): void {
    const work = (async () => {
      const s = await this.state();
      if (!s.server_url) return;
      try {
        const reply = await new SyncClient(s.server_url, null).signIn(username, password);
        await saveUserToken(this.db, this.vault, userId, { token: reply.token, user: reply.user, obtainedAt: this.now().toISOString() });
        this.signInErrors.delete(userId);
      } catch (e) {
        this.signInErrors.set(userId, toErrorPayload(e));
      }
    })();
    this.signIns.add(work);
    void work.finally(() => this.signIns.delete(work));
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
  async connect(serverUrl: string, username: string, password: string, actor: Actor): Promise<SyncStatus> {
    const s = await this.state();
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
      for (const u of await this.db.selectFrom('users').select('id').execute()) await saveUserToken(this.db, this.vault, u.id, null);
      this.signInErrors.clear();
    }
    await this.db.transaction().execute(async (trx) => {
      await trx.updateTable('sync_state').set({ server_url: url, username, token: this.vault.seal(reply.token), server_user: JSON.stringify(reply.user), last_error: null }).where('id', '=', 1).execute();
      await appendAudit(trx, { ...entry, action: 'server.connect', details: { serverUrl: url, username, serverRole: reply.user.role } });
    });
    if (actor.username === reply.user.username) {
      await saveUserToken(this.db, this.vault, actor.id, { token: reply.token, user: reply.user, obtainedAt: this.now().toISOString() });
      this.signInErrors.delete(actor.id);
    }
    return this.status({ id: actor.id, role: 'admin', districtCode: null });
  }

  async disconnect(actor: Actor): Promise<SyncStatus> {
    const s = await this.state();
    await this.db.transaction().execute(async (trx) => {
      await trx.updateTable('sync_state').set({ token: null }).where('id', '=', 1).execute();
      await appendAudit(trx, {
        at: this.now().toISOString(),
        actorId: actor.id,
        actorName: actor.displayName,
        action: 'server.disconnect',
        entityType: 'server',
        entityId: null,
        details: { serverUrl: s.server_url, username: s.username },
      });
    });
    return this.status();
  }

  /**
   * Verifies the audit log against the server's anchors (see AuditAnchors);
   * without a connection the anchors are reported unchecked, never "ok".
   */
  async verifyAudit(options: { full?: boolean } = {}): Promise<VerifyResult> {
    // Not configured, or a token that no longer opens: the anchors are reported unchecked.
    const client = await this.client(AbortSignal.timeout(VERIFY_TIMEOUT_MS)).catch(() => null);
    return this.audit.verify(client, options);
  }

  /**
   * After every sync, whatever its outcome: a failure to verify is reported in the result, never thrown into
   * the sync. Only the entries since the last check are hashed again (a background sync runs every minute).
   */
  private async verifyAfterSync(): Promise<void> {
    await this.verifyAudit({ full: false }).catch(() => undefined);
  }

  /** Puts a command in the outbox; it is sent with its id by the next sync, and retried until answered. */
  async enqueue(db: Kysely<Database>, command: QueuedCommand, createdBy: string): Promise<void> {
    const at = this.now().toISOString();
    await db
      .insertInto('outbox')
      .values({
        command_id: command.commandId,
        type: command.type,
        payload: JSON.stringify(command),
        round_id: 'roundId' in command ? command.roundId : null,
        // A countersignature is ordered with its lot's request: held, it holds the request behind it.
        lot_id: command.type === 'approve_refund' || command.type === 'countersign_refund' ? command.lotId : null,
        created_at: at,
        created_by: createdBy,
        state: 'pending',
        attempts: 0,
        next_attempt_at: at,
      })
      .execute();
  }

  private async client(signal?: AbortSignal): Promise<SyncClient> {
    const s = await this.state();
    if (!s.server_url || !s.token) throw new SyncError('sync.notConfigured');
    let token: string;
    try {
      token = this.vault.open(s.token);
    } catch {
      // Sealed under another key (the data folder moved between the desktop app and the web host, or the keychain was reset).
      throw new SyncError('sync.tokenUnreadable');
    }
    return new SyncClient(s.server_url, token, signal);
  }

  private busy = false;

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

  /** Push, then pull, then check the chain. Records the outcome for the status bar either way. */
  run(ctx: JobContext): Promise<SyncSummary> {
    return this.exclusive(() => this.runOnce(ctx).finally(() => this.verifyAfterSync()));
  }

  /** Cuts the local copy back to `fromSeq` and syncs again, with no other sync in between. */
  repair(fromSeq: number, ctx: JobContext, actor: Actor): Promise<SyncSummary> {
    return this.exclusive(async () => {
      ctx.progress(0, 'sync.phaseRepair');
      await this.truncateFrom(fromSeq, actor);
      return this.runOnce(ctx).finally(() => this.verifyAfterSync());
    });
  }

  private async runOnce(ctx: JobContext): Promise<SyncSummary> {
    await this.setState({ last_attempt_at: this.now().toISOString() });
    try {
      const client = await this.client(ctx.signal);
      ctx.progress(0, 'sync.phasePush');
      const { warning, ...pushed } = await this.push(client, ctx.signal);
      await this.anchorAudit(client);
      await this.followRefundSettings(client);
      ctx.progress(0.02, 'sync.phasePull');
      let pulled: number;
      try {
        pulled = await this.pull(client, ctx);
      } catch (e) {
        // A page that does not chain from our head: either the reply or our copy is wrong. Comparing the
        // head with the server's tells which, so a copy that diverged is flagged rather than left marked "ok".
        if (e instanceof SyncError && e.key === 'sync.hashMismatch') await this.checkChain(client).catch(() => undefined);
        throw e;
      }
      await this.checkChain(client);
      const s = await this.state();
      // A command held back (a wrong clock, an author not signed in to the server) stays visible in the status bar.
      await this.setState({ last_success_at: this.now().toISOString(), last_error: warning ? JSON.stringify(warning) : null });
      return { ...pushed, pulled, lastSeq: s.last_seq, headSeq: Math.max(s.head_seq, s.last_seq), ...(await this.waiting()) };
    } catch (e) {
      if (!ctx.signal.aborted) await this.setState({ last_error: JSON.stringify(toErrorPayload(e)) });
      throw e;
    }
  }

  /**
   * Takes the server's two-person amount for refunds, so this console holds a large request for a second
   * person before sending it. An amount this console set and has not yet sent wins until the server has it.
   */
  private async followRefundSettings(client: SyncClient): Promise<void> {
    let settings: RefundSettings;
    try {
      settings = await client.refundSettings();
    } catch (e) {
      // A server without the setting (an older one) leaves this console's amount as it is; losing the server stops the sync.
      if (e instanceof SyncError && ['sync.serverError', 'sync.malformedReply'].includes(e.key)) return;
      throw e;
    }
    const unsent = await this.db.selectFrom('outbox').select('command_id').where('type', '=', 'set_refund_threshold').where('state', '=', 'pending').executeTakeFirst();
    if (unsent) return;
    await this.db
      .updateTable('counter_settings')
      .set({ countersign_above: settings.countersignAbove, updated_by: 'server', updated_at: this.now().toISOString() })
      .where('id', '=', 1)
      .where((eb) => eb.or([eb('countersign_above', 'is', null), eb('countersign_above', '!=', settings.countersignAbove)]))
      .execute();
  }

  /**
   * States the audit head (which now includes the server's answers just
   * recorded). A refused or failed anchor does not stop the ledger sync: the
   * verification after it reports the anchored seq that no longer matches, or
   * that the anchors could not be checked. Losing the server stops it, as it
   * would stop the pull.
   */
  private async anchorAudit(client: SyncClient): Promise<void> {
    try {
      await this.audit.anchor(client);
    } catch (e) {
      if (!(e instanceof SyncError) || ['sync.offline', 'sync.unauthorized', 'sync.forbidden'].includes(e.key)) throw e;
    }
  }

  /**
   * Sends every due command, each with the server token of the console user
   * who queued it and this moment as `sentAt`. An answer (accepted or
   * rejected) settles it. Held back, still pending, with the reason on the
   * item: a command whose author has no server identity here (or whose token
   * the server no longer takes, which is then forgotten), and one the server
   * refused for a wrong clock. Later lifecycle commands of the same round (or
   * requests on the same lot) wait behind a held one, so a publication never
   * overtakes its proposal. A due command is one whose next attempt has come,
   * or is further ahead than any backoff (a clock since moved back). A network
   * failure schedules a retry with backoff and stops the round, since the rest would
   * fail the same way.
   */
  private async push(connection: SyncClient, signal?: AbortSignal): Promise<{ pushed: number; accepted: number; rejected: number; warning: ErrorPayload | null }> {
    const now = this.now();
    const due = await this.db
      .selectFrom('outbox as o')
      .innerJoin('users as u', 'u.id', 'o.created_by')
      .selectAll('o')
      .select('u.display_name as author_name')
      .where('o.state', '=', 'pending')
      .orderBy('o.created_at')
      // Queued in the same instant (a frozen test clock, a fast double click): the order they were queued in.
      .orderBy(sql`o.rowid`)
      .execute()
      .then((rows) => rows.filter((item) => isDue(item.next_attempt_at, now)));
    let accepted = 0;
    let rejected = 0;
    let warning: ErrorPayload | null = null;
    /** What a held command keeps waiting behind it: the rest of its round's lifecycle, or the rest of its lot's requests. */
    const held = new Set<string>();
    const orderKey = (item: (typeof due)[number]) => (item.lot_id ? `lot:${item.lot_id}` : `round:${item.round_id}`);
    const clients = new Map<string, SyncClient | null>();
    const clientFor = async (userId: string) => {
      if (!clients.has(userId)) {
        const t = await userToken(this.db, this.vault, userId);
        clients.set(userId, t ? connection.as(t.token, signal) : null);
      }
      return clients.get(userId)!;
    };
    const hold = async (item: (typeof due)[number], e: SyncError) => {
      const payload = toErrorPayload(e);
      warning ??= payload;
      held.add(orderKey(item));
      await this.db.updateTable('outbox').set({ last_error: JSON.stringify(payload) }).where('command_id', '=', item.command_id).execute();
    };
    for (const item of due) {
      if (held.has(orderKey(item))) continue;
      const needsSignIn = new SyncError('sync.authorNeedsSignIn', { name: item.author_name });
      const client = await clientFor(item.created_by);
      if (!client) {
        await hold(item, needsSignIn);
        continue;
      }
      // Withdrawn at the counter since this round began: it must not go out.
      const still = await this.db.selectFrom('outbox').select('state').where('command_id', '=', item.command_id).executeTakeFirst();
      if (still?.state !== 'pending') continue;
      const command = { ...(JSON.parse(item.payload) as QueuedCommand), sentAt: this.now().toISOString() } as Command;
      let result: CommandResult;
      try {
        result = await client.push(command);
      } catch (e) {
        if (e instanceof SyncError && e.key === 'sync.unauthorized') {
          // The server no longer takes this user's token (expired, revoked): forget it; they sign in again.
          await saveUserToken(this.db, this.vault, item.created_by, null);
          clients.set(item.created_by, null);
          await hold(item, needsSignIn);
          continue;
        }
        if (e instanceof SyncError && e.key === 'sync.clockSkew') {
          // Every other command would be refused the same way until this console's clock is right.
          await hold(item, e);
          break;
        }
        const attempts = item.attempts + 1;
        await this.db
          .updateTable('outbox')
          .set({ attempts, last_error: JSON.stringify(toErrorPayload(e)), next_attempt_at: new Date(this.now().getTime() + backoffMs(attempts)).toISOString() })
          .where('command_id', '=', item.command_id)
          .execute();
        if (e instanceof SyncError && ['sync.offline', 'sync.forbidden'].includes(e.key)) throw e;
        held.add(orderKey(item));
        continue;
      }
      const answer = result;
      await this.db.transaction().execute(async (trx) => {
        await trx
          .updateTable('outbox')
          .set({
            state: answer.status,
            attempts: item.attempts + 1,
            reason_key: answer.reason?.key ?? null,
            reason_params: answer.reason?.params ? JSON.stringify(answer.reason.params) : null,
            server_seq: answer.seq,
            resolved_at: this.now().toISOString(),
            last_error: null,
          })
          .where('command_id', '=', item.command_id)
          .execute();
        await appendAudit(trx, {
          ...SERVER_ACTOR,
          at: this.now().toISOString(),
          action: 'server.commandAnswer',
          entityType: 'command',
          entityId: item.command_id,
          details: { commandId: item.command_id, type: item.type, status: answer.status, reasonKey: answer.reason?.key ?? null, serverSeq: answer.seq },
        });
      });
      if (result.status === 'accepted') accepted++;
      else rejected++;
      // A lifecycle step or an approval the server refused did not happen: the round goes back to what the server last recorded.
      if (result.status === 'rejected' && command.type === 'round_transition') this.applier.restoreServerStatus(command.roundId, this.now().toISOString());
      if (result.status === 'rejected' && command.type === 'publish_round') this.applier.undoRefusedApproval(command.roundId, command.version, this.now().toISOString());
      if (result.status === 'rejected' && command.type === 'book_adjustment') await reopenForRefusedBooking(this.db, command.day, command.provider, command.commandId, this.now().toISOString());
    }
    return { pushed: accepted + rejected, accepted, rejected, warning };
  }

  /** Commands left waiting, and the earliest next try among them (now, for one a clock jump made due). */
  private async waiting(): Promise<{ pending: number; nextAttemptAt: string | null }> {
    const now = this.now();
    const rows = await this.db.selectFrom('outbox').select('next_attempt_at').where('state', '=', 'pending').execute();
    const times = rows.map((r) => (isDue(r.next_attempt_at, now) ? now.getTime() : Date.parse(r.next_attempt_at)));
    return { pending: rows.length, nextAttemptAt: times.length ? new Date(Math.min(...times)).toISOString() : null };
  }

  /**
   * Pages through the log after the cursor until caught up; each page is
   * applied with the cursor in one transaction. The next page is already on
   * its way while one is written, so the network and the disk overlap; a page
   * fetched ahead of a failed one is dropped unread.
   */
  private async pull(client: SyncClient, ctx: JobContext): Promise<number> {
    let pulled = 0;
    const start = this.applier.cursor().seq;
    const fetchPage = (after: number) => {
      const p = client.page(after, PAGE_SIZE);
      p.catch(() => undefined); // observed when awaited; never an unhandled rejection if dropped
      return p;
    };
    let next = fetchPage(start);
    for (;;) {
      if (ctx.signal.aborted) throw new SyncError('sync.cancelled');
      const cursor = this.applier.cursor();
      const page = await next;
      if (page.head.seq < cursor.seq) throw new SyncError('sync.serverBehind', { local: cursor.seq, server: page.head.seq });
      if (page.entries.length === 0) {
        await this.setState({ head_seq: page.head.seq });
        break;
      }
      const last = page.entries[page.entries.length - 1]!.seq;
      if (last < page.head.seq) next = fetchPage(last);
      // Kysely's single connection is held for the synchronous apply, so no other query interleaves with it.
      const applied = await this.db.connection().execute(async () => this.applier.applyPage(page.entries, page.head.seq));
      pulled += page.entries.length;
      const total = Math.max(1, page.head.seq - start);
      ctx.progress(0.02 + 0.97 * ((applied.seq - start) / total), 'sync.phasePull');
      if (applied.seq >= page.head.seq) break;
    }
    return pulled;
  }

  /** The local hash at `seq`, from whichever table holds that event. */
  async localHashAt(seq: number): Promise<string | null> {
    if (seq === 0) return LOG_GENESIS;
    const r = await sql<{ hash: string | null }>`
      select hash from ledger_events where seq = ${seq}
      union all select hash from round_publications where seq = ${seq}
      union all select hash from redacted_events where seq = ${seq}
      union all select hash from round_statuses where seq = ${seq}`.execute(this.db);
    return r.rows[0]?.hash ?? null;
  }

  /** Compares the chain at the local head with the server's; a mismatch is recorded loudly. */
  async checkChain(client: SyncClient): Promise<ChainPoint> {
    const cursor = this.applier.cursor();
    const theirs = await client.chainAt(cursor.seq);
    const ours = await this.localHashAt(cursor.seq);
    const ok = theirs.hash === cursor.hash && ours === cursor.hash;
    await this.setState({ chain_status: ok ? 'ok' : 'mismatch', mismatch_seq: ok ? null : cursor.seq });
    if (!ok) throw new SyncError('sync.chainMismatch', { seq: cursor.seq });
    return cursor;
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
    const s = await this.state();
    if (!s.server_user) return null;
    const u = JSON.parse(s.server_user) as { role?: string; districtCode?: string | null };
    return u.role === 'clerk' ? (u.districtCode ?? null) : null;
  }

  /**
   * Cuts the local copy back before `fromSeq` (see SyncApplier.truncateFrom);
   * the next pull fetches the range again. The audit entry saying what was cut
   * commits with the cut (the applier's own transaction nests as a savepoint).
   */
  private async truncateFrom(fromSeq: number, actor: Actor): Promise<ChainPoint> {
    return this.db.transaction().execute(async (trx) => {
      const before = this.applier.cursor();
      const count = async (table: 'ledger_events' | 'round_publications') =>
        Number((await trx.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).where('seq', '>=', fromSeq).executeTakeFirstOrThrow()).n);
      const ledgerEvents = await count('ledger_events');
      const publications = await count('round_publications');
      const after = this.applier.truncateFrom(fromSeq);
      await appendAudit(trx, {
        at: this.now().toISOString(),
        actorId: actor.id,
        actorName: actor.displayName,
        action: 'server.repair',
        entityType: 'ledger',
        entityId: null,
        details: { fromSeq, ledgerEventsCut: ledgerEvents, publicationsCut: publications, lastSeqBefore: before.seq, lastHashBefore: before.hash, lastSeqAfter: after.seq },
      });
      return after;
    });
  }

  /**
   * Finds the first sequence at which this copy and the server's disagree.
   * First the local chain is recomputed from the stored event texts, which
   * catches an event edited in the file; then the stored hashes are bisected
   * against the server's (the chain makes agreement monotone), which catches
   * a copy that followed a different history. Null when they agree.
   */
  async firstDivergence(signal?: AbortSignal): Promise<number | null> {
    const client = await this.client(signal);
    const localBreak = this.applier.firstLocalBreak();
    const head = localBreak === null ? this.applier.cursor().seq : localBreak - 1;
    const agree = async (seq: number) => (await this.localHashAt(seq)) === (await client.chainAt(seq)).hash;
    if (head === 0 || (await agree(head))) return localBreak;
    let lo = 0;
    let hi = head;
    while (hi - lo > 1) {
      if (signal?.aborted) throw new SyncError('sync.cancelled');
      const mid = Math.floor((lo + hi) / 2);
      if (await agree(mid)) lo = mid;
      else hi = mid;
    }
    return hi;
  }
}

export function newCommandId(): string {
  return randomUUID();
}
