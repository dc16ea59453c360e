import { describe, expect, it } from 'vitest';
import { translate } from '../i18n/index.js';
import type { Recommendations } from './recommend.js';
import { seedCheckText } from './seed-check-text.js';

const base: Recommendations = {
  targetSellOutMinutes: 60,
  capacity: 20_000,
  session: { minutes: 86, baselineLogouts: 1_234_459, backing: 'session' },
  admission: { feasible: true, perMinute: 1_450, sellOutMinute: 52.77, peakActive: 2_994, backing: 'admission' },
  cutoff: { hoursWithout: 1, hoursWith: 0, savedHours: 1, cutPeople: 1, amountSoldWithout: 1, amountSoldWith: 1, backingWith: 'cutoff-on', backingWithout: 'cutoff-off' },
};
const ko = (k: string, p?: Record<string, string | number>) => translate('ko', k, p);
const num = (v: number) => v.toLocaleString('ko-KR');

describe('the seeds under a recommendation, in words', () => {
  it('states the share of seeds it held on and the spread, for the session and the admission rate', () => {
    const r: Recommendations = {
      ...base,
      session: { ...base.session, check: { seeds: 20, held: 20, min: 77.66, median: 79.68, max: 85.48 } },
      admission: { ...base.admission, check: { seeds: 20, held: 19, min: 51.72, median: 54.01, max: 61.2 } },
    };
    const text = seedCheckText(r, ko, num);
    expect(text.session).toBe('난수 시드 20개 중 20개에서 로그아웃 없음 · 한 번에 가장 오래 기다린 시간 최소 77.7분 · 중앙값 79.7분 · 최대 85.5분');
    expect(text.admission).toBe('난수 시드 20개 중 19개에서 60분 안에 매진(마지막 결제 기준) · 매진 시각 최소 51.7분 · 중앙값 54분 · 최대 61.2분');
    // k for 20 seeds by Natrella's approximation: 2.18.
    expect(text.margin).toContain('평균 + 2.18×표준편차');
    expect(text.margin).toContain('95% 이상');
  });

  it('says "not sold out" for a seed that never sold out, and nothing for runs saved before seeds were checked', () => {
    const r: Recommendations = { ...base, admission: { ...base.admission, check: { seeds: 20, held: 3, min: 58, median: null, max: null } } };
    expect(seedCheckText(r, ko, num).admission).toMatch(/최소 58분 · 중앙값 매진 안 됨 · 최대 매진 안 됨$/);
    expect(seedCheckText(base, ko, num)).toEqual({ session: null, admission: null, margin: null });
  });
});
