import { spawn } from 'node:child_process';
import { createHash, generateKeyPairSync, sign } from 'node:crypto';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basisPointsOf } from '../../shared/common/money.js';
import { afterMigrate, LEDGER_WRITE_HOOKS } from '../../shared/node/backend/hooks.js';
import { migrateToLatest, openDatabase } from '../../shared/node/db/open.js';
import { buildSnapshotFile } from '../../shared/node/sync/snapshot-build.js';
import { ledgerIsEmpty } from '../../shared/node/sync/snapshot-tables.js';
import { LATEST_MIGRATION } from '../../shared/node/db/migrations/index.js';
import { partFiles } from '../../shared/node/sync/snapshot-fetch.js';
import type { SyncEvent } from '../../shared/sync/protocol.js';
import { manifestText, SNAPSHOT_KEY_HEADER, SNAPSHOT_MANIFEST_HEADER, SNAPSHOT_SIGNATURE_HEADER, type SnapshotManifest } from '../../shared/sync/snapshot-wire.js';
import { AT, baseSpec, chain } from '../support/sync-history.js';

/** kill -9 while a snapshot is copied into the ledger: the ledger opens on its old state (empty) or the whole new one, never half. */
const dir = mkdtempSync(join(tmpdir(), 'ic-snapshot-kill-'));
const LOTS = 20_000;
const snapshot = join(dir, 'snapshot.sqlite');
const emptyLedger = join(dir, 'empty.sqlite');
/** The console's own rows in the ledger before the first sync: they must be there after it, whichever state it is in. */
const OWN_URL = 'https://own.example';
let headHash = '';

beforeAll(async () => {
  const events: SyncEvent[] = [{ type: 'round_published', eventId: 'pub', roundId: 'r0', version: 1, spec: { ...baseSpec, totalAmount: LOTS * 10_000 }, publishedBy: 'kim', at: AT }];
  const paid = 10_000 - basisPointsOf(10_000, baseSpec.discountBp);
  for (let i = 1; i <= LOTS; i++) {
    events.push({ type: 'purchase', eventId: `p${i}`, roundId: 'r0', lotId: `lot${i}`, at: AT, buyerId: `b${i}`, districtCode: '11680', face: 10_000, paid, paymentMethod: 'bank_transfer' });
  }
  const entries = chain(events);
  async function* pages() {
    for (let i = 0; i < entries.length; i += 5_000) yield entries.slice(i, i + 5_000);
  }
  headHash = (await buildSnapshotFile(snapshot, pages(), entries.length, LEDGER_WRITE_HOOKS, afterMigrate)).hash;
  const l = openDatabase(emptyLedger);
  await migrateToLatest(l.db);
  afterMigrate(l.sqlite);
  l.sqlite.prepare('update sync_state set server_url = ? where id = 1').run(OWN_URL);
  l.sqlite
    .prepare("insert into users (id, username, display_name, password_hash, role, district_code, disabled, created_at) values ('u-own', 'own', 'own', 'x', 'admin', null, 0, ?)")
    .run(AT);
  l.sqlite.pragma('wal_checkpoint(TRUNCATE)');
  await l.close();
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * Starts the install in a child and kills it `afterMs` after it began copying (never when null);
 * resolves with whether it had finished and how long it ran from the start of the copy.
 */
function installAndKill(
  ledger: string,
  afterMs: number | null,
  child_ = ['tests/support/snapshot-install-child.ts', ledger, snapshot],
  mark = 'copying',
  env: Record<string, string> = {},
): Promise<{ finished: boolean; ms: number; signal: NodeJS.Signals | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', ...child_], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, ...env } });
    let out = '';
    let started = 0;
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes(mark) && started === 0) {
        started = performance.now();
        if (afterMs !== null) setTimeout(() => child.kill('SIGKILL'), afterMs);
      }
    });
    child.on('error', reject);
    child.on('exit', (_code, signal) => resolve({ finished: out.includes('done'), ms: performance.now() - started, signal }));
  });
}

/** What the ledger holds after the child stopped: its old state (empty) or the whole snapshot; anything else fails here. */
async function stateOf(ledger: string): Promise<'old' | 'new'> {
  const l = openDatabase(ledger);
  try {
    expect(l.sqlite.prepare('select server_url from sync_state').pluck().get()).toBe(OWN_URL);
    expect(l.sqlite.prepare("select username from users where id = 'u-own'").pluck().get()).toBe('own');
    if (ledgerIsEmpty(l.sqlite)) return 'old';
    const lots = l.sqlite.prepare('select count(*) from lots').pluck().get() as number;
    const events = l.sqlite.prepare('select count(*) from ledger_events').pluck().get() as number;
    const cursor = l.sqlite.prepare('select last_seq from sync_state').pluck().get() as number;
    expect({ lots, events, cursor }).toEqual({ lots: LOTS, events: LOTS, cursor: LOTS + 1 });
    return 'new';
  } finally {
    await l.close();
  }
}

let run = 0;
async function attempt(afterMs: number | null) {
  const ledger = join(dir, `ledger-${run++}.sqlite`);
  copyFileSync(emptyLedger, ledger);
  const r = await installAndKill(ledger, afterMs);
  return { ...r, state: await stateOf(ledger) };
}

/**
 * The file swap of a first sync (snapshot-install.ts), on a copy of the snapshot as the download leaves it:
 * `swap` makes it the ledger by rename, `copy` by the page copy a ledger that cannot be renamed falls back to.
 */
