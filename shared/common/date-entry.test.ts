import { describe, expect, it } from 'vitest';
import { formatDayEntry, parseDayEntry, parseTimeEntry, timeEntryProblem } from './date-entry.js';

const today = '2026-11-26';

describe('typed dates', () => {
  it('reads year-first dates in both languages, whatever the computer locale', () => {
    for (const lang of ['ko', 'en']) {
      for (const text of ['2026-11-26', '2026.11.26', '2026. 11. 26.', '2026/11/26', '20261126', ' 2026-11-26 ']) {
        expect(parseDayEntry(text, lang, today), `${lang} ${text}`).toBe('2026-11-26');
      }
    }
  });

  it('reads Korean month-day as this year and English day-month', () => {
    expect(parseDayEntry('3-5', 'ko', today)).toBe('2026-03-05');
    expect(parseDayEntry('0305', 'ko', today)).toBe('2026-03-05');
    // An en-US reading (month first) would be 2026-03-05; the console reads day first, as it shows.
    expect(parseDayEntry('5/3/2026', 'en', today)).toBe('2026-03-05');
    expect(parseDayEntry('26 Nov 2026', 'en', today)).toBe('2026-11-26');
    expect(parseDayEntry('Nov 26, 2026', 'en', today)).toBe('2026-11-26');
    expect(parseDayEntry('26 november', 'en', today)).toBe('2026-11-26');
  });

  it('refuses what is not a date rather than guessing', () => {
    for (const text of ['2026-02-30', '2026-13-01', '11/26/2026', 'tomorrow', '2026-1126', '26']) {
      expect(parseDayEntry(text, 'en', today), text).toBeNull();
    }
    expect(parseDayEntry('26/11', 'ko', today)).toBeNull();
    expect(parseDayEntry('', 'ko', today)).toBe('');
  });

  it('shows a day in the reader’s order', () => {
    expect(formatDayEntry('2026-11-26', 'ko')).toBe('2026-11-26');
    expect(formatDayEntry('2026-03-05', 'en')).toBe('5 Mar 2026');
    expect(parseDayEntry(formatDayEntry('2026-03-05', 'en'), 'en', today)).toBe('2026-03-05');
  });

  it('reads 24-hour times', () => {
    expect(['14:00', '14:5', '1400', '930', '9', '9시', '14시 30분', '0:00', '23:59'].map(parseTimeEntry)).toEqual([
      '14:00',
      '14:05',
      '14:00',
      '09:30',
      '09:00',
      '09:00',
      '14:30',
      '00:00',
      '23:59',
    ]);
    for (const bad of ['24:00', '12:60', '2pm', '', '12345']) expect(parseTimeEntry(bad), bad).toBeNull();
  });
});

describe('why a typed time is not one', () => {
  it('names the part out of range, so the message can give the valid range', () => {
    const table: [string, string | null][] = [
      ['14:00', null],
      ['1400', null],
      ['2500', 'hourRange'],
      ['24:00', 'hourRange'],
      ['24', 'hourRange'],
      ['1460', 'minuteRange'],
      ['12:60', 'minuteRange'],
      ['', 'missing'],
      ['  ', 'missing'],
      ['2pm', 'unreadable'],
      ['12345', 'unreadable'],
    ];
    for (const [text, problem] of table) expect(timeEntryProblem(text), text).toBe(problem);
  });
});
