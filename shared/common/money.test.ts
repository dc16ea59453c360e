import { describe, expect, it } from 'vitest';
import {
  basisPointsOf,
  formatBasisPoints,
  formatWon,
  formatWonKorean,
  formatWonShort,
  parsePercentToBasisPoints,
  parseWon,
} from './money.js';

describe('money', () => {
  it('formats won with grouping and the won sign', () => {
    expect(formatWon(25_000_000_000)).toBe('₩25,000,000,000');
    expect(formatWon(0)).toBe('₩0');
    expect(formatWon(-5_000)).toBe('-₩5,000');
  });

  it('reads amounts in Korean units without rounding', () => {
    expect(formatWonKorean(25_000_000_000)).toBe('250억 원');
    expect(formatWonKorean(300_000_000_000)).toBe('3,000억 원');
    expect(formatWonKorean(125_000_000)).toBe('1억 2,500만 원');
    expect(formatWonKorean(400_000)).toBe('40만 원');
    expect(formatWonKorean(5_000)).toBe('5,000원');
    expect(formatWonKorean(12_345)).toBe('1만 2,345원');
    expect(formatWonKorean(1_250_000_000_000)).toBe('1조 2,500억 원');
    expect(formatWonKorean(0)).toBe('0원');
    expect(formatWonShort(25_000_000_000, 'en')).toBe('₩25B');
    expect(formatWonShort(25_000_000_000, 'ko')).toBe('250억 원');
  });

  it('parses what people type and refuses what is not money', () => {
    expect(parseWon('25,000,000,000')).toBe(25_000_000_000);
    expect(parseWon('₩400,000')).toBe(400_000);
    expect(parseWon('250억')).toBe(25_000_000_000);
    expect(parseWon('250억 원')).toBe(25_000_000_000);
    expect(parseWon('1억 2,500만 원')).toBe(125_000_000);
    expect(parseWon('40만원')).toBe(400_000);
    expect(parseWon('1만 2345')).toBe(12_345);
    expect(parseWon('')).toBeNull();
    expect(parseWon('12.5억')).toBeNull();
    expect(parseWon('-400000')).toBeNull();
    expect(parseWon('abc')).toBeNull();
    expect(parseWon('만 억')).toBeNull();
    expect(parseWon('2만 3억')).toBeNull();
    expect(parseWon('1만 20000')).toBeNull();
    expect(parseWon('99999999999999999999')).toBeNull();
  });

  it('computes discounts exactly, even past 2^53 intermediate products', () => {
    expect(basisPointsOf(25_000_000_000, 700)).toBe(1_750_000_000);
    expect(basisPointsOf(100_000, 500)).toBe(5_000);
    expect(basisPointsOf(10_000_000_000_000, 5_000)).toBe(5_000_000_000_000);
    expect(basisPointsOf(15_000, 333)).toBe(499); // floors: 499.5 → 499
    expect(() => basisPointsOf(1.5, 700)).toThrow(RangeError);
  });

  it('converts percents to basis points and back', () => {
    expect(parsePercentToBasisPoints('7')).toBe(700);
    expect(parsePercentToBasisPoints('7.5%')).toBe(750);
    expect(parsePercentToBasisPoints('7.25')).toBe(725);
    expect(parsePercentToBasisPoints('7.255')).toBeNull();
    expect(parsePercentToBasisPoints('seven')).toBeNull();
    expect(formatBasisPoints(700)).toBe('7%');
    expect(formatBasisPoints(725)).toBe('7.25%');
  });
});
