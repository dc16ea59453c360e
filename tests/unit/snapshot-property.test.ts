import fc from 'fast-check';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { eventLine } from '../../server/log/read-scope.js';
import type { ReadScope } from '../../shared/common/read-scope.js';
import { afterMigrate, LEDGER_WRITE_HOOKS } from '../../shared/node/backend/hooks.js';
import { migrateToLatest, openDatabase, type LedgerDb } from '../../shared/node/db/open.js';
import { SyncApplier, type FullEntry, type PageEntry } from '../../shared/node/sync/apply.js';
import { parsePage } from '../../shared/node/sync/client.js';
import { buildSnapshotFile } from '../../shared/node/sync/snapshot-build.js';
import { copySnapshotTables } from '../../shared/node/sync/snapshot-tables.js';
import { chain, materialise, opArb, syncedState } from '../support/sync-history.js';

const SCOPES: ReadScope[] = [{ kind: 'all' }, { kind: 'district', districtCode: '11680' }, { kind: 'none' }];
const dir = mkdtempSync(join(tmpdir(), 'ic-snapshot-prop-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The log as `scope` receives it: the server's own line rule (lot events filed under their lot's district) and the console's parser. */
function scoped(entries: FullEntry[], scope: ReadScope): PageEntry[] {
  const district = new Map<string, string>();
  const lines = entries.map((e) => {
    const ev = e.event;
    if (ev.type === 'purchase') district.set(ev.lotId, ev.districtCode);
    const lotId = 'lotId' in ev ? ev.lotId : null;
    return eventLine({ seq: e.seq, hash: e.hash, payload: e.text, lot_id: lotId, district_code: lotId ? (district.get(lotId) ?? null) : null }, scope);
  });
  const head = entries.at(-1)!;
  return parsePage([JSON.stringify({ head: { seq: head.seq, hash: head.hash }, after: 0, count: lines.length }), ...lines].join('\n') + '\n', 0).entries;
}

async function freshConsole(): Promise<LedgerDb> {
  const l = openDatabase(':memory:');
  await migrateToLatest(l.db);
  afterMigrate(l.sqlite);
  return l;
}

/** Applies `entries` as a pull does, in pages of `pageSize`. */
function pull(l: LedgerDb, entries: PageEntry[], head: number, pageSize: number): void {
  const applier = new SyncApplier(l.sqlite, LEDGER_WRITE_HOOKS);
  for (let i = 0; i < entries.length; i += pageSize) applier.applyPage(entries.slice(i, i + pageSize), head);
}

let run = 0;

describe('first sync by snapshot against replay', () => {
  it('leaves the same state (every table a snapshot carries, the cursors) for every scope, whatever the history and the sequence of the snapshot', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 60 }), fc.nat(), fc.nat(2), fc.integer({ min: 1, max: 9 }), async (ops, cut, scopeIndex, pageSize) => {
        const entries = scoped(chain(materialise(ops)), SCOPES[scopeIndex]!);
        const head = entries.length;
        const at = 1 + (cut % head);
        const replay = await freshConsole();
        const bySnapshot = await freshConsole();
        const file = join(dir, `snap-${run++}.sqlite`);
        try {
          pull(replay, entries, head, pageSize);
          async function* pages() {
            for (let i = 0; i < at; i += pageSize) yield entries.slice(i, Math.min(at, i + pageSize));
          }
          const built = await buildSnapshotFile(file, pages(), at, LEDGER_WRITE_HOOKS, afterMigrate);
          expect(built.seq).toBe(at);
          bySnapshot.sqlite.prepare('attach database ? as snapshot').run(file);
          copySnapshotTables(bySnapshot.sqlite, 'snapshot');
          bySnapshot.sqlite.exec('detach database snapshot');
          pull(bySnapshot, entries.slice(at), head, pageSize);
          const [x, y] = [syncedState(bySnapshot.sqlite), syncedState(replay.sqlite)];
          for (const t of Object.keys(y)) expect(x[t], t).toEqual(y[t]);
        } finally {
          await replay.close();
          await bySnapshot.close();
          rmSync(file, { force: true });
        }
      }),
      { numRuns: 30 },
    );
  });
});
