import { describe, expect, it } from 'vitest';
import { outboxSummary } from './outbox-summary.js';

// Expected texts written by hand.
describe('a queued command in words on the Sync page', () => {
  it('reads a threshold, a district day and a provider day as such, not as a refund of kind undefined', () => {
    expect(outboxSummary({ type: 'set_refund_threshold', summary: { amount: 10000 } }, 'ko')).toBe('₩10,000');
    expect(outboxSummary({ type: 'set_refund_threshold', summary: { amount: '-' } }, 'en')).toBe('None');
    expect(outboxSummary({ type: 'close_day', summary: { district: '11440', day: '2026-12-07' } }, 'ko')).toBe('마포구 2026-12-07');
    expect(outboxSummary({ type: 'lock_reconcile_day', summary: { day: '2022-07-14', provider: 'hecto' } }, 'ko')).toBe('2022-07-14 헥토파이낸셜');
    expect(outboxSummary({ type: 'book_adjustment', summary: { amount: -3000, day: '2022-07-14', provider: 'toss' } }, 'en')).toBe('-₩3,000 · 2022-07-14 · Toss Payments');
  });

  it('keeps the refund and round summaries', () => {
    expect(outboxSummary({ type: 'approve_refund', summary: { kind: 'refund', amount: 465000, lotId: 'L-1' } }, 'ko')).toBe('환불 ₩465,000 · L-1');
    expect(outboxSummary({ type: 'propose_round', summary: { name: '7월 회차', version: 2 } }, 'ko')).toBe('7월 회차 v2');
    expect(outboxSummary({ type: 'round_transition', summary: { action: 'open' } }, 'ko')).not.toMatch(/actions\./);
  });
});
