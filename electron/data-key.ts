import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makePrivateDir, makePrivateFile } from '../shared/node/paths.js';
import { DATA_KEY_BYTES, KEY_FILE, loadOrCreateKeyFile, PROTECTED_KEY_FILE, randomDataKey } from '../shared/node/secrets/vault.js';

/** The part of Electron's safeStorage used here, so this runs in unit tests without Electron. */
export interface SafeStorageLike {
  isEncryptionAvailable(): boolean;
  encryptString(plain: string): Buffer;
  decryptString(encrypted: Buffer): string;
  /** Linux only: 'basic_text' means no keyring, only a fixed built-in password. */
  getSelectedStorageBackend?(): string;
}

export interface DataKey {
  /** base64, for the backend worker's start data. */
  key: string;
  protection: 'safeStorage' | 'file';
}

/**
 * The vault's data key for the desktop app, kept in userData encrypted with
 * the OS keychain (DPAPI, Keychain, libsecret/kwallet). A key file the web
 * host left in the folder is adopted and removed. Where no keychain is
 * available the key stays in a 0600 file, as in the web host.
 */
export function loadDataKey(userData: string, safe: SafeStorageLike, warn: (message: string) => void): DataKey {
  makePrivateDir(userData);
  const plainFile = join(userData, KEY_FILE);
  const protectedFile = join(userData, PROTECTED_KEY_FILE);
  const keychain = safe.isEncryptionAvailable() && !(process.platform === 'linux' && safe.getSelectedStorageBackend?.() === 'basic_text');
  if (!keychain) {
    warn('no OS keychain for safeStorage: the server token key is kept in a 0600 file in the data folder');
    return { key: loadOrCreateKeyFile(plainFile).toString('base64'), protection: 'file' };
  }
  if (existsSync(protectedFile)) {
    try {
      const key = safe.decryptString(readFileSync(protectedFile));
      if (Buffer.from(key, 'base64').length === DATA_KEY_BYTES) {
        makePrivateFile(protectedFile);
        return { key, protection: 'safeStorage' };
      }
    } catch {
      /* the keychain entry changed: handled below */
    }
    // Kept aside, not deleted: if the keychain comes back, the old key can be restored by hand.
    renameSync(protectedFile, `${protectedFile}.unreadable-${Date.now()}`);
    warn('the saved data key could not be decrypted; a new one was made and the server connection must be made again');
  }
  const key = (existsSync(plainFile) ? loadOrCreateKeyFile(plainFile) : randomDataKey()).toString('base64');
  writeFileSync(protectedFile, safe.encryptString(key), { mode: 0o600 });
  makePrivateFile(protectedFile);
  rmSync(plainFile, { force: true });
  return { key, protection: 'safeStorage' };
}
