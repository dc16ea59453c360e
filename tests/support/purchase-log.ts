import type { SyncEvent } from '../../shared/sync/protocol.js';
import { canonicalEvent, chainHash, LOG_GENESIS } from '../../shared/node/chain/log-hash.js';
import type { PageEntry } from '../../shared/node/sync/page-entry.js';
import { spec2022 } from './specs.js';

const AT = '2026-03-10T01:00:00.000Z';

/** A published round `r` and `n` purchases of 10,000 won in Jongno, chained as the server would have: the pages a pull test serves. */
export function purchaseLog(n: number): PageEntry[] {
  const spec = spec2022({ totalAmount: 100_000_000_000, paymentMethods: ['bank_transfer'] });
  const events: SyncEvent[] = [{ type: 'round_published', eventId: 'r-v1', roundId: 'r', version: 1, spec, publishedBy: 'kim', at: AT }];
  for (let i = 1; i <= n; i++) {
    events.push({ type: 'purchase', eventId: `e${i}`, roundId: 'r', lotId: `lot${i}`, at: AT, buyerId: `b${i}`, districtCode: '11110', face: 10_000, paid: 9_300, paymentMethod: 'bank_transfer' });
  }
  let hash = LOG_GENESIS;
  return events.map((event, i) => {
    const text = canonicalEvent(event);
    hash = chainHash(hash, i + 1, text);
    return { seq: i + 1, hash, text, event };
  });
}
