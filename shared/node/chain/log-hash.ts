import canonicalize from 'canonicalize';
import { createHash, hash } from 'node:crypto';

/** The chain starts from here on every copy of the log. */
export const LOG_GENESIS = '0'.repeat(64);

/** Canonical (RFC 8785) JSON of an event: the exact text that is hashed and stored. */
export function canonicalEvent(event: unknown): string {
  return canonicalize(event)!;
}

// The two hashes of every event go through node:crypto's one-shot `hash` (UTF-8, as `update` of a string), not a
// Hash object each: the same digests at about 2.5× the speed on short inputs, which is most of the cost of walking a
// million-event chain (a snapshot's check, a replay; issue 21).

/** SHA-256 of an event's canonical text: all a copy needs of an event it may not read to keep the chain. */
export function eventDigest(canonical: string): string {
  return hash('sha256', canonical);
}

/** One link of the chain: the previous hash, the sequence number and the event's digest. */
export function linkHash(prev: string, seq: number, digest: string): string {
  return hash('sha256', `${prev}\n${seq}\n${digest}`);
}

/**
 * The running SHA-256 of the log: each link covers the previous hash, the
 * sequence number and the digest of the canonical event, so an event sent
 * redacted (its digest only) still chains. Two copies agree up to `seq` iff
 * their hashes at `seq` are equal.
 */
export function chainHash(prev: string, seq: number, canonical: string): string {
  return linkHash(prev, seq, eventDigest(canonical));
}

/**
 * The link as it was before digests (server migration 0003, console 0006):
 * the event text hashed in directly. Only migrations (to check the old chain
 * before rewriting it, and to roll back) and their tests use it.
 */
export function chainHashBeforeDigests(prev: string, seq: number, canonical: string): string {
  return createHash('sha256').update(prev).update('\n').update(String(seq)).update('\n').update(canonical).digest('hex');
}

/** The digest of a round spec as approved: what a publication must match (see publish_round). */
export function specDigest(spec: unknown): string {
  return eventDigest(canonicalEvent(spec));
}
