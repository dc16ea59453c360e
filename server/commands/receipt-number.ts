import { sql } from 'kysely';
import type { Trx } from './command-kit.js';

/**
 * The next receipt number in a district on a Seoul day — the server's day of the
 * approval, never a console's. Called in the command's transaction once the
 * approval is decided, so a refused request takes no number and the sequence
 * has no gaps.
 */
export async function nextServerReceiptNo(trx: Trx, districtCode: string, seoulDay: string): Promise<string> {
  const { rows } = await sql<{ last_no: number }>`
    insert into receipt_counters (district_code, day, last_no) values (${districtCode}, ${seoulDay}, 1)
    on conflict (district_code, day) do update set last_no = receipt_counters.last_no + 1
    returning last_no`.execute(trx);
  return `${districtCode}-${seoulDay.replaceAll('-', '')}-${String(rows[0]!.last_no).padStart(6, '0')}`;
}
