import type { Issue } from '../common/errors.js';
import { isMultipleOf, MAX_ROUND_AMOUNT, SALE_UNIT } from '../common/money.js';
import { findDistrict } from '../common/districts.js';
import type { RoundSpec } from './spec.js';

/** The decree lets ordinances set the partial-use refund threshold between 60% and 80%. */
export const REFUND_THRESHOLD_RANGE = { min: 60, max: 80 } as const;
/**
 * The ministry's guidance (행정안전부 지역사랑상품권 발행지원사업 종합지침) keeps
 * discounts within 10% as a rule and lets them rise only for holidays or
 * disasters — at most 15% nationally and 20% in special disaster areas in the
 * 2025 supplementary budget. Above 10% the editor warns; above 20% no round
 * has ever gone, so it is refused (a typo like 25 for 2.5 is the likely cause).
 */
export const DISCOUNT_USUAL_MAX_BP = 1_000;
export const DISCOUNT_MAX_BP = 2_000;
export const VALIDITY_YEARS_RANGE = { min: 1, max: 10 } as const;
export const SESSION_TIMEOUT_RANGE = { min: 1, max: 1_440 } as const;
/** Card purchases have been capped at 1,000,000 won since 2024. */
export const CREDIT_CARD_CAP = 1_000_000;
const DENOMINATION_UNIT = 1_000;
/**
 * The faces the programme issues (the 1-5 series of the won's notes; Seoul's
 * certificates are 5,000 / 10,000 / 50,000 / 100,000). A round picks its list
 * from these: a 15,000-won face is a multiple of 1,000 but no certificate the
 * programme prints or its sale app offers, so it is refused, saying why.
 */
export const ISSUED_DENOMINATIONS = [1_000, 5_000, 10_000, 50_000, 100_000, 500_000] as const;

export interface RoundValidation {
  errors: Issue[];
  warnings: Issue[];
}

/**
 * Every domain rule of a round, reported per field. Errors block saving;
 * warnings are shown but a round with only warnings can be saved and approved.
 */
