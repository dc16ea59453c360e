import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { isSealed, loadOrCreateKeyFile, randomDataKey, vaultFromKey, VaultError } from './vault.js';

let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

describe('vault', () => {
  it('seals with a fresh nonce each time and opens only under the same key, unaltered', () => {
    const v = vaultFromKey(randomDataKey());
    const a = v.seal('server-token-abc');
    const b = v.seal('server-token-abc');
    expect(isSealed(a)).toBe(true);
    expect(a).not.toBe(b);
    expect(a).not.toContain('server-token-abc');
    expect(v.open(a)).toBe('server-token-abc');
    expect(() => vaultFromKey(randomDataKey()).open(a)).toThrow(VaultError);
    const flipped = a.slice(0, -2) + (a.at(-2) === 'A' ? 'B' : 'A') + a.at(-1);
    expect(() => v.open(flipped)).toThrow(VaultError);
    expect(() => v.open('server-token-abc')).toThrow(/not sealed/);
    expect(() => vaultFromKey(Buffer.alloc(16))).toThrow(/32 bytes/);
  });

  it.skipIf(process.platform === 'win32')('keeps the web host key in a 0600 file, made once and reused', () => {
    dir = mkdtempSync(join(tmpdir(), 'ic-vault-'));
    const file = join(dir, 'console.key');
    const k1 = loadOrCreateKeyFile(file);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(loadOrCreateKeyFile(file).equals(k1)).toBe(true);
    expect(Buffer.from(readFileSync(file, 'utf8'), 'base64').equals(k1)).toBe(true);
  });
});
