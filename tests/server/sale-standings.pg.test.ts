import { sql, type KyselyPlugin } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buyerStanding, buyerStandings, insertLots } from '../../server/log/state.js';
import { standingBatcher } from '../../server/sale/standing-batch.js';
import { ServerHarness } from '../support/server-harness.js';

let h: ServerHarness;

/** One lot as the log holds it; `holder` differs from the buyer for a gift. */
const lot = (lotId: string, buyerId: string, scope: string, month: string, face: number, o: { used?: number; status?: 'active' | 'cancelled' | 'refunded'; holder?: string } = {}) => ({
  row: {
    lot: { lotId, roundId: 'r-standing', buyerId, holderId: buyerId, districtCode: '11110', paymentMethod: 'bank_transfer' as const, face, paid: face, discountBp: 0, purchasedAt: `${month}-05T01:00:00.000Z`, expiresAt: '2031-01-05T01:00:00.000Z', used: o.used ?? 0, refunded: 0, status: 'active' as const, gifted: false },
    scope,
    month,
  },
  status: o.status ?? 'active',
  holder: o.holder,
});

const LOTS = [
  lot('s1', 'sa', 'city', '2026-12', 100_000),
  lot('s2', 'sa', 'city', '2026-11', 50_000, { used: 20_000 }),
  lot('s3', 'sa', 'city', '2026-12', 70_000, { status: 'cancelled' }),
  lot('s4', 'sa', 'district:11110', '2026-12', 200_000),
  lot('s5', 'sa', 'city', '2026-12', 40_000, { used: 10_000, holder: 'sb' }),
  lot('s6', 'sb', 'city', '2026-12', 10_000, { status: 'refunded' }),
];

/**
 * Worked out by hand from LOTS (month: bought in the month and scope, not cancelled; holding: face − used of active
 * lots held in the scope, whoever bought them):
 * sa, 2026-12: month s1 + s5 = 140,000; holding s1 + (s2 − used) = 100,000 + 30,000 = 130,000 (s5 was given to sb)
 * sa, 2026-11: month s2 = 50,000; holding the same 130,000
 * sb, 2026-12: month s6 (refunded, still bought) = 10,000; holding s5 − used = 30,000
 * sc: nothing at all.
 */
const EXPECTED = {
  sa: { monthFace: 140_000, holding: 130_000 },
  sb: { monthFace: 10_000, holding: 30_000 },
  sc: { monthFace: 0, holding: 0 },
};

beforeAll(async () => {
  h = await ServerHarness.start();
  await h.sdb.db.transaction().execute(async (trx) => {
    await insertLots(trx, LOTS.map((l) => l.row));
    for (const l of LOTS) {
      await sql`update lots set status = ${l.status}, holder_id = ${l.holder ?? l.row.lot.buyerId}, gifted = ${l.holder !== undefined} where lot_id = ${l.row.lot.lotId}`.execute(trx);
    }
  });
}, 120_000);

afterAll(async () => {
  await h?.close();
});

describe("a joining buyer's standing from the log", () => {
  it('sums what each buyer bought this month and holds now, several buyers in one query', async () => {
    const all = await buyerStandings(h.sdb.db, ['sa', 'sb', 'sc', 'sa'], 'city', '2026-12');
    expect(Object.fromEntries(all)).toEqual(EXPECTED);
    expect(await buyerStanding(h.sdb.db, 'sa', 'city', '2026-11')).toEqual({ monthFace: 50_000, holding: 130_000 });
    expect(await buyerStanding(h.sdb.db, 'sa', 'district:11110', '2026-12')).toEqual({ monthFace: 200_000, holding: 200_000 });
  });

  it('joins arriving in one turn are asked together: one query per scope and month, each buyer answered right', async () => {
    let queries = 0;
    const counting: KyselyPlugin = {
      transformQuery: (a) => {
        queries++;
        return a.node;
      },
      transformResult: async (a) => a.result,
    };
    const batcher = standingBatcher(h.sdb.db.withPlugin(counting));
    const answers = await Promise.all([
      batcher.load({ buyerId: 'sa', scope: 'city', month: '2026-12' }),
      batcher.load({ buyerId: 'sb', scope: 'city', month: '2026-12' }),
      batcher.load({ buyerId: 'sc', scope: 'city', month: '2026-12' }),
      batcher.load({ buyerId: 'sa', scope: 'city', month: '2026-11' }),
      batcher.load({ buyerId: 'sb', scope: 'city', month: '2026-12' }),
    ]);
    expect(answers).toEqual([EXPECTED.sa, EXPECTED.sb, EXPECTED.sc, { monthFace: 50_000, holding: 130_000 }, EXPECTED.sb]);
    expect(queries).toBe(2);
    // Nothing is kept between turns: a lot bought since is counted at the next join.
    await h.sdb.db.transaction().execute((trx) => insertLots(trx, [lot('s7', 'sc', 'city', '2026-12', 5_000).row]));
    expect(await batcher.load({ buyerId: 'sc', scope: 'city', month: '2026-12' })).toEqual({ monthFace: 5_000, holding: 5_000 });
    expect(queries).toBe(3);
  });
});
