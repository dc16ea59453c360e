import pg from 'pg';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, signInAs } from '../support/http-client.js';
import { startPostgres, type TestPostgres } from '../support/postgres.js';
import { startServerProcess, type ServerProcess } from '../support/server-process.js';

// Defect 8 of issue 8: losing PostgreSQL is a passing state, not a crash. A cluster of
// this file's own, so it can be stopped and started without disturbing other tests.
let cluster: TestPostgres;
let dbUrl: string;
let server: ServerProcess;
let token: string;

beforeAll(async () => {
  cluster = await startPostgres();
  dbUrl = await cluster.createDatabase('outage');
  server = await startServerProcess(dbUrl);
  token = await signInAs(server.url);
});
afterAll(async () => {
  await server?.stop();
  await cluster?.stop();
});

const head = () => call(server.url, 'GET', '/api/head', undefined, token);
const alive = () => server.child.exitCode === null && server.child.signalCode === null;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('the server and a PostgreSQL that goes away', () => {
  it('stays up when every one of its connections is terminated, and the next requests succeed', async () => {
    // Several pooled connections, idle afterwards.
    await Promise.all(Array.from({ length: 8 }, () => head()));
    const admin = new pg.Client({ connectionString: dbUrl });
    await admin.connect();
    const killed = await admin.query(`select pg_terminate_backend(pid) from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()`);
    await admin.end();
    expect(killed.rowCount).toBeGreaterThan(1);
    await sleep(500);
    expect(alive(), server.output()).toBe(true);
    for (let i = 0; i < 5; i++) expect((await head()).status).toBe(200);
    expect(server.output()).toContain('database connection lost');
  });

  it('answers 503 with the reason and Retry-After while the database is stopped, and recovers by itself when it is back', async () => {
    await cluster.halt();
    try {
      const r = await head();
      expect(r.status).toBe(503);
      expect(r.headers.get('retry-after')).toBe('5');
      expect(r.body.error.key).toBe('errors.databaseUnavailable');
      expect(['connection lost', 'database restarting']).toContain(r.body.error.params.reason);
      expect(r.body.error.message).toMatch(/database is unavailable/);
      const command = await call(server.url, 'POST', '/api/commands', { type: 'publish_round', commandId: randomUUID(), roundId: 'x', version: 1, spec: {} }, token);
      expect([503, 400]).toContain(command.status);
      const signIn = await call(server.url, 'POST', '/api/auth/sign-in', { username: 'root', password: 'root-password-1' });
      expect(signIn.status).toBe(503);
      expect(alive(), server.output()).toBe(true);
    } finally {
      await cluster.resume();
    }
    // Same process, no restart: the pool connects again.
    let status = 0;
    for (let i = 0; i < 20 && status !== 200; i++) {
      status = (await head()).status;
      if (status !== 200) await sleep(250);
    }
    expect(status).toBe(200);
    expect((await call(server.url, 'POST', '/api/auth/sign-in', { username: 'root', password: 'root-password-1' })).status).toBe(200);
    expect(alive()).toBe(true);
  });
});
