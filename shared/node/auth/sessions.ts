import { createHash, randomBytes } from 'node:crypto';
import { FRESH, refund, reserve, settle, waitMs, waitSeconds, type AttemptState, type LockPolicy } from './attempt-limits.js';

interface Session {
  userId: string;
  createdAt: number;
  lastSeen: number;
}

export interface SessionPolicy {
  /** Signed out after this long without a call. */
  idleMs: number;
  /** Signed out after this long whatever the activity. */
  absoluteMs: number;
}

export const DEFAULT_SESSION_POLICY: SessionPolicy = { idleMs: 60 * 60_000, absoluteMs: 12 * 60 * 60_000 };

/**
 * Console sessions live in the backend's memory: a restart signs everyone
 * out, which is what a desk console should do. Tokens are kept only hashed.
 */
export class SessionStore {
  private readonly sessions = new Map<string, Session>();

  constructor(
    private readonly now: () => number,
    private readonly policy: SessionPolicy = DEFAULT_SESSION_POLICY,
  ) {}

  private static key(token: string): string {
    return createHash('sha256').update(token).digest('base64url');
  }

  create(userId: string): string {
    const token = randomBytes(32).toString('base64url');
    const t = this.now();
    this.sessions.set(SessionStore.key(token), { userId, createdAt: t, lastSeen: t });
    return token;
  }

  /** The user id behind a live token, sliding its idle timer; undefined if unknown or expired. */
  touch(token: string): string | undefined {
    const key = SessionStore.key(token);
    const s = this.sessions.get(key);
    if (!s) return undefined;
    const t = this.now();
    if (t - s.lastSeen > this.policy.idleMs || t - s.createdAt > this.policy.absoluteMs) {
      this.sessions.delete(key);
      return undefined;
    }
    s.lastSeen = t;
    return s.userId;
  }

  /** Whether the user has a session still live now; expired ones are dropped on the way. */
  hasLive(userId: string): boolean {
    const t = this.now();
    let live = false;
    for (const [key, s] of this.sessions) {
      if (t - s.lastSeen > this.policy.idleMs || t - s.createdAt > this.policy.absoluteMs) this.sessions.delete(key);
      else if (s.userId === userId) live = true;
    }
    return live;
  }

  revoke(token: string): void {
    this.sessions.delete(SessionStore.key(token));
  }

  revokeUser(userId: string, exceptToken?: string): void {
    const keep = exceptToken ? SessionStore.key(exceptToken) : undefined;
    for (const [key, s] of this.sessions) if (s.userId === userId && key !== keep) this.sessions.delete(key);
  }
}

/** One desk, so one client: a username locks after 5 failures, 15 s doubling to 5 minutes. */
export const CONSOLE_USER_LIMIT: LockPolicy = { free: 5, firstLockMs: 15_000, maxLockMs: 5 * 60_000, forgetAfterMs: 60 * 60_000 };
/** Guesses at names that are no account meet this cap across all of them; it never holds up a real account. */
export const CONSOLE_GLOBAL_LIMIT: LockPolicy = { free: 30, firstLockMs: 30_000, maxLockMs: 5 * 60_000, forgetAfterMs: 15 * 60_000 };

export interface SignInTicket {
  username: string;
  /** The cross-name cap's count before and after, for an attempt at a name that is no account. */
  global: { before: AttemptState; after: AttemptState } | null;
}

/**
 * Slows password guessing on this console. The attempt is counted when it is
 * reserved, before the password is hashed, and the check and the count are
 * one synchronous step: sixty guesses sent at once get five evaluations.
 */
export class SignInThrottle {
  private readonly users = new Map<string, AttemptState>();
  private global: AttemptState = FRESH;

  constructor(
    private readonly now: () => number,
    private readonly userLimit: LockPolicy = CONSOLE_USER_LIMIT,
    private readonly globalLimit: LockPolicy = CONSOLE_GLOBAL_LIMIT,
  ) {}

  /** A ticket to check one password, or how many seconds to wait. */
  /**
   * A ticket to check one password, or how many seconds to wait. `known`: the
   * name is an account. Guesses at other names never lock out an account
   * nobody guessed at (issue 17, finding 6), so the cross-name cap counts and
   * stops only names that are no account, whose checks are pure cost.
   */
  reserve(username: string, known: boolean): SignInTicket | { retryAfterSeconds: number } {
    const t = this.now();
    const user = settle(this.users.get(username), t, this.userLimit);
    const global = settle(this.global, t, this.globalLimit);
    const wait = Math.max(waitMs(user, t), known ? 0 : waitMs(global, t));
    if (wait > 0) return { retryAfterSeconds: waitSeconds(wait) };
    this.users.set(username, reserve(user, t, this.userLimit));
    if (!known) this.global = reserve(global, t, this.globalLimit);
    if (this.users.size > 10_000) this.forgetQuiet(t);
    return { username, global: known ? null : { before: global, after: this.global } };
  }

  /** The password was right: the user starts again from zero, and the attempt does not count against the cap. */
  succeeded(ticket: SignInTicket): void {
    this.users.delete(ticket.username);
    if (ticket.global) this.global = refund(this.global, ticket.global);
  }

  private forgetQuiet(t: number): void {
    for (const [name, s] of this.users) if (settle(s, t, this.userLimit) === FRESH) this.users.delete(name);
  }
}
