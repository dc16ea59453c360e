import { afterAll, beforeAll, expect, it } from 'vitest';
import { reportParamsSchema } from '../../reports/params.js';
import { Harness } from '../../../tests/support/backend-harness.js';
import { Feeder, ledgerEvents, reportSpec } from '../../../tests/support/report-ledger.js';
import { countBuyers } from './buyer-lists.js';
import { reportFactsHook } from './report-facts.js';

/**
 * The buyer lists held in memory after a snapshot took the ledger's place:
 * the snapshot's summaries come at the generation of the build that made
 * them (0 for a fresh one), which a list held from the console's earlier
 * contents may share (a console that showed reports, then was cut back to
 * the start and took a snapshot). Its distinct buyers must be the new file's.
 */
let console_: Harness;
let server: Harness;
const spec = reportSpec();
const TABLES = ['report_facts_state', 'report_buyers', 'report_buyer_cells'] as const;

beforeAll(async () => {
  [console_, server] = await Promise.all([Harness.start(), Harness.start()]);
  // Other days and more buyers on the console before: its cells are not the snapshot's, and its buyer numbers run further.
  new Feeder(console_.backend.ledger.sqlite).feed(ledgerEvents({ roundId: 'r1', spec, purchases: 900, start: '2026-04-06T20:00:00.000Z', days: 2, seed: 1, buyers: 600 }));
  new Feeder(server.backend.ledger.sqlite).feed(ledgerEvents({ roundId: 'r1', spec, purchases: 300, start: '2026-03-09T20:00:00.000Z', days: 2, seed: 2, buyers: 150 }));
});
afterAll(async () => {
  await console_?.close();
  await server?.close();
});

/** Distinct buyers of the purchases per Seoul day, counted from the events and their lots, not from the summaries. */
const byDay = (h: Harness) =>
  new Map(
    (h.backend.ledger.sqlite
      .prepare(`select strftime('%Y-%m-%d', e.occurred_at, '+9 hours') as day, count(distinct l.buyer_id) as n
                from ledger_events e join lots l on l.lot_id = e.lot_id where e.type = 'purchase' group by 1`)
      .all() as { day: string; n: number }[]).map((r) => [r.day, r.n]),
  );
const truth = (h: Harness) => h.backend.ledger.sqlite.prepare('select count(distinct buyer_id) from lots').pluck().get() as number;
const all = reportParamsSchema.parse({});
const perDay = reportParamsSchema.parse({ groupBy: ['day'] });

it("counts the snapshot's buyers, not a mix with the lists read from the console's earlier contents", async () => {
  const db = console_.backend.deps.db;
  expect((await countBuyers(db, all, [])).total).toBe(truth(console_));
  const generation = (h: Harness) => h.backend.ledger.sqlite.prepare('select generation from report_facts_state').pluck().get();
  expect([generation(console_), generation(server)]).toEqual([0, 0]);

  // The snapshot's summaries in the console's file, as an install leaves them.
  const mine = console_.backend.ledger.sqlite;
  for (const t of TABLES) {
    const rows = server.backend.ledger.sqlite.prepare(`select * from ${t}`).all() as Record<string, unknown>[];
    mine.prepare(`delete from ${t}`).run();
    for (const r of rows) mine.prepare(`insert into ${t} (${Object.keys(r).join(', ')}) values (${Object.keys(r).map(() => '?').join(', ')})`).run(...Object.values(r));
  }
  reportFactsHook.afterInstall(mine);

  expect(truth(server)).not.toBe(truth(console_));
  expect((await countBuyers(db, all, [])).total).toBe(truth(server));
  // Not a day of the console's earlier contents among them.
  expect((await countBuyers(db, perDay, [])).groups).toEqual(byDay(server));
});
