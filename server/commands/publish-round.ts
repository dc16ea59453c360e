import { randomUUID } from 'node:crypto';
import { specDigest } from '../../shared/node/chain/log-hash.js';
import { checkTransition } from '../../shared/rounds/lifecycle.js';
import type { RoundSpec } from '../../shared/rounds/spec.js';
import { serverRound } from '../log/state.js';
import { ACCEPTED, MANAGERS, reject, type CommandHandler } from './command-kit.js';
import { checkAgainstPublished, lifecycleOf } from './round-lifecycle.js';

export const publishRound: CommandHandler<'publish_round'> = async (cmd, { trx, user, now }) => {
  if (!MANAGERS.includes(user.role)) return reject('sync.roleNotAllowed');
  const proposal = await trx
    .selectFrom('round_proposals as p')
    .innerJoin('users as u', 'u.id', 'p.proposed_by')
    .select(['p.spec', 'p.proposed_by', 'u.username'])
    .where('p.round_id', '=', cmd.roundId)
    .where('p.version', '=', cmd.version)
    .executeTakeFirst();
  if (!proposal) return reject('sync.noSuchProposal', { roundId: cmd.roundId, version: cmd.version });
  const spec = JSON.parse(proposal.spec) as RoundSpec;
  // Only the spec the approver saw: another proposal for this round and version is not theirs to publish.
  if (specDigest(spec) !== cmd.specDigest) return reject('sync.versionConflict', { version: cmd.version });
  const round = await serverRound(trx, cmd.roundId, true);
  // The same version published again (a retry, or a second approver): nothing new to record.
  if (round && cmd.version === round.version) return ACCEPTED;
  if (round && cmd.version < round.version) return reject('sync.staleVersion', { current: round.version });
  // Two people: the approver is judged by the same rule as in the console, against the server's ids.
  const approval = checkTransition(
    { ...lifecycleOf(round, { version: cmd.version, spec, authorId: proposal.proposed_by }), status: round?.status === 'on_sale' ? 'on_sale' : 'draft' },
    'approve',
    user,
    now,
  );
  if (!approval.ok) {
    if (approval.key === 'lifecycle.hasErrors') return reject('sync.invalidRound');
    // A round already closed or settled: no new version may take effect.
    if (approval.key === 'lifecycle.notInStatus' && round) return reject('lifecycle.locked', { status: round.status });
    return reject(approval.key, approval.params);
  }
  const locked = checkAgainstPublished(round, spec, user, now);
  if (locked) return locked;
  const sold = await trx.selectFrom('round_sales').select('sold_face').where('round_id', '=', cmd.roundId).executeTakeFirst();
  if (sold && spec.totalAmount < Number(sold.sold_face)) return reject('sync.belowSold', { sold: Number(sold.sold_face) });
  return {
    event: {
      type: 'round_published',
      eventId: randomUUID(),
      roundId: cmd.roundId,
      version: cmd.version,
      spec,
      publishedBy: user.displayName,
      proposedBy: proposal.username,
      approvedBy: user.username,
      at: now.toISOString(),
    },
  };
};
