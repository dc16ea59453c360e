import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { DIRECTORY_KEY_BYTES } from './protect.js';

export const DIRECTORY_KEY_ENV = 'ISSUANCE_DIRECTORY_KEY';
export const DIRECTORY_KEY_FILE = 'directory.key';

/**
 * The buyer directory's master key: from ISSUANCE_DIRECTORY_KEY (base64, 32
 * bytes) where the host keeps it in its secret store, else from
 * `<data-dir>/directory.key`, made (0600) on first start. Not in the database,
 * so a copy of the database alone reads no name or number. Losing it makes
 * the directory unreadable and unsearchable; hosts back it up apart from the database.
 */
export function loadDirectoryKey(dataDir: string, env: NodeJS.ProcessEnv = process.env): Buffer {
  const given = env[DIRECTORY_KEY_ENV];
  if (given) {
    const key = Buffer.from(given, 'base64');
    if (key.length !== DIRECTORY_KEY_BYTES) throw new Error(`${DIRECTORY_KEY_ENV} must be ${DIRECTORY_KEY_BYTES} bytes in base64 (got ${key.length})`);
    return key;
  }
  const file = join(dataDir, DIRECTORY_KEY_FILE);
  if (!existsSync(file)) {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    try {
      writeFileSync(file, randomBytes(DIRECTORY_KEY_BYTES).toString('base64') + '\n', { mode: 0o600, flag: 'wx' });
    } catch (e) {
      // Another server on the same folder made it first: use theirs, never overwrite a key data is sealed under.
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
  }
  chmodSync(file, 0o600);
  const key = Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
  if (key.length !== DIRECTORY_KEY_BYTES) throw new Error(`${file} does not hold a ${DIRECTORY_KEY_BYTES}-byte key`);
  return key;
}
