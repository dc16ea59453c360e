import { describe, expect, it } from 'vitest';
import { passwordProblem } from './password-policy.js';

const key = (password: string, username = 'lee', extra: { displayName?: string; districtCode?: string | null } = {}) =>
  passwordProblem(password, { username, ...extra })?.key ?? null;

describe('password policy', () => {
  it('refuses every password of issue 17, finding 3, and says it is too short', () => {
    for (const p of ['aaaaaaaaaa', '0000000000', '1111111111', 'abcdefghij', 'admin12345', 'seoul12345', '          x', 'Zq3']) {
      expect(key(p, 'root'), JSON.stringify(p)).toBe('passwordPolicy.tooShort');
    }
    expect(passwordProblem('Zq3', { username: 'root' })?.params).toEqual({ min: 12, length: 3 });
  });

  it('refuses the same shapes at twelve characters and more, saying why as zxcvbn sees it', () => {
    expect(key('aaaaaaaaaaaa')).toBe('passwordPolicy.guessable.simpleRepeat');
    expect(key('           x')).toBe('passwordPolicy.guessable.simpleRepeat');
    expect(key('abcdefghijkl')).toBe('passwordPolicy.guessable.sequences');
    expect(key('qwertyuiop12')).toMatch(/^passwordPolicy\.(tooCommon|guessable\.)/);
    // The product's own words are user inputs: 'seoul' + digits is guessed early.
    expect(key('seoul1234567')).toMatch(/^passwordPolicy\.guessable\./);
    expect(key('상품권상품권상품권상품권')).toMatch(/^passwordPolicy\.guessable\./);
  });

  it('refuses the username, and a name or district the password leans on', () => {
    expect(key('park.jiyoung', 'park.jiyoung')).toBe('passwordPolicy.isUsername');
    expect(key(' Park.JiYoung ', 'park.jiyoung')).toBe('passwordPolicy.isUsername');
    expect(key('admin1234567', 'admin')).toBe('passwordPolicy.containsName');
    expect(key('kim.minsu19801', 'kim.minsu')).toBe('passwordPolicy.containsName');
    expect(key('홍길동홍길동123456', 'hong', { displayName: '홍길동' })).toBe('passwordPolicy.containsName');
    expect(key('마포구마포구마포구123', 'park', { districtCode: '11440' })).toBe('passwordPolicy.containsName');
    // A name inside a password that stands without it is fine.
    expect(key('kim-jeju-harbour-22', 'kim')).toBeNull();
  });

  it('refuses passwords from the common-password list, with separators or capitals', () => {
    for (const p of ['1234567890ab', 'Password1234', 'password-1234', 'P.a.s.s.w.o.r.d.1']) {
      expect(key(p), p).toMatch(/^passwordPolicy\.(tooCommon|guessable\.)/);
    }
  });

  it('accepts a long password of its own', () => {
    expect(key('남산 타워 벚꽃 2026 봄')).toBeNull();
    expect(key('correct horse battery')).toBeNull();
    expect(key('q7#Lm2!vRz9@pX')).toBeNull();
  });
});
