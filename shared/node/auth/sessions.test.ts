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

  it('throttle repeated failures per username', () => {
    let t = 0;
    const th = new SignInThrottle(() => t);
    for (let i = 0; i < 4; i++) th.fail('kim');
    expect(th.retryAfterSeconds('kim')).toBe(0);
    th.fail('kim');
    expect(th.retryAfterSeconds('kim')).toBe(15);
    expect(th.retryAfterSeconds('lee')).toBe(0);
    t = 15_000;
    expect(th.retryAfterSeconds('kim')).toBe(0);
    th.succeed('kim');
    th.fail('kim');
    expect(th.retryAfterSeconds('kim')).toBe(0);
  });
});
