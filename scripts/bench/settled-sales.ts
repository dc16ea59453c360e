/**
 * A long history of sales that settle, on a server in the bench's own process whose clock is moved by hand:
 * a round on sale for many days; days on which every lot sold is then spent (the feed's own rules) and every
 * district closes; folds of what is a week old. What bench:fold and the cached year (year-log.ts) are made of.
 */
import { DISTRICT_CODES } from '../../shared/common/districts.js';
import { seoulDayKey } from '../../shared/common/time.js';
import { playSale } from '../../server/feed/sale-feed.js';
import { foldSettledUses, type FoldResult } from '../../server/log/compaction.js';
import type { ServerHarness } from '../../tests/support/server-harness.js';
import { spec2022 } from '../../tests/support/specs.js';

export const DAY = 86_400_000;

export interface SettledSales {
  /** When the round opened (ms since the epoch): the days are counted from it. */
  readonly opens: number;
  /** Sells `purchases` at `at` (ms), each lot then spent in `usesPerLot` uses, and closes that Seoul day in every district. */
  sellDay(at: number, o: { purchases: number; seed: number; usesPerLot: number }): Promise<{ purchases: number; uses: number }>;
  /** An administrator folds, at `at`, every settled use a week old; a wrong count is said by `foldMismatch`. */
  foldAt(at: number): Promise<FoldResult>;
}

/** A round `roundId` of the 2022 preset's rules, on sale for `days` days with stock that never stops the feed, on `s`. */
export async function settledSales(s: ServerHarness, roundId: string, name: string, days: number): Promise<SettledSales> {
  const staff = await s.staff();
  const admin = await s.sdb.db.selectFrom('users').select(['id', 'username', 'display_name']).where('username', '=', 'admin').executeTakeFirstOrThrow();
  const adminUser = { id: admin.id, username: admin.username, displayName: admin.display_name, role: 'admin' as const, districtCode: null };
  const base = spec2022({ name });
  const opens = Date.parse(base.opensAt);
  const spec = { ...base, totalAmount: 10_000_000_000_000, closesAt: new Date(opens + days * DAY).toISOString() };
  await s.openRound(roundId, spec, staff.official, staff.official2, new Date(opens + 3_600_000));
  return {
    opens,
    async sellDay(at, o) {
      s.clock = new Date(at);
      const fed = await playSale(s.sdb.db, { roundId, ...o, usesShare: 1, fullLimitShare: 1, recordedBy: admin.id, now: () => s.now(), batchSize: 2_000 });
      const day = seoulDayKey(s.clock.toISOString());
      await s.sdb.db
        .insertInto('day_closings')
        .values(DISTRICT_CODES.map((district_code) => ({ district_code, day, closed: true, changed_by: admin.id, changed_at: new Date(at), seq: '0' })))
        .execute();
      return { purchases: fed.purchases, uses: fed.uses };
    },
    async foldAt(at) {
      s.clock = new Date(at);
      return foldSettledUses(s.sdb.db, adminUser, 7, s.now());
    },
  };
}

/** Null when a fold took exactly the uses written since the last one, in one checkpoint a spent lot; else what differs. */
export function foldMismatch(fold: FoldResult, written: { purchases: number; uses: number }): string | null {
  return fold.events === written.uses && fold.checkpoints === written.purchases
    ? null
    : `folded ${fold.events} uses into ${fold.checkpoints} checkpoints, written ${written.uses} uses on ${written.purchases} lots`;
}
