import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Feeder, ledgerEvents, reportSpec } from '../../../../tests/support/report-ledger.js';
import { afterMigrate } from '../../backend/hooks.js';
import { migrateTo, migrateToLatest, openDatabase, type LedgerDb } from '../open.js';

let l: LedgerDb;
beforeEach(async () => {
  l = openDatabase(':memory:');
});
afterEach(() => l.close());

const plan = { roundId: 'r', spec: reportSpec(), purchases: 400, start: '2026-03-09T20:00:00.000Z', days: 2, seed: 3 };

async function factsBy(sum: 'n' | 'amount', table = 'report_facts_day'): Promise<Record<string, number>> {
  const rows = (await sql<{ type: string; v: number }>`select type, sum(${sql.raw(sum)}) as v from ${sql.raw(table)} group by type`.execute(l.db)).rows;
  return Object.fromEntries(rows.map((r) => [r.type, r.v]));
}

async function eventsBy(sum: 'n' | 'amount'): Promise<Record<string, number>> {
  const rows = (await sql<{ type: string; v: number }>`select type, ${sql.raw(sum === 'n' ? 'count(*)' : 'sum(amount)')} as v from ledger_events group by type`.execute(l.db)).rows;
  return Object.fromEntries(rows.map((r) => [r.type, r.v]));
}

describe('migration 0011_reports', () => {
  it('sums a ledger synced before it, then keeps the sums as events arrive', async () => {
    await migrateTo(l.db, '0010_reconcile');
    const feeder = new Feeder(l.sqlite);
    feeder.feed(ledgerEvents(plan));
    await migrateToLatest(l.db);
    // As the backend does: the summaries catch up with what was synced before them.
    afterMigrate(l.sqlite);
    for (const table of ['report_facts_day', 'report_facts_hour', 'report_facts_hour_face']) {
      expect(await factsBy('n', table)).toEqual(await eventsBy('n'));
      expect(await factsBy('amount', table)).toEqual(await eventsBy('amount'));
    }
    feeder.feed(ledgerEvents({ ...plan, roundId: 'r2', seed: 4 }));
    for (const table of ['report_facts_day', 'report_facts_hour', 'report_facts_hour_face']) {
      expect(await factsBy('n', table)).toEqual(await eventsBy('n'));
      expect(await factsBy('amount', table)).toEqual(await eventsBy('amount'));
      const paid = await sql<{ a: number; b: number }>`select (select sum(paid) from ${sql.raw(table)}) as a, (select sum(paid) from lots) as b`.execute(l.db);
      expect(paid.rows[0]!.a).toBe(paid.rows[0]!.b);
    }
  });

  it('files each event under its Seoul hour', async () => {
    await migrateToLatest(l.db);
    new Feeder(l.sqlite).feed(ledgerEvents({ ...plan, purchases: 1, start: '2026-03-10T14:59:59.000Z' }));
    const hours = (await sql<{ hour: string }>`select distinct hour from report_facts_hour where type = 'purchase'`.execute(l.db)).rows;
    expect(hours).toEqual([{ hour: '2026-03-10 23' }]);
    const days = (await sql<{ day: string }>`select distinct day from report_facts_day where type = 'purchase'`.execute(l.db)).rows;
    expect(days).toEqual([{ day: '2026-03-10' }]);
  });

  it('holds saved reports with unique names', async () => {
    await migrateToLatest(l.db);
    const row = { id: 'a', name: '주간 판매', params: '{}', created_by: 'u', created_by_name: '분석', created_at: '2026-03-10T00:00:00.000Z' };
    await l.db.insertInto('saved_reports').values(row).execute();
    await expect(l.db.insertInto('saved_reports').values({ ...row, id: 'b' }).execute()).rejects.toThrow(/UNIQUE/);
  });

  it('rolls back to the migration before it', async () => {
    await migrateToLatest(l.db);
    await migrateTo(l.db, '0010_reconcile');
    const names = (await sql<{ name: string }>`select name from sqlite_master where name in ('report_facts_day', 'report_facts_hour', 'report_facts_hour_face', 'saved_reports', 'report_facts_insert', 'lots_report')`.execute(l.db)).rows;
    expect(names).toEqual([]);
  });
});
