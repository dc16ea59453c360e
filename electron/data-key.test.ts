import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KEY_FILE, PROTECTED_KEY_FILE, randomDataKey } from '../shared/node/secrets/vault.js';
import { loadDataKey, type SafeStorageLike } from './data-key.js';

/** Stands in for the OS keychain: XOR with a secret the test holds. */
function fakeKeychain(secret = 0x5a, backend = 'gnome_libsecret'): SafeStorageLike {
  const flip = (b: Buffer) => Buffer.from(b.map((x) => x ^ secret));
  return {
    isEncryptionAvailable: () => true,
    encryptString: (s) => Buffer.concat([Buffer.from('KC'), flip(Buffer.from(s))]),
    decryptString: (b) => {
      if (b.subarray(0, 2).toString() !== 'KC') throw new Error('not ours');
      return flip(b.subarray(2)).toString();
    },
    getSelectedStorageBackend: () => backend,
  };
}

let dir: string;
const warnings: string[] = [];
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ic-key-'));
  warnings.length = 0;
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe.skipIf(process.platform === 'win32')('desktop data key', () => {
  it('is kept encrypted by the keychain, never in plain text, and is the same on the next start', () => {
    const first = loadDataKey(dir, fakeKeychain(), (w) => warnings.push(w));
    expect(first.protection).toBe('safeStorage');
    const stored = readFileSync(join(dir, PROTECTED_KEY_FILE));
    expect(stored.includes(Buffer.from(first.key))).toBe(false);
    expect(statSync(join(dir, PROTECTED_KEY_FILE)).mode & 0o777).toBe(0o600);
    expect(existsSync(join(dir, KEY_FILE))).toBe(false);
    expect(loadDataKey(dir, fakeKeychain(), (w) => warnings.push(w)).key).toBe(first.key);
    expect(warnings).toEqual([]);
  });

  it('adopts the web host’s key file and removes it', () => {
    const webKey = randomDataKey().toString('base64');
    writeFileSync(join(dir, KEY_FILE), webKey, { mode: 0o600 });
    expect(loadDataKey(dir, fakeKeychain(), () => {}).key).toBe(webKey);
    expect(existsSync(join(dir, KEY_FILE))).toBe(false);
  });

  it('falls back to a 0600 file, with a warning, when there is no keychain', () => {
    const k = loadDataKey(dir, fakeKeychain(0x5a, 'basic_text'), (w) => warnings.push(w));
    expect(k.protection).toBe('file');
    expect(statSync(join(dir, KEY_FILE)).mode & 0o777).toBe(0o600);
    expect(warnings).toHaveLength(1);
  });

  it('makes a new key, keeping the old file aside, when the keychain cannot decrypt it', () => {
    const first = loadDataKey(dir, fakeKeychain(0x11), () => {});
    writeFileSync(join(dir, PROTECTED_KEY_FILE), Buffer.from('garbage'));
    const second = loadDataKey(dir, fakeKeychain(0x11), (w) => warnings.push(w));
    expect(second.key).not.toBe(first.key);
    expect(warnings).toHaveLength(1);
  });
});
