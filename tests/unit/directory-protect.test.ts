import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { isMobileNumber, maskName, maskPhone } from '../../shared/common/buyer-identity.js';
import { directoryKeys, nameBirthHash, phoneHash, seal, unseal } from '../../server/directory/protect.js';

const keys = directoryKeys(randomBytes(32));

describe('buyer directory protection', () => {
  it('masks as the counter shows (hand-written table)', () => {
    expect(maskPhone('010-1234-5678')).toBe('010-****-5678');
    expect(maskPhone('01098765432')).toBe('010-****-5432');
    expect(maskName('홍길동')).toBe('홍*동');
    expect(maskName('이산')).toBe('이*');
    expect(maskName('남궁민수')).toBe('남**수');
    expect(maskName('선우 재덕')).toBe('선**덕');
  });

  it('finds a number however it is typed, and only with the same key', () => {
    expect(phoneHash(keys, '010-1234-5678')).toBe(phoneHash(keys, '010 1234 5678'));
    expect(phoneHash(keys, '01012345678')).not.toBe(phoneHash(keys, '01012345679'));
    expect(phoneHash(directoryKeys(randomBytes(32)), '01012345678')).not.toBe(phoneHash(keys, '01012345678'));
    expect(nameBirthHash(keys, '홍 길동', '1985-03-07')).toBe(nameBirthHash(keys, '홍길동', '1985-03-07'));
    expect(nameBirthHash(keys, '홍길동', '1985-03-08')).not.toBe(nameBirthHash(keys, '홍길동', '1985-03-07'));
    expect(['01012345678', '0101234567', '0111234567'].map(isMobileNumber)).toEqual([true, true, true]);
    expect(['0212345678', '010123456', '010123456789', '010-abcd-5678'].map(isMobileNumber)).toEqual([false, false, false, false]);
  });

  it('seals with a fresh nonce and refuses a changed copy', () => {
    const a = seal(keys, '01012345678');
    expect(a).not.toBe(seal(keys, '01012345678'));
    expect(a).not.toContain('12345678');
    expect(unseal(keys, a)).toBe('01012345678');
    const parts = a.split('.');
    const body = Buffer.from(parts[3]!, 'base64url');
    body[0]! ^= 1;
    expect(() => unseal(keys, [...parts.slice(0, 3), body.toString('base64url')].join('.'))).toThrow();
    expect(() => directoryKeys(randomBytes(16))).toThrow(/32 bytes/);
  });
});
