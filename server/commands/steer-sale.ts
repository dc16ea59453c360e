import { randomUUID } from 'node:crypto';
import { applySaleChange, needsSecondOfficial, type SaleChange } from '../../shared/rounds/steering.js';
import type { SyncEvent } from '../../shared/sync/protocol.js';
import type { ServerUser } from '../auth/server-auth.js';
import { saleControls } from '../log/sale-controls.js';
import { serverRound } from '../log/state.js';
import { ACCEPTED, MANAGERS, reject, type CommandContext, type CommandHandler, type Outcome } from './command-kit.js';

/** The `sale_steered` event for `change` on a round on sale, or why it cannot apply. Shared with the second official's approval. */
export async function steeringOutcome(
  ctx: CommandContext,
  roundId: string,
  change: SaleChange,
  proposal?: { id: string; by: ServerUser['username'] },
): Promise<Outcome> {
  const round = await serverRound(ctx.trx, roundId, true);
  if (!round || round.status !== 'on_sale') return reject('saleSteer.notOnSale', { roundId });
  const before = await saleControls(ctx.trx, roundId, round.version);
  const next = applySaleChange(before, round.version, change);
  if (!next.ok) return reject(next.key);
  const event: SyncEvent = {
    type: 'sale_steered',
    eventId: randomUUID(),
    roundId,
    change,
    controls: next.controls,
    by: ctx.user.username,
    ...(proposal ? { proposedBy: proposal.by, proposalId: proposal.id } : {}),
    at: ctx.now.toISOString(),
  };
  return { event };
}

/**
 * One official pauses or resumes admission, or sets the waiting room within
 * the envelope the round was approved with: applied at once. Anything else
 * (beyond the envelope, more stock, stopping) is kept as a proposal under the
 * command's id until a second official approves it (approve-sale-change.ts).
 */
export const steerSale: CommandHandler<'steer_sale'> = async (cmd, ctx) => {
  if (!MANAGERS.includes(ctx.user.role)) return reject('sync.roleNotAllowed');
  const round = await serverRound(ctx.trx, cmd.roundId, true);
  if (!round || round.status !== 'on_sale') return reject('saleSteer.notOnSale', { roundId: cmd.roundId });
  if (!needsSecondOfficial(round.spec, cmd.change)) return steeringOutcome(ctx, cmd.roundId, cmd.change);
  const before = await saleControls(ctx.trx, cmd.roundId, round.version);
  // Refused now rather than at approval when it could never apply.
  const verdict = applySaleChange(before, round.version, cmd.change);
  if (!verdict.ok) return reject(verdict.key);
  await ctx.trx
    .insertInto('sale_change_proposals')
    .values({ round_id: cmd.roundId, proposal_id: cmd.commandId, change: JSON.stringify(cmd.change), proposed_by: ctx.user.id, proposed_at: ctx.now, decided_seq: null })
    .execute();
  return ACCEPTED;
};
