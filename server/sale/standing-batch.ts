import DataLoader from 'dataloader';
import type { Kysely } from 'kysely';
import type { ServerDatabase } from '../db/schema.js';
import { buyerStandings } from '../log/state.js';

export interface StandingAsk {
  buyerId: string;
  /** The round's limit scope (limitScope) and the Seoul month the join falls in. */
  scope: string;
  month: string;
}

/**
 * A buyer's standing (bought this month, held now) for the join, from
 * PostgreSQL: the joins a process receives in one event-loop turn are asked in
 * one query instead of one each. Under load a query's socket write and the
 * backend it wakes cost a sale process more than the join's own work (issue 19's
 * profile). Nothing is cached: each join reads the log as it is when its batch
 * goes out (the next setImmediate, after this turn's requests are parsed).
 */
export function standingBatcher(db: Kysely<ServerDatabase>, maxBatch = 500): DataLoader<StandingAsk, { monthFace: number; holding: number }> {
  return new DataLoader(
    async (asks) => {
      const groups = new Map<string, StandingAsk[]>();
      for (const a of asks) {
        const key = `${a.scope}\u0000${a.month}`;
        groups.set(key, [...(groups.get(key) ?? []), a]);
      }
      const found = new Map<string, { monthFace: number; holding: number }>();
      for (const [key, group] of groups) {
        const answer = await buyerStandings(db, group.map((a) => a.buyerId), group[0]!.scope, group[0]!.month);
        for (const [buyerId, standing] of answer) found.set(`${key}\u0000${buyerId}`, standing);
      }
      return asks.map((a) => found.get(`${a.scope}\u0000${a.month}\u0000${a.buyerId}`) ?? new Error(`no standing for ${a.buyerId}`));
    },
    { cache: false, maxBatchSize: maxBatch, batchScheduleFn: (run) => setImmediate(run) },
  );
}
