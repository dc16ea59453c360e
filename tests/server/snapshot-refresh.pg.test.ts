import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SnapshotStore } from '../../server/log/snapshots.js';
import type { ReadScope } from '../../shared/common/read-scope.js';
import { ServerHarness } from '../support/server-harness.js';
import { spec2022 } from '../support/specs.js';
import { syncedState } from '../support/sync-history.js';

/**
 * A refresh of a snapshot starts from the last file of its scope and applies
 * only the events after it; the file it makes must hold what a build from
 * scratch over the whole log holds, table by table, for every scope.
 */
let s: ServerHarness;
let admin: string;
const roundId = 'round-refresh';
const dir = mkdtempSync(join(tmpdir(), 'ic-snapshot-refresh-'));
const SCOPES: ReadScope[] = [{ kind: 'all' }, { kind: 'district', districtCode: '11680' }, { kind: 'none' }];

beforeAll(async () => {
  s = await ServerHarness.start({ snapshotRebuildAfter: 50 });
  const staff = await s.staff();
  admin = staff.admin;
  const spec = spec2022({ paymentMethods: ['bank_transfer', 'debit_card'] });
  await s.openSale(roundId, spec, staff, new Date(Date.parse(spec.opensAt) + 3_600_000), { purchases: 300, seed: 7, usesShare: 0.5 });
});
afterAll(async () => {
  await s.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The synced state of a snapshot file (the property test's own comparison: every table it carries, the cursors). */
function contentOf(file: string): Record<string, unknown[]> {
  const db = new BetterSqlite3(file, { readonly: true });
  try {
    return syncedState(db);
  } finally {
    db.close();
  }
}

describe('refreshing a snapshot after the log grew', () => {
  it('applies only the new events to the last file, and holds what a build from scratch holds, for every scope', async () => {
    const head = async () => ((await s.get('/api/head', admin)).body as { seq: number }).seq;
    for (const scope of SCOPES) await s.snapshots.rebuild(scope);
    const first = await head();
    for (const scope of SCOPES) expect(s.snapshots.current(scope, first)!.manifest.seq).toBe(first);
    // More sales and uses after the first files: the refresh continues from them.
    expect((await s.post('/api/feed/sale', { roundId, purchases: 120, seed: 8, usesShare: 0.5 }, admin)).status).toBe(200);
    const grown = await head();
    expect(grown - first).toBeGreaterThanOrEqual(120);
    const scratch = new SnapshotStore(s.sdb.db, { dir: join(dir, 'scratch') });
    for (const scope of SCOPES) {
      await s.snapshots.rebuild(scope);
      const refreshed = s.snapshots.current(scope, grown)!;
      expect(refreshed.manifest.seq).toBe(grown);
      await scratch.rebuild(scope);
      const whole = scratch.current(scope, grown)!;
      expect(whole.manifest.seq).toBe(grown);
      expect(refreshed.manifest.headHash).toBe(whole.manifest.headHash);
      const a = contentOf(refreshed.file);
      const b = contentOf(whole.file);
      for (const t of Object.keys(b)) expect(a[t], `${scope.kind}: table ${t}`).toEqual(b[t]);
      // Not an empty comparison: the file is at the head, holding the 420 purchases (and more) in full or as digests.
      expect(b.cursor).toEqual([[grown, whole.manifest.headHash]]);
      const folded = (b.redacted_ranges as [number, number, string][]).reduce((n, [first, last]) => n + last - first + 1, 0);
      expect(b.ledger_events!.length + b.redacted_events!.length + folded).toBeGreaterThanOrEqual(420);
    }
  }, 240_000);
});
