import type { Kysely } from 'kysely';
import { noSteering, type SaleControls } from '../../shared/rounds/steering.js';
import type { ServerDatabase } from '../db/schema.js';

/** A round's live-sale steering after its last change; none yet: nothing steered under `version`. */
export async function saleControls(db: Kysely<ServerDatabase>, roundId: string, version: number): Promise<SaleControls> {
  const row = await db.selectFrom('sale_controls').select('controls').where('round_id', '=', roundId).executeTakeFirst();
  return row ? (JSON.parse(row.controls) as SaleControls) : noSteering(version);
}
