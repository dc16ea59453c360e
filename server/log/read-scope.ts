import { ROUND_MANAGERS } from '../../shared/common/roles.js';
import { eventDigest } from '../../shared/node/chain/log-hash.js';
import type { ServerUser } from '../auth/server-auth.js';

/**
 * Whose ledger events a user may read in full: officials and administrators
 * everyone's, a district clerk their district's, an analyst nobody's (they
 * read rounds and totals, never a buyer or a lot). Round events are public to
 * every signed-in user.
 */
export type ReadScope = { kind: 'all' } | { kind: 'district'; districtCode: string } | { kind: 'none' };

export function readScope(user: ServerUser): ReadScope {
  if (ROUND_MANAGERS.includes(user.role)) return { kind: 'all' };
  if (user.role === 'clerk' && user.districtCode) return { kind: 'district', districtCode: user.districtCode };
  return { kind: 'none' };
}

/** The district a clerk's totals are limited to, or null for the whole round. */
export function totalsDistrict(scope: ReadScope): string | null {
  return scope.kind === 'district' ? scope.districtCode : null;
}

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
