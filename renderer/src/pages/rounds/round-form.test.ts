import { describe, expect, it } from 'vitest';
import { spec2022 } from '../../../../tests/support/specs.js';
import { preset2022, specWithAssumptions } from '#shared/simulation/params.js';
import { translate } from '#shared/i18n/index.js';
import { denominationChoices, formFromSpec, parseDenominations, specFromForm, toggleDenomination } from './round-form.js';

describe('round form', () => {
  it('round-trips a spec through the form text', () => {
    const spec = spec2022();
    const form = formFromSpec(spec);
    expect(form.totalAmount).toBe('25,000,000,000');
    expect(form.denominations).toBe('10,000, 50,000, 100,000');
    expect(specFromForm(form)).toEqual({ spec, parseIssues: [] });
  });

  it('carries the rehearsal assumptions and queue settings through the form, and leaves old specs in their old shape', () => {
    const base = spec2022();
    const spec = {
      ...base,
      waitingRoom: { ...base.waitingRoom, order: 'shuffle_preopen' as const, stockCutoff: true, cutoffMargin: 0.2 },
      rehearsal: specWithAssumptions(base, preset2022()).rehearsal!,
    };
    expect(specFromForm(formFromSpec(spec))).toEqual({ spec, parseIssues: [] });
    // Setting the notice on an old spec writes the queue settings.
    const turned = specFromForm({ ...formFromSpec(base), stockCutoff: true }).spec;
    expect(turned.waitingRoom).toEqual({ ...base.waitingRoom, order: 'fifo', stockCutoff: true });
  });

  it('reads Korean units and percents as people type them', () => {
    const form = { ...formFromSpec(spec2022()), totalAmount: '250억', perPersonMonthlyLimit: '40만 원', discountPct: '7.5', denominations: '5,000; 1만' };
    const { spec, parseIssues } = specFromForm(form);
    expect(parseIssues).toEqual([]);
    expect(spec).toMatchObject({ totalAmount: 25_000_000_000, perPersonMonthlyLimit: 400_000, discountBp: 750, denominations: [5_000, 10_000] });
  });

  it('reports text that is not a value, per field, instead of guessing', () => {
    const form = { ...formFromSpec(spec2022()), totalAmount: 'lots', sessionTimeoutMinutes: '10.5', opensAt: '', discountPct: 'seven' };
    expect(specFromForm(form).parseIssues.map((i) => `${i.path}:${i.code}`).sort()).toEqual([
      'discountBp:rounds.notANumber',
      'opensAt:roundForm.dayMissing',
      'sessionTimeoutMinutes:rounds.notANumber',
      'totalAmount:rounds.notANumber',
    ]);
  });

  it('drops the district of a city-wide round', () => {
    const form = { ...formFromSpec(spec2022()), kind: 'city' as const, districtCode: '11440' };
    expect(specFromForm(form).spec.districtCode).toBeNull();
  });
});

describe('denomination toggles', () => {
  it('offers the programme faces plus any other the round holds, and toggles in order', () => {
    expect(denominationChoices('10,000, 15,000')).toEqual([1_000, 5_000, 10_000, 15_000, 50_000, 100_000, 500_000]);
    expect(toggleDenomination('10,000, 50,000', 5_000, true)).toBe('5,000, 10,000, 50,000');
    expect(toggleDenomination('5,000, 10,000, 50,000', 10_000, false)).toBe('5,000, 50,000');
    expect(toggleDenomination('10,000', 10_000, false)).toBe('');
    expect(parseDenominations('5,000; 1만')).toEqual([5_000, 10_000]);
    expect(parseDenominations('5,000, abc')).toBeNull();
  });

  it('says which half of a date and time is wrong, naming the field and the valid range', () => {
    const form = formFromSpec(spec2022());
    const issueOf = (opensAt: string) => specFromForm({ ...form, opensAt }).parseIssues.find((i) => i.path === 'opensAt');
    const ko = (opensAt: string) => {
      const i = issueOf(opensAt)!;
      return translate('ko', i.code, i.params);
    };
    expect(issueOf('2026-07-14T10:00')).toBeUndefined();
    expect(ko('2026-07-14T2500')).toBe('시각의 시는 0–23 사이여야 합니다 (판매 시작: ‘2500’). 14:00이나 1400처럼 24시간제로 입력하세요');
    expect(ko('20260714T10:75')).toBe('시각의 분은 0–59 사이여야 합니다 (판매 시작: ‘10:75’). 14:30이나 1430처럼 입력하세요');
    expect(ko('14 Jul 2026T')).toMatch(/^시각을 입력하세요 \(판매 시작\)/);
    expect(ko('2026-13-40T10:00')).toBe('날짜를 읽을 수 없습니다 (판매 시작: ‘2026-13-40’). 2026-11-26이나 20261126처럼 입력하세요');
    expect(ko('T10:00')).toMatch(/^날짜를 입력하세요 \(판매 시작\)/);
    const en = issueOf('2026-07-14T2500')!;
    expect(translate('en', en.code, en.params)).toMatch(/^The hour must be 0–23 \(.+: ‘2500’\)/);
  });
});
