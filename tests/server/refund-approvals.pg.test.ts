import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ServerHarness } from '../support/server-harness.js';
import { spec2022 } from '../support/specs.js';

/**
 * The two-person rule on the server, with hand-made requests: a refund above the
 * administrator's amount is applied only when another user of the lot's district
 * (or an official) countersigned that very request first.
 */
let s: ServerHarness;
let admin: string;
let official: string;
let official2: string;
let mapo: string;
let mapo2: string;
let gangnam: string;
const roundId = 'round-counter';
const spec = spec2022({ paymentMethods: ['bank_transfer', 'debit_card'] });
const duringSale = new Date(Date.parse(spec.opensAt) + 3_600_000);

beforeAll(async () => {
  s = await ServerHarness.start();
  const staff = await s.staff();
  ({ admin, official, official2 } = staff);
  mapo = await s.user('mapo', 'clerk', '11440');
  mapo2 = await s.user('mapo2', 'clerk', '11440');
  gangnam = await s.user('gangnam', 'clerk', '11680');
  await s.openSale(roundId, spec, staff, duringSale, { purchases: 800, seed: 11, usesShare: 0 });
});
afterAll(() => s.close());

const taken = new Set<string>();
async function unusedMapoLots(n: number): Promise<{ lot_id: string; paid: number }[]> {
  const rows = await s.sdb.db.selectFrom('lots').select(['lot_id', 'paid']).where('round_id', '=', roundId).where('district_code', '=', '11440').where('status', '=', 'active').where('used', '=', '0').orderBy('lot_id').execute();
  const picked = rows.filter((r) => !taken.has(r.lot_id)).slice(0, n).map((r) => ({ lot_id: r.lot_id, paid: Number(r.paid) }));
  for (const p of picked) taken.add(p.lot_id);
  expect(picked).toHaveLength(n);
  return picked;
}

/** Two unused lots of the district that cost the buyer the same, so only the lot tells their requests apart. */
async function twoMapoLotsPayingAlike(): Promise<[{ lot_id: string; paid: number }, { lot_id: string; paid: number }]> {
  const rows = await s.sdb.db.selectFrom('lots').select(['lot_id', 'paid']).where('round_id', '=', roundId).where('district_code', '=', '11440').where('status', '=', 'active').where('used', '=', '0').orderBy('lot_id').execute();
  const free = rows.filter((r) => !taken.has(r.lot_id)).map((r) => ({ lot_id: r.lot_id, paid: Number(r.paid) }));
  const a = free.find((x) => free.some((y) => y.lot_id !== x.lot_id && y.paid === x.paid));
  const b = a && free.find((y) => y.lot_id !== a.lot_id && y.paid === a.paid);
  expect(b).toBeDefined();
  taken.add(a!.lot_id);
  taken.add(b!.lot_id);
  return [a!, b!];
}

const request = (lot: { lot_id: string; paid: number }, commandId = randomUUID()) => ({
  type: 'approve_refund',
  commandId,
  roundId,
  lotId: lot.lot_id,
  kind: 'cancel',
  amount: lot.paid,
  requestedAt: s.now().toISOString(),
});
const countersign = (lot: { lot_id: string; paid: number }, requestCommandId: string, requestedBy: string, patch: Record<string, unknown> = {}) => ({
  type: 'countersign_refund',
  requestCommandId,
  requestedBy,
  roundId,
  lotId: lot.lot_id,
  kind: 'cancel',
  amount: lot.paid,
  ...patch,
});
const status = async (lotId: string) => (await s.sdb.db.selectFrom('lots').select('status').where('lot_id', '=', lotId).executeTakeFirstOrThrow()).status;

