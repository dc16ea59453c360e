import type { Transaction } from 'kysely';
import { AppError } from '../../common/errors.js';
import type { Database } from '../db/schema.js';

/** A closed day takes no new counter work until an official reopens it. */
export async function assertDayOpen(trx: Transaction<Database>, districtCode: string, day: string): Promise<void> {
  const closed = await trx.selectFrom('counter_closings').select('id').where('district_code', '=', districtCode).where('day', '=', day).where('reopened_at', 'is', null).executeTakeFirst();
  if (closed) throw new AppError('conflict', 'refunds.dayClosed', { day });
}
