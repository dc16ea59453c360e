import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migrateTo, migrateToLatest, openDatabase, type LedgerDb } from '../open.js';

let l: LedgerDb;
beforeEach(() => {
  l = openDatabase(':memory:');
});
afterEach(() => l.close());

const H = 'a'.repeat(64);

describe('migration 0043_redacted_ranges', () => {
  it('adds runs of unreadable events, append-only, a run of at least two events', async () => {
    await migrateTo(l.db, '0040_snapshot_key_pin');
    await migrateToLatest(l.db);
    await sql`insert into redacted_ranges (seq, from_seq, hash) values (9, 3, ${H})`.execute(l.db);
    expect(await l.db.selectFrom('redacted_ranges').selectAll().execute()).toEqual([{ seq: 9, from_seq: 3, hash: H }]);
    await expect(sql`insert into redacted_ranges (seq, from_seq, hash) values (12, 12, ${H})`.execute(l.db)).rejects.toThrow(/CHECK/);
    await expect(sql`insert into redacted_ranges (seq, from_seq, hash) values (14, 0, ${H})`.execute(l.db)).rejects.toThrow(/CHECK/);
    await expect(sql`insert into redacted_ranges (seq, from_seq, hash) values (14, 13, 'short')`.execute(l.db)).rejects.toThrow(/CHECK/);
    await expect(sql`update redacted_ranges set hash = ${'b'.repeat(64)}`.execute(l.db)).rejects.toThrow(/append-only/);
    await expect(sql`delete from redacted_ranges`.execute(l.db)).rejects.toThrow(/append-only/);
    // A repair (its flag raised) may cut it.
    await sql`insert into sync_repair (id) values (1)`.execute(l.db);
    await sql`delete from redacted_ranges`.execute(l.db);
    expect(await l.db.selectFrom('redacted_ranges').selectAll().execute()).toEqual([]);
  });

  it('rolls back to 0040 when it holds nothing, and refuses to lose a held run', async () => {
    await migrateToLatest(l.db);
    await sql`insert into redacted_ranges (seq, from_seq, hash) values (9, 3, ${H})`.execute(l.db);
    await expect(migrateTo(l.db, '0040_snapshot_key_pin')).rejects.toThrow(/held as one hash/);
    await sql`insert into sync_repair (id) values (1)`.execute(l.db);
    await sql`delete from redacted_ranges`.execute(l.db);
    await migrateTo(l.db, '0040_snapshot_key_pin');
    const t = await sql<{ name: string }>`select name from sqlite_master where name = 'redacted_ranges'`.execute(l.db);
    expect(t.rows).toEqual([]);
  });
});
