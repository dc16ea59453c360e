import type BetterSqlite3 from 'better-sqlite3';
import fc from 'fast-check';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { PurchaseEvent } from '../../../ledger/events.js';
import { Feeder, ledgerEvents, reportSpec } from '../../../../tests/support/report-ledger.js';
import { forEachBuyer, rebuildReportFacts } from '../../reports/report-facts.js';
import { afterMigrate } from '../../backend/hooks.js';
import { migrateTo, migrateToLatest, openDatabase, type LedgerDb } from '../open.js';

let l: LedgerDb;
beforeEach(() => {
  l = openDatabase(':memory:');
});
afterEach(() => l.close());

const plan = { roundId: 'r', spec: reportSpec(), purchases: 300, start: '2026-03-09T20:00:00.000Z', days: 2, seed: 3, buyers: 150 };
const FACT_TABLES = ['report_facts_day', 'report_facts_hour', 'report_facts_hour_face', 'report_facts_cell'];

/** Every summary row as text; buyer lists as their sorted buyer ids (numbers differ between builds). */
function snapshot(sqlite: BetterSqlite3.Database): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const t of FACT_TABLES) out[t] = (sqlite.prepare(`select * from ${t}`).raw().all() as unknown[][]).map((r) => JSON.stringify(r)).sort();
  const ids = new Map((sqlite.prepare('select no, buyer_id from report_buyers').raw().all() as [number, string][]).map(([no, id]) => [no, id]));
  out.buyers = (sqlite.prepare('select round_id, hour, district_code, payment_method, face, buyers from report_buyer_cells').raw().all() as [string, string, string, string, number, Uint8Array][])
    .map(([...r]) => {
      const list: string[] = [];
      forEachBuyer(r[5], (no) => list.push(ids.get(no)!));
      return JSON.stringify([...r.slice(0, 5), list.sort()]);
    })
    .sort();
  return out;
}

function rebuilt(sqlite: BetterSqlite3.Database): Record<string, string[]> {
  sqlite.transaction(() => rebuildReportFacts(sqlite))();
  return snapshot(sqlite);
}

describe('migration 0013_report_summaries', () => {
  it('replaces the triggers, sums a ledger synced before it, and keeps the sums per page after', async () => {
    await migrateTo(l.db, '0011_reports');
    const feeder = new Feeder(l.sqlite);
    feeder.feed(ledgerEvents(plan), 97);
    await migrateToLatest(l.db);
    // As the backend does: the summaries catch up with what was synced before them.
    afterMigrate(l.sqlite);
    const triggers = (await sql<{ name: string }>`select name from sqlite_master where type = 'trigger' and name like 'report_facts%'`.execute(l.db)).rows;
    expect(triggers).toEqual([]);
    const events = (await sql<{ n: number; a: number }>`select count(*) as n, sum(amount) as a from ledger_events`.execute(l.db)).rows[0]!;
    for (const t of FACT_TABLES) {
      const s = (await sql<{ n: number; a: number }>`select sum(n) as n, sum(amount) as a from ${sql.raw(t)}`.execute(l.db)).rows[0]!;
      expect(s, t).toEqual(events);
    }
    const migrated = snapshot(l.sqlite);
    expect(migrated).toEqual(rebuilt(l.sqlite));
    feeder.feed(ledgerEvents({ ...plan, roundId: 'r2', seed: 4 }), 61);
    expect(snapshot(l.sqlite)).toEqual(rebuilt(l.sqlite));
    const state = (await sql<{ last: number; head: number }>`select last_seq as last, (select max(seq) from ledger_events) as head from report_facts_state`.execute(l.db)).rows[0]!;
    expect(state.last).toBe(state.head);
  });

  it("appends a later page's buyers to a cell's list, and each purchase's buyer once per purchase", async () => {
    await migrateToLatest(l.db);
    const events = [...ledgerEvents({ ...plan, purchases: 1 })];
    const first = events.find((e): e is PurchaseEvent => e.type === 'purchase')!;
    // The same cell (round, Seoul hour, district, method, face) bought into again, by others and by the first buyer.
    const again = (i: number, buyerId: string): PurchaseEvent => ({ ...first, eventId: `again-${i}`, lotId: `again-l${i}`, buyerId });
    const feeder = new Feeder(l.sqlite);
    feeder.feed([events[0]!, first], 2);
    feeder.feed([again(1, 'x1'), again(2, 'x2')], 2);
    feeder.feed([again(3, first.buyerId)], 1);
    const cells = snapshot(l.sqlite).buyers!.map((c) => JSON.parse(c) as unknown[]);
    expect(cells).toEqual([[plan.roundId, expect.any(String), first.districtCode, first.paymentMethod, first.face, [first.buyerId, first.buyerId, 'x1', 'x2'].sort()]]);
  });

  it('summaries equal a rebuild after every page, whatever the page sizes', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.integer({ min: 1, max: 120 }), { minLength: 1, maxLength: 6 }), fc.integer({ min: 1, max: 1_000 }), async (sizes, seed) => {
        const d = openDatabase(':memory:');
        try {
          await migrateToLatest(d.db);
          const feeder = new Feeder(d.sqlite);
          const events = [...ledgerEvents({ ...plan, purchases: 60, seed, buyers: 20 })];
          let i = 0;
          for (const size of sizes) {
            feeder.feed(events.slice(i, i + size), size);
            i += size;
            expect(snapshot(d.sqlite)).toEqual(rebuilt(d.sqlite));
          }
          // The pages drawn may all fall before the first purchase (a page of one event is the round's): the rest
          // arrives as one last page, so the summaries are compared on a ledger that has sales.
          feeder.feed(events.slice(i), Math.max(1, events.length - i));
          expect(snapshot(d.sqlite)).toEqual(rebuilt(d.sqlite));
          expect(snapshot(d.sqlite).report_facts_day!.length).toBeGreaterThan(0);
        } finally {
          await d.close();
        }
      }),
      { numRuns: 25 },
    );
  });

  it('rolls back to 0011: its tables, triggers and lots index again, summed from the ledger', async () => {
    await migrateToLatest(l.db);
    new Feeder(l.sqlite).feed(ledgerEvents(plan));
    await migrateTo(l.db, '0011_reports');
    const names = (await sql<{ name: string }>`select name from sqlite_master where name in ('report_facts_cell', 'report_buyer_cells', 'report_buyers', 'report_facts_state', 'report_facts_insert', 'lots_report') order by name`.execute(l.db)).rows;
    expect(names.map((r) => r.name)).toEqual(['lots_report', 'report_facts_insert']);
    const s = (await sql<{ n: number }>`select (select sum(n) from report_facts_hour_face) - (select count(*) from ledger_events) as n`.execute(l.db)).rows[0]!;
    expect(s.n).toBe(0);
  });
});
