import { describe, expect, it } from 'vitest';
import { bankName, findBank, KOREAN_BANKS } from './banks.js';

describe('banks for refund payouts', () => {
  it('holds the KFTC codes of the banks clerks meet most (hand-copied from the public code list)', () => {
    const table: [string, string][] = [
      ['004', 'KB국민은행'],
      ['088', '신한은행'],
      ['020', '우리은행'],
      ['081', '하나은행'],
      ['011', 'NH농협은행'],
      ['003', 'IBK기업은행'],
      ['071', '우체국'],
      ['090', '카카오뱅크'],
      ['092', '토스뱅크'],
      ['089', '케이뱅크'],
    ];
    for (const [code, ko] of table) expect(findBank(code)?.ko, code).toBe(ko);
  });

  it('has one entry per code, each a three-digit code', () => {
    expect(new Set(KOREAN_BANKS.map((b) => b.code)).size).toBe(KOREAN_BANKS.length);
    for (const b of KOREAN_BANKS) expect(b.code).toMatch(/^\d{3}$/);
  });

  it('finds a bank by code or listed name only, never by a guess', () => {
    expect(findBank('신한은행')?.code).toBe('088');
    expect(findBank(' 088 ')?.ko).toBe('신한은행');
    expect(findBank('신한')).toBeUndefined();
    expect(findBank('999')).toBeUndefined();
    expect(bankName('090', 'en')).toBe('KakaoBank');
  });
});
