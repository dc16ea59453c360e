import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { basisPointsOf } from '../../common/money.js';
import type { SyncEvent } from '../../sync/protocol.js';
import { AT, baseSpec, chain, materialise, opArb } from '../../../tests/support/sync-history.js';
import { migrateToLatest, openDatabase, type LedgerDb } from '../db/open.js';
import { eventDigest } from '../chain/log-hash.js';
import { PAY_KEY_MATCH, payKeyArgs } from '../db/pay-keys.js';
import { SyncApplier, type PageEntry } from './apply.js';
import { LEDGER_WRITE_HOOKS } from '../backend/hooks.js';

let l: LedgerDb;
afterEach(() => l?.close());

async function freshConsole(): Promise<void> {
  await l?.close();
  l = openDatabase(':memory:');
  await migrateToLatest(l.db);
}

/** round_sales against the lots it is derived from, for every round that has either. */
function salesMismatches(): unknown[] {
  return l.sqlite
    .prepare(
      `select r.round_id, s.sold_face, s.lot_count, coalesce(t.face, 0) as face, coalesce(t.n, 0) as n
       from (select round_id from round_sales union select round_id from lots) r
       left join round_sales s on s.round_id = r.round_id
       left join (select round_id, sum(face) as face, count(*) as n from lots where status != 'cancelled' group by round_id) t on t.round_id = r.round_id
       where coalesce(s.sold_face, 0) != coalesce(t.face, 0) or coalesce(s.lot_count, 0) != coalesce(t.n, 0)`,
    )
    .all();
}

describe('SyncApplier round_sales', () => {
  it('equals the sum over lots after every page, whatever shares a page with a new round version', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 80 }), fc.array(fc.integer({ min: 1, max: 12 }), { minLength: 1, maxLength: 40 }), async (ops, cuts) => {
        await freshConsole();
        const entries = chain(materialise(ops));
        const applier = new SyncApplier(l.sqlite, LEDGER_WRITE_HOOKS);
        let at = 0;
        for (let i = 0; at < entries.length; i++) {
          const page = entries.slice(at, at + cuts[i % cuts.length]!);
          applier.applyPage(page, entries.length);
          at += page.length;
          expect(salesMismatches()).toEqual([]);
        }
        // A repair replays the same log to the same totals.
        applier.truncateFrom(entries.length + 1);
        expect(salesMismatches()).toEqual([]);
      }),
      { numRuns: 150 },
    );
  });
});

