import { describe, expect, it } from 'vitest';
import { deriveRoundFigures } from './derived.js';
import { spec2022 } from '../../tests/support/specs.js';

describe('derived figures', () => {
  it('matches the 2022-07-14 round: ₩25B at 7%, ₩400k per person', () => {
    const f = deriveRoundFigures(spec2022());
    expect(f.subsidyCost).toBe(1_750_000_000);
    expect(f.moneyReceived).toBe(23_250_000_000);
    expect(f.maxFullLimitBuyers).toBe(62_500);
    expect(f.subsidyPerFullBuyer).toBe(28_000);
    // 700,000 visitors at 20,000 admissions a minute.
    expect(f.expectedQueue).toBe(700_000);
    expect(f.expectedWaitMinutes).toBe(35);
  });

  it('falls back to full-limit buyers when no visitor estimate is given', () => {
    const f = deriveRoundFigures(spec2022({ expectedVisitors: null, waitingRoom: { admissionPerMinute: 5_000, maxActiveSessions: 1 } }));
    expect(f.expectedQueue).toBe(62_500);
    expect(f.expectedWaitMinutes).toBe(13);
  });

  it('does not divide by zero on a half-filled form', () => {
    const f = deriveRoundFigures(spec2022({ perPersonMonthlyLimit: 0, waitingRoom: { admissionPerMinute: 0, maxActiveSessions: 0 } }));
    expect(f.maxFullLimitBuyers).toBe(0);
    expect(f.expectedWaitMinutes).toBeNull();
  });
});
