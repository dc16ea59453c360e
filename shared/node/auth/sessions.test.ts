import { describe, expect, it } from 'vitest';
import { SessionStore, SignInThrottle } from './sessions.js';

describe('sessions', () => {
  it('expire after idle time and absolute time', () => {
    let t = 0;
    const s = new SessionStore(() => t, { idleMs: 1_000, absoluteMs: 5_000 });
    const token = s.create('u1');
    t = 900;
    expect(s.touch(token)).toBe('u1');
    t = 1_800; // 900 ms after the last touch
    expect(s.touch(token)).toBe('u1');
    t = 2_900;
    expect(s.touch(token)).toBeUndefined();
    t = 3_000;
    const b = s.create('u1');
    // Kept busy every 500 ms, it still ends 5 s after it began.
    for (t = 3_500; t <= 8_000; t += 500) expect(s.touch(b)).toBe('u1');
    t = 8_100;
    expect(s.touch(b)).toBeUndefined();
  });

  it('revoke one token or all of a user’s but one', () => {
    const s = new SessionStore(() => 0);
    const a = s.create('u1');
    const b = s.create('u1');
    const c = s.create('u2');
    s.revokeUser('u1', b);
    expect(s.touch(a)).toBeUndefined();
    expect(s.touch(b)).toBe('u1');
    expect(s.touch(c)).toBe('u2');
    s.revoke(c);
    expect(s.touch(c)).toBeUndefined();
    expect(s.touch('made-up')).toBeUndefined();
  });

  it('throttle per username: the fifth reserved attempt locks the next, doubling; a success starts again', () => {
    let t = 0;
    const th = new SignInThrottle(() => t);
    const tickets = Array.from({ length: 5 }, () => th.reserve('kim', true));
    expect(tickets.every((x) => 'username' in x)).toBe(true);
    expect(th.reserve('kim', true)).toEqual({ retryAfterSeconds: 15 });
    expect('username' in th.reserve('lee', true)).toBe(true);
    t = 15_000;
    expect('username' in th.reserve('kim', true)).toBe(true);
    expect(th.reserve('kim', true)).toEqual({ retryAfterSeconds: 30 });
    t = 45_000;
    const ok = th.reserve('kim', true);
    if (!('username' in ok)) throw new Error('expected a ticket');
    th.succeeded(ok);
    for (let i = 0; i < 5; i++) expect('username' in th.reserve('kim', true)).toBe(true);
  });

  it('guesses at other names never lock out an account nobody guessed at (issue 17, finding 6)', () => {
    let t = 0;
    const th = new SignInThrottle(() => t);
    // Thirty-one wrong guesses at made-up names, and five at a real one (kim) with the default policies.
    for (let i = 0; i < 30; i++) expect('username' in th.reserve(`nobody${i}`, false)).toBe(true);
    expect(th.reserve('nobody30', false)).toEqual({ retryAfterSeconds: 30 });
    for (let i = 0; i < 5; i++) th.reserve('kim', true);
    expect(th.reserve('kim', true)).toEqual({ retryAfterSeconds: 15 });
    // The administrator, whom nobody guessed at, still gets a ticket, and so does lee.
    expect('username' in th.reserve('admin', true)).toBe(true);
    expect('username' in th.reserve('lee', true)).toBe(true);
  });

  it('caps attempts across usernames, counting failures only', () => {
    let t = 0;
    const th = new SignInThrottle(() => t, { free: 100, firstLockMs: 1_000, maxLockMs: 1_000, forgetAfterMs: 1_000 }, { free: 3, firstLockMs: 10_000, maxLockMs: 60_000, forgetAfterMs: 60_000 });
    const a = th.reserve('a', false);
    th.reserve('b', false);
    if (!('username' in a)) throw new Error('expected a ticket');
    th.succeeded(a);
    th.reserve('c', false);
    th.reserve('d', false);
    expect(th.reserve('e', false)).toEqual({ retryAfterSeconds: 10 });
    // Quiet long enough, the cap forgets.
    t = 71_000;
    expect('username' in th.reserve('e', false)).toBe(true);
  });
});
