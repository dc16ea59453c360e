/**
 * The Redis keys of one round's sale, laid out for Redis Cluster.
 *
 * A Redis function call may only touch keys of one hash slot, and on a
 * cluster a slot lives on one primary. So the keys are grouped by what must
 * change together, each group under its own hash tag:
 *
 * - The waiting room, `{round:ID}:*` (ROUND_KEY_NAMES, the order
 *   server/sale/redis/sale.lua reads them from KEYS): settings, queue,
 *   tickets, active sessions, the state counters and the live monitor's
 *   counters (MONITOR_KEY_NAMES). Admission is one call here.
 *   Polls read only this slot.
 * - N stock buckets, `{round:ID:b:I}:*` (BUCKET_KEY_NAMES, the order
 *   server/sale/redis/bucket.lua reads them): the bucket's stock, and for the
 *   buyers routed to it (bucketOf, a hash of the buyer id) their limits, their
 *   purchases, the idempotency keys and the purchase stream. A purchase is
 *   one call on one bucket, so the stock, the person's limits and the stream
 *   entry change atomically; the buckets' tags hash to different slots, so
 *   on a 3-primary cluster the purchase load spreads over the primaries.
 *
 * A purchase is therefore: the session check on the round's slot, the
 * purchase on the buyer's bucket, then the round's counters (sale_bought). A
 * bucket that runs short near the end while others hold stock is given their
 * leftovers (bucket_give on the other bucket, bucket_receive on this one,
 * each move recorded under an id so a half-done move is finished later).
 */
export const ROUND_KEY_NAMES = ['cfg', 'queue', 'tickets', 'active', 'done', 'state', 'outflow', 'monitor', 'joined', 'waits'] as const;

/**
 * The live monitor's keys, the last three of ROUND_KEY_NAMES: monitor
 * (counters per minute and per 10 s, refusals, payment errors), joined (join
 * time of those waiting), waits (histogram of admitted buyers' waits).
 */
export const MONITOR_KEY_NAMES = ['monitor', 'joined', 'waits'] as const satisfies readonly (typeof ROUND_KEY_NAMES)[number][];

export const BUCKET_KEY_NAMES = ['cfg', 'stock', 'bought', 'base', 'idem', 'stream', 'state', 'moves', 'in'] as const;

const roundTag = (roundId: string) => `{round:${roundId}}`;
const bucketTag = (roundId: string, bucket: number) => `{round:${roundId}:b:${bucket}}`;

export function roundKeys(roundId: string): string[] {
  const tag = roundTag(roundId);
  return ROUND_KEY_NAMES.map((n) => `${tag}:${n}`);
}

/** The live monitor's keys (monitor, joined, waits), on the round's slot: the round's KEYS 8 to 10 in sale.lua. */
export function monitorKeys(roundId: string): string[] {
  return MONITOR_KEY_NAMES.map((n) => roundKey(roundId, n));
}

export function roundKey(roundId: string, name: (typeof ROUND_KEY_NAMES)[number]): string {
  return `${roundTag(roundId)}:${name}`;
}

export function bucketKeys(roundId: string, bucket: number): string[] {
  const tag = bucketTag(roundId, bucket);
  return BUCKET_KEY_NAMES.map((n) => `${tag}:${n}`);
}

export function bucketKey(roundId: string, bucket: number, name: (typeof BUCKET_KEY_NAMES)[number]): string {
  return `${bucketTag(roundId, bucket)}:${name}`;
}

/** The purchase stream of one bucket: the ledger writer reads every bucket's. */
export function streamKey(roundId: string, bucket: number): string {
  return bucketKey(roundId, bucket, 'stream');
}

/** The bucket a buyer's purchases are taken from: a stable hash of their id (FNV-1a), so load spreads evenly. */
export function bucketOf(buyerId: string, buckets: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < buyerId.length; i++) {
    h ^= buyerId.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h % buckets;
}

/**
 * Won bucket `i` of `buckets` is owed when `units` whole units of `unit` won
 * have been placed in the round: an even split, the first `units % buckets`
 * buckets one unit more. It only grows as `units` grows, so stock added
 * mid-sale is given by topping each bucket up to its new share.
 */
export function bucketShare(i: number, buckets: number, units: number, unit: number): number {
  return (Math.floor(units / buckets) + (i < units % buckets ? 1 : 0)) * unit;
}
