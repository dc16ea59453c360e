import { basisPointsOf, isMultipleOf, SALE_UNIT, type Won } from '../common/money.js';
import { addYearsSeoul } from '../common/time.js';
import type { RoundSpec } from '../rounds/spec.js';
import type { Verdict } from '../rounds/lifecycle.js';
import type { LedgerEvent, PurchaseEvent } from './events.js';

export type LotStatus = 'active' | 'cancelled' | 'refunded';

/** A purchase lot with its derived balances. */
export interface Lot {
  lotId: string;
  roundId: string;
  buyerId: string;
  /** Holder now (differs from buyerId after a gift). */
  holderId: string;
  districtCode: string;
  paymentMethod: PurchaseEvent['paymentMethod'];
  face: Won;
  paid: Won;
  discountBp: number;
  purchasedAt: string;
  expiresAt: string;
  used: Won;
  /** Money returned to the buyer so far. */
  refunded: Won;
  status: LotStatus;
  gifted: boolean;
}

export function lotRemaining(lot: Lot): Won {
  return lot.status === 'active' ? lot.face - lot.used : 0;
}

/** Which limit pool a round's certificates count against: city-wide, or one district. */
export function limitScope(spec: RoundSpec): string {
  return spec.kind === 'city' ? 'city' : `district:${spec.districtCode}`;
}

const ok: Verdict<void> = { ok: true, value: undefined };
const no = (key: string, params?: Record<string, string | number>): Verdict<never> => ({ ok: false, key, ...(params ? { params } : {}) });

export interface PurchaseContext {
  spec: RoundSpec;
  /** Face sold so far in this round, cancelled lots excluded. */
  soldFace: Won;
  /** Face this buyer bought in the same scope and Seoul month. */
  buyerMonthFace: Won;
  /** Unused balance this buyer holds in the same scope. */
  buyerHolding: Won;
}

/** What a purchase must satisfy: the stock is never oversold and every personal limit holds. */
/** The purchase against the round alone: unit, discounted price, payment method, stock. What a console can check of any purchase it receives. */
export function checkPurchaseAgainstRound(spec: RoundSpec, soldFace: number, ev: PurchaseEvent): Verdict<void> {
  if (ev.face <= 0 || !isMultipleOf(ev.face, SALE_UNIT)) return no('ledger.faceUnit', { face: ev.face });
  const expectedPaid = ev.face - basisPointsOf(ev.face, spec.discountBp);
  if (ev.paid !== expectedPaid) return no('ledger.paidMismatch', { paid: ev.paid, expected: expectedPaid });
  if (!spec.paymentMethods.includes(ev.paymentMethod)) return no('ledger.paymentNotAllowed', { method: ev.paymentMethod });
  if (soldFace + ev.face > spec.totalAmount) return no('ledger.oversold', { remaining: spec.totalAmount - soldFace, face: ev.face });
  return ok;
}

export function checkPurchase(ctx: PurchaseContext, ev: PurchaseEvent): Verdict<void> {
  const { spec } = ctx;
  const againstRound = checkPurchaseAgainstRound(spec, ctx.soldFace, ev);
  if (!againstRound.ok) return againstRound;
  if (ctx.buyerMonthFace + ev.face > spec.perPersonMonthlyLimit) {
    return no('ledger.monthlyLimit', { limit: spec.perPersonMonthlyLimit, already: ctx.buyerMonthFace });
  }
  if (ctx.buyerHolding + ev.face > spec.holdingLimit) return no('ledger.holdingLimit', { limit: spec.holdingLimit, holding: ctx.buyerHolding });
  return ok;
}

export function newLot(ev: PurchaseEvent, spec: RoundSpec): Lot {
  return {
    lotId: ev.lotId,
    roundId: ev.roundId,
    buyerId: ev.buyerId,
    holderId: ev.buyerId,
    districtCode: ev.districtCode,
    paymentMethod: ev.paymentMethod,
    face: ev.face,
    paid: ev.paid,
    discountBp: spec.discountBp,
    purchasedAt: ev.at,
    expiresAt: addYearsSeoul(ev.at, spec.validityYears),
    used: 0,
    refunded: 0,
    status: 'active',
    gifted: false,
  };
}

export type RefundQuote = { kind: 'cancel' | 'refund'; amount: Won };

/** The discount subsidy a partial refund takes back, by the round's formula. */
function refundSubsidy(lot: Lot, spec: RoundSpec, remaining: Won): Won {
  return spec.refund.formula === 'remaining_minus_subsidy' ? basisPointsOf(lot.face, lot.discountBp) : basisPointsOf(remaining, lot.discountBp);
}

/**
 * What returning a lot would pay out now, under the round's refund rule:
 * an unused lot is cancelled for everything paid; a partly used one only
 * past the threshold (and, if the round says so, only for cash purchases),
 * for the remainder less the discount by the round's formula. Never more than
 * was paid and not yet returned, and never ₩0: a lot with nothing to pay out
 * is not offered, its reason is shown instead.
 */
