import { createHash } from 'node:crypto';
import { canonicalEvent, eventDigest } from './log-hash.js';

/**
 * The digest a use checkpoint carries: SHA-256 over the folded events'
 * digests (hex, one a line, in sequence order). A console holding those
 * digests — from the chain it checked, or from the events it holds in full —
 * recomputes it; a checkpoint naming other events, or the same events in
 * another order, does not match.
 */
export function foldDigest(digests: readonly string[]): string {
  const h = createHash('sha256');
  for (const d of digests) h.update(d).update('\n');
  return h.digest('hex');
}

/**
 * Per district, SHA-256 over that district's checkpoints, each as the digest
 * of its canonical JSON, in id order: what the chained `uses_folded` event
 * names. Every field counts, so a changed balance or hour fails as surely as
 * a changed digest.
 */
export function foldRoot(checkpoints: readonly { id: string }[]): string {
  const h = createHash('sha256');
  for (const c of [...checkpoints].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))) h.update(eventDigest(canonicalEvent(c))).update('\n');
  return h.digest('hex');
}
