import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { basisPointsOf } from '../../common/money.js';
import type { LedgerEvent, PurchaseEvent } from '../../ledger/events.js';
import type { SyncEvent } from '../../sync/protocol.js';
import { Harness } from '../../../tests/support/backend-harness.js';
import { spec2022 } from '../../../tests/support/specs.js';
import { SyncApplier, type PageEntry } from '../sync/apply.js';
import { LEDGER_WRITE_HOOKS } from '../backend/hooks.js';
import { canonicalEvent, chainHash, LOG_GENESIS } from '../chain/log-hash.js';
import { ledgerHandlers } from './ledger-handlers.js';

/** A console holding a synced round: events go in through the same applier a pull uses. */
const spec = spec2022({ paymentMethods: ['bank_transfer', 'debit_card'] });
const ROUND = 'r-ledger';
let h: Harness;
let admin: string;
let prev = { seq: 0, hash: LOG_GENESIS };

function feed(events: SyncEvent[]): void {
  const entries: PageEntry[] = events.map((event) => {
    const text = canonicalEvent(event);
    const seq = prev.seq + 1;
    prev = { seq, hash: chainHash(prev.hash, seq, text) };
    return { seq, hash: prev.hash, text, event };
  });
  new SyncApplier(h.backend.ledger.sqlite, LEDGER_WRITE_HOOKS).applyPage(entries, prev.seq);
}

function purchase(n: number, district: string, method: 'bank_transfer' | 'debit_card', at: string, face = 100_000): PurchaseEvent {
  return { type: 'purchase', eventId: `p${n}`, roundId: ROUND, lotId: `lot${n}`, at, buyerId: `b${n}`, districtCode: district, face, paid: face - basisPointsOf(face, spec.discountBp), paymentMethod: method };
}

beforeEach(async () => {
  h = await Harness.start();
  admin = await h.admin();
  prev = { seq: 0, hash: LOG_GENESIS };
  const events: SyncEvent[] = [{ type: 'round_published', eventId: 'pub', roundId: ROUND, version: 1, spec, publishedBy: 'kim', at: '2026-03-02T00:00:00.000Z' }];
  // 30 purchases over two Seoul days in two districts; every third one spent in part.
  for (let i = 0; i < 30; i++) {
    const at = i < 20 ? '2026-03-10T14:59:00.000Z' : '2026-03-10T15:00:00.000Z'; // 23:59 on the 10th, 00:00 on the 11th in Seoul
    events.push(purchase(i, i % 2 ? '11680' : '11110', i % 3 ? 'debit_card' : 'bank_transfer', at));
    if (i % 3 === 0) events.push({ type: 'use', eventId: `u${i}`, roundId: ROUND, lotId: `lot${i}`, at, amount: 70_000, merchantDistrict: '11110' } satisfies LedgerEvent);
  }
  feed(events);
});
afterEach(() => h.close());

const page = (extra: Record<string, unknown> = {}, session = admin) => h.call('ledger.rows', { roundId: ROUND, startRow: 0, endRow: 100, ...extra }, session);

describe('ledger.rows', () => {
  it('pages newest first and counts the rows on the first page only', async () => {
    const first = await h.call('ledger.rows', { roundId: ROUND, startRow: 0, endRow: 15 }, admin);
    expect(first.lastRow).toBe(40);
    expect(first.rows.map((r) => r.seq)).toEqual(Array.from({ length: 15 }, (_, i) => 41 - i));
    const middle = await h.call('ledger.rows', { roundId: ROUND, startRow: 15, endRow: 30 }, admin);
    expect(middle.lastRow).toBeNull();
    const last = await h.call('ledger.rows', { roundId: ROUND, startRow: 30, endRow: 45 }, admin);
    expect(last).toMatchObject({ lastRow: 40 });
    expect(last.rows.at(-1)!.seq).toBe(2);
  });

  it('filters by district, payment method, type, Seoul day and purchase', async () => {
    // A use is filed under the district of the lot it spends: 15 purchases and the 5 uses of odd lots.
    expect((await page({ districtCode: '11680' })).lastRow).toBe(20);
    expect((await page({ paymentMethod: 'bank_transfer' })).lastRow).toBe(20);
    expect((await page({ types: ['use'] })).lastRow).toBe(10);
    expect((await page({ fromDay: '2026-03-11' })).lastRow).toBe(10 + 3);
    expect((await page({ toDay: '2026-03-10' })).lastRow).toBe(20 + 7);
    expect((await page({ lotId: 'lot3' })).rows.map((r) => r.type)).toEqual(['use', 'purchase']);
  });

  it('sorts by amount', async () => {
    const rows = (await page({ sort: 'amount', direction: 'asc', types: ['use', 'purchase'] })).rows;
    expect(rows[0]!.amount).toBe(70_000);
    expect(rows.at(-1)!.amount).toBe(100_000);
  });

  it("keeps a clerk to their own district whatever they ask for", async () => {
    const clerk = await h.user(admin, 'gangnam', 'clerk', '11680');
    const rows = (await page({ districtCode: '11110' }, clerk.session)).rows;
    expect(rows.length).toBe(20);
    expect(new Set(rows.map((r) => r.districtCode))).toEqual(new Set(['11680']));
    expect(await h.fail('ledger.lot', { lotId: 'lot0' }, clerk.session)).toMatchObject({ key: 'ledger.unknownLot' });
  });

  it('refuses a block of more than 1,000 rows', async () => {
    expect(await h.fail('ledger.rows', { roundId: ROUND, startRow: 0, endRow: 5_000 }, admin)).toMatchObject({ code: 'invalid_input' });
  });
});