describe('SyncApplier with redacted events', () => {
  /** A clerk's view of a log: purchases outside Gangnam come as their digest only. */
  function clerkView(entries: PageEntry[]): PageEntry[] {
    return entries.map((e) => (e.event?.type === 'purchase' && e.event.districtCode !== '11680' ? { seq: e.seq, hash: e.hash, digest: eventDigest(e.text!) } : e));
  }

  function log(): PageEntry[] {
    const events: SyncEvent[] = [{ type: 'round_published', eventId: 'pub', roundId: 'r0', version: 1, spec: { ...baseSpec, totalAmount: 10_000_000 }, publishedBy: 'kim', at: AT }];
    for (let i = 1; i <= 20; i++) {
      events.push({ type: 'purchase', eventId: `p${i}`, roundId: 'r0', lotId: `lot${i}`, at: AT, buyerId: `b${i}`, districtCode: i % 2 ? '11680' : '11110', face: 10_000, paid: 10_000 - basisPointsOf(10_000, baseSpec.discountBp), paymentMethod: 'bank_transfer' });
    }
    return clerkView(chain(events));
  }

  it('keeps the chain through digests, writes no lot for them, and repairs across them', async () => {
    await freshConsole();
    const entries = log();
    const applier = new SyncApplier(l.sqlite, LEDGER_WRITE_HOOKS);
    applier.applyPage(entries.slice(0, 7), 21);
    applier.applyPage(entries.slice(7), 21);
    expect(applier.cursor()).toEqual({ seq: 21, hash: entries.at(-1)!.hash });
    expect(l.sqlite.prepare('select count(*) from redacted_events').pluck().get()).toBe(10);
    expect(l.sqlite.prepare('select distinct district_code from lots').pluck().all()).toEqual(['11680']);
    expect(applier.firstLocalBreak()).toBeNull();
    expect(salesMismatches()).toEqual([]);

    // A repair from the middle cuts digests and events alike and takes them again.
    applier.truncateFrom(10);
    expect(applier.cursor()).toEqual({ seq: 9, hash: entries[8]!.hash });
    expect(l.sqlite.prepare('select count(*) from lots').pluck().get()).toBe(4); // lots 1, 3, 5 and 7 at seq 2 to 9
    expect(l.sqlite.prepare('select max(seq) from redacted_events').pluck().get()).toBe(9);
    applier.applyPage(entries.slice(9), 21);
    expect(applier.firstLocalBreak()).toBeNull();
    expect(l.sqlite.prepare('select count(*) from lots').pluck().get()).toBe(10);
  });

  it('finds a digest edited in the local file', async () => {
    await freshConsole();
    const entries = log();
    const applier = new SyncApplier(l.sqlite, LEDGER_WRITE_HOOKS);
    applier.applyPage(entries, 21);
    l.sqlite.exec(`drop trigger redacted_events_no_update; update redacted_events set digest = '${'0'.repeat(64)}' where seq = 5`);
    expect(applier.firstLocalBreak()).toBe(5);
  });

  it('refuses a digest that does not chain, writing nothing', async () => {
    await freshConsole();
    const entries = log();
    const bad = entries.map((e) => (e.seq === 3 ? { seq: 3, hash: e.hash, digest: '0'.repeat(64) } : e));
    const applier = new SyncApplier(l.sqlite, LEDGER_WRITE_HOOKS);
    expect(() => applier.applyPage(bad, 21)).toThrow(/sync.hashMismatch|3/);
    expect(applier.cursor().seq).toBe(0);
    expect(l.sqlite.prepare('select count(*) from redacted_events').pluck().get()).toBe(0);
  });
});

