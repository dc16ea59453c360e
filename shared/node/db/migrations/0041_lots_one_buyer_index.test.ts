import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DISTRICT_CODES } from '../../../common/districts.js';
import { migrateTo, migrateToLatest, openDatabase, type LedgerDb } from '../open.js';

let l: LedgerDb;
beforeEach(() => {
  l = openDatabase(':memory:');
});
afterEach(() => l.close());

/** 5,000 lots of 1,000 buyers over every district and a year of months, so the planner has a real choice to make. */
function fill(): void {
  const ins = l.sqlite.prepare(
    `insert into lots (lot_id, round_id, buyer_id, holder_id, scope, district_code, payment_method, face, paid, discount_bp, purchased_at, month, expires_at, used, refunded, status, gifted)
     values (?, 'r', ?, ?, 'city', ?, 'bank_transfer', 10000, 9000, 1000, ?, ?, '2027-01-01T00:00:00.000Z', 0, 0, 'active', 0)`,
  );
  l.sqlite.transaction(() => {
    for (let i = 0; i < 5_000; i++) {
      const month = `2026-${String(1 + (i % 12)).padStart(2, '0')}`;
      ins.run(`lot-${i}`, `buyer-${i % 1_000}`, `buyer-${i % 1_000}`, DISTRICT_CODES[i % DISTRICT_CODES.length], `${month}-10T01:00:00.000Z`, month);
    }
  })();
}

const plan = (q: string, ...params: unknown[]) =>
  (l.sqlite.prepare(`explain query plan ${q}`).all(...params) as { detail: string }[]).map((r) => r.detail).join(' | ');

const FINDER = 'select * from lots where buyer_id in (?, ?) and district_code = ? order by purchased_at desc, lot_id';
const INDEXES = "select name from sqlite_master where type = 'index' and tbl_name = 'lots' and sql is not null order by name";

describe('migration 0041_lots_one_buyer_index', () => {
  it('leaves lots one index led by the buyer, which every query by buyer still searches', async () => {
    await migrateTo(l.db, '0040_snapshot_key_pin');
    expect(l.sqlite.prepare(INDEXES).pluck().all()).toContain('lots_buyer_month');
    fill();
    const finderBefore = plan(FINDER, 'buyer-7', 'buyer-8', '11110');
    await migrateToLatest(l.db);
    expect(l.sqlite.prepare(INDEXES).pluck().all()).toEqual(['lots_buyer', 'lots_district_purchased', 'lots_holder', 'lots_round']);
    // A buyer's monthly total (ledger-store.ts): by the buyer, not a scan of the table.
    expect(plan("select coalesce(sum(face), 0) from lots where buyer_id = ? and scope = ? and month = ? and status != 'cancelled'", 'buyer-7', 'city', '2026-08')).toMatch(
      /SEARCH lots USING INDEX lots_buyer \(buyer_id=\?\)/,
    );
    // The counter's search by buyer within a district, newest first (refund-handlers.ts).
    expect(plan("select * from lots where district_code = ? and buyer_id = ? order by purchased_at desc, lot_id limit 51", '11110', 'buyer-7')).toMatch(
      /SEARCH lots USING INDEX lots_buyer \(buyer_id=\? AND district_code=\?\)/,
    );
    // The buyer finder's (find-buyer.ts) walks the district by time with or without the monthly index: its plan is unchanged.
    expect(plan(FINDER, 'buyer-7', 'buyer-8', '11110')).toBe(finderBefore);
    // The answer itself: buyer-7's lots are lots 7, 1007, … one per 1,000, in months 8, 12, 4, 8, 12 (i mod 12 + 1).
    expect(l.sqlite.prepare("select count(*) from lots where buyer_id = 'buyer-7' and scope = 'city' and month = '2026-08'").pluck().get()).toBe(2);
  });

  it('rolls back to 0040 with the monthly index again', async () => {
    await migrateToLatest(l.db);
    await migrateTo(l.db, '0040_snapshot_key_pin');
    expect(l.sqlite.prepare(INDEXES).pluck().all()).toContain('lots_buyer_month');
  });
});