export function validateRound(spec: RoundSpec): RoundValidation {
  const issues: Issue[] = [];
  const err = (path: string, code: string, params?: Issue['params']) => issues.push({ path, code, severity: 'error', ...(params ? { params } : {}) });
  const warn = (path: string, code: string, params?: Issue['params']) => issues.push({ path, code, severity: 'warning', ...(params ? { params } : {}) });

  const wonField = (path: keyof RoundSpec, value: number, opts: { allowZero?: boolean } = {}) => {
    if (value < 0 || (value === 0 && !opts.allowZero)) {
      err(path, opts.allowZero ? 'issues.amountNegative' : 'issues.amountPositive', { field: path });
      return false;
    }
    if (!isMultipleOf(value, SALE_UNIT)) {
      err(path, 'issues.amountUnit', { field: path, value, unit: SALE_UNIT });
      return false;
    }
    return true;
  };

  const name = spec.name.trim();
  if (name === '') err('name', 'issues.nameRequired');
  else if (name.length > 100) err('name', 'issues.nameTooLong', { max: 100 });

  if (spec.kind === 'district') {
    if (!spec.districtCode) err('districtCode', 'issues.districtRequired');
    else if (!findDistrict(spec.districtCode)) err('districtCode', 'issues.districtUnknown', { value: spec.districtCode });
  } else if (spec.districtCode) {
    err('districtCode', 'issues.districtNotForCity');
  }

  const totalOk = wonField('totalAmount', spec.totalAmount);
  if (totalOk && spec.totalAmount > MAX_ROUND_AMOUNT) err('totalAmount', 'issues.amountTooLarge', { max: MAX_ROUND_AMOUNT });

  if (spec.discountBp < 0 || spec.discountBp > DISCOUNT_MAX_BP) {
    err('discountBp', 'issues.discountRange', { value: spec.discountBp / 100, max: DISCOUNT_MAX_BP / 100 });
  } else if (spec.discountBp > DISCOUNT_USUAL_MAX_BP) {
    warn('discountBp', 'roundForm.discountUnusual', { value: spec.discountBp / 100, usual: DISCOUNT_USUAL_MAX_BP / 100 });
  }

  const limitOk = wonField('perPersonMonthlyLimit', spec.perPersonMonthlyLimit);
  const holdingOk = wonField('holdingLimit', spec.holdingLimit);
  wonField('giftReceiveCap', spec.giftReceiveCap, { allowZero: true });
  if (limitOk && holdingOk && spec.perPersonMonthlyLimit > spec.holdingLimit) {
    err('perPersonMonthlyLimit', 'issues.purchaseAboveHolding', { limit: spec.perPersonMonthlyLimit, holding: spec.holdingLimit });
    // The same rule seen from the field an official usually types second: said there too, so it shows where the eye is.
    err('holdingLimit', 'roundForm.holdingBelowPurchase', { limit: spec.perPersonMonthlyLimit, holding: spec.holdingLimit });
  }
  if (limitOk && totalOk && spec.perPersonMonthlyLimit > spec.totalAmount) {
    err('perPersonMonthlyLimit', 'issues.purchaseAboveTotal', { limit: spec.perPersonMonthlyLimit, total: spec.totalAmount });
  }

  if (spec.denominations.length === 0) {
    err('denominations', 'issues.denominationsEmpty');
  } else {
    const bad = spec.denominations.filter((d) => d <= 0 || !isMultipleOf(d, DENOMINATION_UNIT));
    if (bad.length > 0) err('denominations', 'issues.denominationsUnit', { value: bad[0]!, unit: DENOMINATION_UNIT });
    const notIssued = spec.denominations.filter((d) => d > 0 && isMultipleOf(d, DENOMINATION_UNIT) && !(ISSUED_DENOMINATIONS as readonly number[]).includes(d));
    if (notIssued.length > 0) err('denominations', 'issues.denominationNotIssued', { value: notIssued[0]!, issued: ISSUED_DENOMINATIONS.map((d) => d.toLocaleString('en-US')).join(' · ') });
    if (new Set(spec.denominations).size !== spec.denominations.length) err('denominations', 'issues.denominationsDuplicate');
    const tooBig = spec.denominations.filter((d) => d > spec.perPersonMonthlyLimit);
    if (limitOk && tooBig.length > 0) err('denominations', 'issues.denominationAboveLimit', { value: tooBig[0]!, limit: spec.perPersonMonthlyLimit });
  }

  if (spec.validityYears < VALIDITY_YEARS_RANGE.min || spec.validityYears > VALIDITY_YEARS_RANGE.max) {
    err('validityYears', 'issues.validityRange', { ...VALIDITY_YEARS_RANGE });
  } else if (spec.validityYears !== 5) {
    warn('validityYears', 'issues.validityNotStatutory', { value: spec.validityYears });
  }

  const t = spec.refund.partialUseThresholdPct;
  if (t < REFUND_THRESHOLD_RANGE.min || t > REFUND_THRESHOLD_RANGE.max) {
    err('refund.partialUseThresholdPct', 'issues.refundThresholdRange', { value: t, ...REFUND_THRESHOLD_RANGE });
  }

  if (spec.paymentMethods.length === 0) err('paymentMethods', 'issues.paymentNone');
  else if (new Set(spec.paymentMethods).size !== spec.paymentMethods.length) err('paymentMethods', 'issues.paymentDuplicate');
  if (spec.paymentMethods.includes('credit_card') && spec.perPersonMonthlyLimit > CREDIT_CARD_CAP) {
    warn('paymentMethods', 'issues.creditCardCap', { cap: CREDIT_CARD_CAP });
  }

  const opens = Date.parse(spec.opensAt);
  const closes = Date.parse(spec.closesAt);
  if (!(closes > opens)) err('closesAt', 'issues.windowOrder');

  if (spec.sessionTimeoutMinutes < SESSION_TIMEOUT_RANGE.min || spec.sessionTimeoutMinutes > SESSION_TIMEOUT_RANGE.max) {
    err('sessionTimeoutMinutes', 'issues.sessionRange', { ...SESSION_TIMEOUT_RANGE });
  }
  if (spec.waitingRoom.admissionPerMinute < 1) err('waitingRoom.admissionPerMinute', 'issues.admissionRate');
  if (spec.waitingRoom.maxActiveSessions < 1) err('waitingRoom.maxActiveSessions', 'issues.maxActive');
  if (spec.expectedVisitors != null && spec.expectedVisitors < 0) err('expectedVisitors', 'issues.visitorsNegative');

  if (spec.waitingRoom.order === 'birth_year' && (spec.waitingRoom.slots ?? []).length === 0) {
    err('waitingRoom.order', 'issues.birthYearSlots');
  }
  // Whether the session outlasts the wait is not arithmetic (visitors ÷ rate counts
  // people beyond the stock who need not wait at all): the editor simulates it,
  // see simulation/rehearsal-check.ts.

  return {
    errors: issues.filter((i) => i.severity === 'error'),
    warnings: issues.filter((i) => i.severity === 'warning'),
  };
}
