import { describe, expect, it } from 'vitest';
import { addYearsSeoul, formatSeoul, formatSeoulDay, fromSeoulLocalInput, isIsoInstant, seoulHourKey, seoulMonthKey, storedUtc, toSeoulLocalInput } from './time.js';

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
    // Within an hour already seen, to its last millisecond, and the same instants written with Seoul's offset.
    expect(seoulMonthKey('2022-07-31T15:59:59.999Z')).toBe('2022-08');
    expect(seoulMonthKey('2022-07-31T14:00:00.000Z')).toBe('2022-07');
    expect(seoulMonthKey('2022-08-01T00:30:00+09:00')).toBe('2022-08');
    expect(seoulMonthKey('2022-07-31T23:59:59+09:00')).toBe('2022-07');
  });

  it('stores an instant as UTC with milliseconds, rolling over exactly as Date does', () => {
    // Already stored form: as it is, also a second time in the same hour (the hour is checked once).
    expect(storedUtc('2022-07-14T01:02:03.456Z')).toBe('2022-07-14T01:02:03.456Z');
    expect(storedUtc('2022-07-14T01:59:59.999Z')).toBe('2022-07-14T01:59:59.999Z');
    expect(storedUtc('2024-02-29T23:00:00.000Z')).toBe('2024-02-29T23:00:00.000Z');
    // Other forms are normalised: Seoul's offset, no milliseconds.
    expect(storedUtc('2022-07-14T10:00:00+09:00')).toBe('2022-07-14T01:00:00.000Z');
    expect(storedUtc('2022-07-14T01:00Z')).toBe('2022-07-14T01:00:00.000Z');
    // Days and hours that are not, in the stored form, roll over as Date rolls them (ECMAScript's MakeDay), not kept as written.
    expect(storedUtc('2023-02-29T05:00:00.000Z')).toBe('2023-03-01T05:00:00.000Z');
    expect(storedUtc('2023-04-31T05:00:00.000Z')).toBe('2023-05-01T05:00:00.000Z');
    expect(storedUtc('2022-07-14T24:00:00.000Z')).toBe('2022-07-15T00:00:00.000Z');
    // Out-of-range minutes in a real hour are no instant at all.
    expect(() => storedUtc('2022-07-14T01:60:00.000Z')).toThrow(RangeError);
    expect(() => storedUtc('2022-07-14T01:02:60.000Z')).toThrow(RangeError);
    expect(() => storedUtc('not an instant at all!!Z')).toThrow(RangeError);
  });

  it('keys hours by the Seoul clock, across the UTC date line', () => {
    expect(seoulHourKey('2022-07-31T15:30:00.000Z')).toBe('2022-08-01 00'); // 00:30 on 1 August in Seoul
    expect(seoulHourKey('2022-07-14T01:00:00.000Z')).toBe('2022-07-14 10');
  });

  it('adds validity years in Seoul time', () => {
    expect(addYearsSeoul('2022-07-14T01:00:00.000Z', 5)).toBe('2027-07-14T01:00:00.000Z');
    // Minutes and below kept, in an hour already seen and not.
    expect(addYearsSeoul('2022-07-14T01:59:59.999Z', 5)).toBe('2027-07-14T01:59:59.999Z');
    expect(addYearsSeoul('2022-07-14T01:00:00.001Z', 1)).toBe('2023-07-14T01:00:00.001Z');
    // 29 February 2024, 00:30 in Seoul (15:30 UTC the day before): a year on there is no 29th, so 1 March 00:30 in Seoul.
    expect(addYearsSeoul('2024-02-28T15:30:00.000Z', 1)).toBe('2025-02-28T15:30:00.000Z');
    expect(addYearsSeoul('2024-02-28T15:45:10.500Z', 1)).toBe('2025-02-28T15:45:10.500Z');
    expect(addYearsSeoul('2024-02-29T00:30:00+09:00', 1)).toBe('2025-02-28T15:30:00.000Z');
    // 23:30 on the 28th in Seoul stays the 28th; four years on, the 29th is there again.
    expect(addYearsSeoul('2024-02-28T14:30:00.000Z', 1)).toBe('2025-02-28T14:30:00.000Z');
    expect(addYearsSeoul('2024-02-28T15:30:00.000Z', 4)).toBe('2028-02-28T15:30:00.000Z');
  });

  it('formats for display in Seoul time in both languages', () => {
    expect(formatSeoul('2022-07-14T01:00:00.000Z', 'ko')).toContain('10:00');
    expect(formatSeoul('2022-07-14T01:00:00.000Z', 'en')).toBe('14 Jul 2022, 10:00');
    expect(formatSeoul(null, 'ko')).toBe('');
  });

  // Hand-written: instant → what a Seoul clerk's wall clock and calendar say, in each language.
  const TABLE: [string, { ko: string; en: string; koDay: string; enDay: string; enSeconds: string }][] = [
    ['2026-12-07T00:00:00.000Z', { ko: '2026. 12. 07. 09:00', en: '7 Dec 2026, 09:00', koDay: '2026. 12. 07.', enDay: '7 Dec 2026', enSeconds: '7 Dec 2026, 09:00:00' }],
    // 15:00 UTC is midnight in Seoul: the next day.
    ['2026-12-06T15:00:00.000Z', { ko: '2026. 12. 07. 00:00', en: '7 Dec 2026, 00:00', koDay: '2026. 12. 07.', enDay: '7 Dec 2026', enSeconds: '7 Dec 2026, 00:00:00' }],
    ['2026-12-06T14:59:59.999Z', { ko: '2026. 12. 06. 23:59', en: '6 Dec 2026, 23:59', koDay: '2026. 12. 06.', enDay: '6 Dec 2026', enSeconds: '6 Dec 2026, 23:59:59' }],
    // New Year in Seoul while it is still the old year in UTC.
    ['2025-12-31T15:30:05.000Z', { ko: '2026. 01. 01. 00:30', en: '1 Jan 2026, 00:30', koDay: '2026. 01. 01.', enDay: '1 Jan 2026', enSeconds: '1 Jan 2026, 00:30:05' }],
    ['2022-09-05T04:07:09.000+09:00', { ko: '2022. 09. 05. 04:07', en: '5 Sep 2022, 04:07', koDay: '2022. 09. 05.', enDay: '5 Sep 2022', enSeconds: '5 Sep 2022, 04:07:09' }],
    ['2024-02-29T12:00:00.000Z', { ko: '2024. 02. 29. 21:00', en: '29 Feb 2024, 21:00', koDay: '2024. 02. 29.', enDay: '29 Feb 2024', enSeconds: '29 Feb 2024, 21:00:00' }],
  ];
  it.each(TABLE)('writes %s the one way per language', (iso, want) => {
    expect(formatSeoul(iso, 'ko')).toBe(want.ko);
    expect(formatSeoul(iso, 'en')).toBe(want.en);
    expect(formatSeoulDay(iso, 'ko')).toBe(want.koDay);
    expect(formatSeoulDay(iso, 'en')).toBe(want.enDay);
    expect(formatSeoul(iso, 'en', true)).toBe(want.enSeconds);
  });

  it('writes Korean exactly as ICU’s ko-KR does (what the screens showed before), and nothing for nothing', () => {
    const icu = new Intl.DateTimeFormat('ko-KR', { timeZone: 'Asia/Seoul', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });
    for (let ms = Date.UTC(2020, 0, 1); ms < Date.UTC(2030, 0, 1); ms += 7_777_777_777 / 97) {
      const iso = new Date(Math.floor(ms / 1000) * 1000).toISOString();
      expect(formatSeoul(iso, 'ko', true)).toBe(icu.format(Date.parse(iso)));
    }
    for (const nothing of [null, undefined, '', 'not a time']) {
      expect(formatSeoul(nothing, 'en')).toBe('');
      expect(formatSeoulDay(nothing, 'ko')).toBe('');
    }
  });

  it('recognises ISO instants only with an offset', () => {
    expect(isIsoInstant('2022-07-14T01:00:00.000Z')).toBe(true);
    expect(isIsoInstant('2022-07-14T10:00:00+09:00')).toBe(true);
    expect(isIsoInstant('2022-07-14T10:00')).toBe(false);
    expect(isIsoInstant('2022-13-14T10:00:00Z')).toBe(false);
  });
});
