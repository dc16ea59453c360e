import { describe, expect, it } from 'vitest';
import { translate } from './index.js';

// The district report's footnote names where its populations come from, in the reader's language.
describe('the population source in the report footnote', () => {
  const note = (lang: 'ko' | 'en') => translate(lang, 'reports.populationNote', { source: translate(lang, 'reports.populationSource', { month: '2023-12' }) });

  it('is named in Korean for a Korean report', () => {
    expect(note('ko')).toBe('인구: 행정안전부 주민등록 인구통계 (2023-12). 1인당 금액 = 판매 액면 ÷ 주민등록인구.');
  });

  it('is named in English, with no Korean left, for an English report', () => {
    expect(note('en')).toBe('Population: Ministry of the Interior and Safety, resident registration population statistics (2023-12). Per resident = face sold ÷ registered residents.');
    expect(note('en')).not.toMatch(/[\uAC00-\uD7A3]/);
  });
});
