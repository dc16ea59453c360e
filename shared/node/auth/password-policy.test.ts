import { describe, expect, it } from 'vitest';
import { passwordProblem } from './password-policy.js';

describe('password policy', () => {
  it('refuses the username itself, in any case', () => {
    expect(passwordProblem('park.jiyoung', 'park.jiyoung')).toBe('errors.passwordIsUsername');
    expect(passwordProblem(' Park.JiYoung ', 'park.jiyoung')).toBe('errors.passwordIsUsername');
  });

  it('does not count the username towards the length', () => {
    expect(passwordProblem('admin12345', 'admin')).toBe('errors.passwordContainsUsername');
    expect(passwordProblem('adminadminadmin', 'admin')).toBe('errors.passwordContainsUsername');
    expect(passwordProblem('kim-jeju-harbour-22', 'kim')).toBeNull();
  });

  it('refuses passwords from the common-password list, with separators or capitals', () => {
    for (const p of ['qwertyuiop', '1234567890', 'Password12', 'iloveyou12', '1q2w3e4r5t', 'password-1', 'P.a.s.s.w.o.r.d.1']) {
      expect(passwordProblem(p, 'lee'), p).toBe('errors.passwordTooCommon');
    }
    // The username plus a listed password is still a listed password to a guesser who knows the username.
    expect(passwordProblem('choiqwertyuiop', 'choi')).toBe('errors.passwordTooCommon');
  });

  it('accepts a long password of its own', () => {
    expect(passwordProblem('남산 타워 벚꽃 2026', 'lee')).toBeNull();
    expect(passwordProblem('correct horse battery', 'lee')).toBeNull();
  });
});
