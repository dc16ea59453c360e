import { describe, expect, it } from 'vitest';
import { spec2022 } from '../../tests/support/specs.js';
import type { PurchaseEvent } from './events.js';
import { applyToLot, checkPurchase, newLot, quoteRefund, type Lot } from './rules.js';

const at = '2026-03-03T01:00:00.000Z';
const spec = spec2022({ discountBp: 500, paymentMethods: ['bank_transfer', 'debit_card', 'credit_card'] });

function purchase(patch: Partial<PurchaseEvent> = {}): PurchaseEvent {
  return { type: 'purchase', eventId: 'e1', roundId: 'r1', lotId: 'l1', at, buyerId: 'b1', districtCode: '11440', face: 100_000, paid: 95_000, paymentMethod: 'bank_transfer', ...patch };
}

const fresh = { spec, soldFace: 0, buyerMonthFace: 0, buyerHolding: 0 };

describe('purchase rules', () => {
  it('accepts a discounted purchase within every limit', () => {
    expect(checkPurchase(fresh, purchase())).toEqual({ ok: true, value: undefined });
  });

  it('never sells beyond the stock', () => {
    expect(checkPurchase({ ...fresh, soldFace: spec.totalAmount - 90_000 }, purchase())).toMatchObject({ ok: false, key: 'ledger.oversold' });
    expect(checkPurchase({ ...fresh, soldFace: spec.totalAmount - 100_000 }, purchase()).ok).toBe(true);
  });

  it('holds the monthly purchase and holding limits', () => {
    expect(checkPurchase({ ...fresh, buyerMonthFace: 310_000 }, purchase())).toMatchObject({ ok: false, key: 'ledger.monthlyLimit' });
    expect(checkPurchase({ ...fresh, buyerMonthFace: 300_000 }, purchase()).ok).toBe(true);
    expect(checkPurchase({ ...fresh, buyerHolding: 910_000 }, purchase())).toMatchObject({ ok: false, key: 'ledger.holdingLimit' });
  });

  it('checks the unit, the discounted price and the payment method', () => {
    expect(checkPurchase(fresh, purchase({ face: 105_000, paid: 99_750 }))).toMatchObject({ ok: false, key: 'ledger.faceUnit' });
    expect(checkPurchase(fresh, purchase({ paid: 100_000 }))).toMatchObject({ ok: false, key: 'ledger.paidMismatch', params: { expected: 95_000 } });
    expect(checkPurchase({ ...fresh, spec: spec2022({ discountBp: 500 }) }, purchase({ paymentMethod: 'credit_card' }))).toMatchObject({ ok: false, key: 'ledger.paymentNotAllowed' });
  });
});

describe('refund rules', () => {
  const lot = (patch: Partial<Lot> = {}): Lot => ({ ...newLot(purchase(), spec), ...patch });

  it('cancels an unused lot for everything paid', () => {
    expect(quoteRefund(lot(), spec, at)).toEqual({ ok: true, value: { kind: 'cancel', amount: 95_000 } });
  });

  it('refunds a 60%-used cash lot as remaining minus the subsidy (the ministry example: 35,000)', () => {
    expect(quoteRefund(lot({ used: 60_000 }), spec, at)).toEqual({ ok: true, value: { kind: 'refund', amount: 35_000 } });
  });

  it('uses the round’s formula and threshold', () => {
    const atPaidRate = { ...spec, refund: { ...spec.refund, formula: 'remaining_at_paid_rate' as const } };
    expect(quoteRefund(lot({ used: 60_000 }), atPaidRate, at)).toEqual({ ok: true, value: { kind: 'refund', amount: 38_000 } });
    const strict = { ...spec, refund: { ...spec.refund, partialUseThresholdPct: 80 } };
    expect(quoteRefund(lot({ used: 60_000 }), strict, at)).toMatchObject({ ok: false, key: 'ledger.belowThreshold' });
  });

  it('refuses below the threshold, card purchases, closed and expired lots', () => {
    expect(quoteRefund(lot({ used: 50_000 }), spec, at)).toMatchObject({ ok: false, key: 'ledger.belowThreshold' });
    expect(quoteRefund(lot({ used: 60_000, paymentMethod: 'debit_card' }), spec, at)).toMatchObject({ ok: false, key: 'ledger.cashOnly' });
    expect(quoteRefund(lot({ status: 'cancelled' }), spec, at)).toMatchObject({ ok: false, key: 'ledger.lotClosed' });
    expect(quoteRefund(lot(), spec, '2031-03-03T01:00:00.000Z')).toMatchObject({ ok: false, key: 'ledger.lotExpired' });
    expect(quoteRefund(lot({ used: 100_000 }), spec, at)).toMatchObject({ ok: false, key: 'ledger.nothingLeft' });
  });

  it('never refunds more than was paid and not yet returned', () => {
    expect(quoteRefund(lot({ refunded: 95_000 }), spec, at)).toMatchObject({ ok: false, key: 'ledger.refundAbovePaid' });
  });

  it('applies uses, gifts, cancellations and refunds to a lot only when the rules allow', () => {
    const l = lot();
    expect(applyToLot(l, { type: 'use', eventId: 'e2', roundId: 'r1', lotId: 'l1', at, amount: 120_000, merchantDistrict: null }, spec)).toMatchObject({ ok: false, key: 'ledger.useAboveBalance' });
    const used = applyToLot(l, { type: 'use', eventId: 'e2', roundId: 'r1', lotId: 'l1', at, amount: 60_000, merchantDistrict: null }, spec);
    expect(used).toMatchObject({ ok: true, value: { used: 60_000 } });
    const usedLot = (used as { value: Lot }).value;
    expect(applyToLot(usedLot, { type: 'refund', eventId: 'e3', roundId: 'r1', lotId: 'l1', at, amount: 40_000 }, spec)).toMatchObject({ ok: false, key: 'ledger.refundAmount', params: { expected: 35_000 } });
    expect(applyToLot(usedLot, { type: 'cancel', eventId: 'e3', roundId: 'r1', lotId: 'l1', at, amount: 95_000 }, spec)).toMatchObject({ ok: false, key: 'ledger.refundKind' });
    expect(applyToLot(usedLot, { type: 'refund', eventId: 'e3', roundId: 'r1', lotId: 'l1', at, amount: 35_000 }, spec)).toMatchObject({ ok: true, value: { status: 'refunded', refunded: 35_000 } });
    expect(applyToLot(l, { type: 'gift', eventId: 'e4', roundId: 'r1', lotId: 'l1', at, toBuyerId: 'b2' }, spec)).toMatchObject({ ok: true, value: { holderId: 'b2', gifted: true } });
    expect(applyToLot(lot({ paymentMethod: 'credit_card' }), { type: 'gift', eventId: 'e4', roundId: 'r1', lotId: 'l1', at, toBuyerId: 'b2' }, spec)).toMatchObject({ ok: false, key: 'ledger.giftCardPurchase' });
    expect(applyToLot(l, { type: 'gift', eventId: 'e4', roundId: 'r1', lotId: 'l1', at, toBuyerId: 'b2' }, spec, { recipientMonthReceived: 950_000, recipientHolding: 0 })).toMatchObject({ ok: false, key: 'ledger.giftCap' });
    expect(applyToLot(l, { type: 'gift', eventId: 'e4', roundId: 'r1', lotId: 'l1', at, toBuyerId: 'b2' }, spec, { recipientMonthReceived: 0, recipientHolding: 950_000 })).toMatchObject({ ok: false, key: 'ledger.holdingLimit' });
  });
});
