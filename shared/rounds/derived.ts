import { basisPointsOf, type Won } from '../common/money.js';
import type { RoundSpec } from './spec.js';

export interface RoundFigures {
  /** What the city pays if the whole round sells: total × discount. */
  subsidyCost: Won;
  /** What buyers pay in: total − subsidy. */
  moneyReceived: Won;
  /** How many people can buy their full monthly limit before stock runs out. */
  maxFullLimitBuyers: number;
  /** Discount one full-limit buyer receives. */
  subsidyPerFullBuyer: Won;
  /** People expected in the queue: the planning estimate, or at least the full-limit buyers. */
  expectedQueue: number;
  /** Minutes the last person in that queue waits at the configured admission rate. */
  expectedWaitMinutes: number | null;
}

export function deriveRoundFigures(spec: RoundSpec): RoundFigures {
  const total = Math.max(0, spec.totalAmount);
  const bp = Math.min(Math.max(0, spec.discountBp), 10_000);
  const subsidyCost = basisPointsOf(total, bp);
  const limit = spec.perPersonMonthlyLimit;
  const maxFullLimitBuyers = limit > 0 ? Math.floor(total / limit) : 0;
  const expectedQueue = spec.expectedVisitors != null && spec.expectedVisitors > 0 ? spec.expectedVisitors : maxFullLimitBuyers;
  const rate = spec.waitingRoom.admissionPerMinute;
  return {
    subsidyCost,
    moneyReceived: total - subsidyCost,
    maxFullLimitBuyers,
    subsidyPerFullBuyer: limit > 0 ? basisPointsOf(limit, bp) : 0,
    expectedQueue,
    expectedWaitMinutes: rate > 0 ? Math.ceil(expectedQueue / rate) : null,
  };
}
