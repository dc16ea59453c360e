import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migrateTo, migrateToLatest, openDatabase, type LedgerDb } from '../open.js';
import { PAY_KEY_MATCH, payKey, payKeyArgs } from '../pay-keys.js';

let l: LedgerDb;
beforeEach(() => {
  l = openDatabase(':memory:');
});
afterEach(() => l.close());

/**
 * Two Hecto keys whose 32-bit keys are the same (0x757c0442, found by a
 * search over `hecto\0STFP26031…` strings): a lookup must tell them apart by
 * the event's own columns.
 */
const TWIN_A = 'STFP26031000149599';
const TWIN_B = 'STFP26031000312382';

/** 3,000 events as sync stores them: every third without payment (a use), the rest by three providers; plus the twins. */
function fill(): void {
  const ins = l.sqlite.prepare(
    `insert into ledger_events (seq, event_id, type, round_id, lot_id, district_code, amount, payment_method, occurred_at, payload, hash,
       pay_provider, pay_tid, pay_approved_at, pay_amount) values (?, ?, ?, 'r', ?, '11110', 10000, 'bank_transfer', '2026-03-10T01:00:00.000Z', '{}', 'h', ?, ?, ?, ?)`,
  );
  const providers = ['hecto', 'toss', 'kicc'];
  l.sqlite.transaction(() => {
    for (let seq = 1; seq <= 3_000; seq++) {
      const paid = seq % 3 !== 0;
      const provider = providers[seq % 3]!;
      ins.run(seq, `e${seq}`, paid ? 'purchase' : 'use', `lot-${seq}`, paid ? provider : null, paid ? `T${seq}` : null, paid ? '2026-03-10T00:59:59.000Z' : null, paid ? 9_300 : null);
    }
    ins.run(3_001, 'twin-a', 'purchase', 'lot-a', 'hecto', TWIN_A, '2026-03-10T00:59:59.000Z', 9_300);
    ins.run(3_002, 'twin-b', 'purchase', 'lot-b', 'hecto', TWIN_B, '2026-03-10T00:59:59.000Z', 9_300);
  })();
}

const plan = (q: string, ...params: unknown[]) =>
  (l.sqlite.prepare(`explain query plan ${q}`).all(...params) as { detail: string }[]).map((r) => r.detail).join(' | ');
const eventOf = (provider: string, tid: string) => l.sqlite.prepare(`select e.event_id ${'from ' + PAY_KEY_MATCH}`).pluck().all(...payKeyArgs(provider, tid));

describe('migration 0044_pay_keys', () => {
  it('moves every payment reference held into pay_keys, drops the old index, and each lookup by reference searches by key', async () => {
    await migrateTo(l.db, '0043_redacted_ranges');
    fill();
    expect(payKey('hecto', TWIN_A)).toBe(payKey('hecto', TWIN_B));
    await migrateToLatest(l.db);
    // Two of every three of the 3,000 carry a reference, and the twins: 2,000 + 2 rows.
    expect(l.sqlite.prepare('select count(*) from pay_keys').pluck().get()).toBe(2_002);
    expect(l.sqlite.prepare("select count(*) from pay_keys where seq % 3 = 0 and seq <= 3000").pluck().get()).toBe(0);
    expect(l.sqlite.prepare("select name from sqlite_master where name = 'ledger_events_pay_tid'").get()).toBeUndefined();
    // Found by reference, each its own event: seq 1 is toss's T1, seq 2 kicc's T2, seq 4 toss's T4.
    expect(eventOf('toss', 'T1')).toEqual(['e1']);
    expect(eventOf('kicc', 'T2')).toEqual(['e2']);
    expect(eventOf('hecto', 'T1')).toEqual([]);
    expect(eventOf('toss', 'T3')).toEqual([]);
    // The twins share a key, and each lookup still names only its own event.
    expect(eventOf('hecto', TWIN_A)).toEqual(['twin-a']);
    expect(eventOf('hecto', TWIN_B)).toEqual(['twin-b']);
    // The reconciliation's lookups (ledger-source.ts: a district, an event id, whether a key is held): by key (and the few events
    // after pay_keys' mark by sequence, migration 0045), then the event by its sequence.
    for (const q of [`select e.district_code from ${PAY_KEY_MATCH}`, `select e.event_id from ${PAY_KEY_MATCH}`, `select 1 from ${PAY_KEY_MATCH} limit 1`]) {
      expect(plan(q, ...payKeyArgs('toss', 'T1'))).toMatch(/SEARCH pay_keys USING PRIMARY KEY \(key=\?\) .*SEARCH e USING INTEGER PRIMARY KEY \(rowid=\?\)$/);
    }
    // The day's matching still reads the covering index by approval time.
    expect(plan("select pay_tid from ledger_events indexed by ledger_events_pay_time where pay_provider = ? and pay_tid is not null and pay_approved_at >= ? and pay_approved_at < ?", 'toss', 'a', 'b')).toMatch(
      /USING COVERING INDEX ledger_events_pay_time/,
    );
  });

  it('keeps pay_keys append-only outside a repair', async () => {
    await migrateToLatest(l.db);
    fill();
    l.sqlite.prepare('insert into pay_keys (key, seq) values (?, ?)').run(payKey('toss', 'T1'), 1);
    expect(() => l.sqlite.prepare('update pay_keys set seq = 2').run()).toThrow(/append-only/);
    expect(() => l.sqlite.prepare('delete from pay_keys').run()).toThrow(/append-only/);
    l.sqlite.prepare('insert into sync_repair (id) values (1)').run();
    expect(l.sqlite.prepare('delete from pay_keys').run().changes).toBe(1);
  });

  it('rolls back to 0043 with the index on the reference again', async () => {
    await migrateToLatest(l.db);
    await migrateTo(l.db, '0043_redacted_ranges');
    expect(l.sqlite.prepare("select name from sqlite_master where name = 'pay_keys'").get()).toBeUndefined();
    expect(plan('select seq from ledger_events where pay_provider = ? and pay_tid = ?', 'hecto', 'x')).toMatch(/ledger_events_pay_tid/);
  });
});
