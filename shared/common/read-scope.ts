import { ROUND_MANAGERS, type Role } from './roles.js';

/**
 * Whose ledger events a user may read in full: officials and administrators
 * everyone's, a district clerk their district's, an analyst nobody's (they
 * read rounds and totals, never a buyer or a lot). Round events are public to
 * every signed-in user. One rule for the server's pages and the console's
 * reads, so a shared console shows a user no more than the server would send
 * them.
 */
export type ReadScope = { kind: 'all' } | { kind: 'district'; districtCode: string } | { kind: 'none' };

export function readScope(user: { role: Role; districtCode: string | null }): ReadScope {
  if (ROUND_MANAGERS.includes(user.role)) return { kind: 'all' };
  if (user.role === 'clerk' && user.districtCode) return { kind: 'district', districtCode: user.districtCode };
  return { kind: 'none' };
}

/** The district a clerk's totals are limited to, or null for the whole round. */
export function totalsDistrict(scope: ReadScope): string | null {
  return scope.kind === 'district' ? scope.districtCode : null;
}
