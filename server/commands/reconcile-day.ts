import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { MANAGERS, reject, type CommandHandler } from './command-kit.js';
import { dayLock, dayUnexplained } from './reconcile-figures.js';

/** Locks a day only when the server's own figures for it leave 0 unexplained. */
export const lockReconcileDay: CommandHandler<'lock_reconcile_day'> = async (cmd, { trx, user, now }) => {
  if (!MANAGERS.includes(user.role)) return reject('sync.roleNotAllowed');
  // Commands are decided one at a time under the log head's lock, so no booking lands between the sum and the lock.
  await sql`insert into reconcile_day_locks (day, provider) values (${cmd.day}, ${cmd.provider}) on conflict do nothing`.execute(trx);
  if (await dayLock(trx, cmd.day, cmd.provider)) return reject('settlement.dayLocked', { day: cmd.day });
  const left = await dayUnexplained(trx, cmd.day, cmd.provider);
  if (left === null) return reject('settlement.noFileForDay', { day: cmd.day });
  if (left !== 0) return reject('settlement.dayUnexplained', { day: cmd.day, amount: left });
  await trx.updateTable('reconcile_day_locks').set({ locked_by: user.id, locked_at: now }).where('day', '=', cmd.day).where('provider', '=', cmd.provider).execute();
  return { event: { type: 'reconcile_day_locked', eventId: randomUUID(), day: cmd.day, provider: cmd.provider, by: user.username, at: now.toISOString() } };
};

export const reopenReconcileDay: CommandHandler<'reopen_reconcile_day'> = async (cmd, { trx, user, now }) => {
  if (!MANAGERS.includes(user.role)) return reject('sync.roleNotAllowed');
  if (!(await dayLock(trx, cmd.day, cmd.provider))) return reject('settlement.dayNotLocked', { day: cmd.day });
  await trx.updateTable('reconcile_day_locks').set({ locked_by: null, locked_at: null }).where('day', '=', cmd.day).where('provider', '=', cmd.provider).execute();
  return { event: { type: 'reconcile_day_reopened', eventId: randomUUID(), day: cmd.day, provider: cmd.provider, by: user.username, reason: cmd.reason, at: now.toISOString() } };
};
