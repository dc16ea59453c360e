import Database from 'better-sqlite3';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { seoulWallTimeSql } from './event-text.js';

/** What an export must show: the Seoul wall-clock time, by the fixed +9 h offset (Korea has no daylight saving). */
const seoul = (iso: string) => new Date(Date.parse(iso) + 9 * 3_600_000).toISOString().slice(0, 19).replace('T', ' ');

describe('the Seoul wall time an export writes, computed by SQLite', () => {
  const db = new Database(':memory:');
  const stmt = db.prepare(`select ${seoulWallTimeSql('t')} as s from (select ? as t)`).pluck();

  it('equals the Seoul time across hours, day, month, year and leap-day boundaries', () => {
    for (const iso of [
      '2026-07-14T01:00:00.000Z',
      '2026-07-14T14:59:59.999Z',
      '2026-07-14T15:00:00.000Z',
      '2026-07-31T23:30:00.000Z',
      '2026-12-31T15:00:00.000Z',
      '2028-02-28T20:00:00.000Z',
      '2027-02-28T20:00:00.000Z',
      '2026-07-14T00:00:00Z',
    ]) {
      expect(stmt.get(iso), iso).toBe(seoul(iso));
    }
    fc.assert(
      fc.property(fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2099-12-31T23:59:59Z'), noInvalidDate: true }), (d) => {
        const iso = d.toISOString();
        expect(stmt.get(iso)).toBe(seoul(iso));
      }),
      { numRuns: 2_000 },
    );
  });

  it('reads a time in another shape the slow, general way', () => {
    expect(stmt.get('2026-07-14 16:00:00')).toBe('2026-07-15 01:00:00');
  });
});
