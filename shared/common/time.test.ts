import { describe, expect, it } from 'vitest';
import { addYearsSeoul, formatSeoul, fromSeoulLocalInput, isIsoInstant, seoulMonthKey, toSeoulLocalInput } from './time.js';

describe('Seoul time', () => {
  it('reads wall-clock input as KST and stores UTC', () => {
    // The 2022 sale opened at 10:00 KST, which is 01:00 UTC.
    expect(fromSeoulLocalInput('2022-07-14T10:00')).toBe('2022-07-14T01:00:00.000Z');
    expect(fromSeoulLocalInput('2022-07-14T08:30')).toBe('2022-07-13T23:30:00.000Z');
    expect(toSeoulLocalInput('2022-07-14T01:00:00.000Z')).toBe('2022-07-14T10:00');
  });

  it('round-trips every minute of a day', () => {
    for (let m = 0; m < 24 * 60; m += 7) {
      const local = `2023-03-30T${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
      expect(toSeoulLocalInput(fromSeoulLocalInput(local)!)).toBe(local);
    }
  });

  it('refuses impossible dates rather than rolling them over', () => {
    expect(fromSeoulLocalInput('2023-02-30T10:00')).toBeNull();
    expect(fromSeoulLocalInput('2023-02-28T24:00')).toBeNull();
    expect(fromSeoulLocalInput('tomorrow')).toBeNull();
  });

  it('keys months by the Seoul calendar', () => {
    expect(seoulMonthKey('2022-07-31T15:30:00.000Z')).toBe('2022-08'); // 00:30 on 1 August in Seoul
    expect(seoulMonthKey('2022-07-31T14:59:00.000Z')).toBe('2022-07');
  });

  it('adds validity years in Seoul time', () => {
    expect(addYearsSeoul('2022-07-14T01:00:00.000Z', 5)).toBe('2027-07-14T01:00:00.000Z');
  });

  it('formats for display in Seoul time in both languages', () => {
    expect(formatSeoul('2022-07-14T01:00:00.000Z', 'ko')).toContain('10:00');
    expect(formatSeoul('2022-07-14T01:00:00.000Z', 'en')).toBe('14/07/2022, 10:00');
    expect(formatSeoul(null, 'ko')).toBe('');
  });

  it('recognises ISO instants only with an offset', () => {
    expect(isIsoInstant('2022-07-14T01:00:00.000Z')).toBe(true);
    expect(isIsoInstant('2022-07-14T10:00:00+09:00')).toBe(true);
    expect(isIsoInstant('2022-07-14T10:00')).toBe(false);
    expect(isIsoInstant('2022-13-14T10:00:00Z')).toBe(false);
  });
});
