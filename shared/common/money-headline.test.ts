import { describe, expect, it } from 'vitest';
import { formatWonHeadline } from './money.js';

// Written by hand from how Seoul's budget documents and English newsrooms write amounts,
// not produced by running the formatter.
const TABLE: ReadonlyArray<[amount: number, ko: string, en: string]> = [
  [0, '0원', '₩0'],
  [9_500, '9,500원', '₩9,500'],
  [10_000, '1만 원', '₩10,000'],
  [12_345, '1만 2,345원', '₩12,345'],
  [400_000, '40만 원', '₩400,000'],
  [999_999, '99만 9,999원', '₩999,999'],
  [1_000_000, '100만 원', '₩1 million'],
  [99_990_000, '9,999만 원', '₩100 million'],
  [99_999_999, '9,999만 9,999원', '₩100 million'],
  [100_000_000, '1억 원', '₩100 million'],
  [120_000_000, '1억 2,000만 원', '₩120 million'],
  [123_456_789, '1억 2,346만 원', '₩123 million'],
  [123_444_999, '1억 2,344만 원', '₩123 million'],
  [999_950_000, '9억 9,995만 원', '₩1 billion'],
  [2_500_000_000, '25억 원', '₩2.5 billion'],
  [25_000_000_000, '250억 원', '₩25 billion'],
  [400_000_000_000, '4,000억 원', '₩400 billion'],
  [999_999_999_999, '1조 원', '₩1 trillion'],
  [1_250_000_000_000, '1조 2,500억 원', '₩1.25 trillion'],
  [1_234_567_890_123, '1조 2,346억 원', '₩1.23 trillion'],
  [-9_500, '-9,500원', '-₩9,500'],
  [-120_000_000, '-1억 2,000만 원', '-₩120 million'],
  [-400_000_000_000, '-4,000억 원', '-₩400 billion'],
];

describe('formatWonHeadline', () => {
  it.each(TABLE)('%d reads %s in Korean', (amount, ko) => {
    expect(formatWonHeadline(amount, 'ko')).toBe(ko);
  });
  it.each(TABLE)('%d reads %s / %s in English', (amount, _ko, en) => {
    expect(formatWonHeadline(amount, 'en')).toBe(en);
  });
});
