import { canonicalEvent } from '../../shared/node/chain/log-hash.js';
import { validateRound } from '../../shared/rounds/validate.js';
import { serverRound } from '../log/state.js';
import { ACCEPTED, MANAGERS, reject, type CommandHandler } from './command-kit.js';
import { checkAgainstPublished } from './round-lifecycle.js';

export const proposeRound: CommandHandler<'propose_round'> = async (cmd, { trx, user, now }) => {
  if (!MANAGERS.includes(user.role)) return reject('sync.roleNotAllowed');
  // The refusal names the first rule broken, so the console can say why (not just "has errors").
  const broken = validateRound(cmd.spec).errors[0];
  if (broken) return reject('sync.invalidRoundBecause', { issue: broken.code, issueField: broken.path, ...broken.params });
  const round = await serverRound(trx, cmd.roundId, true);
  if (round && cmd.version <= round.version) return reject('sync.staleVersion', { current: round.version });
  const existing = await trx.selectFrom('round_proposals').select('spec').where('round_id', '=', cmd.roundId).where('version', '=', cmd.version).executeTakeFirst();
  if (existing) return existing.spec === canonicalEvent(cmd.spec) ? ACCEPTED : reject('sync.versionConflict', { version: cmd.version });
  const locked = checkAgainstPublished(round, cmd.spec, user, now);
  if (locked) return locked;
  await trx
    .insertInto('round_proposals')
    .values({ round_id: cmd.roundId, version: cmd.version, spec: canonicalEvent(cmd.spec), proposed_by: user.id, proposed_at: now })
    .execute();
  return ACCEPTED;
};
