import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { closeSync, existsSync, openSync, readFileSync, writeSync } from 'node:fs';
import { makePrivateFile } from '../paths.js';

/**
 * Seals secrets kept at rest (server tokens) with AES-256-GCM under one data
 * key. Where the key itself lives decides how strong this is: in Electron the
 * main process keeps it encrypted with the OS keychain (safeStorage) and hands
 * it to the backend at start; in the web host, which has no keychain, it is a
 * 0600 file beside the database, so it protects a copied database file but not
 * a copied data folder.
 */
export interface Vault {
  seal(plain: string): string;
  /** Throws VaultError when the value was sealed under another key or altered. */
  open(sealed: string): string;
}

export const SEALED_PREFIX = 'sealed:v1:';
export const DATA_KEY_BYTES = 32;
/** The web host's key file; Electron keeps the same key encrypted in PROTECTED_KEY_FILE instead. */
export const KEY_FILE = 'console.key';
export const PROTECTED_KEY_FILE = 'console.key.safe';

export class VaultError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'VaultError';
  }
}

export const isSealed = (value: string): boolean => value.startsWith(SEALED_PREFIX);

export function randomDataKey(): Buffer {
  return randomBytes(DATA_KEY_BYTES);
}

export function vaultFromKey(key: Buffer): Vault {
  if (key.length !== DATA_KEY_BYTES) throw new VaultError(`data key must be ${DATA_KEY_BYTES} bytes, got ${key.length}`);
  const k = Buffer.from(key);
  return {
    seal(plain) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', k, iv);
      const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      return SEALED_PREFIX + Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url');
    },
    open(sealed) {
      if (!isSealed(sealed)) throw new VaultError('value is not sealed');
      const raw = Buffer.from(sealed.slice(SEALED_PREFIX.length), 'base64url');
      if (raw.length < 28) throw new VaultError('sealed value is cut short');
      try {
        const decipher = createDecipheriv('aes-256-gcm', k, raw.subarray(0, 12));
        decipher.setAuthTag(raw.subarray(12, 28));
        return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
      } catch {
        throw new VaultError('sealed value does not open with this key');
      }
    },
  };
}

/** The web host's data key: read from `file`, or made and written 0600 on first start. */
export function loadOrCreateKeyFile(file: string): Buffer {
  if (!existsSync(file)) {
    const key = randomDataKey();
    try {
      // 'wx': two starts racing make one key, and the loser reads it below.
      const fd = openSync(file, 'wx', 0o600);
      try {
        writeSync(fd, key.toString('base64'));
      } finally {
        closeSync(fd);
      }
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
  }
  makePrivateFile(file);
  const key = Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
  if (key.length !== DATA_KEY_BYTES) throw new VaultError(`${file} does not hold a ${DATA_KEY_BYTES}-byte key`);
  return key;
}
