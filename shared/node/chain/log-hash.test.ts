import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { canonicalEvent, chainHash, chainHashBeforeDigests, eventDigest, linkHash, LOG_GENESIS } from './log-hash.js';

const sha = (s: string) => createHash('sha256').update(s).digest('hex');

describe('the log chain', () => {
  const text = canonicalEvent({ type: 'use', eventId: 'u1', roundId: 'r', lotId: 'l', at: '2026-03-10T00:00:00.000Z', amount: 10_000, merchantDistrict: null });

  it('links the previous hash, the sequence number and the digest of the event', () => {
    expect(eventDigest(text)).toBe(sha(text));
    expect(chainHash(LOG_GENESIS, 1, text)).toBe(sha(`${LOG_GENESIS}\n1\n${sha(text)}`));
  });

  it('hashes text beyond ASCII as its UTF-8 bytes, as the Hash object it replaced did', () => {
    const korean = canonicalEvent({ type: 'note', text: '강남구 지역사랑상품권 — 환불 ₩10,000' });
    const stepwise = (prev: string, seq: number, digest: string) => createHash('sha256').update(prev).update('\n').update(String(seq)).update('\n').update(digest).digest('hex');
    expect(eventDigest(korean)).toBe(createHash('sha256').update(Buffer.from(korean, 'utf8')).digest('hex'));
    expect(linkHash(LOG_GENESIS, 123_456, eventDigest(korean))).toBe(stepwise(LOG_GENESIS, 123_456, eventDigest(korean)));
  });

  it('lets an event be checked from its digest alone', () => {
    const h1 = chainHash(LOG_GENESIS, 1, text);
    expect(linkHash(h1, 2, eventDigest(text))).toBe(chainHash(h1, 2, text));
  });

  it('differs from the link before digests, and changes with any byte of the event', () => {
    expect(chainHash(LOG_GENESIS, 1, text)).not.toBe(chainHashBeforeDigests(LOG_GENESIS, 1, text));
    expect(chainHashBeforeDigests(LOG_GENESIS, 1, text)).toBe(sha(`${LOG_GENESIS}\n1\n${text}`));
    expect(chainHash(LOG_GENESIS, 1, text.replace('10000', '10001'))).not.toBe(chainHash(LOG_GENESIS, 1, text));
    expect(chainHash(LOG_GENESIS, 2, text)).not.toBe(chainHash(LOG_GENESIS, 1, text));
  });
});
