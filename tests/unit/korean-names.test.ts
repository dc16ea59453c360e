import { describe, expect, it } from 'vitest';
import { demoIdentity } from '../../server/directory/korean-names.js';

// Hand-copied from the census order the module names (per mille, the 30 listed surnames sum to 844).
const SHARE = { 김: 215 / 844, 이: 147 / 844, 박: 84 / 844, 남궁: 1 / 844 };
const N = 20_000;
const people = Array.from({ length: N }, (_, n) => demoIdentity(7, n));

describe('demo buyers’ identities', () => {
  it('are the same for the same seed and buyer, and another seed names another person', () => {
    expect(demoIdentity(7, 123)).toEqual(demoIdentity(7, 123));
    // Nearby seeds, the same buyer: each seed names another person.
    const firsts = [1, 2, 3, 4, 5].map((seed) => demoIdentity(seed, 1).phone);
    expect(new Set(firsts).size).toBe(5);
    const moved = people.slice(0, 1_000).filter((p, n) => demoIdentity(8, n).phone !== p.phone).length;
    expect(moved).toBeGreaterThanOrEqual(999);
  });

  it('are well formed: a listed surname and a two-syllable given name, an 010 number, an adult’s birth date', () => {
    for (const p of people) {
      expect(p.name).toMatch(/^(남궁|선우|[가-힣])[가-힣]{2}$/);
      expect(p.phone).toMatch(/^010\d{8}$/);
      expect(p.birthDate >= '1945-01-01' && p.birthDate <= '2006-12-31').toBe(true);
      expect(new Date(`${p.birthDate}T00:00:00Z`).toISOString().slice(0, 10)).toBe(p.birthDate);
    }
  });

  it('spread like a city: surnames by the census shares, numbers distinct, birth years over the whole span', () => {
    for (const [surname, share] of Object.entries(SHARE)) {
      const seen = people.filter((p) => p.name.startsWith(surname) && p.name.length === surname.length + 2).length / N;
      // Four standard errors of a binomial share over 20,000 draws.
      expect(Math.abs(seen - share)).toBeLessThan(4 * Math.sqrt((share * (1 - share)) / N));
    }
    // 20,000 numbers from 10^8: about 2 collisions expected (n²/2m).
    expect(new Set(people.map((p) => p.phone)).size).toBeGreaterThan(N - 10);
    const years = people.map((p) => Number(p.birthDate.slice(0, 4)));
    // Uniform over 1945-01-01…2006-12-30: mean year about 1975.5, every decade drawn.
    const mean = years.reduce((a, b) => a + b, 0) / N;
    expect(Math.abs(mean - 1975.5)).toBeLessThan(0.5);
    for (const decade of [1940, 1950, 1960, 1970, 1980, 1990, 2000]) expect(years.some((y) => Math.floor(y / 10) * 10 === decade)).toBe(true);
  });
});
