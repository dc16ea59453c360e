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
  const full = e.lot_id === null || scope.kind === 'all' || (scope.kind === 'district' && e.district_code === scope.districtCode);
  return `${e.seq}\t${e.hash}\t${full ? e.payload : `#${eventDigest(e.payload)}`}`;
}
