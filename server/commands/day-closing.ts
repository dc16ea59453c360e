import { randomUUID } from 'node:crypto';
import { seoulDayKey } from '../../shared/common/time.js';
import { DISTRICTS } from '../../shared/common/districts.js';
import type { ServerUser } from '../auth/server-auth.js';
import { MANAGERS, reject, type CommandHandler, type Outcome, type Trx } from './command-kit.js';

/** Whether the district's Seoul day is closed at the counter now (read under the log head lock the command holds). */
export async function dayClosed(trx: Trx, districtCode: string, day: string): Promise<boolean> {
  const row = await trx.selectFrom('day_closings').select('closed').where('district_code', '=', districtCode).where('day', '=', day).executeTakeFirst();
  return row?.closed === true;
}

/** What both commands check first: a real district, a real day not after the server's today. */
function checkDay(districtCode: string, day: string, now: Date): Outcome | null {
  if (!DISTRICTS.some((d) => d.code === districtCode)) return reject('closing.unknownDistrict', { district: districtCode });
  const today = seoulDayKey(now.toISOString());
  // A day not yet begun on the server's clock cannot be closed: that would stop tomorrow's counter in advance.
  if (day > today) return reject('closing.futureDay', { day, today });
  return null;
}

const closingEvent = (districtCode: string, day: string, closed: boolean, user: ServerUser, now: Date, reason?: string): Outcome => ({
  event: { type: 'day_closing', eventId: randomUUID(), districtCode, day, closed, by: user.username, ...(reason ? { reason } : {}), at: now.toISOString() },
});

/** A clerk closes their own district's day; officials and administrators any district's. */
export const closeDay: CommandHandler<'close_day'> = async (cmd, { trx, user, now }) => {
  if (user.role === 'analyst') return reject('sync.roleNotAllowed');
  if (user.role === 'clerk' && user.districtCode !== cmd.districtCode) return reject('sync.otherDistrict', { district: cmd.districtCode });
  const bad = checkDay(cmd.districtCode, cmd.day, now);
  if (bad) return bad;
  if (await dayClosed(trx, cmd.districtCode, cmd.day)) return reject('refunds.dayClosed', { day: cmd.day });
  return closingEvent(cmd.districtCode, cmd.day, true, user, now);
};

/** Only an official or administrator reopens a closed day, and says why. */
export const reopenDay: CommandHandler<'reopen_day'> = async (cmd, { trx, user, now }) => {
  if (!MANAGERS.includes(user.role)) return reject('sync.roleNotAllowed');
  const bad = checkDay(cmd.districtCode, cmd.day, now);
  if (bad) return bad;
  if (!(await dayClosed(trx, cmd.districtCode, cmd.day))) return reject('refunds.dayNotClosed', { day: cmd.day });
  return closingEvent(cmd.districtCode, cmd.day, false, user, now, cmd.reason.trim());
};
