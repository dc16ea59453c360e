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

  it('warns above the guidance\'s usual 10% discount and refuses above 20%, saying the rule', () => {
    // Hand-written from the ministry's guidance: within 10% as a rule, up to 15–20% only as an exception.
    const cases: [number, string[], string[]][] = [
      [0, [], []],
      [700, [], []],
      [1_000, [], []],
      [1_001, [], ['discountBp:roundForm.discountUnusual']],
      [1_500, [], ['discountBp:roundForm.discountUnusual']],
      [2_000, [], ['discountBp:roundForm.discountUnusual']],
      [2_001, ['discountBp:issues.discountRange'], []],
      [2_500, ['discountBp:issues.discountRange'], []],
      [-1, ['discountBp:issues.discountRange'], []],
    ];
    for (const [bp, errors, warnings] of cases) {
      const v = validateRound(spec2022({ discountBp: bp }));
      expect([codes(v.errors), codes(v.warnings)], String(bp)).toEqual([errors, warnings]);
    }
    const warned = validateRound(spec2022({ discountBp: 1_500 })).warnings[0]!;
    expect(translate('ko', warned.code, warned.params)).toBe('할인율 15%는 보통보다 높습니다. 행정안전부 지침은 할인율을 원칙적으로 10% 이내로 두고, 명절·재난 같은 예외에만 더 높게 허용합니다');
    const refused = validateRound(spec2022({ discountBp: 2_500 })).errors[0]!;
    expect(translate('ko', refused.code, refused.params)).toMatch(/^할인율은 0%에서 20% 사이여야 합니다 \(입력: 25%\)/);
  });

  it('says a holding limit below the monthly limit on the holding field too', () => {
    const v = validateRound(spec2022({ perPersonMonthlyLimit: 500_000, holdingLimit: 300_000 }));
    expect(codes(v.errors)).toEqual(['perPersonMonthlyLimit:issues.purchaseAboveHolding', 'holdingLimit:roundForm.holdingBelowPurchase']);
    const onHolding = v.errors[1]!;
    expect(translate('ko', onHolding.code, onHolding.params)).toMatch(/^보유 한도\(₩300,000\)가 1인 월 구매 한도\(₩500,000\)보다 낮습니다/);
    // Equal limits are a real configuration (a month's purchase fills the holding): no word.
    expect(validateRound(spec2022({ perPersonMonthlyLimit: 1_000_000, holdingLimit: 1_000_000 })).errors).toEqual([]);
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