async function swapAttempt(afterMs: number | null, mode: 'swap' | 'copy' = 'copy', env: Record<string, string> = {}) {
  const ledger = join(dir, `swap-ledger-${run++}.sqlite`);
  copyFileSync(emptyLedger, ledger);
  const swap = `${ledger}.swap`;
  copyFileSync(snapshot, swap);
  const r = await installAndKill(ledger, afterMs, ['tests/support/snapshot-swap-child.ts', mode, ledger, swap], 'copying', env);
  return { ...r, state: await stateOf(ledger), swapLeft: existsSync(swap) };
}

/**
 * A server of the snapshot file alone, signed as the real one is, sending it
 * slowly (64 KiB every few ms) so a kill lands inside the download; honours
 * `Range: bytes=N-` as the real route does. Counts the bytes it sent.
 */
function slowServer(): Promise<{ server: Server; url: string; froms: number[] }> {
  const bytes = readFileSync(snapshot);
  const key = generateKeyPairSync('ed25519');
  const manifest: SnapshotManifest = { scope: 'all', seq: LOTS + 1, headHash, sha256: createHash('sha256').update(bytes).digest('hex'), bytes: bytes.length, schema: LATEST_MIGRATION };
  const froms: number[] = [];
  const server = createServer((req, res) => {
    const from = Number(/^bytes=(\d+)-$/.exec(req.headers.range ?? '')?.[1] ?? 0);
    froms.push(from);
    let closed = false;
    res.on('close', () => (closed = true));
    res.writeHead(from > 0 ? 206 : 200, {
      'content-length': bytes.length - from,
      [SNAPSHOT_MANIFEST_HEADER]: Buffer.from(manifestText(manifest)).toString('base64'),
      [SNAPSHOT_SIGNATURE_HEADER]: sign(null, Buffer.from(manifestText(manifest)), key.privateKey).toString('base64'),
      [SNAPSHOT_KEY_HEADER]: Buffer.from(key.publicKey.export({ type: 'spki', format: 'pem' }).toString()).toString('base64'),
    });
    let at = from;
    const step = () => {
      if (closed) return;
      if (at >= bytes.length) return void res.end();
      const chunk = bytes.subarray(at, at + 65_536);
      at += chunk.length;
      res.write(chunk);
      setTimeout(step, 3);
    };
    step();
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, froms })));
}

describe('installing a snapshot, killed with SIGKILL', () => {
  it('leaves the old state or the new one at every moment, never half', async () => {
    // Uninterrupted first, to know how long the copy takes on this machine now.
    const whole = await attempt(null);
    expect(whole).toMatchObject({ finished: true, state: 'new' });
    const outcomes: string[] = [];
    for (const share of [0.02, 0.25, 0.5, 0.75, 0.95]) {
      const r = await attempt(Math.round(share * whole.ms));
      // stateOf holds the ledger to all or nothing; a child that said "done" had committed. (Killed between
      // the commit and saying so, it left the new state without saying done: that is the new state too.)
      if (r.finished) expect(r.state, `killed at ${share} of the copy`).toBe('new');
      outcomes.push(r.state);
    }
    // At least the earliest kill landed inside the transaction, so the "old" branch was exercised.
    expect(outcomes[0]).toBe('old');
  }, 300_000);
});

describe('the file swap of a first sync, killed with SIGKILL', () => {
  it("by rename: killed right before it leaves the old state (and the swap file), right after it the new one; the console's own rows either way", async () => {
    const whole = await swapAttempt(null, 'swap');
    expect(whole).toMatchObject({ finished: true, state: 'new', swapLeft: false });
    const before = await swapAttempt(null, 'swap', { KILL_AT_RENAME: 'before' });
    expect(before).toMatchObject({ finished: false, signal: 'SIGKILL', state: 'old', swapLeft: true });
    const after = await swapAttempt(null, 'swap', { KILL_AT_RENAME: 'after' });
    expect(after).toMatchObject({ finished: false, signal: 'SIGKILL', state: 'new', swapLeft: false });
  }, 300_000);

  it("by page copy: leaves the old state or the new one (with the console's own rows either way), never half", async () => {
    const whole = await swapAttempt(null);
    expect(whole).toMatchObject({ finished: true, state: 'new' });
    const outcomes: string[] = [];
    for (const share of [0.02, 0.3, 0.6, 0.9]) {
      const r = await swapAttempt(Math.round(share * whole.ms));
      if (r.finished) expect(r.state, `killed at ${share} of the swap`).toBe('new');
      outcomes.push(r.state);
    }
    expect(outcomes[0]).toBe('old');
  }, 300_000);
});

describe('the download of a first sync, killed with SIGKILL', () => {
  let slow: Awaited<ReturnType<typeof slowServer>>;
  beforeAll(async () => {
    slow = await slowServer();
  });
  afterAll(() => slow.server.close());

  it('leaves the old state and a part that the next start resumes (Range) to the new state', async () => {
    const ledger = join(dir, `download-ledger-${run++}.sqlite`);
    copyFileSync(emptyLedger, ledger);
    const child = ['tests/support/snapshot-swap-child.ts', 'sync', ledger, slow.url, headHash];
    const killed = await installAndKill(ledger, 150, child, 'received');
    expect(killed.finished).toBe(false);
    expect(await stateOf(ledger)).toBe('old');
    const part = partFiles(ledger).part;
    const kept = statSync(part).size;
    expect(kept).toBeGreaterThan(0);
    expect(kept).toBeLessThan(statSync(snapshot).size);
    const resumed = await installAndKill(ledger, null, child, 'received');
    expect(resumed.finished).toBe(true);
    expect(await stateOf(ledger)).toBe('new');
    // Only the rest came the second time, and nothing of the download is left beside the ledger.
    expect(slow.froms).toEqual([0, kept]);
    for (const f of Object.values(partFiles(ledger))) expect(existsSync(f), f).toBe(false);
  }, 300_000);
});
