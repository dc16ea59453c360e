import { eventDigest } from '../../shared/node/chain/log-hash.js';
import type { ReadScope } from '../../shared/common/read-scope.js';

/** The rule is shared with the console's reads (shared/common/read-scope.ts). */
export { readScope, totalsDistrict, type ReadScope } from '../../shared/common/read-scope.js';

export interface StoredEvent {
  seq: number;
  hash: string;
  payload: string;
  /** Null for round events; set on every lot event. */
  lot_id: string | null;
  district_code: string | null;
}

/**
 * One line of an events page. In full: `seq<TAB>hash<TAB>canonical event JSON`.
 * Redacted: `seq<TAB>hash<TAB>#<SHA-256 hex of the canonical event>`; the `#`
 * cannot start a JSON text, and the digest is what the chain links, so the
 * reader still checks every hash without seeing the event.
 */
export function eventLine(e: StoredEvent, scope: ReadScope): string {
  return `${e.seq}\t${e.hash}\t${readsInFull(scope, e.lot_id, e.district_code) ? e.payload : `#${eventDigest(e.payload)}`}`;
}

/** Whether `scope` reads an event (or a lot's checkpoint) filed under this lot and district in full. */
export function readsInFull(scope: ReadScope, lotId: string | null, districtCode: string | null): boolean {
  return lotId === null || scope.kind === 'all' || (scope.kind === 'district' && districtCode === scope.districtCode);
}
