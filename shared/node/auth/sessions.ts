import { createHash, randomBytes } from 'node:crypto';
import type { Role } from '../../common/roles.js';

export interface SessionUser {
  id: string;
  username: string;
  displayName: string;
  role: Role;
  districtCode: string | null;
}

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

  revoke(token: string): void {
    this.sessions.delete(SessionStore.key(token));
  }

  revokeUser(userId: string, exceptToken?: string): void {
    const keep = exceptToken ? SessionStore.key(exceptToken) : undefined;
    for (const [key, s] of this.sessions) if (s.userId === userId && key !== keep) this.sessions.delete(key);
  }
}

/** Slows password guessing: after 5 failures a username waits, doubling up to 5 minutes. */
export class SignInThrottle {
  private readonly failures = new Map<string, { count: number; until: number }>();
  constructor(private readonly now: () => number) {}

  retryAfterSeconds(username: string): number {
    const f = this.failures.get(username);
    if (!f) return 0;
    const wait = f.until - this.now();
    return wait > 0 ? Math.ceil(wait / 1000) : 0;
  }

  fail(username: string): void {
    const f = this.failures.get(username) ?? { count: 0, until: 0 };
    f.count++;
    if (f.count >= 5) f.until = this.now() + Math.min(300_000, 1_000 * 2 ** (f.count - 5) * 15);
    this.failures.set(username, f);
  }

  succeed(username: string): void {
    this.failures.delete(username);
  }
}
