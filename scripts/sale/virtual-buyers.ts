import { apportion, ArrivalStream, MergedArrivals, planSegments } from '../../shared/simulation/arrivals.js';
import type { SimParams } from '../../shared/simulation/params.js';
import { streams } from '../../shared/simulation/random.js';

/** One simulated person as the rehearsal replays them; times in seconds on the simulation clock (0 = start of the pre-opening window). */
export interface VirtualBuyer {
  n: number;
  arriveAt: number;
  /** Seconds they wait in the queue before leaving; Infinity: they never give up. Counted from the opening for early arrivals, as the simulator does. */
  patience: number;
  /** Seconds from admission to pressing "buy" (filling in the page). */
  checkout: number;
  /** Sale units (params.sale.unit) they buy. */
  units: number;
  /** Whether they come back after being logged out (the simulator's returns.probability). */
  returns: boolean;
}

/**
 * The simulator's buyers for one scenario: arrivals from the same arrival
 * plan and random stream the engine uses (planSegments + ArrivalStream, one
 * stream per birth-year slot), and each person's patience, checkout time,
 * amount and return drawn from the distributions the engine draws them from
 * (engine.ts: exponential or fixed patience; lognormal σ 0.5, exponential or
 * fixed checkout; the whole limit with fullLimitShare, else uniform below it).
 * The engine draws these lazily as events happen, so the individual draws
 * differ from one engine run; the distributions are the same.
 */
export function planBuyers(p: SimParams): VirtualBuyer[] {
  const rs = streams(p.seed);
  const O = p.arrival.preOpenMinutes * 60;
  const W = O + p.sale.windowMinutes * 60;
  const slots = p.waitingRoom.order === 'birth_year' && p.waitingRoom.slots.length > 0 ? p.waitingRoom.slots : [{ share: 1, startMinute: 0 }];
  const counts = apportion(p.visitors, slots.map((s) => s.share));
  const perSlot = slots.map((s, i) => new ArrivalStream(planSegments(p.arrival, counts[i]!, O + s.startMinute * 60, W, s.startMinute === 0, rs.arrivals), rs.arrivals));
  const arrivals: { next: number; advance(): void } = perSlot.length === 1 ? perSlot[0]! : new MergedArrivals(perSlot);

  const limitUnits = Math.max(1, Math.floor(p.purchase.limit / p.sale.unit));
  const LN_SIGMA = 0.5;
  const lnMu = Math.log(p.checkout.meanSeconds) - (LN_SIGMA * LN_SIGMA) / 2;
  const checkout = () =>
    p.checkout.distribution === 'exponential' ? rs.checkout.exponential(p.checkout.meanSeconds) : p.checkout.distribution === 'fixed' ? p.checkout.meanSeconds : Math.exp(lnMu + LN_SIGMA * rs.checkout.normal());
  const patience = () => (p.patience.kind === 'exponential' ? rs.patience.exponential(p.patience.meanMinutes * 60) : p.patience.kind === 'fixed' ? p.patience.meanMinutes * 60 : Infinity);

  const out: VirtualBuyer[] = [];
  for (let n = 0; n < p.visitors && Number.isFinite(arrivals.next); n++, arrivals.advance()) {
    out.push({
      n,
      arriveAt: arrivals.next,
      patience: patience(),
      checkout: checkout(),
      units: limitUnits === 1 || rs.amounts.uniform() < p.purchase.fullLimitShare ? limitUnits : 1 + rs.amounts.below(limitUnits - 1),
      returns: rs.returns.uniform() < p.returns.probability,
    });
  }
  return out;
}
