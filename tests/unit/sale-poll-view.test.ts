import { describe, expect, it } from 'vitest';
import { rankNow } from '../../server/sale/poll-view.js';

const round = (admitted: number, cutq = 0) => ({ admitted, cutq, ended: null, outflow: [] });

describe('a waiting buyer’s rank from the round’s admissions since the gate gave it', () => {
  // Hand-worked: 12 ahead when 100 had been admitted; each admission since took one of those ahead.
  it.each([
    [100, 12],
    [101, 11],
    [105, 7],
    [111, 1],
  ])('%i admitted so far: %i ahead', (admitted, ahead) => {
    expect(rankNow({ rank: 12, admitted: 100, cutq: 0 }, round(admitted))).toBe(ahead);
  });

  it('asks the gate once nobody is left ahead by the counts: the turn may have come', () => {
    expect(rankNow({ rank: 12, admitted: 100, cutq: 0 }, round(112))).toBeNull();
    expect(rankNow({ rank: 12, admitted: 100, cutq: 0 }, round(150))).toBeNull();
    expect(rankNow({ rank: 0, admitted: 100, cutq: 0 }, round(100))).toBeNull();
  });

  it('counters read before the gate answered count no admissions backwards', () => {
    // The round was read when 90 had been admitted, the buyer's rank when 100 had: still 12 ahead, not 22.
    expect(rankNow({ rank: 12, admitted: 100, cutq: 0 }, round(90))).toBe(12);
  });

  it('asks the gate after the queue lost its tail (the buyer may have been cut)', () => {
    expect(rankNow({ rank: 12, admitted: 100, cutq: 3 }, round(101, 4))).toBeNull();
    expect(rankNow({ rank: 12, admitted: 100, cutq: 3 }, round(101, 3))).toBe(11);
  });
});
