import type { Kysely } from 'kysely';
import { refund, reserve, settle, waitMs, waitSeconds, type AttemptState, type LockPolicy } from '../../shared/node/auth/attempt-limits.js';
import type { ServerDatabase, SignInAttemptsTable } from '../db/schema.js';

/**
 * Three counters per attempt. The pair (username, client address) is strict,
 * so one client cannot keep guessing; the username across all clients locks
 * only briefly, so someone guessing from elsewhere keeps the right password
 * out for a minute at most; the client address across usernames stops one
 * client spraying a password over many accounts.
 */
export const SERVER_SIGN_IN_LIMITS = {
  userClient: { free: 5, firstLockMs: 30_000, maxLockMs: 15 * 60_000, forgetAfterMs: 60 * 60_000 },
  user: { free: 10, firstLockMs: 60_000, maxLockMs: 60_000, forgetAfterMs: 15 * 60_000 },
  client: { free: 30, firstLockMs: 60_000, maxLockMs: 60 * 60_000, forgetAfterMs: 60 * 60_000 },
} as const satisfies Record<string, LockPolicy>;

type Kind = keyof typeof SERVER_SIGN_IN_LIMITS;

interface Reserved {
  key: string;
  kind: Kind;
  before: AttemptState;
  after: AttemptState;
}

export type SignInReservation = { ok: true; reserved: Reserved[] } | { ok: false; retryAfterSeconds: number };

const toState = (r: SignInAttemptsTable): AttemptState => ({ count: r.count, lockedUntil: r.locked_until ? new Date(r.locked_until).getTime() : 0, lastAt: new Date(r.last_at).getTime() });
const toRow = (s: AttemptState) => ({ count: s.count, locked_until: s.lockedUntil > 0 ? new Date(s.lockedUntil) : null, last_at: new Date(s.lastAt) });

/** Quiet keys are deleted now and then, so made-up usernames do not pile up. */
const PRUNE_EVERY_MS = 10 * 60_000;
const PRUNE_AFTER_MS = 24 * 60 * 60_000;

export class SignInThrottle {
  private lastPrune = 0;
  constructor(private readonly db: Kysely<ServerDatabase>) {}

  /**
   * Counts the attempt before the password is hashed. The rows are locked
   * (in key order, so two attempts never deadlock) while they are checked and
   * counted: parallel guesses queue here, and only the allowed number reach
   * the hash.
   */
  async reserve(username: string, client: string, now: Date): Promise<SignInReservation> {
    const t = now.getTime();
    const keys = (
      [
        [`uc:${username}\n${client}`, 'userClient'],
        [`u:${username}`, 'user'],
        [`c:${client}`, 'client'],
      ] as [string, Kind][]
    ).sort((a, b) => (a[0] < b[0] ? -1 : 1));
    const result = await this.db.transaction().execute(async (trx): Promise<SignInReservation> => {
      await trx
        .insertInto('sign_in_attempts')
        .values(keys.map(([key]) => ({ key, count: 0, locked_until: null, last_at: now })))
        .onConflict((oc) => oc.column('key').doNothing())
        .execute();
      const rows = await trx.selectFrom('sign_in_attempts').selectAll().where('key', 'in', keys.map(([k]) => k)).orderBy('key').forUpdate().execute();
      const byKey = new Map(rows.map((r) => [r.key, toState(r)]));
      const current = keys.map(([key, kind]) => ({ key, kind, before: settle(byKey.get(key), t, SERVER_SIGN_IN_LIMITS[kind]) }));
      const wait = Math.max(...current.map((c) => waitMs(c.before, t)));
      if (wait > 0) return { ok: false, retryAfterSeconds: waitSeconds(wait) };
      const reserved = current.map((c) => ({ ...c, after: reserve(c.before, t, SERVER_SIGN_IN_LIMITS[c.kind]) }));
      for (const r of reserved) await trx.updateTable('sign_in_attempts').set(toRow(r.after)).where('key', '=', r.key).execute();
      return { ok: true, reserved };
    });
    if (t - this.lastPrune > PRUNE_EVERY_MS) {
      this.lastPrune = t;
      await this.db
        .deleteFrom('sign_in_attempts')
        .where('last_at', '<', new Date(t - PRUNE_AFTER_MS))
        .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<', now)]))
        .execute();
    }
    return result;
  }

  /** The password was right: this client starts again for this user; the shared counters give the attempt back. */
  async succeeded(reservation: Extract<SignInReservation, { ok: true }>): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      for (const r of reservation.reserved) {
        if (r.kind === 'userClient') {
          await trx.deleteFrom('sign_in_attempts').where('key', '=', r.key).execute();
          continue;
        }
        const row = await trx.selectFrom('sign_in_attempts').selectAll().where('key', '=', r.key).forUpdate().executeTakeFirst();
        if (row) await trx.updateTable('sign_in_attempts').set(toRow(refund(toState(row), r))).where('key', '=', r.key).execute();
      }
    });
  }
}
