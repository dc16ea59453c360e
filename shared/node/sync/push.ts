import { sql, type Kysely } from 'kysely';
import type { ErrorPayload } from '../../common/errors.js';
import type { Command, CommandResult, QueuedCommand } from '../../sync/protocol.js';
import type { Database } from '../db/schema.js';
import { appendAudit } from '../kernel/audit-append.js';
import { toErrorPayload } from '../kernel/error-payload.js';
import type { UserKeys } from '../secrets/user-keys.js';
import type { SyncApplier } from './apply.js';
import type { SyncClient } from './client.js';
import { SyncError } from './sync-error.js';
import type { SyncHooks } from './sync-hooks.js';
import { saveUserToken, userToken } from './user-tokens.js';

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

/** The local stand-in for the central server (migration 0004), named as the actor of its answers. */
const SERVER_ACTOR = { actorId: 'server', actorName: '중앙 서버' } as const;

export interface PushEnv {
  db: Kysely<Database>;
  keys: UserKeys;
  now: () => Date;
  applier: SyncApplier;
  hooks: SyncHooks;
}

export interface PushOutcome {
  pushed: number;
  accepted: number;
  rejected: number;
  warning: ErrorPayload | null;
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
export async function pushDue(env: PushEnv, connection: SyncClient, signal?: AbortSignal): Promise<PushOutcome> {
  const { db, keys, now } = env;
  const started = now();
  const due = await db
    .selectFrom('outbox as o')
    .innerJoin('users as u', 'u.id', 'o.created_by')
    .selectAll('o')
    .select('u.display_name as author_name')
    .where('o.state', '=', 'pending')
    .orderBy('o.created_at')
    // Queued in the same instant (a frozen test clock, a fast double click): the order they were queued in.
    .orderBy(sql`o.rowid`)
    .execute()
    .then((rows) => rows.filter((item) => isDue(item.next_attempt_at, started)));
  let accepted = 0;
  let rejected = 0;
  let warning: ErrorPayload | null = null;
  /** What a held command keeps waiting behind it: the rest of its round's lifecycle, or the rest of its lot's requests. */
  const held = new Set<string>();
  const orderKey = (item: (typeof due)[number]) => (item.lot_id ? `lot:${item.lot_id}` : `round:${item.round_id}`);
  const clients = new Map<string, SyncClient | null>();
  const clientFor = async (userId: string) => {
    if (!clients.has(userId)) {
      const t = await userToken(db, keys, userId);
      clients.set(userId, t ? connection.as(t.token, signal) : null);
    }
    return clients.get(userId)!;
  };
  const hold = async (item: (typeof due)[number], e: SyncError) => {
    const payload = toErrorPayload(e);
    warning ??= payload;
    held.add(orderKey(item));
    await db.updateTable('outbox').set({ last_error: JSON.stringify(payload) }).where('command_id', '=', item.command_id).execute();
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
    const still = await db.selectFrom('outbox').select('state').where('command_id', '=', item.command_id).executeTakeFirst();
    if (still?.state !== 'pending') continue;
    const command = { ...(JSON.parse(item.payload) as QueuedCommand), sentAt: now().toISOString() } as Command;
    let result: CommandResult;
    try {
      result = await client.push(command);
    } catch (e) {
      if (e instanceof SyncError && e.key === 'sync.unauthorized') {
        // The server no longer takes this user's token (expired, revoked): forget it; they sign in again.
        await saveUserToken(db, keys, item.created_by, null);
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
      await db
        .updateTable('outbox')
        .set({ attempts, last_error: JSON.stringify(toErrorPayload(e)), next_attempt_at: new Date(now().getTime() + backoffMs(attempts)).toISOString() })
        .where('command_id', '=', item.command_id)
        .execute();
      if (e instanceof SyncError && ['sync.offline', 'sync.forbidden'].includes(e.key)) throw e;
      held.add(orderKey(item));
      continue;
    }
    await settle(env, item, result);
    if (result.status === 'accepted') accepted++;
    else {
      rejected++;
      await undoRefused(env, command);
    }
  }
  return { pushed: accepted + rejected, accepted, rejected, warning };
}

/** Records the server's answer on the outbox item, with the audit entry saying so, in one transaction. */
async function settle(env: PushEnv, item: { command_id: string; type: string; attempts: number }, answer: CommandResult): Promise<void> {
  const { db, now } = env;
  await db.transaction().execute(async (trx) => {
    await trx
      .updateTable('outbox')
      .set({
        state: answer.status,
        attempts: item.attempts + 1,
        reason_key: answer.reason?.key ?? null,
        reason_params: answer.reason?.params ? JSON.stringify(answer.reason.params) : null,
        server_seq: answer.seq,
        resolved_at: now().toISOString(),
        last_error: null,
      })
      .where('command_id', '=', item.command_id)
      .execute();
    await appendAudit(trx, {
      ...SERVER_ACTOR,
      at: now().toISOString(),
      action: 'server.commandAnswer',
      entityType: 'command',
      entityId: item.command_id,
      details: { commandId: item.command_id, type: item.type, status: answer.status, reasonKey: answer.reason?.key ?? null, serverSeq: answer.seq },
    });
  });
}

/** A lifecycle step or an approval the server refused did not happen: the round goes back to what the server last recorded; the capabilities above undo their part. */
async function undoRefused(env: PushEnv, command: Command): Promise<void> {
  const { applier, now } = env;
  if (command.type === 'round_transition') applier.restoreServerStatus(command.roundId, now().toISOString());
  if (command.type === 'publish_round') applier.undoRefusedApproval(command.roundId, command.version, now().toISOString());
  for (const hook of env.hooks.onRefused) await hook(command, now().toISOString());
}

/** Commands left waiting, and the earliest next try among them (now, for one a clock jump made due). */
export async function waitingCommands(db: Kysely<Database>, now: Date): Promise<{ pending: number; nextAttemptAt: string | null }> {
  const rows = await db.selectFrom('outbox').select('next_attempt_at').where('state', '=', 'pending').execute();
  const times = rows.map((r) => (isDue(r.next_attempt_at, now) ? now.getTime() : Date.parse(r.next_attempt_at)));
  return { pending: rows.length, nextAttemptAt: times.length ? new Date(Math.min(...times)).toISOString() : null };
}
