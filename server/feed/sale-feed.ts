import { randomUUID } from 'node:crypto';
import type { Insertable, Kysely } from 'kysely';
import { sql } from 'kysely';
import { DISTRICT_CODES } from '../../shared/common/districts.js';
import { basisPointsOf, SALE_UNIT } from '../../shared/common/money.js';
import { seoulMonthKey } from '../../shared/common/time.js';
import type { LedgerEvent, PurchaseEvent } from '../../shared/ledger/events.js';
import { limitScope, newLot } from '../../shared/ledger/rules.js';
import { makePaymentRef, PROVIDER_BY_METHOD } from '../../shared/reconcile/payment-refs.js';
import { streams } from '../../shared/simulation/random.js';
import type { BuyerDirectoryTable, ServerDatabase } from '../db/schema.js';
import { directoryRow } from '../directory/directory-rows.js';
import { demoIdentity } from '../directory/korean-names.js';
import type { DirectoryKeys } from '../directory/protect.js';
import { lockHead, writeEvents } from '../log/append.js';
import { checkSaleTime, insertLots, serverRound, type NewLot } from '../log/state.js';

export class RoundNotPublished extends Error {
  constructor(readonly roundId: string) {
    super(`round ${roundId} is not published`);
  }
}

/** The round is published but not on sale on the server now (scheduled, closed, settled, or its window has not begun). */
export class RoundNotOnSale extends Error {
  constructor(
    readonly roundId: string,
    readonly key: string,
    readonly params?: Record<string, string | number>,
  ) {
    super(`round ${roundId} is not on sale (${key})`);
  }
}

export interface SaleFeedOptions {
  roundId: string;
  /** How many purchases to play; fewer if the stock runs out first. */
  purchases: number;
  seed: number;
  /** Share of lots that are then spent at merchants (60–100% of face), so refunds have something to act on. */
  usesShare: number;
  /** In how many uses a spent lot is spent (default 1), as a certificate is spent over many visits; fewer if the amount has fewer thousands. */
  usesPerLot?: number;
  /** Share of buyers who take their whole monthly limit; the rest buy less. */
  fullLimitShare: number;
  recordedBy: string;
  /** Purchases per transaction; small, so other requests get the database between batches. */
  batchSize?: number;
  /** The server's clock: purchases are stamped between the opening and now (or the close, if earlier). */
  now?: () => Date;
  /** When given, each buyer's identity (a generated Korean name, 010 number and birth date) goes into the buyer directory. */
  directory?: DirectoryKeys;
  /**
   * When given, a purchase's time is the curve at the share of the stock sold once it is in (0–1], so the
   * sale follows a drawn curve (the demo data set draws it from the simulator) instead of even gaps.
   */
  curve?: (share: number) => number;
}

export interface SaleFeedResult {
  purchases: number;
  uses: number;
  faceSold: number;
  soldOut: boolean;
  head: { seq: number; hash: string };
}

/**
 * Plays a sale into the log for development and demos: purchases by new
 * buyers, each within the round's limits, until the count or the stock runs
 * out, appended in batches of a thousand that leave room for other requests. Every purchase satisfies the same rules a
 * console's would; the feed keeps the running totals in memory rather than
 * asking the database per purchase.
 */
