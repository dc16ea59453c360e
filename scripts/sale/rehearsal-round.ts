import { findPreset } from '../../shared/rounds/presets.js';
import type { RoundSpec } from '../../shared/rounds/spec.js';
import { rehearsalFromParams, type SimParams } from '../../shared/simulation/params.js';
import { scaledParams } from '../../shared/simulation/rehearsal-check.js';

/** Hard caps: a rehearsal is bounded in people and time whatever it is asked. */
export const MAX_BUYERS = 200_000;
export const MAX_SECONDS = 600;

/**
 * The scenario at the rehearsal's size: visitors, stock, admission rate and
 * maximum active shrink by one factor (scaledParams, as the editor's quick
 * run does), which keeps the queue's length in minutes.
 */
export function rehearsalScale(p: SimParams, maxBuyers: number): { scale: number; scaled: SimParams } {
  const scale = Math.min(1, Math.min(maxBuyers, MAX_BUYERS) / p.visitors);
  return { scale, scaled: scaledParams(p, scale) };
}

/**
 * The round a rehearsal sells: the scaled scenario's stock, limit, queue and
 * session settings, with time compressed `speed` times (admissions per minute
 * × speed, session timeout ÷ speed, the window ÷ speed, cut to `maxWindowMs`). The round's settings
 * are whole numbers (per minute, minutes), so they are rounded here, and the
 * prediction (predictionParams) is made from these rounded settings, not
 * from the scenario: the simulator and the sale see the same numbers.
 */
export function rehearsalRound(scaled: SimParams, speed: number, opensAt: Date, name = 'rehearsal', maxWindowMs = Infinity): RoundSpec {
  const base = findPreset('seoul-2022-07-14')!.spec(opensAt);
  const wr = scaled.waitingRoom;
  // A rehearsal bounded in time closes the round at its end, so the simulator is asked about the same window.
  const windowMs = Math.max(10_000, Math.min(maxWindowMs, (scaled.sale.windowMinutes * 60_000) / speed));
  return {
    ...base,
    name,
    totalAmount: scaled.sale.stock,
    perPersonMonthlyLimit: scaled.purchase.limit,
    holdingLimit: Math.max(base.holdingLimit, scaled.purchase.limit),
    opensAt: opensAt.toISOString(),
    closesAt: new Date(opensAt.getTime() + Math.round(windowMs)).toISOString(),
    sessionTimeoutMinutes: Math.max(1, Math.round((scaled.session.timeoutMinutes ?? 24 * 60) / speed)),
    waitingRoom: {
      admissionPerMinute: Math.max(1, Math.round((wr.admissionPerMinute ?? 1_000_000) * speed)),
      maxActiveSessions: wr.maxActiveSessions ?? 1_000_000,
      order: wr.order === 'birth_year' ? 'fifo' : wr.order,
      stockCutoff: wr.stockCutoff,
      cutoffMargin: wr.cutoffMargin,
    },
    expectedVisitors: scaled.visitors,
    rehearsal: rehearsalFromParams(scaled),
  };
}

/**
 * What the simulator is asked for the same sale, one to one: the scaled
 * scenario's people and behaviour with the round's own (rounded) settings in
 * the scenario's time (admissions ÷ speed, timeout × speed), the session
 * counted from admission as the sale service counts it, no connection cap
 * and a payment provider without a capacity (the stand-in's), as the
 * rehearsal's sale service has.
 */
export function predictionParams(scaled: SimParams, round: RoundSpec, speed: number): SimParams {
  const { paymentCapacityTps: _t, paymentLatencyMs: _l, paymentTimeoutMs: _o, ...checkout } = scaled.checkout;
  return {
    ...scaled,
    sale: { ...scaled.sale, stock: round.totalAmount, windowMinutes: ((Date.parse(round.closesAt) - Date.parse(round.opensAt)) / 60_000) * speed },
    purchase: { ...scaled.purchase, limit: round.perPersonMonthlyLimit },
    waitingRoom: {
      ...scaled.waitingRoom,
      admissionPerMinute: round.waitingRoom.admissionPerMinute / speed,
      maxActiveSessions: round.waitingRoom.maxActiveSessions,
      order: round.waitingRoom.order ?? 'fifo',
      slots: [],
    },
    session: { timeoutMinutes: round.sessionTimeoutMinutes * speed, policy: 'room_keeps_place' },
    capacity: { maxConnections: null },
    checkout,
  };
}
