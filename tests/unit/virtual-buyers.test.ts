import { describe, expect, it } from 'vitest';
import { planBuyers } from '../../scripts/sale/virtual-buyers.js';
import { defaultSimParams, type SimParams } from '../../shared/simulation/params.js';

/** 20,000 people: 30 % in the 30 minutes before opening, the rest decaying with a 20-minute mean; 40 units of limit, 80 % buy it all. */
const params = (): SimParams => {
  const p = defaultSimParams();
  return {
    ...p,
    visitors: 20_000,
    arrival: { ...p.arrival, curve: 'decay', decayMinutes: 20, preOpenShare: 0.3, preOpenMinutes: 30 },
    purchase: { limit: 400_000, fullLimitShare: 0.8 },
    patience: { kind: 'exponential', meanMinutes: 90 },
    checkout: { ...p.checkout, meanSeconds: 90, distribution: 'lognormal' },
    returns: { probability: 0.7, delayMinutes: 3 },
  };
};

const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;

describe('the rehearsal replays the simulator\'s people', () => {
  const people = planBuyers(params());
  const O = 30 * 60;

  it('everyone, in arrival order, the early share before the opening', () => {
    expect(people).toHaveLength(20_000);
    for (let i = 1; i < people.length; i++) expect(people[i]!.arriveAt).toBeGreaterThanOrEqual(people[i - 1]!.arriveAt);
    // The plan fixes the counts: round(20,000 × 0.3) before the opening, none before the window.
    expect(people.filter((b) => b.arriveAt < O)).toHaveLength(6_000);
    expect(people[0]!.arriveAt).toBeGreaterThanOrEqual(0);
  });

  it('after the opening, arrivals decay with the mean asked (exponential: mean 20 min, median 20·ln 2 ≈ 13.9 min)', () => {
    const after = people.filter((b) => b.arriveAt >= O).map((b) => (b.arriveAt - O) / 60);
    expect(mean(after)).toBeCloseTo(20, 0);
    const sorted = [...after].sort((a, b) => a - b);
    expect(sorted[Math.floor(sorted.length / 2)]!).toBeGreaterThan(13.9 * 0.95);
    expect(sorted[Math.floor(sorted.length / 2)]!).toBeLessThan(13.9 * 1.05);
  });

  it('amounts: 80 % the whole 40 units, the rest uniform over 1..39 (mean 20)', () => {
    const full = people.filter((b) => b.units === 40).length / people.length;
    expect(full).toBeGreaterThan(0.79);
    expect(full).toBeLessThan(0.81);
    const rest = people.filter((b) => b.units < 40).map((b) => b.units);
    expect(Math.min(...rest)).toBe(1);
    expect(Math.max(...rest)).toBe(39);
    expect(mean(rest)).toBeGreaterThan(19);
    expect(mean(rest)).toBeLessThan(21);
  });

  it('patience exponential with a 90-minute mean, checkout lognormal with a 90-second mean, 70 % return', () => {
    expect(mean(people.map((b) => b.patience)) / 60).toBeGreaterThan(90 * 0.97);
    expect(mean(people.map((b) => b.patience)) / 60).toBeLessThan(90 * 1.03);
    expect(mean(people.map((b) => b.checkout))).toBeGreaterThan(90 * 0.98);
    expect(mean(people.map((b) => b.checkout))).toBeLessThan(90 * 1.02);
    const back = people.filter((b) => b.returns).length / people.length;
    expect(back).toBeGreaterThan(0.69);
    expect(back).toBeLessThan(0.71);
  });

  it('the same seed gives the same people; another seed other people', () => {
    expect(planBuyers(params())).toEqual(people);
    expect(planBuyers({ ...params(), seed: 7 })[0]).not.toEqual(people[0]);
  });
});
