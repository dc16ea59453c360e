import { randomBytes, scrypt } from 'node:crypto';
import { scryptCost } from './kdf-cost.js';
import { vaultFromKey, type Vault } from './vault.js';

/**
 * Keys derived from each console user's password, held in memory only while
 * they are signed in. A user's server token is sealed under their key and then
 * under the data folder's vault (Electron's safeStorage key, or the web host's
 * key file), so a copied folder — key file included — opens no token without
 * the user's password.
 */

export function newKeySalt(): string {
  return randomBytes(16).toString('base64url');
}

/** scrypt (node:crypto) at the cost the password hashes use (kdf-cost.ts); its own salt per user, so the key is not the stored hash. */
export function deriveUserKey(password: string, salt: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password.normalize('NFC'), Buffer.from(salt, 'base64url'), 32, { ...scryptCost(), maxmem: 256 * 1024 * 1024 }, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

export class UserKeys {
  private readonly keys = new Map<string, Buffer>();
  /** Whether a user still has a live console session; a key outlives no session (set by the backend). */
  private live: (userId: string) => boolean = () => true;

  constructor(private readonly outer: Vault) {}

  bindLiveness(live: (userId: string) => boolean): void {
    this.live = live;
  }

  hold(userId: string, key: Buffer): void {
    this.keys.set(userId, key);
  }

  forget(userId: string): void {
    this.keys.get(userId)?.fill(0);
    this.keys.delete(userId);
  }

  /** Seals and opens under this user's key and the folder's vault; null while they are not signed in. */
  vaultFor(userId: string): Vault | null {
    const key = this.keys.get(userId);
    if (!key) return null;
    if (!this.live(userId)) {
      this.forget(userId);
      return null;
    }
    return this.vaultOfKey(key);
  }

  /** Seals under a key that is not held: an administrator giving a new or reset user their wrap of the connection. */
  vaultOfKey(key: Buffer): Vault {
    const inner = vaultFromKey(key);
    return { seal: (plain) => this.outer.seal(inner.seal(plain)), open: (sealed) => inner.open(this.outer.open(sealed)) };
  }

  /** The users whose keys are held now (signed in). */
  held(): string[] {
    return [...this.keys.keys()].filter((id) => this.vaultFor(id) !== null);
  }
}
