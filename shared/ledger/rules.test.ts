import { describe, expect, it } from 'vitest';
import { spec2022 } from '../../tests/support/specs.js';
import type { PurchaseEvent } from './events.js';
import { applyToLot, checkPurchase, newLot, quoteRefund, refundWorking, type Lot } from './rules.js';

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

describe('the working shown at the counter (100,000 face bought at 5% for 95,000, Seoul rule: 60%, cash only)', () => {
  const lot = (patch: Partial<Lot> = {}): Lot => ({ ...newLot(purchase(), spec), ...patch });
  const common = { face: 100_000, paid: 95_000, thresholdPct: 60, formula: 'remaining_minus_subsidy', cashOnly: true, discountBp: 500, refundedBefore: 0 };

  it('unused: cancelled for everything paid, nothing deducted', () => {
    expect(refundWorking(lot(), spec, at)).toMatchObject({
      ...common, used: 0, usedBp: 0, remaining: 100_000, subsidyDeducted: 0, outcome: { ok: true, value: { kind: 'cancel', amount: 95_000 } },
    });
  });

  it('at the threshold: 60,000 used (60.00%) → 40,000 remaining − 5,000 subsidy = 35,000', () => {
    expect(refundWorking(lot({ used: 60_000 }), spec, at)).toMatchObject({
      ...common, used: 60_000, usedBp: 6_000, remaining: 40_000, subsidyDeducted: 5_000, outcome: { ok: true, value: { kind: 'refund', amount: 35_000 } },
    });
  });

  it('below the threshold: 59,990 used (59.99%) → nothing, with the threshold named', () => {
    expect(refundWorking(lot({ used: 59_990 }), spec, at)).toMatchObject({
      used: 59_990, usedBp: 5_999, remaining: 40_010, outcome: { ok: false, key: 'ledger.belowThreshold', params: { threshold: 60, used: 59_990, face: 100_000 } },
    });
  });

  it('card purchase: 70,000 used on a credit card → nothing (cash purchases only)', () => {
    expect(refundWorking(lot({ used: 70_000, paymentMethod: 'credit_card' }), spec, at)).toMatchObject({
      usedBp: 7_000, remaining: 30_000, subsidyDeducted: 5_000, outcome: { ok: false, key: 'ledger.cashOnly' },
    });
  });

  it('expired: an unused lot on the day its five years end → nothing', () => {
    expect(refundWorking(lot(), spec, lot().expiresAt)).toMatchObject({ remaining: 100_000, outcome: { ok: false, key: 'ledger.lotExpired' } });
  });

  it('₩0: 99,750 used (99.75%) → 250 remaining − 5,000 subsidy is nothing, so no refund is offered', () => {
    const w = refundWorking(lot({ used: 99_750 }), spec, at);
    expect(w).toMatchObject({ usedBp: 9_975, remaining: 250, subsidyDeducted: 250, outcome: { ok: false, key: 'ledger.zeroPayout', params: { remaining: 250 } } });
    expect(quoteRefund(lot({ used: 95_000 }), spec, at)).toMatchObject({ ok: false, key: 'ledger.zeroPayout' });
    // One won above the subsidy pays one won.
    expect(quoteRefund(lot({ used: 94_990 }), spec, at)).toEqual({ ok: true, value: { kind: 'refund', amount: 10 } });
  });

  it('already refunded: 35,000 paid out before → nothing', () => {
    expect(refundWorking(lot({ used: 60_000, refunded: 35_000, status: 'refunded' }), spec, at)).toMatchObject({
      refundedBefore: 35_000, outcome: { ok: false, key: 'ledger.alreadyRefunded', params: { refunded: 35_000 } },
    });
  });

  it('closed: a cancelled lot → nothing', () => {
    expect(refundWorking(lot({ refunded: 95_000, status: 'cancelled' }), spec, at)).toMatchObject({ outcome: { ok: false, key: 'ledger.lotClosed', params: { status: 'cancelled' } } });
  });

  it('the other formula deducts the subsidy on the remainder only: 40,000 − 5% = 38,000', () => {
    const atPaidRate = { ...spec, refund: { ...spec.refund, formula: 'remaining_at_paid_rate' as const } };
    expect(refundWorking(lot({ used: 60_000 }), atPaidRate, at)).toMatchObject({ subsidyDeducted: 2_000, outcome: { ok: true, value: { amount: 38_000 } } });
  });
});
