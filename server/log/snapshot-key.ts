import { createPrivateKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The snapshot signing key's file in the server's data folder (Ed25519, PKCS#8 PEM, 0600). */
export const SNAPSHOT_KEY_FILE = 'snapshot-signing-key.pem';

/**
 * The key the server signs snapshot manifests with, the same across restarts
 * so a console can pin it: read from the data folder, made there on the first
 * start. Never overwritten (a second server on the same folder that made it
 * first wins, as with the directory key); a file that is not an Ed25519 key
 * stops the start.
 */
export function loadSnapshotKey(dataDir: string): KeyObject {
  const file = join(dataDir, SNAPSHOT_KEY_FILE);
  if (!existsSync(file)) {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    const pem = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    try {
      writeFileSync(file, pem, { mode: 0o600, flag: 'wx' });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
  }
  chmodSync(file, 0o600);
  const key = createPrivateKey(readFileSync(file, 'utf8'));
  if (key.asymmetricKeyType !== 'ed25519') throw new Error(`${file} does not hold an Ed25519 private key`);
  return key;
}
