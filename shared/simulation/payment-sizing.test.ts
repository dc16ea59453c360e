import { describe, expect, it } from 'vitest';
import { erlangWaitChance, paymentTpsFor, timeoutChance } from './payment-sizing.js';

describe('payment sizing (M/M/c)', () => {
  it('Erlang C by the recursion matches hand-worked values', () => {
    // M/M/1: C = ρ. M/M/2 at a = 1: C = 1/3. M/M/12 at a = 10: 0.4494 (Gross & Harris tables).
    expect(erlangWaitChance(1, 0.5)).toBeCloseTo(0.5, 12);
    expect(erlangWaitChance(2, 1)).toBeCloseTo(1 / 3, 12);
    expect(erlangWaitChance(12, 10)).toBeCloseTo(0.4494, 4);
    // Overloaded: everyone waits. Thousands of servers stay finite.
    expect(erlangWaitChance(10, 12)).toBe(1);
    expect(Number.isFinite(erlangWaitChance(5_000, 4_900))).toBe(true);
  });

  it('the time-out chance is C · e^−(cμ−λ)T, and the sizing takes the fewest steps of 5 under the allowed count', () => {
    // 10 TPS at 1 s: 10 slots of μ = 1; λ = 8: C(10, 8) · e^−(10−8)·2 at T = 2 s.
    expect(timeoutChance(10, 1, 8, 2)).toBeCloseTo(erlangWaitChance(10, 8) * Math.exp(-4), 12);
    // 24.2 payments a second, 1 s each, 30 s time-out, 100,000 payments: 25 slots leave cμ − λ = 0.8, so
    // e^−24 ≈ 3.8e−11 per payment, 4e−6 in all; 20 slots cannot keep up.
    expect(paymentTpsFor(24.2, 1, 30, 100_000, 5)).toBe(25);
    // With a 1 s time-out the margin above the load must be wider.
    expect(paymentTpsFor(24.2, 1, 1, 100_000, 5)).toBeGreaterThan(25);
  });
});
