import type { SaleChange } from '../../shared/rounds/steering.js';
import { MANAGERS, reject, type CommandHandler } from './command-kit.js';
import { steeringOutcome } from './steer-sale.js';

/** A second official applies a steering change another official proposed; the proposer never approves their own. */
export const approveSaleChange: CommandHandler<'approve_sale_change'> = async (cmd, ctx) => {
  if (!MANAGERS.includes(ctx.user.role)) return reject('sync.roleNotAllowed');
  const p = await ctx.trx
    .selectFrom('sale_change_proposals as p')
    .innerJoin('users as u', 'u.id', 'p.proposed_by')
    .select(['p.change', 'p.proposed_by', 'p.decided_seq', 'u.username'])
    .where('p.round_id', '=', cmd.roundId)
    .where('p.proposal_id', '=', cmd.proposalId)
    .forUpdate()
    .executeTakeFirst();
  if (!p) return reject('saleSteer.noSuchProposal', { proposalId: cmd.proposalId });
  if (p.decided_seq !== null) return reject('saleSteer.alreadyApplied', { proposalId: cmd.proposalId });
  if (p.proposed_by === ctx.user.id) return reject('saleSteer.selfApproval');
  return steeringOutcome(ctx, cmd.roundId, JSON.parse(p.change) as SaleChange, { id: cmd.proposalId, by: p.username });
};