export function quoteRefund(lot: Lot, spec: RoundSpec, at: string): Verdict<RefundQuote> {
  if (lot.status === 'refunded') return no('ledger.alreadyRefunded', { refunded: lot.refunded });
  if (lot.status !== 'active') return no('ledger.lotClosed', { status: lot.status });
  if (Date.parse(at) >= Date.parse(lot.expiresAt)) return no('ledger.lotExpired');
  const remaining = lotRemaining(lot);
  if (remaining === 0) return no('ledger.nothingLeft');
  let quote: RefundQuote;
  if (lot.used === 0) {
    quote = { kind: 'cancel', amount: lot.paid };
  } else {
    const threshold = spec.refund.partialUseThresholdPct;
    if (lot.used * 100 < lot.face * threshold) return no('ledger.belowThreshold', { threshold, used: lot.used, face: lot.face });
    if (spec.refund.cashOnly && lot.paymentMethod !== 'bank_transfer') return no('ledger.cashOnly');
    quote = { kind: 'refund', amount: Math.max(0, remaining - refundSubsidy(lot, spec, remaining)) };
  }
  if (quote.amount === 0) return no('ledger.zeroPayout', { remaining });
  if (quote.amount > lot.paid - lot.refunded) return no('ledger.refundAbovePaid');
  return { ok: true, value: quote };
}

/**
 * The counter's view of a quote: every figure the clerk reads out to the buyer,
 * and the outcome of quoteRefund itself (the figures never decide anything).
 */
export interface RefundWorking {
  face: Won;
  paid: Won;
  used: Won;
  /** Used share of the face in basis points, rounded down (9,975 = 99.75%). */
  usedBp: number;
  remaining: Won;
  thresholdPct: number;
  formula: RoundSpec['refund']['formula'];
  cashOnly: boolean;
  paymentMethod: Lot['paymentMethod'];
  discountBp: number;
  /** What the payout keeps back of the remainder: the discount subsidy for a partial refund, 0 for a cancellation. */
  subsidyDeducted: Won;
  /** Returned before (a lot is returned once, so 0 unless it is closed). */
  refundedBefore: Won;
  expiresAt: string;
  outcome: Verdict<RefundQuote>;
}

export function refundWorking(lot: Lot, spec: RoundSpec, at: string): RefundWorking {
  const remaining = lot.face - lot.used;
  const outcome = quoteRefund(lot, spec, at);
  const partial = lot.used > 0;
  return {
    face: lot.face,
    paid: lot.paid,
    used: lot.used,
    usedBp: lot.face > 0 ? Math.floor((lot.used * 10_000) / lot.face) : 0,
    remaining,
    thresholdPct: spec.refund.partialUseThresholdPct,
    formula: spec.refund.formula,
    cashOnly: spec.refund.cashOnly,
    paymentMethod: lot.paymentMethod,
    discountBp: lot.discountBp,
    subsidyDeducted: partial && remaining > 0 ? Math.min(remaining, refundSubsidy(lot, spec, remaining)) : 0,
    refundedBefore: lot.refunded,
    expiresAt: lot.expiresAt,
    outcome,
  };
}

/**
 * Applies a non-purchase event to its lot, checking it first. Returns the
 * lot's next state; the input is not modified.
 */
export interface GiftContext {
  /** Face the recipient has already received as gifts in the same scope and Seoul month. */
  recipientMonthReceived: Won;
  /** Unused balance the recipient already holds in the same scope. */
  recipientHolding: Won;
}

export function applyToLot(lot: Lot, ev: Exclude<LedgerEvent, PurchaseEvent>, spec: RoundSpec, gift: GiftContext = { recipientMonthReceived: 0, recipientHolding: 0 }): Verdict<Lot> {
  switch (ev.type) {
    case 'use': {
      if (lot.status !== 'active') return no('ledger.lotClosed', { status: lot.status });
      if (ev.amount <= 0 || ev.amount > lotRemaining(lot)) return no('ledger.useAboveBalance', { amount: ev.amount, remaining: lotRemaining(lot) });
      if (Date.parse(ev.at) >= Date.parse(lot.expiresAt)) return no('ledger.lotExpired');
      return { ok: true, value: { ...lot, used: lot.used + ev.amount } };
    }
    case 'gift': {
      if (lot.status !== 'active') return no('ledger.lotClosed', { status: lot.status });
      // Only cash-like purchases may be gifted, and only whole, unused lots.
      if (lot.paymentMethod === 'credit_card') return no('ledger.giftCardPurchase');
      if (lot.used > 0 || lot.gifted) return no('ledger.giftNotWhole');
      if (ev.toBuyerId === lot.holderId) return no('ledger.giftToSelf');
      if (gift.recipientMonthReceived + lot.face > spec.giftReceiveCap) {
        return no('ledger.giftCap', { cap: spec.giftReceiveCap, already: gift.recipientMonthReceived });
      }
      if (gift.recipientHolding + lotRemaining(lot) > spec.holdingLimit) {
        return no('ledger.holdingLimit', { limit: spec.holdingLimit, holding: gift.recipientHolding });
      }
      return { ok: true, value: { ...lot, holderId: ev.toBuyerId, gifted: true } };
    }
    case 'cancel':
    case 'refund': {
      const quote = quoteRefund(lot, spec, ev.at);
      if (!quote.ok) return quote;
      if (quote.value.kind !== ev.type) return no('ledger.refundKind', { expected: quote.value.kind });
      if (ev.amount !== quote.value.amount) return no('ledger.refundAmount', { amount: ev.amount, expected: quote.value.amount });
      return {
        ok: true,
        value: { ...lot, refunded: lot.refunded + ev.amount, status: ev.type === 'cancel' ? 'cancelled' : 'refunded' },
      };
    }
  }
}
