import { translate } from '../i18n/index.js';
import { describe, expect, it } from 'vitest';
import { spec2022 } from '../../tests/support/specs.js';
import { ROUND_PRESETS } from './presets.js';
import { validateRound } from './validate.js';

const codes = (issues: { code: string; path: string }[]) => issues.map((i) => `${i.path}:${i.code}`);

describe('round validation', () => {
  it('accepts every real-round preset; the session check is left to the simulation', () => {
    const now = new Date('2026-03-02T00:00:00Z');
    for (const p of ROUND_PRESETS) {
      const spec = p.spec(now);
      if (spec.kind === 'district') spec.districtCode = '11440';
      expect(validateRound(spec).errors, p.id).toEqual([]);
    }
    // visitors ÷ rate is not a wait (people beyond the stock need not wait): no arithmetic warning.
    expect(validateRound(spec2022()).warnings).toEqual([]);
  });

  it('refuses a purchase limit above the holding limit', () => {
    const v = validateRound(spec2022({ perPersonMonthlyLimit: 2_000_000, holdingLimit: 1_000_000 }));
    expect(codes(v.errors)).toContain('perPersonMonthlyLimit:issues.purchaseAboveHolding');
  });

  it('refuses amounts that are not in 10,000-won units, naming the field', () => {
    const v = validateRound(spec2022({ totalAmount: 25_000_005_000, perPersonMonthlyLimit: 405_000, holdingLimit: 1_000_500, giftReceiveCap: 1_500 }));
    expect(codes(v.errors)).toEqual(
      expect.arrayContaining([
        'totalAmount:issues.amountUnit',
        'perPersonMonthlyLimit:issues.amountUnit',
        'holdingLimit:issues.amountUnit',
        'giftReceiveCap:issues.amountUnit',
      ]),
    );
    expect(v.errors.find((e) => e.path === 'totalAmount')!.params).toMatchObject({ field: 'totalAmount', value: 25_000_005_000, unit: 10_000 });
  });

  it('refuses a discount outside 0–50%', () => {
    expect(codes(validateRound(spec2022({ discountBp: 5_100 })).errors)).toEqual(['discountBp:issues.discountRange']);
    expect(codes(validateRound(spec2022({ discountBp: -1 })).errors)).toEqual(['discountBp:issues.discountRange']);
    expect(validateRound(spec2022({ discountBp: 5_000 })).errors).toEqual([]);
    expect(validateRound(spec2022({ discountBp: 0 })).errors).toEqual([]);
  });

  it('refuses a window that closes before it opens', () => {
    const s = spec2022();
    expect(codes(validateRound({ ...s, closesAt: s.opensAt }).errors)).toEqual(['closesAt:issues.windowOrder']);
    const earlier = new Date(Date.parse(s.opensAt) - 60_000).toISOString();
    expect(codes(validateRound({ ...s, closesAt: earlier }).errors)).toEqual(['closesAt:issues.windowOrder']);
  });

  it('asks for birth-year slots when the queue goes by birth year', () => {
    const s = spec2022();
    expect(codes(validateRound({ ...s, waitingRoom: { ...s.waitingRoom, order: 'birth_year', slots: [] } }).errors)).toEqual(['waitingRoom.order:issues.birthYearSlots']);
    expect(validateRound({ ...s, waitingRoom: { ...s.waitingRoom, order: 'birth_year', slots: [{ share: 1, startMinute: 0 }] } }).errors).toEqual([]);
  });

  it('checks scope: district rounds need one of the 25 districts, city rounds none', () => {
    expect(codes(validateRound(spec2022({ kind: 'district', districtCode: null })).errors)).toEqual(['districtCode:issues.districtRequired']);
    expect(codes(validateRound(spec2022({ kind: 'district', districtCode: '99999' })).errors)).toEqual(['districtCode:issues.districtUnknown']);
    expect(codes(validateRound(spec2022({ kind: 'city', districtCode: '11440' })).errors)).toEqual(['districtCode:issues.districtNotForCity']);
    expect(validateRound(spec2022({ kind: 'district', districtCode: '11440' })).errors).toEqual([]);
  });

  it('checks denominations, validity, refund threshold and payment methods', () => {
    expect(codes(validateRound(spec2022({ denominations: [] })).errors)).toEqual(['denominations:issues.denominationsEmpty']);
    expect(codes(validateRound(spec2022({ denominations: [10_000, 10_000] })).errors)).toEqual(['denominations:issues.denominationsDuplicate']);
    expect(codes(validateRound(spec2022({ denominations: [1_500] })).errors)).toEqual(['denominations:issues.denominationsUnit']);
    expect(codes(validateRound(spec2022({ denominations: [500_000] })).errors)).toEqual(['denominations:issues.denominationAboveLimit']);
    // A multiple of 1,000 that no certificate carries: refused, naming the faces the programme issues.
    const fifteen = validateRound(spec2022({ denominations: [10_000, 15_000] })).errors;
    expect(codes(fifteen)).toEqual(['denominations:issues.denominationNotIssued']);
    expect(translate('ko', fifteen[0]!.code, fifteen[0]!.params)).toBe('₩15,000은 이 사업이 발행하는 권종이 아닙니다 (발행 권종: 1,000 · 5,000 · 10,000 · 50,000 · 100,000 · 500,000원)');
    expect(codes(validateRound(spec2022({ denominations: [5_000, 10_000, 50_000, 100_000] })).errors)).toEqual([]);
    expect(codes(validateRound(spec2022({ validityYears: 0 })).errors)).toEqual(['validityYears:issues.validityRange']);
    expect(codes(validateRound(spec2022({ validityYears: 3, sessionTimeoutMinutes: 60 })).warnings)).toEqual(['validityYears:issues.validityNotStatutory']);
    const refund = { partialUseThresholdPct: 59, formula: 'remaining_minus_subsidy' as const, cashOnly: true };
    expect(codes(validateRound(spec2022({ refund })).errors)).toEqual(['refund.partialUseThresholdPct:issues.refundThresholdRange']);
    expect(validateRound(spec2022({ refund: { ...refund, partialUseThresholdPct: 80 } })).errors).toEqual([]);
    expect(codes(validateRound(spec2022({ paymentMethods: [] })).errors)).toEqual(['paymentMethods:issues.paymentNone']);
  });

  it('warns when a credit-card round allows more than the card cap', () => {
    const v = validateRound(spec2022({ paymentMethods: ['credit_card'], perPersonMonthlyLimit: 1_500_000, holdingLimit: 2_000_000, sessionTimeoutMinutes: 60 }));
    expect(v.errors).toEqual([]);
    expect(codes(v.warnings)).toEqual(['paymentMethods:issues.creditCardCap']);
  });

  it('checks required and positive values', () => {
    const v = validateRound(spec2022({ name: '  ', totalAmount: 0, perPersonMonthlyLimit: -10_000, sessionTimeoutMinutes: 0, waitingRoom: { admissionPerMinute: 0, maxActiveSessions: 0 } }));
    expect(codes(v.errors)).toEqual(
      expect.arrayContaining([
        'name:issues.nameRequired',
        'totalAmount:issues.amountPositive',
        'perPersonMonthlyLimit:issues.amountPositive',
        'sessionTimeoutMinutes:issues.sessionRange',
        'waitingRoom.admissionPerMinute:issues.admissionRate',
        'waitingRoom.maxActiveSessions:issues.maxActive',
      ]),
    );
  });
});
