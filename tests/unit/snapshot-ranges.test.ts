import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { afterMigrate, LEDGER_WRITE_HOOKS } from '../../shared/node/backend/hooks.js';
import { eventDigest } from '../../shared/node/chain/log-hash.js';
import { migrateToLatest, openDatabase } from '../../shared/node/db/open.js';
import { SyncApplier, type PageEntry } from '../../shared/node/sync/apply.js';
import { copySnapshotTables } from '../../shared/node/sync/snapshot-tables.js';
import { buildSnapshotFile } from '../../shared/node/sync/snapshot-build.js';
import { checkSnapshotFile } from '../../shared/node/sync/snapshot-fetch.js';
import { foldRedactedRuns } from '../../shared/node/sync/snapshot-ranges.js';
import { SyncError } from '../../shared/node/sync/sync-error.js';
import { chain, materialise, type Op } from '../support/sync-history.js';

const dir = mkdtempSync(join(tmpdir(), 'ic-snapshot-ranges-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const h = (c: string) => c.repeat(64);

async function ledgerWith(redacted: number[]) {
  const l = openDatabase(':memory:');
  await migrateToLatest(l.db);
  const add = l.sqlite.prepare('insert into redacted_events (seq, hash, digest) values (?, ?, ?)');
  for (const seq of redacted) add.run(seq, h((seq % 10).toString()), h('d'));
  return l;
}

const ranges = (s: BetterSqlite3.Database) => s.prepare('select from_seq, seq, hash from redacted_ranges order by seq').raw().all();
const lone = (s: BetterSqlite3.Database) => s.prepare('select seq from redacted_events order by seq').pluck().all();

describe('folding runs of unreadable events', () => {
  it('folds every run of two or more into its first and last sequence and the hash at its last, and keeps a lone one as it is', async () => {
    // Readable events (not held here) at 1, 5, 7 and 10.
    const l = await ledgerWith([2, 3, 4, 6, 8, 9, 11, 12]);
    expect(foldRedactedRuns(l.sqlite)).toBe(7);
    expect(ranges(l.sqlite)).toEqual([
      [2, 4, h('4')],
      [8, 9, h('9')],
      [11, 12, h('2')],
    ]);
    expect(lone(l.sqlite)).toEqual([6]);
    // Folding again changes nothing; and the append-only guards are back.
    expect(foldRedactedRuns(l.sqlite)).toBe(0);
    expect(() => l.sqlite.prepare('delete from redacted_ranges').run()).toThrow(/append-only/);
    await l.close();
  });

  it('joins a run that continues one folded before (a refresh on the last file), as a build from scratch would fold it', async () => {
    const l = await ledgerWith([2, 3, 4]);
    foldRedactedRuns(l.sqlite);
    // The log grew by one more unreadable event, then another run after a readable one at 6.
    const add = l.sqlite.prepare('insert into redacted_events (seq, hash, digest) values (?, ?, ?)');
    for (const seq of [5, 7, 8]) add.run(seq, h(String(seq)), h('d'));
    expect(foldRedactedRuns(l.sqlite)).toBe(4);
    expect(ranges(l.sqlite)).toEqual([
      [2, 5, h('5')],
      [7, 8, h('8')],
    ]);
    expect(lone(l.sqlite)).toEqual([]);
    await l.close();
  });
});

/** A log where every lot event is held as a digest (an analyst's scope): runs of them between the round publications. */
const OPS: Op[] = [
  { op: 'purchase', round: 0, units: 2, district: 0 },
  { op: 'purchase', round: 1, units: 1, district: 1 },
  { op: 'use', pick: 0, units: 1 },
  { op: 'publish', round: 0, grow: 3 },
  { op: 'purchase', round: 0, units: 1, district: 2 },
  { op: 'cancel', pick: 1 },
  { op: 'publish', round: 1, grow: 2 },
  { op: 'purchase', round: 1, units: 1, district: 0 },
  { op: 'purchase', round: 1, units: 1, district: 1 },
];

async function builtFile(name: string) {
  const entries: PageEntry[] = chain(materialise(OPS)).map((e) => ('lotId' in e.event ? { seq: e.seq, hash: e.hash, digest: eventDigest(e.text) } : e));
  const file = join(dir, name);
  async function* pages() {
    yield entries;
  }
  const built = await buildSnapshotFile(file, pages(), entries.length, LEDGER_WRITE_HOOKS, afterMigrate);
  return { file, built, entries };
}

/** Runs `change` on the file with the append-only guards of the runs set aside, as someone editing the file would. */
function tamper(file: string, change: string): void {
  const db = new BetterSqlite3(file);
  db.exec('drop trigger redacted_ranges_no_update; drop trigger redacted_ranges_no_delete');
  expect(db.prepare(change).run().changes).toBe(1);
  db.close();
}

const refusal = (file: string, manifest: { seq: number; headHash: string }) => {
  try {
    checkSnapshotFile(file, manifest);
    return null;
  } catch (e) {
    return e instanceof SyncError ? { key: e.key, params: e.params } : e;
  }
};

describe('a snapshot whose unreadable events are folded into runs', () => {
  it('chains end to end to the head through the runs', async () => {
    const { file, built, entries } = await builtFile('whole.sqlite');
    const db = new BetterSqlite3(file, { readonly: true });
    // Seqs 1-2 publish the rounds; 3-5 are lot events, 6 a publication, 7-8 lot events, 9 a publication, 10-11 lot events.
    expect(ranges(db)).toEqual([
      [3, 5, entries[4]!.hash],
      [7, 8, entries[7]!.hash],
      [10, 11, entries[10]!.hash],
    ]);
    expect(lone(db)).toEqual([]);
    db.close();
    expect(built).toMatchObject({ seq: 11, hash: entries[10]!.hash });
    expect(refusal(file, { seq: built.seq, headHash: built.hash })).toBeNull();
  });

  it("is refused when a run's hash was changed: the next event no longer follows from it", async () => {
    const { file, built } = await builtFile('changed.sqlite');
    tamper(file, `update redacted_ranges set hash = '${h('e')}' where seq = 5`);
    expect(refusal(file, { seq: built.seq, headHash: built.hash })).toEqual({ key: 'syncSnapshot.brokenChain', params: { seq: 6 } });
  });

  it("is refused when the last run's hash was changed: the chain no longer ends at the signed head", async () => {
    const { file, built } = await builtFile('head.sqlite');
    tamper(file, `update redacted_ranges set hash = '${h('e')}' where seq = 11`);
    expect(refusal(file, { seq: built.seq, headHash: built.hash })).toMatchObject({ key: 'syncSnapshot.brokenChain' });
  });

  it('is refused when a run was made shorter or dropped: a gap in the sequence', async () => {
    const { file, built } = await builtFile('short.sqlite');
    tamper(file, 'update redacted_ranges set from_seq = 4 where seq = 5');
    expect(refusal(file, { seq: built.seq, headHash: built.hash })).toEqual({ key: 'syncSnapshot.brokenChain', params: { seq: 3 } });
    const dropped = await builtFile('dropped.sqlite');
    tamper(dropped.file, 'delete from redacted_ranges where seq = 8');
    expect(refusal(dropped.file, { seq: dropped.built.seq, headHash: dropped.built.hash })).toEqual({ key: 'syncSnapshot.brokenChain', params: { seq: 7 } });
  });
});

describe('a console installed from such a snapshot, cut back by a repair inside a run', () => {
  it('cuts the whole run (the hashes inside it are not held) and pulls it again one event at a time to the same head', async () => {
    const { file, built, entries } = await builtFile('repair.sqlite');
    const l = openDatabase(':memory:');
    await migrateToLatest(l.db);
    afterMigrate(l.sqlite);
    l.sqlite.prepare('attach database ? as snapshot').run(file);
    copySnapshotTables(l.sqlite, 'snapshot');
    l.sqlite.exec('detach database snapshot');
    const applier = new SyncApplier(l.sqlite, LEDGER_WRITE_HOOKS);
    // Seq 8 lies in the run 7-8: the cut goes back to 6, the publication before it.
    expect(applier.truncateFrom(8)).toEqual({ seq: 6, hash: entries[5]!.hash });
    expect(ranges(l.sqlite)).toEqual([[3, 5, entries[4]!.hash]]);
    expect(applier.applyPage(entries.slice(6), built.seq)).toEqual({ seq: 11, hash: built.hash });
    expect(lone(l.sqlite)).toEqual([7, 8, 10, 11]);
    expect(applier.firstLocalBreak()).toBeNull();
    await l.close();
  });
});
