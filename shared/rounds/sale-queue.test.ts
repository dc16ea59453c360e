import { describe, expect, it } from 'vitest';
import { spec2022 } from '../../tests/support/specs.js';
import { birthYearWindow, meanPurchaseUnits } from './sale-queue.js';

const opensAt = '2026-07-14T01:00:00.000Z';
const at = (minutes: number) => Date.parse(opensAt) + minutes * 60_000;

describe('birth-year windows', () => {
  it('splits the last digit of the birth year over the slots by share, each opening at its minute', () => {
    const spec = spec2022({ opensAt, waitingRoom: { admissionPerMinute: 1_000, maxActiveSessions: 1_000, order: 'birth_year', slots: [0.2, 0.2, 0.2, 0.2, 0.2].map((share, i) => ({ share, startMinute: i * 60 })) } });
    // Hand table: 1980 → digit 0 → slot 0 at +0; 1991 → 1 → slot 0; 1972 → 2 → slot 1 at +60; 1965 → 5 → slot 2; 2007 → 7 → slot 3; 1959 → 9 → slot 4 at +240.
    expect([1980, 1991, 1972, 1965, 2007, 1959].map((y) => birthYearWindow(spec, y))).toEqual([
      { slot: 0, opensAtMs: at(0) }, { slot: 0, opensAtMs: at(0) }, { slot: 1, opensAtMs: at(60) }, { slot: 2, opensAtMs: at(120) }, { slot: 3, opensAtMs: at(180) }, { slot: 4, opensAtMs: at(240) },
    ]);
  });

  it('gives uneven shares their part of the digits, and every buyer the opening under another order', () => {
    const spec = spec2022({ opensAt, waitingRoom: { admissionPerMinute: 1_000, maxActiveSessions: 1_000, order: 'birth_year', slots: [{ share: 0.7, startMinute: 0 }, { share: 0.3, startMinute: 30 }] } });
    // 0.7 → digits 0–6, 0.3 → digits 7–9.
    expect([1986, 1987].map((y) => birthYearWindow(spec, y).slot)).toEqual([0, 1]);
    const fifo = spec2022({ opensAt, waitingRoom: { admissionPerMinute: 1_000, maxActiveSessions: 1_000, order: 'fifo', slots: [{ share: 1, startMinute: 90 }] } });
    expect(birthYearWindow(fifo, 1959)).toEqual({ slot: 0, opensAtMs: at(0) });
  });
});

describe('mean purchase', () => {
  it('is the simulator’s: 80% take the whole 40 units, the rest half', () => {
    expect(meanPurchaseUnits(40, 0.8)).toBe(0.8 * 40 + 0.2 * 20);
    expect(meanPurchaseUnits(1, 0.5)).toBe(1);
  });
});
