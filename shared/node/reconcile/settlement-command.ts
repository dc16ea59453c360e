import { randomUUID } from 'node:crypto';
import { exceptionDifference } from '../../reconcile/adjustments.js';
import type { MatchResult } from '../../reconcile/match.js';
import { exceptionRef } from '../../sync/reconcile-wire.js';
import type { QueuedCommand } from '../../sync/protocol.js';

/**
 * What the server is told of an imported file, so it can check bookings
 * against its own figures: the digest, the days' counts and amounts as the
 * file states them, and every exception with the difference it leaves.
 */
export function settlementCommand(hash: string, provider: string, r: MatchResult): Extract<QueuedCommand, { type: 'record_settlement' }> {
  // The payout day most rows carry; a tie goes to the earlier day, so every console sends the same one.
  const payout = [...r.byPayoutDay].sort((a, b) => b.count - a.count || (a.day < b.day ? -1 : 1))[0];
  return {
    type: 'record_settlement',
    commandId: randomUUID(),
    fileDigest: hash,
    provider,
    day: r.day,
    payoutDay: payout?.day ?? null,
    days: r.byApprovalDay.map((d) => ({ day: d.day, count: d.count, amount: d.amount })),
    exceptions: r.exceptions.map((e) => ({ ref: exceptionRef(e), class: e.class, difference: exceptionDifference(e) })),
  };
}
