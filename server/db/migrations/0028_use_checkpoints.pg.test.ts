import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { useMigrationDb } from '../../../tests/support/server-migrations.js';

const mig = useMigrationDb();

describe('server migration 0028_use_checkpoints', () => {
  it('names the act, keeps checkpoints in range and folded events pointing at real events and checkpoints, and rolls back', async () => {
    expect((await mig.migrator.migrateTo('0028_use_checkpoints')).error).toBeUndefined();
    await sql`insert into users (id, username, display_name, password_hash, role) values ('u1', 'root', 'Root', 'x', 'admin')`.execute(mig.sdb.db);
    await sql`insert into events (seq, event_id, type, payload, hash, recorded_at, recorded_by) values (1, 'e1', 'use', '{}', 'h', now(), 'root')`.execute(mig.sdb.db);
    const fold = (id: string, days: number, cps: number, events: number, seq: number) =>
      sql`insert into use_folds (id, by, at, through_day, older_than_days, checkpoints, events, seq) values (${id}, 'u1', now(), '2026-03-05', ${days}, ${cps}, ${events}, ${seq})`.execute(mig.sdb.db);
    await fold('f1', 7, 1, 1, 2);
    await expect(fold('f2', 6, 1, 1, 3)).rejects.toThrow(/check/);
    await expect(fold('f3', 7, 2, 1, 4)).rejects.toThrow(/check/);
    await expect(fold('f4', 7, 1, 1, 2)).rejects.toThrow(/unique/);
    const cp = (id: string, first: number, last: number) =>
      sql`insert into use_checkpoints (id, fold_id, lot_id, district_code, first_seq, last_seq, payload) values (${id}, 'f1', 'lot-1', '11680', ${first}, ${last}, '{}')`.execute(mig.sdb.db);
    await cp('c1', 1, 1);
    await expect(cp('c2', 5, 4)).rejects.toThrow(/use_checkpoints_range/);
    await sql`insert into folded_events (seq, checkpoint_id) values (1, 'c1')`.execute(mig.sdb.db);
    await expect(sql`insert into folded_events (seq, checkpoint_id) values (1, 'c1')`.execute(mig.sdb.db)).rejects.toThrow(/pkey|unique/);
    await expect(sql`insert into folded_events (seq, checkpoint_id) values (2, 'c1')`.execute(mig.sdb.db)).rejects.toThrow(/foreign key/);
    expect((await mig.migrator.migrateTo('0027_adjustment_countersigns_each')).error).toBeUndefined();
    expect((await sql<{ t: string | null }>`select to_regclass('use_checkpoints')::text as t`.execute(mig.sdb.db)).rows[0]!.t).toBeNull();
  });
});
