import { randomUUID } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import { canonicalEvent, eventDigest } from '../../shared/node/chain/log-hash.js';
import { foldDigest, foldRoot } from '../../shared/node/chain/fold-digest.js';
import { seoulDayKey, seoulHourKey } from '../../shared/common/time.js';
import type { UseCheckpoint, UsesFoldedEvent } from '../../shared/sync/use-checkpoint.js';
import type { ServerUser } from '../auth/server-auth.js';
import type { ServerDatabase } from '../db/schema.js';
import { MIN_FOLD_AGE_DAYS } from '../../shared/sync/fold-wire.js';
import { lockHead, writeEvents } from './append.js';

export interface FoldResult {
  foldId: string | null;
  throughDay: string;
  checkpoints: number;
  events: number;
  seq: number | null;
}

interface UseRow {
  seq: string;
  lot_id: string;
  round_id: string;
  district_code: string;
  payload: string;
}

/**
 * Folds the settled uses not folded yet (design: shared/sync/use-checkpoint.ts):
 * a use recorded, by the server's clock, on a Seoul day its lot's district has
 * closed (and not reopened), at least `olderThanDays` before the server's
 * Seoul today. Under the log head lock, so no closing, reopening or append
 * interleaves; one checkpoint per lot (per run of its uses between gifts), one `uses_folded` event in the log by
 * `user`, and a `use_folds` row naming the act. Nothing recorded on an open
 * day is ever touched, and the events themselves are not changed.
 */
export async function foldSettledUses(db: Kysely<ServerDatabase>, user: ServerUser, olderThanDays: number, now: Date): Promise<FoldResult> {
  if (!Number.isInteger(olderThanDays) || olderThanDays < MIN_FOLD_AGE_DAYS) throw new RangeError(`olderThanDays must be an integer ≥ ${MIN_FOLD_AGE_DAYS}`);
  const throughDay = seoulDayKey(new Date(now.getTime() - olderThanDays * 86_400_000).toISOString());
  return db.transaction().execute(async (trx) => {
    const head = await lockHead(trx);
    const rows = await sql<UseRow>`
      select e.seq, e.lot_id, e.round_id, e.district_code, e.payload
      from events e
      join day_closings d on d.district_code = e.district_code and d.closed
        and d.day = to_char((e.recorded_at at time zone 'UTC') + interval '9 hours', 'YYYY-MM-DD')
      where e.type = 'use' and d.day <= ${throughDay}
        and not exists (select 1 from folded_events f where f.seq = e.seq)
      order by e.seq`.execute(trx);
    if (rows.rows.length === 0) return { foldId: null, throughDay, checkpoints: 0, events: 0, seq: null };
    const foldId = randomUUID();
    // A console applies a checkpoint at its last use, so between its uses the lot looks less used there than
    // here. A gift judges the recipient's holding by every lot's balance: one between two folded uses of a lot
    // would be refused on a console the server accepted it on. So a lot's uses split into runs at every gift.
    const gifts = await sql<{ seq: string }>`
      select seq from events where type = 'gift' and seq > ${rows.rows[0]!.seq} and seq < ${rows.rows[rows.rows.length - 1]!.seq} order by seq`.execute(trx);
    const giftSeqs = gifts.rows.map((g) => Number(g.seq));
    const byLot = new Map<string, UseRow[]>();
    // Rows and gifts both ascend: `before` counts the gifts before this use, the same within a run.
    let before = 0;
    for (const r of rows.rows) {
      while (before < giftSeqs.length && giftSeqs[before]! < Number(r.seq)) before++;
      const run = `${r.lot_id}\t${before}`;
      const list = byLot.get(run) ?? [];
      list.push(r);
      byLot.set(run, list);
    }
    const checkpoints: UseCheckpoint[] = [];
    for (const uses of byLot.values()) {
      const lotId = uses[0]!.lot_id;
      const cells = new Map<string, [string, string | null, number, number]>();
      let amount = 0;
      for (const u of uses) {
        const ev = JSON.parse(u.payload) as { at: string; amount: number; merchantDistrict: string | null };
        const key = `${seoulHourKey(ev.at)}\t${ev.merchantDistrict ?? ''}`;
        const cell = cells.get(key) ?? [seoulHourKey(ev.at), ev.merchantDistrict, 0, 0];
        cell[2]++;
        cell[3] += ev.amount;
        cells.set(key, cell);
        amount += ev.amount;
      }
      const seqs = uses.map((u) => Number(u.seq));
      checkpoints.push({
        id: randomUUID(),
        foldId,
        lotId,
        roundId: uses[0]!.round_id,
        districtCode: uses[0]!.district_code,
        count: uses.length,
        amount,
        firstSeq: seqs[0]!,
        lastSeq: seqs[seqs.length - 1]!,
        seqs,
        digest: foldDigest(uses.map((u) => eventDigest(u.payload))),
        uses: [...cells.values()],
      });
    }
    const byDistrict = new Map<string, UseCheckpoint[]>();
    for (const c of checkpoints) byDistrict.set(c.districtCode, [...(byDistrict.get(c.districtCode) ?? []), c]);
    const event: UsesFoldedEvent = {
      type: 'uses_folded',
      eventId: `fold:${foldId}`,
      foldId,
      by: user.username,
      at: now.toISOString(),
      throughDay,
      checkpoints: checkpoints.length,
      events: rows.rows.length,
      roots: Object.fromEntries([...byDistrict].map(([d, list]) => [d, { checkpoints: list.length, root: foldRoot(list) }])),
    };
    const after = await writeEvents(trx, head, [event], user.username, now);
    await trx
      .insertInto('use_folds')
      .values({ id: foldId, by: user.id, at: now, through_day: throughDay, older_than_days: olderThanDays, checkpoints: checkpoints.length, events: rows.rows.length, seq: String(after.seq) })
      .execute();
    for (let i = 0; i < checkpoints.length; i += 1_000) {
      const chunk = checkpoints.slice(i, i + 1_000);
      await trx
        .insertInto('use_checkpoints')
        .values(chunk.map((c) => ({ id: c.id, fold_id: foldId, lot_id: c.lotId, district_code: c.districtCode, first_seq: String(c.firstSeq), last_seq: String(c.lastSeq), payload: canonicalEvent(c) })))
        .execute();
      const seqs = chunk.flatMap((c) => c.seqs);
      const ids = chunk.flatMap((c) => c.seqs.map(() => c.id));
      await sql`insert into folded_events (seq, checkpoint_id) select s, c from unnest(${seqs}::bigint[], ${ids}::text[]) as x(s, c)`.execute(trx);
    }
    return { foldId, throughDay, checkpoints: checkpoints.length, events: rows.rows.length, seq: after.seq };
  });
}
