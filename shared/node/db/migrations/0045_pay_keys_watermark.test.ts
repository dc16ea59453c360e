import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migrateTo, migrateToLatest, openDatabase, type LedgerDb } from '../open.js';
import { PAY_KEY_MATCH, payKey, payKeyArgs } from '../pay-keys.js';

let l: LedgerDb;
beforeEach(() => {
  l = openDatabase(':memory:');
});
afterEach(() => l.close());

/** Events 1..n as sync stores them, each paid through toss under `T<seq>`. */
function events(from: number, to: number): void {
  const ins = l.sqlite.prepare(
    `insert into ledger_events (seq, event_id, type, round_id, lot_id, district_code, amount, payment_method, occurred_at, payload, hash,
       pay_provider, pay_tid, pay_approved_at, pay_amount) values (?, ?, 'purchase', 'r', ?, '11110', 10000, 'bank_transfer', '2026-03-10T01:00:00.000Z', '{}', 'h', 'toss', ?, '2026-03-10T00:59:59.000Z', 9300)`,
  );
  l.sqlite.transaction(() => {
    for (let seq = from; seq <= to; seq++) ins.run(seq, `e${seq}`, `lot-${seq}`, `T${seq}`);
  })();
}

const plan = (q: string, ...params: unknown[]) =>
  (l.sqlite.prepare(`explain query plan ${q}`).all(...params) as { detail: string }[]).map((r) => r.detail).join(' | ');
const eventOf = (tid: string) => l.sqlite.prepare(`select e.event_id from ${PAY_KEY_MATCH}`).pluck().all(...payKeyArgs('toss', tid));
const mark = () => l.sqlite.prepare('select last_seq from pay_keys_state').pluck().get();

describe('migration 0045_pay_keys_watermark', () => {
  it("marks every event held as keyed, and a lookup finds an event after the mark by its own columns, once", async () => {
    await migrateTo(l.db, '0044_pay_keys');
    events(1, 50);
    l.sqlite.prepare('insert into pay_keys (key, seq) select pay_key(pay_provider, pay_tid), seq from ledger_events').run();
    await migrateToLatest(l.db);
    expect(mark()).toBe(50);
    // 51 and 52 come after the mark without keys (an applier mid-page); 53 after it with its key (a test's LedgerStore writes at once).
    events(51, 53);
    l.sqlite.prepare('insert into pay_keys (key, seq) values (?, 53)').run(payKey('toss', 'T53'));
    expect(['T7', 'T50', 'T51', 'T52', 'T53', 'T54'].map(eventOf)).toEqual([['e7'], ['e50'], ['e51'], ['e52'], ['e53'], []]);
    // The events after the mark by a range of the primary key, never by the provider's approval-time index (all of its events).
    const p = plan(`select e.event_id from ${PAY_KEY_MATCH}`, ...payKeyArgs('toss', 'T1'));
    expect(p).toMatch(/SEARCH pay_keys USING PRIMARY KEY \(key=\?\)/);
    expect(p).toMatch(/SEARCH ledger_events USING INTEGER PRIMARY KEY \(rowid>\?\)/);
    expect(p).not.toMatch(/ledger_events_pay_time|SCAN ledger_events/);
  });

  it('starts at 0 on an empty ledger, and rolls back to 0044 writing the keys held back', async () => {
    await migrateToLatest(l.db);
    expect(mark()).toBe(0);
    events(1, 3);
    l.sqlite.prepare('update pay_keys_state set last_seq = 1').run();
    l.sqlite.prepare('insert into pay_keys (key, seq) values (?, 1), (?, 3)').run(payKey('toss', 'T1'), payKey('toss', 'T3'));
    await migrateTo(l.db, '0044_pay_keys');
    expect(l.sqlite.prepare("select name from sqlite_master where name = 'pay_keys_state'").get()).toBeUndefined();
    expect(l.sqlite.prepare('select key, seq from pay_keys order by seq').raw().all()).toEqual([1, 2, 3].map((s) => [payKey('toss', `T${s}`), s]));
  });
});
