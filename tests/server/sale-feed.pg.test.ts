import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { playSale } from '../../server/feed/sale-feed.js';
import { ServerHarness } from '../support/server-harness.js';
import { spec2022 } from '../support/specs.js';

/**
 * The development feed's uses: a spent lot is spent in `usesPerLot` uses (a certificate is spent over
 * many visits; bench:fold folds them), each in whole thousands of won, together exactly what the lot
 * records as used — the rule the log's own checks hold every use to.
 */
const roundId = 'round-feed-uses';
const spec = spec2022({ paymentMethods: ['bank_transfer', 'debit_card'] });
let s: ServerHarness;
let adminId: string;

beforeAll(async () => {
  s = await ServerHarness.start({ noSnapshots: true });
  const staff = await s.staff();
  adminId = (await s.sdb.db.selectFrom('users').select('id').where('username', '=', 'admin').executeTakeFirstOrThrow()).id;
  await s.openRound(roundId, spec, staff.official, staff.official2, new Date(Date.parse(spec.opensAt) + 3_600_000));
  s.clock = new Date(Date.parse(spec.opensAt) + 2 * 3_600_000);
});
afterAll(() => s.close());

describe('the sale feed, uses per lot', () => {
  it('spends each lot in K uses of whole thousands that add up to what the lot records as used', async () => {
    const fed = await playSale(s.sdb.db, { roundId, purchases: 60, seed: 3, usesShare: 1, usesPerLot: 4, fullLimitShare: 0.5, recordedBy: adminId, now: () => s.now() });
    const lots = await s.sdb.db.selectFrom('lots').select(['lot_id', 'used']).where('round_id', '=', roundId).execute();
    const uses = await s.sdb.db.selectFrom('events').select(['lot_id', 'payload']).where('type', '=', 'use').execute();
    expect(lots).toHaveLength(60);
    expect(fed.uses).toBe(uses.length);
    const byLot = new Map<string, number[]>();
    for (const u of uses) byLot.set(u.lot_id!, [...(byLot.get(u.lot_id!) ?? []), (JSON.parse(u.payload) as { amount: number }).amount]);
    for (const lot of lots) {
      const used = Number(lot.used);
      const amounts = byLot.get(lot.lot_id) ?? [];
      expect(amounts, lot.lot_id).toHaveLength(Math.min(4, used / 1_000));
      expect(amounts.reduce((a, b) => a + b, 0), lot.lot_id).toBe(used);
      for (const a of amounts) expect(a % 1_000 === 0 && a >= 1_000, `${lot.lot_id}: ${a}`).toBe(true);
    }
  });
});
