import type { RoundSpec } from './spec.js';

/**
 * Who may join a live sale when, under the round's queue order.
 *
 * `birth_year`: the spec gives each slot a share of people and the minute
 * after opening it opens, but names no birth years. The sale gives slots the
 * last digit of the buyer's birth year (the 5부제 way Korea rationed masks in
 * 2020), the ten digits split over the slots in order, in proportion to their
 * shares: five slots of 0.2 take 0–1, 2–3, 4–5, 6–7, 8–9. Any other order: one
 * window, from the opening.
 */
export function birthYearWindow(spec: RoundSpec, birthYear: number): { slot: number; opensAtMs: number } {
  const opens = Date.parse(spec.opensAt);
  const slots = spec.waitingRoom.order === 'birth_year' ? (spec.waitingRoom.slots ?? []) : [];
  if (slots.length === 0) return { slot: 0, opensAtMs: opens };
  const total = slots.reduce((s, x) => s + x.share, 0) || 1;
  const digit = ((birthYear % 10) + 10) % 10;
  let upTo = 0;
  for (let i = 0; i < slots.length; i++) {
    upTo += slots[i]!.share / total;
    // The digits below this slot's cumulative share × 10 are its own (the last slot takes what rounding leaves).
    if (digit < Math.round(upTo * 10) || i === slots.length - 1) return { slot: i, opensAtMs: opens + slots[i]!.startMinute * 60_000 };
  }
  return { slot: slots.length - 1, opensAtMs: opens };
}

/**
 * Units a buyer takes on average, as the simulator assumes: the share who buy
 * up to the limit take all of it, the others half of it (or one unit).
 */
export function meanPurchaseUnits(limitUnits: number, fullLimitShare: number): number {
  const units = Math.max(1, limitUnits);
  return fullLimitShare * units + (1 - fullLimitShare) * (units > 1 ? units / 2 : 1);
}
