import { describe, expect, it } from 'vitest';
import { saleProblems, type ServerCheck } from '../../scripts/sale/rehearsal.js';

/** A clean sale: 1,000,000 won of stock, 600,000 sold to two buyers, all of it in the log. */
const clean: ServerCheck = { ok: true, stock: 1_000_000, soldRedis: 600_000, left: 400_000, soldLog: 600_000, problems: [], lag: 0 };
const told = [
  { buyer: 'a', face: 400_000 },
  { buyer: 'b', face: 200_000 },
];

describe('the rehearsal checks', () => {
  it('a clean sale has no problem', () => {
    expect(saleProblems(clean, told, 400_000)).toEqual([]);
  });

  // Each row: what went wrong, the check as the server answered, what the buyers were told, the problem expected.
  const table: [string, ServerCheck, { buyer: string; face: number }[], RegExp][] = [
    ['a purchase lost: the gate sold it, no buyer was told', { ...clean, soldRedis: 610_000, soldLog: 610_000, left: 390_000 }, told, /told 600000 won bought, the gate sold 610000/],
    ['a purchase doubled: a buyer told twice of 200,000', clean, [...told, { buyer: 'b', face: 200_000 }], /told 800000 won bought, the gate sold 600000/],
    ['oversold', { ...clean, soldRedis: 1_010_000, soldLog: 1_010_000, left: -10_000 }, [...told, { buyer: 'c', face: 410_000 }], /oversold: 1010000 > stock 1000000/],
    ['a buyer over the limit', clean, [{ buyer: 'a', face: 400_000 }, { buyer: 'a', face: 200_000 }], /a bought 600000 won, over the limit of 400000/],
    ['the log short of Redis', { ...clean, soldLog: 590_000 }, told, /the log holds 590000 won, Redis 600000/],
    ['the writer still behind', { ...clean, lag: 3 }, told, /ledger writer lag 3/],
    ['the server check failed with no reason given', { ...clean, ok: false }, told, /server check failed/],
  ];
  it.each(table)('%s', (_what, check, purchases, problem) => {
    const found = saleProblems(check, purchases, 400_000);
    expect(found.some((p) => problem.test(p)), found.join('; ')).toBe(true);
  });
});
