import { describe, expect, it } from 'vitest';
import { numberTail, translate } from './index.js';

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
