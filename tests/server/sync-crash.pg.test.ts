import Database from 'better-sqlite3';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATABASE_FILE } from '../../shared/node/backend/backend.js';
import { chainHash, LOG_GENESIS } from '../../shared/node/chain/log-hash.js';
import { ServerHarness } from '../support/server-harness.js';
import { spec2022 } from '../support/specs.js';

/**
 * A console process killed with SIGKILL in the middle of a pull must, when it
 * starts again, end with every event applied exactly once: nothing lost at
 * the kill, nothing applied twice after it.
 */
let server: ServerHarness;
let head: { seq: number; hash: string };
const dirs: string[] = [];
const ROUND = 'round-crash';

beforeAll(async () => {
  // The pull's replay is what these tests kill; a first sync by snapshot (its own kill test: snapshot-kill.test.ts)
  // would jump the cursor to the head in one transaction.
  server = await ServerHarness.start({ noSnapshots: true });
  const admin = await server.user('root', 'admin');
  const office = await server.user('office', 'official');
  const spec = spec2022();
  // Published by two people, scheduled and opened: the log starts with the round's publication and status events.
  await server.openRound(ROUND, spec, office, admin, new Date(Date.parse(spec.opensAt) + 3_600_000));
  expect((await server.post('/api/feed/sale', { roundId: ROUND, purchases: 40_000, seed: 11, usesShare: 0.5 }, admin)).status).toBe(200);
  head = (await server.get('/api/head', admin)).body as typeof head;
});
afterAll(async () => {
  await server?.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function runConsole(dataDir: string, env: Record<string, string> = {}) {
  const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, '../support/sync-child.ts'), dataDir, server.url, 'office', 'office-password-1'], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (err += c.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; out: string; err: string }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal, out, err })),
  );
  return { child, exited };
}

function ledgerFile(dataDir: string) {
  return join(dataDir, DATABASE_FILE);
}

function cursorOf(dataDir: string): number {
  let db: Database.Database | undefined;
  try {
    db = new Database(ledgerFile(dataDir), { readonly: true, fileMustExist: true });
    return (db.prepare('select last_seq from sync_state').pluck().get() as number | undefined) ?? 0;
  } catch {
    return 0; // not created or not migrated yet
  } finally {
    db?.close();
  }
}

/** Everything in the file agrees with the server's log, once each. */
function expectExactlyOnce(dataDir: string) {
  const db = new Database(ledgerFile(dataDir), { readonly: true });
  try {
    const rows = db
      .prepare('select seq, payload, hash from ledger_events union all select seq, payload, hash from round_publications union all select seq, payload, hash from round_statuses order by seq')
      .raw()
      .all() as [number, string, string][];
    expect(rows.length).toBe(head.seq);
    let prev = LOG_GENESIS;
    rows.forEach(([seq, payload, hash], i) => {
      if (seq !== i + 1) expect(seq).toBe(i + 1);
      prev = chainHash(prev, seq, payload);
      if (prev !== hash) expect(hash).toBe(prev);
    });
    expect(prev).toBe(head.hash);
    expect(db.prepare('select last_seq, last_hash from sync_state').get()).toEqual({ last_seq: head.seq, last_hash: head.hash });
    const roundEvents = db.prepare('select (select count(*) from round_publications) + (select count(*) from round_statuses)').pluck().get() as number;
    expect(roundEvents).toBe(3);
    expect(db.prepare('select count(distinct event_id) from ledger_events').pluck().get()).toBe(head.seq - roundEvents);
    // The derived state matches the events: every purchase one lot, the stock counted once.
    const purchases = db.prepare("select count(*) as n, coalesce(sum(amount), 0) as face from ledger_events where type = 'purchase'").get() as { n: number; face: number };
    expect(db.prepare('select count(*) from lots').pluck().get()).toBe(purchases.n);
    expect(db.prepare('select sold_face, lot_count from round_sales where round_id = ?').get(ROUND)).toEqual({ sold_face: purchases.face, lot_count: purchases.n });
    const used = db.prepare("select coalesce(sum(amount), 0) from ledger_events where type = 'use'").pluck().get();
    expect(db.prepare('select coalesce(sum(used), 0) from lots').pluck().get()).toBe(used);
  } finally {
    db.close();
  }
}

describe('a console killed in the middle of a pull', () => {
  it('resumes after SIGKILL inside a page transaction and applies every event exactly once', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ic-crash-'));
    dirs.push(dir);
    // Dies right after inserting event 12,345: the page holding it was half written when the process vanished.
    const killed = await runConsole(dir, { DIE_AT_SEQ: '12345' }).exited;
    expect(killed.signal, killed.err).toBe('SIGKILL');
    const atKill = cursorOf(dir);
    expect(atKill).toBeGreaterThan(0);
    expect(atKill).toBeLessThan(12_345);
    const db = new Database(ledgerFile(dir), { readonly: true });
    // The half-written page left nothing behind.
    expect(db.prepare('select max(seq) from ledger_events').pluck().get()).toBe(atKill);
    db.close();

    const resumed = await runConsole(dir).exited;
    expect(resumed.code, resumed.err).toBe(0);
    expect(JSON.parse(resumed.out)).toMatchObject({ state: 'done', result: { pulled: head.seq - atKill, lastSeq: head.seq } });
    expectExactlyOnce(dir);
  });

  it('resumes after SIGKILL from outside at an arbitrary moment of the pull', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ic-crash-'));
    dirs.push(dir);
    const run = runConsole(dir);
    // Kill once a fifth of the log is in, wherever the console then is: fetching, parsing or writing.
    for (let i = 0; cursorOf(dir) < head.seq / 5; i++) {
      if (i > 6_000 || run.child.exitCode !== null) throw new Error(`the console did not get going: ${(await run.exited).err}`);
      await new Promise((r) => setTimeout(r, 5));
    }
    run.child.kill('SIGKILL');
    expect((await run.exited).signal).toBe('SIGKILL');
    const atKill = cursorOf(dir);
    expect(atKill).toBeLessThan(head.seq);

    const resumed = await runConsole(dir).exited;
    expect(resumed.code, resumed.err).toBe(0);
    expect(JSON.parse(resumed.out)).toMatchObject({ state: 'done', result: { pulled: head.seq - atKill } });
    expectExactlyOnce(dir);
  });
});

