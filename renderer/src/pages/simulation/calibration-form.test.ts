import { describe, expect, it } from 'vitest';
import { formatIssue } from '#shared/i18n/index.js';
import { emptyFacts, factsFromForm } from './calibration-form.js';

describe('calibration facts form', () => {
  it('reads blanks as unknown and numbers with separators', () => {
    const r = factsFromForm({ ...emptyFacts(), sellOutMinutes: '74', buyers: '64,650', displayedWaitMinutes: '1 036', displayedAtMinute: '4' });
    expect(r.issues).toEqual([]);
    expect(r.facts).toEqual({ sellOutMinutes: 74, lastSaleMinutes: null, buyers: 64_650, peakQueue: null, displayedWaitMinutes: 1_036, displayedAtMinute: 4, peakConnections: null });
  });

  it('names each wrong field in Korean', () => {
    const text = (form: Partial<ReturnType<typeof emptyFacts>>) => factsFromForm({ ...emptyFacts(), ...form }).issues.map((i) => formatIssue('ko', i));
    expect(text({ peakQueue: '많음' })).toEqual(['숫자로 입력하세요']);
    expect(text({ buyers: '0' })[0]).toContain('구매자 수');
    expect(text({ displayedAtMinute: '4' })).toEqual(['표시 시각을 입력했다면 그때 표시된 대기시간도 입력하세요']);
    expect(text({ peakQueue: '300000', peakConnections: '200000' })).toEqual(['최대 대기 인원이 최대 동시 접속자보다 많을 수 없습니다']);
  });
});