describe('ledger.totals and ledger.lot', () => {
  it('adds up the lots, and says why the server could not be asked', async () => {
    const totals = await h.call('ledger.totals', { roundId: ROUND }, admin);
    expect(totals.local).toEqual({ roundId: ROUND, throughSeq: 41, purchases: 30, faceSold: 3_000_000, paid: 30 * 93_000, used: 700_000, cancelled: 0, refundedAmount: 0 });
    expect(totals.server).toBeNull();
    expect(totals.serverError).toMatchObject({ key: 'sync.notConfigured' });
  });

  it("gives a clerk their district's totals, compared with the server's for the same district", async () => {
    const clerk = await h.user(admin, 'gangnam', 'clerk', '11680');
    const asked: (string | null)[] = [];
    h.backend.deps.sync.serverTotals = async (roundId, district = null) => {
      asked.push(district);
      return { roundId, ...(district ? { districtCode: district } : {}), throughSeq: 41, purchases: 0, faceSold: 0, paid: 0, used: 0, cancelled: 0, refundedAmount: 0 };
    };
    const totals = await h.call('ledger.totals', { roundId: ROUND }, clerk.session);
    // 15 of the 30 purchases are Gangnam's; 5 of the 10 part-spent lots.
    expect(totals.local).toEqual({ roundId: ROUND, districtCode: '11680', throughSeq: 41, purchases: 15, faceSold: 1_500_000, paid: 15 * 93_000, used: 350_000, cancelled: 0, refundedAmount: 0 });
    expect(totals.server).toMatchObject({ districtCode: '11680' });
    expect((await h.call('ledger.totals', { roundId: ROUND }, admin)).local).toMatchObject({ purchases: 30 });
    expect(asked).toEqual(['11680', null]);
  });

  it('quotes a cancellation for an unused lot and a refund for a mostly spent one', async () => {
    expect(await h.call('ledger.lot', { lotId: 'lot1' }, admin)).toMatchObject({ status: 'active', quote: { ok: true, kind: 'cancel', amount: 93_000 } });
    expect((await h.call('ledger.lot', { lotId: 'lot0' }, admin)).quote).toMatchObject({ ok: true, kind: 'refund' });
  });
});

describe('round status events from the server', () => {
  it('sets the local status from the server and keeps them in the local chain', async () => {
    const status = (n: number, s: 'scheduled' | 'on_sale' | 'closed') => ({ type: 'round_status' as const, eventId: `st${n}`, roundId: ROUND, status: s, version: 1, by: 'kim', at: '2026-03-10T00:00:00.000Z' });
    feed([status(1, 'scheduled'), status(2, 'on_sale')]);
    expect((await h.call('rounds.get', { id: ROUND }, admin)).status).toBe('on_sale');
    const applier = new SyncApplier(h.backend.ledger.sqlite, LEDGER_WRITE_HOOKS);
    expect(applier.firstLocalBreak()).toBeNull();
    expect(await h.backend.deps.sync.localHashAt(prev.seq)).toBe(prev.hash);
    // A repair cuts them back with the rest and they come again.
    const at = prev.seq - 1;
    applier.truncateFrom(at);
    expect(h.backend.ledger.sqlite.prepare('select count(*) from round_statuses').pluck().get()).toBe(0);
    expect(applier.firstLocalBreak()).toBeNull();
    // An edited status event breaks the chain where it stands.
    prev = applier.cursor();
    feed([status(1, 'scheduled'), status(3, 'closed')]);
    expect((await h.call('rounds.get', { id: ROUND }, admin)).status).toBe('closed');
    h.backend.ledger.sqlite.exec(`drop trigger round_statuses_no_update; update round_statuses set payload = replace(payload, 'closed', 'on_sale') where seq = ${prev.seq}`);
    expect(applier.firstLocalBreak()).toBe(prev.seq);
  });
});

