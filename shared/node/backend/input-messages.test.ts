import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Harness } from '../../../tests/support/backend-harness.js';
import { formatError } from '../../i18n/index.js';

let h: Harness;
beforeEach(async () => {
  h = await Harness.start();
});
afterEach(() => h.close());

describe('messages for malformed input', () => {
  it('names the field by its label with agreeing particles, never zod’s English', async () => {
    const admin = await h.admin();
    const err = await h.fail('users.create', { username: 'kim', displayName: '', password: 'long-enough-pw', role: 'official', districtCode: null }, admin);
    expect(err.code).toBe('invalid_input');
    const ko = formatError('ko', err);
    expect(ko).toContain('이름이 비어 있습니다');
    expect(ko).not.toMatch(/Too small|displayName|expected/);
    expect(formatError('en', err)).toContain('Name is required');
    // 아이디 ends in a vowel: 는/가; 비밀번호 too; a closed syllable takes 은/이.
    const short = await h.fail('users.create', { username: 'kim', displayName: '김', password: 'x', role: 'official', districtCode: null }, admin);
    // The password policy (issue 17: at least 12 characters) answers, with the particle that agrees with 비밀번호.
    expect(formatError('ko', short)).toMatch(/비밀번호가 너무 짧습니다\(1자\)\. 12자 이상이어야 합니다/);
    const bad = await h.fail('users.create', { username: 'kim', displayName: '김', password: 'long-enough-pw', role: 'boss', districtCode: null }, admin);
    expect(formatError('ko', bad)).toContain('역할이 허용되지 않는 값입니다');
  });
});
