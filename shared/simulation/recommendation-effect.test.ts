import { describe, expect, it } from 'vitest';
import type { Recommendations } from './recommend.js';
import { recommendationEffects } from './recommendation-effect.js';

const base: Recommendations = {
  targetSellOutMinutes: 60,
  capacity: null,
  session: { minutes: 45, baselineLogouts: 120, backing: 'session' },
  admission: { feasible: true, perMinute: 500, sellOutMinute: 55, peakActive: 900, backing: 'admission' },
  cutoff: { hoursWithout: 900, hoursWith: 300, savedHours: 600, cutPeople: 40_000, amountSoldWithout: 1, amountSoldWith: 1, backingWith: 'cutoff-on', backingWithout: 'cutoff-off' },
};

describe('advice that changes nothing is not given', () => {
  it.each([
    ['both act', {}, { session: true, cutoff: true }],
    ['nobody is logged out now', { session: { ...base.session, baselineLogouts: 0 } }, { session: false, cutoff: true }],
    ['0 people told early', { cutoff: { ...base.cutoff, cutPeople: 0, savedHours: 0 } }, { session: true, cutoff: false }],
    ['people told early but 0 hours saved (shown as 0)', { cutoff: { ...base.cutoff, cutPeople: 3, savedHours: 0.4 } }, { session: true, cutoff: false }],
    ['hours saved but nobody cut (cannot come from the notice)', { cutoff: { ...base.cutoff, cutPeople: 0, savedHours: 5 } }, { session: true, cutoff: false }],
    ['one person-hour saved for one person', { cutoff: { ...base.cutoff, cutPeople: 1, savedHours: 1 } }, { session: true, cutoff: true }],
  ] as const)('%s', (_name, change, expected) => {
    expect(recommendationEffects({ ...base, ...change } as Recommendations)).toEqual(expected);
  });
});
