/**
 * The Redis keys of one round's sale, in the order server/sale/redis/sale.lua
 * reads them from KEYS. Every key carries the hash tag `{round:ID}`, so on
 * Redis Cluster they share one slot and a function call may touch them all.
 */
export const ROUND_KEY_NAMES = ['cfg', 'queue', 'tickets', 'active', 'done', 'bought', 'base', 'idem', 'stream', 'state', 'outflow'] as const;

/** The live monitor's keys, passed after the stock buckets (sale.lua reads them as the last three KEYS). */
export const MONITOR_KEY_NAMES = ['monitor', 'joined', 'waits'] as const;

export function roundKeys(roundId: string, buckets: number): string[] {
  const tag = `{round:${roundId}}`;
  return [...ROUND_KEY_NAMES.map((n) => `${tag}:${n}`), ...Array.from({ length: buckets }, (_, i) => `${tag}:stock:${i}`), ...monitorKeys(roundId)];
}

/** monitor (counters per minute and per 10 s, refusals, payment errors), joined (join time of those waiting), waits (histogram). */
export function monitorKeys(roundId: string): string[] {
  return MONITOR_KEY_NAMES.map((n) => `{round:${roundId}}:${n}`);
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
