import { canonicalEvent } from '../../shared/node/chain/log-hash.js';
import { ACCEPTED, MANAGERS, reject, type CommandHandler } from './command-kit.js';
import { dayLock } from './reconcile-figures.js';

const CHUNK = 1_000;

export const recordSettlement: CommandHandler<'record_settlement'> = async (cmd, { trx, user, now }) => {
  if (!MANAGERS.includes(user.role)) return reject('sync.roleNotAllowed');
  const days = canonicalEvent(cmd.days);
  const prior = await trx.selectFrom('settlement_files').select(['provider', 'day', 'days']).where('file_digest', '=', cmd.fileDigest).executeTakeFirst();
  if (prior) {
    // The same file from a second console is the same record; the same digest with other figures is not.
    const held = await trx.selectFrom('settlement_exceptions').select(['ref', 'class', 'difference']).where('file_digest', '=', cmd.fileDigest).orderBy('ref').execute();
    const sent = [...cmd.exceptions].sort((a, b) => (a.ref < b.ref ? -1 : a.ref > b.ref ? 1 : 0));
    const same =
      prior.provider === cmd.provider && prior.day === cmd.day && prior.days === days &&
      held.length === sent.length && held.every((h, i) => h.ref === sent[i]!.ref && h.class === sent[i]!.class && Number(h.difference) === sent[i]!.difference);
    return same ? ACCEPTED : reject('settlement.fileConflict', { day: prior.day });
  }
  // A locked day's figures are final: a new file for it waits until the day is reopened.
  if (await dayLock(trx, cmd.day, cmd.provider)) return reject('settlement.dayLocked', { day: cmd.day });
  await trx
    .insertInto('settlement_files')
    .values({ file_digest: cmd.fileDigest, provider: cmd.provider, day: cmd.day, payout_day: cmd.payoutDay, days, command_id: cmd.commandId, recorded_by: user.id, recorded_at: now })
    .execute();
  for (let i = 0; i < cmd.exceptions.length; i += CHUNK) {
    await trx
      .insertInto('settlement_exceptions')
      .values(cmd.exceptions.slice(i, i + CHUNK).map((x) => ({ file_digest: cmd.fileDigest, ref: x.ref, provider: cmd.provider, day: cmd.day, class: x.class, difference: x.difference })))
      .execute();
  }
  return ACCEPTED;
};
