import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migrateTo, migrateToLatest, openDatabase, type LedgerDb } from '../open.js';

let l: LedgerDb;
beforeEach(() => {
  l = openDatabase(':memory:');
});
afterEach(() => l.close());

const book = (extra = sql``, values = sql``) =>
  sql`insert into reconcile_adjustments (exception_id, day, provider, amount, reason, text, by, by_name, at, command_id ${extra}) values (1, '2026-03-10', 'toss', -250000000, 'provider_error', 'x', 'kim', '김', '2026-03-12T03:00:00.000Z', ${'c' + Math.random()} ${values})`;

describe('migration 0037_adjustment_countersign_of', () => {
  it('lets a booking name the refused one it completes and its countersigner, and leaves older bookings without', async () => {
    await migrateTo(l.db, '0031_reconcile_day_log_command');
    // The bookings alone are under test, not the exception and file they would name.
    l.sqlite.pragma('foreign_keys = OFF');
    await book().execute(l.db);
    await migrateToLatest(l.db);
    await book(sql`, countersign_of, countersigned_by`, sql`, 'c-refused', 'lee'`).execute(l.db);
    const rows = await l.db.selectFrom('reconcile_adjustments').select(['countersign_of', 'countersigned_by']).orderBy('id').execute();
    expect(rows).toEqual([
      { countersign_of: null, countersigned_by: null },
      { countersign_of: 'c-refused', countersigned_by: 'lee' },
    ]);
  });

  it('rolls back to 0031', async () => {
    await migrateToLatest(l.db);
    await migrateTo(l.db, '0031_reconcile_day_log_command');
    const cols = await sql<{ name: string }>`select name from pragma_table_info('reconcile_adjustments')`.execute(l.db);
    expect(cols.rows.map((c) => c.name)).not.toContain('countersign_of');
  });
});
