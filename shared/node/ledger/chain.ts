import canonicalize from 'canonicalize';
import { createHash } from 'node:crypto';

/** The chain starts from here on every copy of the log. */
export const LOG_GENESIS = '0'.repeat(64);

/** Canonical (RFC 8785) JSON of an event: the exact text that is hashed and stored. */
export function canonicalEvent(event: unknown): string {
  return canonicalize(event)!;
}

/**
 * The running SHA-256 of the log: each link covers the previous hash, the
 * sequence number and the canonical event. Two copies agree up to `seq` iff
 * their hashes at `seq` are equal.
 */
export function chainHash(prev: string, seq: number, canonical: string): string {
  return createHash('sha256').update(prev).update('\n').update(String(seq)).update('\n').update(canonical).digest('hex');
}
