import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ledgerEventSchema } from '../../shared/ledger/events.js';
import { PROVIDER_BY_METHOD } from '../../shared/reconcile/payment-refs.js';
import { ServerHarness } from '../support/server-harness.js';
import { spec2022 } from '../support/specs.js';

let s: ServerHarness;
let admin: string;
let clerk: string;
const roundId = 'round-pay';
const spec = spec2022({ paymentMethods: ['bank_transfer', 'debit_card', 'credit_card'] });
const duringSale = new Date(Date.parse(spec.opensAt) + 3_600_000);

beforeAll(async () => {
  s = await ServerHarness.start();
  const staff = await s.staff();
  admin = staff.admin;
  clerk = await s.user('mapo', 'clerk', '11440');
  await s.openSale(roundId, spec, staff, duringSale, { purchases: 300, seed: 11, usesShare: 0 });
});
afterAll(() => s.close());

const events = async () =>
  (await s.sdb.db.selectFrom('events').select(['payload']).orderBy('seq').execute()).map((r) => ledgerEventSchema.safeParse(JSON.parse(r.payload))).filter((r) => r.success).map((r) => r.data);

describe('payment references (event version 2)', () => {
  it('fed purchases carry provider, unique transaction key, approval number and approval time, kept on the lot', async () => {
    const purchases = (await events()).filter((e) => e.type === 'purchase');
    expect(purchases.length).toBe(300);
    const tids = new Set<string>();
    for (const p of purchases) {
      expect(p.payment).toBeDefined();
      expect(p.payment!.provider).toBe(PROVIDER_BY_METHOD[p.paymentMethod]);
      expect(p.payment!.approvalNo).toMatch(/^\d{8}$/);
      // The provider approves a moment before the server records the sale.
      const lag = Date.parse(p.at) - Date.parse(p.payment!.approvedAt);
      expect(lag).toBeGreaterThanOrEqual(0);
      expect(lag).toBeLessThan(2_000);
      tids.add(p.payment!.tid);
    }
    expect(tids.size).toBe(300);
    const lot = await s.sdb.db.selectFrom('lots').select(['payment_provider', 'payment_tid']).where('lot_id', '=', purchases[0]!.lotId).executeTakeFirstOrThrow();
    expect(lot).toEqual({ payment_provider: purchases[0]!.payment!.provider, payment_tid: purchases[0]!.payment!.tid });
  });

  it("a cancellation made by a hand-made command names the purchase's transaction as its original", async () => {
    const purchase = (await events()).find((e) => e.type === 'purchase' && e.districtCode === '11440')!;
    if (purchase.type !== 'purchase') throw new Error('unreachable');
    const r = await s.command(
      { type: 'approve_refund', commandId: randomUUID(), roundId, lotId: purchase.lotId, kind: 'cancel', amount: purchase.paid, requestedAt: s.now().toISOString() },
      clerk,
    );
    expect(r.result).toMatchObject({ status: 'accepted' });
    const cancel = (await events()).find((e) => e.type === 'cancel' && e.lotId === purchase.lotId)!;
    if (cancel.type !== 'cancel') throw new Error('unreachable');
    expect(cancel.payment).toMatchObject({ provider: purchase.payment!.provider, originalTid: purchase.payment!.tid });
    expect(cancel.payment!.tid).not.toBe(purchase.payment!.tid);
    expect(cancel.payment!.approvedAt <= cancel.at).toBe(true);
  });

  it('keeps events without references (version 1) valid', () => {
    const v1 = { type: 'purchase', eventId: 'e', roundId, lotId: 'l', at: '2022-07-14T01:00:00.000Z', buyerId: 'b', districtCode: '11440', face: 10_000, paid: 9_300, paymentMethod: 'bank_transfer' };
    expect(ledgerEventSchema.safeParse(v1).success).toBe(true);
    expect(ledgerEventSchema.safeParse({ ...v1, payment: { provider: 'hecto', tid: '', approvalNo: '1', approvedAt: v1.at } }).success).toBe(false);
  });
});