export async function playSale(db: Kysely<ServerDatabase>, o: SaleFeedOptions, onProgress?: (done: number) => void): Promise<SaleFeedResult> {
  const clock = o.now ?? (() => new Date());
  const start = clock();
  const round = await serverRound(db as never, o.roundId);
  if (!round) throw new RoundNotPublished(o.roundId);
  const spec = round.spec;
  // The sale so far lies between the opening and now: every purchase time must pass the same check a single purchase does.
  const opens = Date.parse(spec.opensAt);
  const end = Math.min(start.getTime(), Date.parse(spec.closesAt));
  const first = checkSaleTime(o.roundId, round, new Date(Math.max(opens, end - 1)).toISOString(), start);
  if (!first.ok) throw new RoundNotOnSale(o.roundId, first.key, first.params);
  const scope = limitScope(spec);
  const rs = streams(o.seed);
  const feedId = randomUUID().slice(0, 8);
  const limitUnits = Math.floor(spec.perPersonMonthlyLimit / SALE_UNIT);
  const methods = spec.paymentMethods;
  const districts = spec.kind === 'district' && spec.districtCode ? [spec.districtCode] : DISTRICT_CODES;
  const span = Math.max(1, end - opens);
  // Small batches with a yield between them, so other requests are answered while a feed runs (PGlite is single-threaded).
  const batchSize = o.batchSize ?? 1_000;

  const soldRow = await db.selectFrom('round_sales').select('sold_face').where('round_id', '=', o.roundId).executeTakeFirst();
  let sold = Number(soldRow?.sold_face ?? 0);
  let made = 0;
  let uses = 0;
  let faceSold = 0;
  let head = { seq: 0, hash: '' };
  let t = opens;
  const gap = span / Math.max(1, o.purchases);

  /** The next batch of purchases (and the uses that follow some of them), drawn in memory. */
  const nextBatch = () => {
    const events: LedgerEvent[] = [];
    const lots: NewLot[] = [];
    const people: Insertable<BuyerDirectoryTable>[] = [];
    const recorded = clock();
    let batchFace = 0;
    for (let k = 0; k < batchSize && made < o.purchases && sold < spec.totalAmount; k++) {
      const want = limitUnits <= 1 || rs.amounts.uniform() < o.fullLimitShare ? limitUnits : 1 + rs.amounts.below(limitUnits - 1);
      const face = Math.min(want * SALE_UNIT, spec.totalAmount - sold);
      if (!o.curve) t += rs.arrivals.exponential(gap);
      const at = new Date(o.curve ? Math.min(Math.max(o.curve((sold + face) / spec.totalAmount), opens), end - 1) : Math.min(t, end - 1)).toISOString();
      const n = made++;
      const ev: PurchaseEvent = {
        type: 'purchase',
        eventId: `feed-${feedId}-p${n}`,
        roundId: o.roundId,
        lotId: `lot-${feedId}-${n}`,
        at,
        buyerId: `buyer-${feedId}-${n}`,
        districtCode: districts[rs.order.below(districts.length)]!,
        face,
        paid: face - basisPointsOf(face, spec.discountBp),
        paymentMethod: methods[rs.checkout.below(methods.length)]!,
      };
      // Each sale goes through the provider contracted for its method, with references in that provider's style.
      ev.payment = makePaymentRef(PROVIDER_BY_METHOD[ev.paymentMethod], ev.eventId, at);
      events.push(ev);
      // The identity the buyer presented: to the directory, never into the event consoles copy.
      if (o.directory) people.push(directoryRow(o.directory, ev.buyerId, ev.districtCode, demoIdentity(o.seed, n), recorded));
      const lot = newLot(ev, spec);
      if (rs.failures.uniform() < o.usesShare) {
        // Spent in whole thousands of won, between 60% and all of the face.
        const amount = Math.max(1_000, Math.floor((face * (0.6 + 0.4 * rs.failures.uniform())) / 1_000) * 1_000);
        // Split in whole thousands: the first uses take the even share, the last the rest.
        const parts = Math.max(1, Math.min(o.usesPerLot ?? 1, amount / 1_000));
        const share = Math.floor(amount / parts / 1_000) * 1_000;
        for (let u = 0; u < parts; u++) {
          const part = u === parts - 1 ? amount - share * (parts - 1) : share;
          events.push({ type: 'use', eventId: `feed-${feedId}-u${n}${parts > 1 ? `-${u}` : ''}`, roundId: o.roundId, lotId: ev.lotId, at, amount: part, merchantDistrict: ev.districtCode });
          uses++;
        }
        lot.used = amount;
      }
      lots.push({ lot, scope, month: seoulMonthKey(at), payment: ev.payment });
      sold += face;
      batchFace += face;
    }
    return { events, lots, people, batchFace, made };
  };

  const write = async (b: ReturnType<typeof nextBatch>) => {
    head = await db.transaction().execute(async (trx) => {
      const h = await lockHead(trx);
      // A close or settle between batches stops the feed: nothing is sold after the server closed the round.
      const current = await serverRound(trx, o.roundId, true);
      if (current?.status !== 'on_sale' || current.version !== round.version) throw new RoundNotOnSale(o.roundId, 'sync.roundNotOnSale', { roundId: o.roundId, status: current?.status ?? 'draft' });
      // Re-read under the lock: a concurrent feed must not push the round past its stock.
      const now = await trx.selectFrom('round_sales').select('sold_face').where('round_id', '=', o.roundId).executeTakeFirst();
      if (Number(now?.sold_face ?? 0) + b.batchFace > spec.totalAmount) throw new Error('another sale wrote to this round meanwhile; feed stopped before overselling');
      const next = await writeEvents(trx, h, b.events, o.recordedBy, clock());
      await insertLots(trx, b.lots);
      if (b.people.length) await trx.insertInto('buyer_directory').values(b.people).execute();
      await sql`
        insert into round_sales (round_id, sold_face, lot_count) values (${o.roundId}, ${b.batchFace}, ${b.lots.length})
        on conflict (round_id) do update set sold_face = round_sales.sold_face + excluded.sold_face, lot_count = round_sales.lot_count + excluded.lot_count
      `.execute(trx);
      return next;
    });
    faceSold += b.batchFace;
    onProgress?.(b.made);
  };

  while (made < o.purchases && sold < spec.totalAmount) {
    await write(nextBatch());
    // Let waiting requests in: PGlite has one connection and runs on this thread,
    // so without a turn of the event loop the next batch would take it again at once.
    await new Promise((r) => setImmediate(r));
  }
  // Fresh statistics after a bulk load, so the planner does not guess from an empty table.
  await sql`analyze events`.execute(db);
  await sql`analyze lots`.execute(db);
  if (o.directory) await sql`analyze buyer_directory`.execute(db);
  return { purchases: made, uses, faceSold, soldOut: sold >= spec.totalAmount, head };
}
