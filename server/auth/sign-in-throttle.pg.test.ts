import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it, inject, vi } from 'vitest';
import { createDatabase } from '../../tests/support/postgres.js';
import { buildServer } from '../app.js';
import { connectServerDb, migrateServer, type ServerDb } from '../db/connect.js';
import { createUser } from './server-auth.js';

// Counts real password evaluations (scrypt runs as before).
const evaluations = vi.hoisted(() => ({ n: 0 }));
vi.mock('../../shared/node/auth/password.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../shared/node/auth/password.js')>();
  return {
    ...real,
    verifyPassword: async (password: string, stored: string) => {
      evaluations.n++;
      return real.verifyPassword(password, stored);
    },
  };
});

const PASSWORD = 'harbour-lights-at-dusk';
let sdb: ServerDb;
let app: FastifyInstance;
let clock: Date;

beforeEach(async () => {
  sdb = await connectServerDb({ url: await createDatabase(inject('pgUrl')) });
  await migrateServer(sdb.db);
  clock = new Date('2026-03-02T00:00:00.000Z');
  app = await buildServer({ db: sdb.db, now: () => clock, log: () => {} });
  await createUser(sdb.db, { username: 'kim', displayName: 'kim', password: PASSWORD, role: 'official', districtCode: null });
  evaluations.n = 0;
});
afterEach(async () => {
  await app.close();
  await sdb.close();
});

const signIn = (password: string, from: string) =>
  app.inject({ method: 'POST', url: '/api/auth/sign-in', payload: { username: 'kim', password }, remoteAddress: from });

describe('server sign-in throttle', () => {
  it('lets 100 parallel guesses from one address reach the hash at most 5 times, answers the rest 429 with the wait, and lets the owner in from elsewhere', async () => {
    const replies = await Promise.all(Array.from({ length: 100 }, (_, i) => signIn(`guess-number-${i}`, '203.0.113.7')));
    expect(evaluations.n).toBeLessThanOrEqual(5);
    expect(replies.filter((r) => r.statusCode === 401)).toHaveLength(evaluations.n);
    const limited = replies.filter((r) => r.statusCode === 429);
    expect(limited).toHaveLength(100 - evaluations.n);
    expect(limited[0]!.headers['retry-after']).toBe('30');
    expect(limited[0]!.json()).toMatchObject({ error: { key: 'errors.rate_limited', params: { seconds: 30 } } });
    // That address stays locked even for the right password…
    expect((await signIn(PASSWORD, '203.0.113.7')).statusCode).toBe(429);
    // …but the owner at another address is not kept out.
    const ok = await signIn(PASSWORD, '198.51.100.20');
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({ user: { username: 'kim' } });
  });

  it('locks a user guessed at from many addresses only briefly', async () => {
    const replies = await Promise.all(Array.from({ length: 100 }, (_, i) => signIn(`guess-number-${i}`, `10.1.${Math.floor(i / 50)}.${i % 50}`)));
    expect(evaluations.n).toBeLessThanOrEqual(10);
    expect(replies.filter((r) => r.statusCode === 429)).toHaveLength(100 - evaluations.n);
    const waiting = await signIn(PASSWORD, '198.51.100.20');
    expect(waiting.statusCode).toBe(429);
    const seconds = Number(waiting.headers['retry-after']);
    expect(seconds).toBeGreaterThan(0);
    expect(seconds).toBeLessThanOrEqual(60);
    clock = new Date(clock.getTime() + seconds * 1000);
    expect((await signIn(PASSWORD, '198.51.100.20')).statusCode).toBe(200);
  });

  it('stops one address spraying a password over many usernames', async () => {
    const replies = await Promise.all(
      Array.from({ length: 60 }, (_, i) => app.inject({ method: 'POST', url: '/api/auth/sign-in', payload: { username: `user${i}`, password: 'Summer2026!' }, remoteAddress: '203.0.113.9' })),
    );
    expect(evaluations.n).toBeLessThanOrEqual(30);
    expect(replies.filter((r) => r.statusCode === 429)).toHaveLength(60 - evaluations.n);
  });
});

describe('server password policy', () => {
  it('refuses a new user whose password is the username or a common password', async () => {
    await createUser(sdb.db, { username: 'root', displayName: 'root', password: PASSWORD, role: 'admin', districtCode: null });
    const token = (await app.inject({ method: 'POST', url: '/api/auth/sign-in', payload: { username: 'root', password: PASSWORD } })).json<{ token: string }>().token;
    const create = (username: string, password: string) =>
      app.inject({ method: 'POST', url: '/api/users', headers: { authorization: `Bearer ${token}` }, payload: { username, displayName: username, password, role: 'analyst', districtCode: null } });
    // The policy (issue 17) wants 12 characters first, so the username is long enough to be refused for being itself.
    expect((await create('analyst.one.mapo', 'analyst.one.mapo')).json()).toMatchObject({ error: { key: 'passwordPolicy.isUsername' } });
    expect((await create('analyst.one.mapo', 'qwertyuiop123')).json()).toMatchObject({ error: { key: 'passwordPolicy.tooCommon' } });
    expect((await create('analyst.one.mapo', 'analyst.one.mapo123')).statusCode).toBe(400);
    expect((await sdb.db.selectFrom('users').select('username').execute()).map((u) => u.username).sort()).toEqual(['kim', 'root']);
    expect((await create('analyst.one.mapo', 'a quiet river stone')).statusCode).toBe(200);
  });
});
