import { normalName, phoneDigits } from '../../shared/common/buyer-identity.js';
import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';

/**
 * How the buyer directory keeps personal data (개인정보의 안전성 확보조치 기준):
 * a mobile number is found by a keyed hash of its digits and read back only by
 * decrypting a copy held beside it; a name likewise, found by a keyed hash of
 * name and birth date together. One server key, two subkeys derived from it
 * (HKDF), so the hash key and the encryption key are never the same bytes.
 */
export interface DirectoryKeys {
  /** HMAC-SHA-256 key for the search hashes. */
  search: Buffer;
  /** AES-256-GCM key for the stored copies. */
  seal: Buffer;
}

export const DIRECTORY_KEY_BYTES = 32;

export function directoryKeys(master: Buffer): DirectoryKeys {
  if (master.length !== DIRECTORY_KEY_BYTES) throw new Error(`the directory key must be ${DIRECTORY_KEY_BYTES} bytes, got ${master.length}`);
  const derive = (info: string) => Buffer.from(hkdfSync('sha256', master, Buffer.alloc(0), info, 32));
  return { search: derive('buyer-directory search v1'), seal: derive('buyer-directory seal v1') };
}

const hmac = (keys: DirectoryKeys, text: string) => createHmac('sha256', keys.search).update(text, 'utf8').digest('hex');

export const phoneHash = (keys: DirectoryKeys, phone: string) => hmac(keys, `phone:${phoneDigits(phone)}`);
export const nameBirthHash = (keys: DirectoryKeys, name: string, birthDate: string) => hmac(keys, `name-birth:${normalName(name)}|${birthDate}`);

/** AES-256-GCM with a fresh 96-bit nonce: `v1.<nonce>.<tag>.<ciphertext>`, base64url parts. */
export function seal(keys: DirectoryKeys, text: string): string {
  const iv = randomBytes(12);
  const c = createCipheriv('aes-256-gcm', keys.seal, iv);
  const body = Buffer.concat([c.update(text, 'utf8'), c.final()]);
  return ['v1', iv.toString('base64url'), c.getAuthTag().toString('base64url'), body.toString('base64url')].join('.');
}

export function unseal(keys: DirectoryKeys, sealed: string): string {
  const [v, iv, tag, body] = sealed.split('.');
  if (v !== 'v1' || !iv || !tag || body === undefined) throw new Error('not a sealed directory value');
  const d = createDecipheriv('aes-256-gcm', keys.seal, Buffer.from(iv, 'base64url'));
  d.setAuthTag(Buffer.from(tag, 'base64url'));
  return Buffer.concat([d.update(Buffer.from(body, 'base64url')), d.final()]).toString('utf8');
}
