/**
 * The Redis keys of one round's sale, in the order server/sale/redis/sale.lua
 * reads them from KEYS. Every key carries the hash tag `{round:ID}`, so on
 * Redis Cluster they share one slot and a function call may touch them all.
 */
export const ROUND_KEY_NAMES = ['cfg', 'queue', 'tickets', 'active', 'done', 'bought', 'base', 'idem', 'stream', 'state', 'outflow'] as const;

export function roundKeys(roundId: string, buckets: number): string[] {
  const tag = `{round:${roundId}}`;
  return [...ROUND_KEY_NAMES.map((n) => `${tag}:${n}`), ...Array.from({ length: buckets }, (_, i) => `${tag}:stock:${i}`)];
}

export function streamKey(roundId: string): string {
  return `{round:${roundId}}:stream`;
}

/** The bucket a buyer's purchases are taken from first: a stable hash of their id (FNV-1a), so load spreads evenly. */
export function bucketOf(buyerId: string, buckets: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < buyerId.length; i++) {
    h ^= buyerId.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h % buckets;
}
