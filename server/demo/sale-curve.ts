import { SALE_UNIT } from '../../shared/common/money.js';
import type { RoundSpec } from '../../shared/rounds/spec.js';
import { simulate } from '../../shared/simulation/engine.js';
import { preset2022 } from '../../shared/simulation/params.js';

/** The stock the 2022-07-14 preset was fitted to; other sales are sized against it. */
const FITTED_STOCK = 25_000_000_000;

/**
 * When each share of a round's stock is sold, drawn by the demand simulator: the 2022-07-14 sale as
 * calibrated to the press (preset2022), with its crowd, admission rate and capacity scaled to this round's
 * stock, so a smaller or later sale keeps the same shape (a rush at opening, a tail until the stock is gone)
 * over its own real duration. Returns share (0–1] → instant in ms; the share reached within a minute is
 * spread evenly across that minute.
 */
export function simulatedSaleCurve(spec: RoundSpec, seed: number): (share: number) => number {
  const base = preset2022();
  const ratio = spec.totalAmount / FITTED_STOCK;
  const scaled = <T extends number | null>(n: T): T => (n === null ? n : Math.max(1, Math.round(n * ratio))) as T;
  const r = simulate({
    ...base,
    seed,
    visitors: Math.max(50, scaled(base.visitors)),
    sale: { windowMinutes: Math.max(1, Math.round((Date.parse(spec.closesAt) - Date.parse(spec.opensAt)) / 60_000)), stock: spec.totalAmount, unit: SALE_UNIT },
    purchase: { ...base.purchase, limit: spec.perPersonMonthlyLimit },
    waitingRoom: { ...base.waitingRoom, admissionPerMinute: scaled(base.waitingRoom.admissionPerMinute), maxActiveSessions: scaled(base.waitingRoom.maxActiveSessions) },
    capacity: { ...base.capacity, maxConnections: scaled(base.capacity.maxConnections) },
  });
  const opens = Date.parse(spec.opensAt);
  // Won sold by the end of each minute (the series is cumulative).
  const cumulative = r.series.sold;
  const total = cumulative.at(-1) ?? 0;
  // A crowd too small to buy anything (never at the demo's sizes): an even hour, rather than no times at all.
  if (total === 0) return (share) => opens + share * 3_600_000;
  return (share) => {
    const target = Math.min(1, Math.max(0, share)) * total;
    let lo = 0;
    let hi = cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid]! >= target) hi = mid;
      else lo = mid + 1;
    }
    const before = lo === 0 ? 0 : cumulative[lo - 1]!;
    const inMinute = cumulative[lo]! - before;
    const within = inMinute > 0 ? (target - before) / inMinute : 0;
    return opens + (r.series.firstMinute + lo + within) * 60_000;
  };
}
