import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Harness } from '../../../tests/support/backend-harness.js';

// Counts real password evaluations (scrypt runs as before).
const evaluations = vi.hoisted(() => ({ n: 0 }));
vi.mock('./password.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('./password.js')>();
  return {
    ...real,
    verifyPassword: async (password: string, stored: string) => {
      evaluations.n++;
      return real.verifyPassword(password, stored);
    },
  };
});

let h: Harness;
beforeEach(async () => {
  h = await Harness.start();
  await h.admin();
  evaluations.n = 0;
});
afterEach(() => h.close());

describe('console sign-in throttle', () => {
  it('gives 60 parallel guesses at most 5 password evaluations, then tells how long to wait', async () => {
    const replies = await Promise.all(Array.from({ length: 60 }, (_, i) => h.raw('auth.signIn', { username: 'admin', password: `guess-number-${i}` })));
    expect(evaluations.n).toBeLessThanOrEqual(5);
    const errors = replies.map((r) => (r.ok ? null : r.error));
    expect(errors.filter((e) => e?.key === 'errors.badCredentials')).toHaveLength(evaluations.n);
    const limited = errors.filter((e) => e?.code === 'rate_limited');
    expect(limited).toHaveLength(60 - evaluations.n);
    expect(limited[0]).toMatchObject({ key: 'errors.rate_limited', params: { seconds: 15 } });
    // Even the right password waits; after the wait it works.
    expect(await h.fail('auth.signIn', { username: 'admin', password: 'admin-password-1' })).toMatchObject({ code: 'rate_limited' });
    h.advance(15_000);
    expect((await h.raw('auth.signIn', { username: 'admin', password: 'admin-password-1' })).ok).toBe(true);
  });

  it('caps guesses spread over many usernames', async () => {
    const replies = await Promise.all(Array.from({ length: 60 }, (_, i) => h.raw('auth.signIn', { username: `user${i}`, password: 'guess-password' })));
    expect(evaluations.n).toBeLessThanOrEqual(30);
    expect(replies.filter((r) => !r.ok && r.error.code === 'rate_limited')).toHaveLength(60 - evaluations.n);
  });

  it('does not count correct passwords against the cap', async () => {
    for (let i = 0; i < 32; i++) expect((await h.raw('auth.signIn', { username: 'admin', password: 'admin-password-1' })).ok).toBe(true);
    expect(evaluations.n).toBe(32);
  });
});