describe('refunds.request', () => {
  it('queues one command per lot and refuses a second while the first waits', async () => {
    const r = await h.call('refunds.request', { lotId: 'lot1', reasonCode: 'buyer_request' }, admin);
    expect(r).toMatchObject({ kind: 'cancel', amount: 93_000 });
    expect(await h.fail('refunds.request', { lotId: 'lot1', reasonCode: 'buyer_request' }, admin)).toMatchObject({ key: 'refunds.alreadyRequested' });
    expect(await h.call('sync.outbox', {}, admin)).toMatchObject([{ commandId: r.commandId, type: 'approve_refund', state: 'pending', lotId: 'lot1' }]);
    // What goes to the server: the quote and when it was asked for; the server stamps the time of the refund itself.
    const queued = await h.backend.deps.db.selectFrom('outbox').select('payload').where('command_id', '=', r.commandId).executeTakeFirstOrThrow();
    expect(JSON.parse(queued.payload)).toEqual({ type: 'approve_refund', commandId: r.commandId, requestedAt: h.clock.toISOString(), roundId: ROUND, lotId: 'lot1', kind: 'cancel', amount: 93_000 });
    expect((await h.call('ledger.lot', { lotId: 'lot1' }, admin)).pendingRequest).toBe(r.commandId);
    // Nothing changes locally until the server's event comes back.
    expect((await h.call('ledger.lot', { lotId: 'lot1' }, admin)).status).toBe('active');
  });

  it("shows a clerk only the commands on their district's lots and their own", async () => {
    const clerk = await h.user(admin, 'gangnam', 'clerk', '11680');
    const gangnamLot = await h.call('refunds.request', { lotId: 'lot1', reasonCode: 'buyer_request' }, admin); // lot1 is Gangnam's (odd)
    const jongnoLot = await h.call('refunds.request', { lotId: 'lot2', reasonCode: 'buyer_request' }, admin); // lot2 is Jongno's
    const own = await h.call('refunds.request', { lotId: 'lot5', reasonCode: 'buyer_request' }, clerk.session);
    const seen = (await h.call('sync.outbox', {}, clerk.session)).map((o) => o.commandId).sort();
    expect(seen).toEqual([gangnamLot.commandId, own.commandId].sort());
    expect((await h.call('sync.outbox', {}, admin)).map((o) => o.commandId)).toContain(jongnoLot.commandId);
    expect(await h.fail('sync.retry', { commandId: jongnoLot.commandId }, clerk.session)).toMatchObject({ key: 'sync.commandNotFound' });
    expect(await h.call('sync.retry', { commandId: gangnamLot.commandId }, clerk.session)).toMatchObject({ lotId: 'lot1' });
    // The status bar's counts follow the same scope.
    expect(await h.call('sync.status', {}, clerk.session)).toMatchObject({ pendingOutbox: 2 });
    expect(await h.call('sync.status', {}, admin)).toMatchObject({ pendingOutbox: 3 });
  });

  it('refuses a lot already cancelled, and an analyst altogether', async () => {
    feed([{ type: 'cancel', eventId: 'c1', roundId: ROUND, lotId: 'lot1', at: '2026-03-12T00:00:00.000Z', amount: 93_000 }]);
    expect(await h.fail('refunds.request', { lotId: 'lot1', reasonCode: 'buyer_request' }, admin)).toMatchObject({ key: 'ledger.lotClosed' });
    const analyst = await h.user(admin, 'ana', 'analyst');
    expect(await h.fail('refunds.request', { lotId: 'lot2', reasonCode: 'buyer_request' }, analyst.session)).toMatchObject({ code: 'forbidden' });
    expect(await h.call('sync.outbox', {}, admin)).toEqual([]);
  });
});

/**
 * A shared console (synced as an official, so it holds every district in
 * full) read by four users. Each may see what the server's read scope
 * (server/log/read-scope.ts) would send them, nothing more. Expected counts by
 * hand from the feed above: even lots are Jongno's (11110), odd Gangnam's
 * (11680); 15 purchases each, and lots 0, 6, 12, 18, 24 (Jongno) and 3, 9, 15,
 * 21, 27 (Gangnam) were part spent, so each district has 20 events of 40.
 */
