import { randomUUID } from 'node:crypto';
import { checkTransition, type RoundStatus } from '../../shared/rounds/lifecycle.js';
import { serverRound } from '../log/state.js';
import { MANAGERS, reject, type CommandHandler } from './command-kit.js';
import { lifecycleOf } from './round-lifecycle.js';

export const roundTransition: CommandHandler<'round_transition'> = async (cmd, { trx, user, now }) => {
  if (!MANAGERS.includes(user.role)) return reject('sync.roleNotAllowed');
  const round = await serverRound(trx, cmd.roundId, true);
  if (!round) return reject('sync.roundNotPublished', { roundId: cmd.roundId });
  const verdict = checkTransition(lifecycleOf(round), cmd.action, user, now);
  if (!verdict.ok) return reject(verdict.key, verdict.params);
  const status = verdict.value as Exclude<RoundStatus, 'draft' | 'approved'>;
  return { event: { type: 'round_status', eventId: randomUUID(), roundId: cmd.roundId, status, version: round.version, by: user.username, at: now.toISOString() } };
};
