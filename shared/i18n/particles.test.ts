import { describe, expect, it } from 'vitest';
import { ko, numberTail, translate, withParticle } from './index.js';

describe('Korean particles after numbers', () => {
  it('reads a trailing number as it is spoken', () => {
    expect(['1', '2', '3', '6', '10', '100', '2,000', '10000', '0', 'v12'].map(numberTail)).toEqual(['일', '이', '삼', '육', '십', '백', '천', '만', '영', '이']);
    expect(numberTail('회차')).toBeNull();
  });

  it('picks 으로/로 by that reading, in messages', () => {
    expect(translate('ko', 'rounds.savedVersion', { version: 2 })).toBe('버전 2로 저장되었습니다');
    expect(translate('ko', 'rounds.savedVersion', { version: 3 })).toBe('버전 3으로 저장되었습니다');
    expect(translate('ko', 'rounds.savedVersion', { version: 1 })).toBe('버전 1로 저장되었습니다');
    expect(translate('ko', 'rounds.savedVersion', { version: 10 })).toBe('버전 10으로 저장되었습니다');
    expect(translate('en', 'rounds.savedVersion', { version: 3 })).toContain('3');
  });
});

describe('Korean particles after names that are not Hangul', () => {
  it('quotes a Latin name and gives both forms, never a guess', () => {
    expect(withParticle('lee.official', '이/가')).toBe('‘lee.official’이(가)');
    expect(withParticle('mapo', '을/를')).toBe('‘mapo’을(를)');
    expect(withParticle('마포구', '은/는')).toBe('마포구는');
    expect(withParticle('₩400,000', '을/를')).toBe('₩400,000을');
    expect(withParticle('2026-11-26', '은/는')).toBe('2026-11-26은');
  });

  it('puts a Korean noun last where a user-typed name meets a particle', () => {
    expect(translate('ko', 'admin.userCreated', { username: 'lee.official' })).toBe('‘lee.official’ 사용자를 추가했습니다');
    expect(translate('ko', 'sync.connectedAs', { username: 'mapo', url: 'http://x' })).toBe('‘mapo’ 계정으로 http://x에 연결됨');
    expect(translate('ko', 'ledger.wrongRound', { lotId: 'lot-A1' })).toBe('‘lot-A1’ 구매 건은 다른 회차의 것입니다');
    expect(translate('ko', 'reconcile.profileNotFound', { id: 'hecto' })).toContain('‘hecto’ 파일 형식을');
    expect(translate('ko', 'sync.localVersionDiffers', { roundId: 'r-1', version: 3 })).toBe('회차 ‘r-1’의 버전 3이 이 콘솔의 것과 다릅니다');
  });

  it('agrees with amounts and days', () => {
    expect(translate('ko', 'ledger.monthlyLimit', { limit: 400_000, already: 0 })).toMatch(/^1인 월 구매 한도 ₩400,000을 넘습니다/);
    expect(translate('ko', 'ledger.paidMismatch', { paid: 93_000, expected: 93_100 })).toBe('결제 금액 ₩93,000이 할인 적용 금액 ₩93,100과 다릅니다');
    expect(translate('ko', 'refunds.dayClosed', { day: '2026-11-25' })).toMatch(/^2026-11-25는 마감된 날입니다/);
    expect(translate('ko', 'issues.denominationAboveLimit', { value: 500_000, limit: 400_000 })).toMatch(/^권종 ₩500,000이 1인/);
  });

  it('leaves no bare placeholder before a particle in the Korean catalog', () => {
    // `{{name}}을(를)` or `{{name}}이` would be a guess; every such spot uses a particle formatter or a Korean noun.
    const bad: string[] = [];
    const walk = (o: unknown, path: string) => {
      if (typeof o === 'string') {
        if (/\{\{[^}]+\}\}(?:을\(를\)|이\(가\)|은\(는\)|\(으\)로|과\(와\))/.test(o) || /\{\{(?![^}]*,\s*(?:topic|subject|object|toward|with)\}\})[^}]+\}\}(?:을|를|이|가|은|는|으로|로|과|와)(?=[\s.,)])/.test(o)) bad.push(`${path}: ${o}`);
      } else if (o && typeof o === 'object') for (const [k, v] of Object.entries(o)) walk(v, path ? `${path}.${k}` : k);
    };
    walk(ko, '');
    expect(bad).toEqual([]);
  });
});
