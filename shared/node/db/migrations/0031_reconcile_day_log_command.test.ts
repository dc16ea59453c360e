import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migrateTo, migrateToLatest, openDatabase, type LedgerDb } from '../open.js';

let l: LedgerDb;
beforeEach(() => {
  l = openDatabase(':memory:');
});
afterEach(() => l.close());

describe('migration 0031_reconcile_day_log_command', () => {
  it('lets a day-log entry name the command sent to the server, and leaves older entries without one', async () => {
    await migrateTo(l.db, '0027_sale_steering_events');
    await sql`insert into reconcile_day_log (day, provider, action, by, reason, at) values ('2026-03-10', 'toss', 'lock', 'kim', null, '2026-03-12T03:00:00.000Z')`.execute(l.db);
    await migrateToLatest(l.db);
    await sql`insert into reconcile_day_log (day, provider, action, by, reason, at, command_id) values ('2026-03-10', 'toss', 'reopen', 'kim', 'x', '2026-03-12T04:00:00.000Z', 'c1')`.execute(l.db);
    const rows = await l.db.selectFrom('reconcile_day_log').select(['action', 'command_id']).orderBy('id').execute();
    expect(rows).toEqual([{ action: 'lock', command_id: null }, { action: 'reopen', command_id: 'c1' }]);
  });

  it('rolls back to 0027', async () => {
    await migrateToLatest(l.db);
    await migrateTo(l.db, '0027_sale_steering_events');
    const cols = await sql<{ name: string }>`select name from pragma_table_info('reconcile_day_log')`.execute(l.db);
    expect(cols.rows.map((c) => c.name)).not.toContain('command_id');
  });
});