describe("the server's read scope on a shared console", () => {
  type Who = 'official' | 'jongno' | 'gangnam' | 'analyst';
  const SEES: Record<Who, { rows: number | 'forbidden'; lot2: 'ok' | 'not_found' | 'forbidden'; outbox: string[] }> = {
    official: { rows: 40, lot2: 'ok', outbox: ['gangnamLot', 'jongnoLot', 'jongnoOwn', 'analystOwn'] },
    jongno: { rows: 20, lot2: 'ok', outbox: ['jongnoLot', 'jongnoOwn'] },
    gangnam: { rows: 20, lot2: 'not_found', outbox: ['gangnamLot'] },
    analyst: { rows: 'forbidden', lot2: 'forbidden', outbox: ['analystOwn'] },
  };

  it('gives each user the lot events and outbox items of their scope, the analyst none but their own command', async () => {
    const users: Record<Who, { id: string; session: string }> = {
      official: await h.user(admin, 'kim', 'official'),
      jongno: await h.user(admin, 'jongno', 'clerk', '11110'),
      gangnam: await h.user(admin, 'gangnam', 'clerk', '11680'),
      analyst: await h.user(admin, 'ana', 'analyst'),
    };
    const commands: Record<string, string> = {
      gangnamLot: (await h.call('refunds.request', { lotId: 'lot1', reasonCode: 'buyer_request' }, users.official.session)).commandId,
      jongnoLot: (await h.call('refunds.request', { lotId: 'lot2', reasonCode: 'buyer_request' }, users.official.session)).commandId,
      jongnoOwn: (await h.call('refunds.request', { lotId: 'lot4', reasonCode: 'buyer_request' }, users.jongno.session)).commandId,
      analystOwn: 'cmd-analyst-own',
    };
    // An analyst queues no command today; one in their name with no lot stands in for whatever they may queue later.
    await h.backend.deps.db
      .insertInto('outbox')
      .values({ command_id: 'cmd-analyst-own', type: 'set_refund_threshold', payload: JSON.stringify({ type: 'set_refund_threshold', commandId: 'cmd-analyst-own', amount: null }), round_id: null, lot_id: null, created_at: h.clock.toISOString(), created_by: users.analyst.id, state: 'pending', attempts: 0, next_attempt_at: h.clock.toISOString(), last_error: null, reason_key: null, reason_params: null, server_seq: null, resolved_at: null })
      .execute();
    const name = Object.fromEntries(Object.entries(commands).map(([k, v]) => [v, k]));

    for (const who of Object.keys(SEES) as Who[]) {
      const want = SEES[who];
      const session = users[who].session;
      if (want.rows === 'forbidden') expect(await h.fail('ledger.rows', { roundId: ROUND, startRow: 0, endRow: 100 }, session), who).toMatchObject({ code: 'forbidden' });
      else expect((await page({}, session)).lastRow, who).toBe(want.rows);
      if (want.lot2 === 'ok') expect((await h.call('ledger.lot', { lotId: 'lot2' }, session)).districtCode, who).toBe('11110');
      else expect(await h.fail('ledger.lot', { lotId: 'lot2' }, session), who).toMatchObject({ code: want.lot2 });
      const seen = (await h.call('sync.outbox', {}, session)).map((o) => name[o.commandId]);
      expect(seen.sort(), who).toEqual([...want.outbox].sort());
      expect((await h.call('sync.status', {}, session)).pendingOutbox, who).toBe(want.outbox.length);
    }
    expect(await h.fail('sync.retry', { commandId: commands.jongnoLot! }, users.analyst.session)).toMatchObject({ key: 'sync.commandNotFound' });
    // Totals stay open to the analyst: the server sends them the round's.
    expect((await h.call('ledger.totals', { roundId: ROUND }, users.analyst.session)).local).toMatchObject({ purchases: 30 });
  });

  it('finds no lot event for an analyst even if the contract ever lets them call the handler', async () => {
    const analyst = await h.user(admin, 'ana', 'analyst');
    const user = { id: analyst.id, username: 'ana', displayName: 'ana', role: 'analyst' as const, districtCode: null };
    const ctx = { deps: h.backend.deps, user, sessionToken: analyst.session };
    const out = await ledgerHandlers['ledger.rows']({ roundId: ROUND, startRow: 0, endRow: 100, sort: 'seq', direction: 'desc' }, ctx);
    expect(out).toEqual({ rows: [], lastRow: 0 });
    await expect(ledgerHandlers['ledger.lot']({ lotId: 'lot2' }, ctx)).rejects.toMatchObject({ key: 'ledger.unknownLot' });
  });
});
