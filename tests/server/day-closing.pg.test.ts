import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ServerHarness } from '../support/server-harness.js';
import { spec2022 } from '../support/specs.js';

/**
 * The counter's daily closing held by the server, with hand-made requests: a
 * closed district-day (the server's Seoul date) takes no refund or
 * cancellation, whatever a console says; only an official reopens it.
 */
let s: ServerHarness;
let official: string;
let admin: string;
let mapo: string;
let gangnam: string;
let analyst: string;
const roundId = 'round-closing';
const spec = spec2022({ paymentMethods: ['bank_transfer', 'debit_card'] });
// The preset opens 2026-03-03 at 10:00 in Seoul (01:00 UTC); an hour later is 11:00 on 2026-03-03 in Seoul.
const duringSale = new Date('2026-03-03T02:00:00.000Z');
const TODAY = '2026-03-03';
// 23:30 UTC on 03-03 is 08:30 on 03-04 in Seoul: the next Seoul day, though UTC still says the 3rd.
const nextSeoulMorning = new Date('2026-03-03T23:30:00.000Z');

beforeAll(async () => {
  s = await ServerHarness.start();
  const staff = await s.staff();
  ({ admin, official } = staff);
  mapo = await s.user('mapo', 'clerk', '11440');
  gangnam = await s.user('gangnam', 'clerk', '11680');
  analyst = await s.user('ana', 'analyst');
  await s.openSale(roundId, spec, staff, duringSale, { purchases: 600, seed: 17, usesShare: 0 });
});
afterAll(() => s.close());

const unusedLot = (district: string) => s.unusedLot(roundId, district);

/** A raw cancellation, as a modified console would send it; `requestedAt` is the console's word only. */
const cancel = (lot: { lot_id: string; paid: number }, requestedAt = s.now().toISOString()) => ({ type: 'approve_refund', roundId, lotId: lot.lot_id, kind: 'cancel', amount: lot.paid, requestedAt });
const eventCount = async () => Number((await s.sdb.db.selectFrom('events').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
const status = async (lotId: string) => (await s.sdb.db.selectFrom('lots').select('status').where('lot_id', '=', lotId).executeTakeFirstOrThrow()).status;

describe('daily closing on the server', () => {
  it('refuses closing by an analyst, by a clerk of another district, a day not yet begun and an unknown district, recording nothing', async () => {
    const before = await eventCount();
    expect((await s.command({ type: 'close_day', districtCode: '11440', day: TODAY }, analyst)).result).toMatchObject({ status: 'rejected', reason: { key: 'sync.roleNotAllowed' } });
    expect((await s.command({ type: 'close_day', districtCode: '11440', day: TODAY }, gangnam)).result).toMatchObject({ status: 'rejected', reason: { key: 'sync.otherDistrict' } });
    expect((await s.command({ type: 'close_day', districtCode: '11440', day: '2026-03-04' }, mapo)).result).toMatchObject({ status: 'rejected', reason: { key: 'closing.futureDay', params: { day: '2026-03-04', today: TODAY } } });
    expect((await s.command({ type: 'close_day', districtCode: '99999', day: TODAY }, admin)).result).toMatchObject({ status: 'rejected', reason: { key: 'closing.unknownDistrict' } });
    expect((await s.command({ type: 'close_day', districtCode: '11440', day: '2026-02-30' }, mapo)).status).toBe(400);
    expect(await eventCount()).toBe(before);
  });

  it('a clerk closes their district’s day: an event in the log in their name, at the server’s time', async () => {
    const r = (await s.command({ type: 'close_day', districtCode: '11440', day: TODAY }, mapo)).result;
    expect(r).toMatchObject({ status: 'accepted' });
    const ev = await s.sdb.db.selectFrom('events').select(['payload', 'district_code', 'lot_id']).where('seq', '=', String(r.seq)).executeTakeFirstOrThrow();
    expect(JSON.parse(ev.payload)).toMatchObject({ type: 'day_closing', districtCode: '11440', day: TODAY, closed: true, by: 'mapo', at: duringSale.toISOString() });
    expect(ev).toMatchObject({ district_code: '11440', lot_id: null });
    // Closed once: a second closing is refused.
    expect((await s.command({ type: 'close_day', districtCode: '11440', day: TODAY }, official)).result).toMatchObject({ status: 'rejected', reason: { key: 'refunds.dayClosed' } });
  });

  it('refuses a raw cancellation on the closed district-day and records nothing; other districts go on', async () => {
    const lot = await unusedLot('11440');
    const before = await eventCount();
    // The console claims the request was taken yesterday: the server judges by its own date.
    const r = (await s.command(cancel(lot, '2026-03-02T02:00:00.000Z'), mapo)).result;
    expect(r).toEqual({ commandId: expect.any(String), status: 'rejected', reason: { key: 'refunds.dayClosed', params: { day: TODAY } }, seq: null });
    expect((await s.command(cancel(lot), official)).result).toMatchObject({ status: 'rejected', reason: { key: 'refunds.dayClosed' } });
    expect(await status(lot.lot_id)).toBe('active');
    expect(await eventCount()).toBe(before);
    const other = await unusedLot('11680');
    expect((await s.command(cancel(other), gangnam)).result).toMatchObject({ status: 'accepted' });
  });

  it('only an official or administrator reopens, with a reason; then the counter takes work again', async () => {
    expect((await s.command({ type: 'reopen_day', districtCode: '11440', day: TODAY, reason: '정정' }, mapo)).result).toMatchObject({ status: 'rejected', reason: { key: 'sync.roleNotAllowed' } });
    expect((await s.command({ type: 'reopen_day', districtCode: '11440', day: TODAY, reason: '   ' }, official)).status).toBe(400);
    expect((await s.command({ type: 'reopen_day', districtCode: '11680', day: TODAY, reason: '정정' }, official)).result).toMatchObject({ status: 'rejected', reason: { key: 'refunds.dayNotClosed' } });
    const r = (await s.command({ type: 'reopen_day', districtCode: '11440', day: TODAY, reason: '누락된 환불 처리' }, official)).result;
    expect(r).toMatchObject({ status: 'accepted' });
    const ev = await s.sdb.db.selectFrom('events').select('payload').where('seq', '=', String(r.seq)).executeTakeFirstOrThrow();
    expect(JSON.parse(ev.payload)).toMatchObject({ type: 'day_closing', closed: false, by: 'kim', reason: '누락된 환불 처리' });
    const lot = await unusedLot('11440');
    expect((await s.command(cancel(lot), mapo)).result).toMatchObject({ status: 'accepted' });
    expect(await status(lot.lot_id)).toBe('cancelled');
  });

  it('holds for that Seoul day only: the next Seoul morning is open though UTC has not turned', async () => {
    expect((await s.command({ type: 'close_day', districtCode: '11440', day: TODAY }, mapo)).result).toMatchObject({ status: 'accepted' });
    const lot = await unusedLot('11440');
    expect((await s.command(cancel(lot), mapo)).result).toMatchObject({ reason: { key: 'refunds.dayClosed' } });
    s.clock = nextSeoulMorning;
    expect((await s.command(cancel(lot), mapo)).result).toMatchObject({ status: 'accepted' });
    s.clock = duringSale;
  });

  it('sends the closing in full to every reader, an analyst included: it names no lot or buyer', async () => {
    const page = await s.get('/api/events?after=0', analyst);
    const closings = page.text.split('\n').filter((l) => l.includes('"day_closing"'));
    expect(closings.length).toBe(3);
  });
});
