import type { SimParams } from '../../shared/simulation/params.js';
import { attachSaleService } from '../../server/sale/sale-service.js';
import { rehearse, type RehearsalReport } from './rehearsal.js';
import { rehearsalRound, rehearsalScale } from './rehearsal-round.js';
import { RehearsalServer } from './stack.js';

export interface LocalRehearsalOptions {
  roundId: string;
  params: SimParams;
  speed: number;
  maxBuyers: number;
  maxSeconds: number;
  pollMs: number;
  databaseUrl?: string | undefined;
  /** Real seconds between the start and the opening at least (the pre-opening window compressed is used when longer). */
  leadSeconds?: number;
  log?: (line: string) => void;
}

/**
 * A rehearsal on a stack of its own: PostgreSQL, a private redis-server and
 * the sale service on one server process, the round published by two
 * officials from the scenario (rehearsalRound), the payment stand-in failing
 * as often as the scenario's payments do; then the virtual buyers.
 */
export async function localRehearsal(o: LocalRehearsalOptions): Promise<RehearsalReport> {
  const log = o.log ?? (() => {});
  const { scale, scaled } = rehearsalScale(o.params, o.maxBuyers);
  const server = await RehearsalServer.start({
    databaseUrl: o.databaseUrl,
    attach: async (app, sdb) => (await attachSaleService(app, { db: sdb.db, payment: { failureRate: scaled.checkout.failureRate }, log: () => {} })).close,
  });
  try {
    const lead = Math.max(o.leadSeconds ?? 2, (scaled.arrival.preOpenMinutes * 60) / o.speed);
    const opensAt = new Date(Math.ceil((Date.now() + lead * 1000 + 1_000) / 1000) * 1000);
    // The round closes before the rehearsal's time is up, so everyone's visit ends inside it.
    const round = rehearsalRound(scaled, o.speed, opensAt, `rehearsal ${o.roundId}`, Date.now() + o.maxSeconds * 1000 - opensAt.getTime() - 3_000);
    await server.openRound(o.roundId, round);
    log(`round ${o.roundId}: scale ${scale.toPrecision(3)} (${scaled.visitors} visitors), stock ${round.totalAmount} won, ${round.waitingRoom.admissionPerMinute}/min admitted, max active ${round.waitingRoom.maxActiveSessions}, session ${round.sessionTimeoutMinutes} min, opens ${round.opensAt}`);
    return await rehearse({
      urls: [server.url],
      roundId: o.roundId,
      round,
      scaled,
      speed: o.speed,
      startAt: opensAt.getTime() - (scaled.arrival.preOpenMinutes * 60_000) / o.speed,
      maxSeconds: o.maxSeconds,
      pollMs: o.pollMs,
      check: () => server.check(server.url, o.roundId),
      log,
    });
  } finally {
    await server.close();
  }
}