describe('payment references (event version 2)', () => {
  /** A round; a purchase paid under `pay`, one without references; the first's cancellation under `cancelTid` (approval 33334444). */
  const paidLog = (pay: { provider: string; tid: string; approvalNo: string; approvedAt: string }, cancelTid: string): SyncEvent[] => [
    { type: 'round_published', eventId: 'pub', roundId: 'r0', version: 1, spec: baseSpec, publishedBy: 'kim', at: AT },
    { type: 'purchase', eventId: 'p1', roundId: 'r0', lotId: 'l1', at: AT, buyerId: 'b1', districtCode: '11110', face: 10_000, paid: 9_300, paymentMethod: 'bank_transfer', payment: pay },
    { type: 'purchase', eventId: 'p2', roundId: 'r0', lotId: 'l2', at: AT, buyerId: 'b2', districtCode: '11110', face: 10_000, paid: 9_300, paymentMethod: 'bank_transfer' },
    { type: 'cancel', eventId: 'c1', roundId: 'r0', lotId: 'l1', at: AT, amount: 9_300, payment: { ...pay, tid: cancelTid, approvalNo: '33334444', originalTid: pay.tid } },
  ];

  it('stores provider, key, approval number and time, original key and the money moved in indexed columns; older events get none', async () => {
    await freshConsole();
    const events = paidLog({ provider: 'hecto', tid: 'STFP1', approvalNo: '11112222', approvedAt: '2026-03-10T09:59:59+09:00' }, 'STFP2');
    new SyncApplier(l.sqlite, LEDGER_WRITE_HOOKS).applyPage(chain(events), events.length);
    const rows = l.sqlite.prepare('select event_id, pay_provider, pay_tid, pay_approval_no, pay_approved_at, pay_original_tid, pay_amount from ledger_events order by seq').all();
    expect(rows).toEqual([
      { event_id: 'p1', pay_provider: 'hecto', pay_tid: 'STFP1', pay_approval_no: '11112222', pay_approved_at: '2026-03-10T00:59:59.000Z', pay_original_tid: null, pay_amount: 9_300 },
      { event_id: 'p2', pay_provider: null, pay_tid: null, pay_approval_no: null, pay_approved_at: null, pay_original_tid: null, pay_amount: null },
      { event_id: 'c1', pay_provider: 'hecto', pay_tid: 'STFP2', pay_approval_no: '33334444', pay_approved_at: '2026-03-10T00:59:59.000Z', pay_original_tid: 'STFP1', pay_amount: 9_300 },
    ]);
  });

  it('are found by reference through pay_keys after a page, and a repair cut takes the keys of what it cuts', async () => {
    await freshConsole();
    const pay = { provider: 'toss', tid: 'tgen_a', approvalNo: '11112222', approvedAt: '2026-03-10T09:59:59+09:00' };
    const [pub, p1, p2, c1] = paidLog(pay, 'tgen_c');
    // A third purchase before the cancellation: pub 1, p1 2, p2 3, p3 4, c1 5.
    const p3: SyncEvent = { type: 'purchase', eventId: 'p3', roundId: 'r0', lotId: 'l3', at: AT, buyerId: 'b3', districtCode: '11110', face: 10_000, paid: 9_300, paymentMethod: 'bank_transfer', payment: { ...pay, tid: 'tgen_b' } };
    const events = [pub!, p1!, p2!, p3, c1!];
    const applier = new SyncApplier(l.sqlite, LEDGER_WRITE_HOOKS);
    // Two pages, so the keys of the second are written into a table that already holds some.
    applier.applyPage(chain(events).slice(0, 3), events.length);
    applier.applyPage(chain(events).slice(3), events.length);
    const found = (tid: string) => l.sqlite.prepare(`select e.event_id from ${PAY_KEY_MATCH}`).pluck().all(...payKeyArgs('toss', tid));
    expect([found('tgen_a'), found('tgen_b'), found('tgen_c'), found('tgen_x')]).toEqual([['p1'], ['p3'], ['c1'], []]);
    expect(l.sqlite.prepare('select seq from pay_keys order by seq').pluck().all()).toEqual([2, 4, 5]);
    // Cut back to before p3 (seq 4): its key and the cancellation's go, p1's stays.
    applier.truncateFrom(4);
    expect(l.sqlite.prepare('select seq from pay_keys order by seq').pluck().all()).toEqual([2]);
    expect([found('tgen_a'), found('tgen_b'), found('tgen_c')]).toEqual([['p1'], [], []]);
  });

  it('of a page of 250 purchases are all written (two statements of a hundred keys, then fifty one by one), each under its own key and event', async () => {
    await freshConsole();
    const pay = { provider: 'toss', approvalNo: '11112222', approvedAt: '2026-03-10T09:59:59+09:00' };
    const purchases = Array.from({ length: 250 }, (_, i): SyncEvent => ({
      type: 'purchase', eventId: `p${i}`, roundId: 'r0', lotId: `l${i}`, at: AT, buyerId: `b${i}`, districtCode: '11110', face: 10_000, paid: 9_300, paymentMethod: 'bank_transfer', payment: { ...pay, tid: `tgen_${i}` },
    }));
    // Stock for them all: the base spec's would be sold out after thirty.
    const pub: SyncEvent = { type: 'round_published', eventId: 'pub', roundId: 'r0', version: 1, spec: { ...baseSpec, totalAmount: 250 * 10_000 }, publishedBy: 'kim', at: AT };
    const events = [pub, ...purchases];
    new SyncApplier(l.sqlite, LEDGER_WRITE_HOOKS).applyPage(chain(events), events.length);
    // Purchase i is at sequence i + 2, after the publication; its key is the FNV-1a of provider and key (payKeyArgs).
    expect(l.sqlite.prepare('select key, seq from pay_keys order by seq').raw().all()).toEqual(purchases.map((_, i) => [payKeyArgs('toss', `tgen_${i}`)[0], i + 2]));
    const found = (tid: string) => l.sqlite.prepare(`select e.event_id from ${PAY_KEY_MATCH}`).pluck().all(...payKeyArgs('toss', tid));
    expect([found('tgen_0'), found('tgen_137'), found('tgen_249')]).toEqual([['p0'], ['p137'], ['p249']]);
  });

  it('of a page applied in slices are written at its end, found meanwhile, gathered again after a stop, and none of a slice that failed', async () => {
    await freshConsole();
    const pay = { provider: 'toss', tid: 'tgen_a', approvalNo: '11112222', approvedAt: '2026-03-10T09:59:59+09:00' };
    const [pub, p1, p2, c1] = paidLog(pay, 'tgen_c');
    const p3 = (tid: string): SyncEvent => ({ type: 'purchase', eventId: 'p3', roundId: 'r0', lotId: 'l3', at: AT, buyerId: 'b3', districtCode: '11110', face: 10_000, paid: 9_300, paymentMethod: 'bank_transfer', payment: { ...pay, tid } });
    // Two histories that share their first three events (pub 1, p1 2, p2 3): p3 paid under tgen_b then c1, or p3 under tgen_d.
    const first = chain([pub!, p1!, p2!, p3('tgen_b'), c1!]);
    const second = chain([pub!, p1!, p2!, p3('tgen_d')]);
    const found = (tid: string) => l.sqlite.prepare(`select e.event_id from ${PAY_KEY_MATCH}`).pluck().all(...payKeyArgs('toss', tid));
    const keys = () => l.sqlite.prepare('select seq from pay_keys order by seq').pluck().all();
    const mark = () => l.sqlite.prepare('select last_seq from pay_keys_state').pluck().get();
    const applier = new SyncApplier(l.sqlite, LEDGER_WRITE_HOOKS);
    applier.applyPage(first.slice(0, 3), 5, false);
    // Not yet in pay_keys, and found all the same, among the events after the mark.
    expect([keys(), mark(), found('tgen_a')]).toEqual([[], 0, ['p1']]);
    // A slice refused at its second event (c1's hash spoilt) writes nothing, and the key of its first (p3, tgen_b) is not kept for later.
    expect(() => applier.applyPage([first[3]!, { ...first[4]!, hash: 'f'.repeat(64) }], 5, true)).toThrow(/hashMismatch/);
    expect([keys(), mark(), applier.cursor().seq]).toEqual([[], 0, 3]);
    // A console stopped here restarts with a new applier: p1's key, of a slice committed but never written, is gathered again.
    const restarted = new SyncApplier(l.sqlite, LEDGER_WRITE_HOOKS);
    restarted.applyPage(second.slice(3), 4, true);
    expect([keys(), mark()]).toEqual([[2, 4], 4]);
    expect(l.sqlite.prepare('select key from pay_keys where seq = 4').pluck().get()).toBe(payKeyArgs('toss', 'tgen_d')[0]);
    expect([found('tgen_a'), found('tgen_b'), found('tgen_d')]).toEqual([['p1'], [], ['p3']]);
    // The first applier, had it gone on, held p1's key only: its own next page ends with the same keys.
    await freshConsole();
    const again = new SyncApplier(l.sqlite, LEDGER_WRITE_HOOKS);
    again.applyPage(first.slice(0, 3), 4, false);
    expect(() => again.applyPage([first[3]!, { ...first[4]!, hash: 'f'.repeat(64) }], 5, true)).toThrow(/hashMismatch/);
    again.applyPage(second.slice(3), 4, true);
    expect([keys(), mark()]).toEqual([[2, 4], 4]);
    expect(l.sqlite.prepare('select key from pay_keys order by seq').pluck().all()).toEqual([payKeyArgs('toss', 'tgen_a')[0], payKeyArgs('toss', 'tgen_d')[0]]);
  });
});
