import { describe, expect, it } from 'vitest';
import { hashPassword, verifyPassword } from './password.js';

describe('passwords', () => {
  it('hashes with scrypt and a random salt, and verifies', async () => {
    const a = await hashPassword('correct horse battery');
    const b = await hashPassword('correct horse battery');
    expect(a).toMatch(/^scrypt\$32768\$8\$1\$[\w-]+\$[\w-]+$/);
    expect(a).not.toBe(b);
    expect(await verifyPassword('correct horse battery', a)).toBe(true);
    expect(await verifyPassword('correct horse batterY', a)).toBe(false);
    expect(await verifyPassword('correct horse battery', 'garbage')).toBe(false);
  });

  it('keeps verifying hashes made with other parameters', async () => {
    const cheap = await hashPassword('비밀번호는 길게', { N: 1024, r: 8, p: 1 });
    expect(cheap.startsWith('scrypt$1024$')).toBe(true);
    expect(await verifyPassword('비밀번호는 길게', cheap)).toBe(true);
  });
});