describe('two-person rule for refunds above the administrator’s amount', () => {
  it('only an administrator sets the amount', async () => {
    expect((await s.command({ type: 'set_refund_threshold', amount: 1 }, official)).result).toMatchObject({ status: 'rejected', reason: { key: 'sync.roleNotAllowed' } });
    expect((await s.command({ type: 'set_refund_threshold', amount: 1 }, mapo)).result).toMatchObject({ status: 'rejected', reason: { key: 'sync.roleNotAllowed' } });
    // Every sale lot pays at least 9,300 won; 1 won makes every refund need a second person.
    expect((await s.command({ type: 'set_refund_threshold', amount: 1 }, admin)).result).toMatchObject({ status: 'accepted', seq: null });
  });

  it('refuses a hand-made request above the amount that nobody countersigned, and records nothing', async () => {
    const [lot] = await unusedMapoLots(1);
    const before = await s.sdb.db.selectFrom('events').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    const r = (await s.command(request(lot!), mapo)).result;
    expect(r).toMatchObject({ status: 'rejected', reason: { key: 'refunds.needsCountersign', params: { threshold: 1 } }, seq: null });
    expect(await status(lot!.lot_id)).toBe('active');
    const after = await s.sdb.db.selectFrom('events').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    expect(Number(after.n)).toBe(Number(before.n));
  });

  it('applies it once a second clerk of the district countersigned that very request, naming both', async () => {
    const [lot] = await unusedMapoLots(1);
    const cmd = request(lot!);
    expect((await s.command(countersign(lot!, cmd.commandId, 'mapo'), mapo2)).result).toMatchObject({ status: 'accepted', seq: null });
    expect(await status(lot!.lot_id)).toBe('active');
    const r = (await s.command(cmd, mapo)).result;
    expect(r).toMatchObject({ status: 'accepted' });
    const ev = await s.sdb.db.selectFrom('events').select('payload').where('seq', '=', String(r.seq)).executeTakeFirstOrThrow();
    expect(JSON.parse(ev.payload)).toMatchObject({ type: 'cancel', by: 'mapo', countersignedBy: 'mapo2', amount: lot!.paid });
    expect(await status(lot!.lot_id)).toBe('cancelled');
  });

  it('takes an official as the second person, but never the requester, another district or an analyst', async () => {
    const [a, b] = await unusedMapoLots(2);
    const ca = request(a!);
    expect((await s.command(countersign(a!, ca.commandId, 'mapo'), mapo)).result).toMatchObject({ status: 'rejected', reason: { key: 'refunds.selfCountersign' } });
    expect((await s.command(countersign(a!, ca.commandId, 'mapo'), gangnam)).result).toMatchObject({ status: 'rejected', reason: { key: 'sync.otherDistrict' } });
    const analyst = await s.user('ana', 'analyst');
    expect((await s.command(countersign(a!, ca.commandId, 'mapo'), analyst)).result).toMatchObject({ status: 'rejected', reason: { key: 'sync.roleNotAllowed' } });
    expect((await s.command(ca, mapo)).result).toMatchObject({ status: 'rejected', reason: { key: 'refunds.needsCountersign' } });
    const cb = request(b!);
    expect((await s.command(countersign(b!, cb.commandId, 'mapo'), official)).result).toMatchObject({ status: 'accepted' });
    expect((await s.command(cb, mapo)).result).toMatchObject({ status: 'accepted' });
    expect(await status(b!.lot_id)).toBe('cancelled');
  });

  it('does not let a wrong countersignature sent first block the right colleague’s (finding 6)', async () => {
    const [lot] = await unusedMapoLots(1);
    const cmd = request(lot!);
    // A countersignature for less than will be asked, sent first by one colleague: recorded, but not for this request.
    expect((await s.command(countersign(lot!, cmd.commandId, 'mapo', { amount: lot!.paid - 10 }), mapo2)).result).toMatchObject({ status: 'accepted' });
    expect((await s.command(countersign(lot!, cmd.commandId, 'mapo'), official)).result).toMatchObject({ status: 'accepted' });
    const r = (await s.command(cmd, mapo)).result;
    expect(r).toMatchObject({ status: 'accepted' });
    const ev = await s.sdb.db.selectFrom('events').select('payload').where('seq', '=', String(r.seq)).executeTakeFirstOrThrow();
    expect(JSON.parse(ev.payload)).toMatchObject({ type: 'cancel', by: 'mapo', countersignedBy: 'kim', amount: lot!.paid });
    // The same countersignature sent twice is one (its answer was lost), not a conflict.
    expect((await s.command(countersign(lot!, cmd.commandId, 'mapo'), official)).result).toMatchObject({ status: 'accepted' });
  });

  it('refuses a request whose countersignature names another amount, lot or requester', async () => {
    const [a, b] = await unusedMapoLots(2);
    const ca = request(a!);
    // Countersigned for less than is asked: not this request.
    expect((await s.command(countersign(a!, ca.commandId, 'mapo', { amount: a!.paid - 10 }), mapo2)).result).toMatchObject({ status: 'accepted' });
    expect((await s.command(ca, mapo)).result).toMatchObject({ status: 'rejected', reason: { key: 'refunds.needsCountersign' } });
    // Countersigned for another lot.
    const cb = request(b!);
    expect((await s.command(countersign(a!, cb.commandId, 'mapo'), mapo2)).result).toMatchObject({ status: 'accepted' });
    expect((await s.command(cb, mapo)).result).toMatchObject({ status: 'rejected', reason: { key: 'refunds.needsCountersign' } });
    // Countersigned for mapo's request; mapo2 sending the same command id is not mapo.
    const [c] = await unusedMapoLots(1);
    const cc = request(c!);
    expect((await s.command(countersign(c!, cc.commandId, 'mapo'), official)).result).toMatchObject({ status: 'accepted' });
    expect((await s.command(cc, mapo2)).result).toMatchObject({ status: 'rejected', reason: { key: 'refunds.needsCountersign' } });
    expect(await status(c!.lot_id)).toBe('active');
  });

  it('refuses a countersignature for another lot of the same amount, because of the lot alone', async () => {
    const [a, b] = await twoMapoLotsPayingAlike();
    expect(a.paid).toBe(b.paid);
    const cb = request(b);
    // Same requester, command id, kind and amount: only the lot differs.
    expect((await s.command(countersign(a, cb.commandId, 'mapo'), mapo2)).result).toMatchObject({ status: 'accepted' });
    expect((await s.command(cb, mapo)).result).toMatchObject({ status: 'rejected', reason: { key: 'refunds.needsCountersign' } });
    expect(await status(a.lot_id)).toBe('active');
    expect(await status(b.lot_id)).toBe('active');
  });

  it('refuses a countersignature for a refund when a cancellation is asked, because of the kind alone', async () => {
    const [lot] = await unusedMapoLots(1);
    const cmd = request(lot!);
    // Same requester, command id, lot and amount: only refund against cancel differs.
    expect((await s.command(countersign(lot!, cmd.commandId, 'mapo', { kind: 'refund' }), mapo2)).result).toMatchObject({ status: 'accepted' });
    expect((await s.command(cmd, mapo)).result).toMatchObject({ status: 'rejected', reason: { key: 'refunds.needsCountersign' } });
    expect(await status(lot!.lot_id)).toBe('active');
  });

  it('needs nobody at or below the amount, and nobody once the administrator clears it', async () => {
    const [a, b] = await unusedMapoLots(2);
    expect((await s.command({ type: 'set_refund_threshold', amount: a!.paid }, admin)).result).toMatchObject({ status: 'accepted' });
    expect((await s.command(request(a!), mapo)).result).toMatchObject({ status: 'accepted' });
    expect((await s.command({ type: 'set_refund_threshold', amount: null }, admin)).result).toMatchObject({ status: 'accepted' });
    expect((await s.command(request(b!), mapo)).result).toMatchObject({ status: 'accepted' });
  });

  it('refuses another district’s lot to a clerk, hand-made with the clerk’s own token', async () => {
    const [lot] = await unusedMapoLots(1);
    expect((await s.command(request(lot!), gangnam)).result).toMatchObject({ status: 'rejected', reason: { key: 'sync.otherDistrict', params: { district: '11440' } } });
    expect(await status(lot!.lot_id)).toBe('active');
  });
});
