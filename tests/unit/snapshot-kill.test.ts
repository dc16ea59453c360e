import { spawn } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basisPointsOf } from '../../shared/common/money.js';
import { afterMigrate, LEDGER_WRITE_HOOKS } from '../../shared/node/backend/hooks.js';
import { migrateToLatest, openDatabase } from '../../shared/node/db/open.js';
import { buildSnapshotFile } from '../../shared/node/sync/snapshot-build.js';
import { ledgerIsEmpty } from '../../shared/node/sync/snapshot-tables.js';
import type { SyncEvent } from '../../shared/sync/protocol.js';
import { AT, baseSpec, chain } from '../support/sync-history.js';

/** kill -9 while a snapshot is copied into the ledger: the ledger opens on its old state (empty) or the whole new one, never half. */
const dir = mkdtempSync(join(tmpdir(), 'ic-snapshot-kill-'));
const LOTS = 20_000;
const snapshot = join(dir, 'snapshot.sqlite');
const emptyLedger = join(dir, 'empty.sqlite');

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
  await buildSnapshotFile(snapshot, pages(), entries.length, LEDGER_WRITE_HOOKS, afterMigrate);
  const l = openDatabase(emptyLedger);
  await migrateToLatest(l.db);
  afterMigrate(l.sqlite);
  l.sqlite.pragma('wal_checkpoint(TRUNCATE)');
  await l.close();
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * Starts the install in a child and kills it `afterMs` after it began copying (never when null);
 * resolves with whether it had finished and how long it ran from the start of the copy.
 */
function installAndKill(ledger: string, afterMs: number | null): Promise<{ finished: boolean; ms: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'tests/support/snapshot-install-child.ts', ledger, snapshot], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    let started = 0;
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('copying') && started === 0) {
        started = performance.now();
        if (afterMs !== null) setTimeout(() => child.kill('SIGKILL'), afterMs);
      }
    });
    child.on('error', reject);
    child.on('exit', () => resolve({ finished: out.includes('done'), ms: performance.now() - started }));
  });
}

/** What the ledger holds after the child stopped: its old state (empty) or the whole snapshot; anything else fails here. */
async function stateOf(ledger: string): Promise<'old' | 'new'> {
  const l = openDatabase(ledger);
  try {
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
