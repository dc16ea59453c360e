import { describe, expect, it } from 'vitest';
import { DISTRICT_CODES } from '../common/districts.js';
import { DISTRICT_POPULATION, perResident, POPULATION_AS_OF } from './populations.js';

describe('district populations', () => {
  it('has every district, as of the end of 2023', () => {
    expect(Object.keys(DISTRICT_POPULATION).sort()).toEqual([...DISTRICT_CODES].sort());
    expect(POPULATION_AS_OF).toBe('2023-12-31');
  });

  it('holds the checked figure for 송파구 (행정안전부 주민등록 인구통계, end of 2023)', () => {
    expect(DISTRICT_POPULATION['11710']).toBe(654_166);
    expect(perResident(654_166 * 3 + 2, '11710')).toBe(3);
  });
});
