import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migrateTo, openDatabase, type LedgerDb } from '../open.js';

let l: LedgerDb;
beforeEach(async () => {
  l = openDatabase(':memory:');
  await migrateTo(l.db, '0016_day_closings');
});
afterEach(() => l.close());

const closing = (seq: number, closed: number) =>
  sql`insert into day_closing_events (seq, event_id, district_code, day, closed, by, at, payload, hash) values (${seq}, ${`d${seq}`}, '11440', '2026-12-07', ${closed}, 'kim', '2026-12-07T09:00:00.000Z', '{}', 'h')`;

describe('migration 0016_day_closings', () => {
  it('keeps the server’s closing events append-only except under the repair flag', async () => {
    await closing(1, 1).execute(l.db);
    await expect(closing(2, 2).execute(l.db)).rejects.toThrow(/CHECK/);
    await expect(sql`update day_closing_events set closed = 0`.execute(l.db)).rejects.toThrow(/append-only/);
    await expect(sql`delete from day_closing_events`.execute(l.db)).rejects.toThrow(/append-only/);
    await sql`insert into sync_repair (id) values (1)`.execute(l.db);
    await sql`delete from day_closing_events`.execute(l.db);
    expect((await sql`select 1 from day_closing_events`.execute(l.db)).rows).toEqual([]);
  });

  it('rolls back to 0014', async () => {
    await migrateTo(l.db, '0014_calibration');
    const tables = await sql<{ name: string }>`select name from sqlite_master where name like 'day_closing%'`.execute(l.db);
    expect(tables.rows).toEqual([]);
  });
});
