/**
 * FNV-1a, 32 bits: a small, fast, well-spread hash of a string's UTF-16 code
 * units, for keys that must be reproducible (generated payment references, the
 * ledger's payment-key table). Not for anything an attacker chooses to collide:
 * every use either tolerates collisions or checks the full value after it.
 */
export function fnv1a(s: string, seed = 0x811c9dc5): number {
  let h = seed >>> 0;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}
