import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ServerHarness } from '../support/server-harness.js';
import { spec2022 } from '../support/specs.js';

/**
 * Receipt numbers dated by the server (#17 finding 7: a console a year ahead
 * printed `11440-20271207-…`), with hand-made requests: the number is the
 * server's, given when it accepts the refund, dated by its own Seoul day,
 * whatever the console's clock or its `requestedAt` say.
 */
let s: ServerHarness;
let mapo: string;
let gangnam: string;
const roundId = 'round-receipts';
const spec = spec2022({ paymentMethods: ['bank_transfer', 'debit_card'] });
// The preset opens 2026-03-03 at 10:00 in Seoul; an hour later is 11:00 on 2026-03-03 in Seoul.
const duringSale = new Date('2026-03-03T02:00:00.000Z');
// 23:30 UTC on 03-03 is 08:30 on 03-04 in Seoul: the receipt says the 4th though UTC still says the 3rd.
const nextSeoulMorning = new Date('2026-03-03T23:30:00.000Z');
const aYearAhead = '2027-03-03T02:00:00.000Z';

beforeAll(async () => {
  s = await ServerHarness.start();
  const staff = await s.staff();
  mapo = await s.user('mapo', 'clerk', '11440');
  gangnam = await s.user('gangnam', 'clerk', '11680');
  await s.openSale(roundId, spec, staff, duringSale, { purchases: 600, seed: 23, usesShare: 0 });
});
afterAll(() => s.close());

const unusedLot = (district: string) => s.unusedLot(roundId, district);
/** A cancellation as a console a year ahead would word it: `requestedAt` from its clock. */
const cancel = (lot: { lot_id: string; paid: number }, amount = lot.paid) => ({ type: 'approve_refund', roundId, lotId: lot.lot_id, kind: 'cancel', amount, requestedAt: aYearAhead });
async function receiptOf(seq: number | null): Promise<string | undefined> {
  const ev = await s.sdb.db.selectFrom('events').select('payload').where('seq', '=', String(seq)).executeTakeFirstOrThrow();
  return (JSON.parse(ev.payload) as { receiptNo?: string }).receiptNo;
}

describe('receipt numbers of the server’s making', () => {
  it('dates the receipt by the server’s Seoul day, not the console’s, and numbers each district-day from 1', async () => {
    s.clock = duringSale;
    const first = (await s.command(cancel(await unusedLot('11440')), mapo)).result;
    const second = (await s.command(cancel(await unusedLot('11440')), mapo)).result;
    const other = (await s.command(cancel(await unusedLot('11680')), gangnam)).result;
    expect([first.status, second.status, other.status]).toEqual(['accepted', 'accepted', 'accepted']);
    expect(await receiptOf(first.seq)).toBe('11440-20260303-000001');
    expect(await receiptOf(second.seq)).toBe('11440-20260303-000002');
    expect(await receiptOf(other.seq)).toBe('11680-20260303-000001');
  });

  it('a refused request takes no number; a retry of an accepted one gets the same event, not a new number', async () => {
    s.clock = duringSale;
    const lot = await unusedLot('11440');
    const wrong = (await s.command(cancel(lot, lot.paid + 1), mapo)).result;
    expect(wrong.status).toBe('rejected');
    const commandId = randomUUID();
    const body = { commandId, sentAt: s.now().toISOString(), ...cancel(lot) };
    const r = (await s.post('/api/commands', body, mapo)).body as { status: string; seq: number };
    expect(r.status).toBe('accepted');
    expect(await receiptOf(r.seq)).toBe('11440-20260303-000003');
    const again = (await s.post('/api/commands', { ...body, sentAt: new Date(s.now().getTime() + 1_000).toISOString() }, mapo)).body as { seq: number };
    expect(again.seq).toBe(r.seq);
    expect((await s.sdb.db.selectFrom('receipt_counters').select('last_no').where('district_code', '=', '11440').where('day', '=', '2026-03-03').executeTakeFirstOrThrow()).last_no).toBe(3);
  });

  it('turns with the Seoul day, not the UTC one', async () => {
    s.clock = nextSeoulMorning;
    const r = (await s.command(cancel(await unusedLot('11440')), mapo)).result;
    expect(await receiptOf(r.seq)).toBe('11440-20260304-000001');
    s.clock = duringSale;
  });

  it('a console whose clock is a year ahead is refused as a whole: no event, no number', async () => {
    s.clock = duringSale;
    const before = await s.sdb.db.selectFrom('receipt_counters').select(['district_code', 'day', 'last_no']).orderBy('district_code').orderBy('day').execute();
    const r = await s.post('/api/commands', { commandId: randomUUID(), sentAt: aYearAhead, ...cancel(await unusedLot('11440')) }, mapo);
    expect(r.status).toBe(422);
    expect(await s.sdb.db.selectFrom('receipt_counters').select(['district_code', 'day', 'last_no']).orderBy('district_code').orderBy('day').execute()).toEqual(before);
  });
});
