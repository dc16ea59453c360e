import { sql, type Kysely, type Transaction } from 'kysely';
import { seoulMonthKey } from '../../shared/common/time.js';
import type { LedgerEvent, PurchaseEvent } from '../../shared/ledger/events.js';
import { lotFromRow } from '../../shared/ledger/lot-row.js';
import { applyToLot, checkPurchase, limitScope, newLot, type Lot } from '../../shared/ledger/rules.js';
import type { Verdict } from '../../shared/rounds/lifecycle.js';
import type { RoundSpec } from '../../shared/rounds/spec.js';
import { withAddedStock } from '../../shared/rounds/steering.js';
import { saleControls } from './sale-controls.js';
import type { ServerDatabase, ServerLotsTable, ServerRoundStatusColumn } from '../db/schema.js';

type Trx = Transaction<ServerDatabase>;

/** The version in effect for a round: the latest published. */
export async function publishedSpec(trx: Trx, roundId: string): Promise<{ version: number; spec: RoundSpec } | undefined> {
  const row = await trx.selectFrom('published_rounds').select(['version', 'spec']).where('round_id', '=', roundId).orderBy('version', 'desc').limit(1).executeTakeFirst();
  return row ? { version: row.version, spec: JSON.parse(row.spec) as RoundSpec } : undefined;
}

export interface ServerRound {
  status: ServerRoundStatusColumn;
  version: number;
  spec: RoundSpec;
}

/** A published round's status and the spec in effect; `lock` holds its row for the rest of the transaction. */
export async function serverRound(trx: Trx, roundId: string, lock = false): Promise<ServerRound | undefined> {
  const r = await sql<{ status: ServerRoundStatusColumn; version: number; spec: string }>`
    select r.status, r.version, p.spec from server_rounds r join published_rounds p on p.round_id = r.round_id and p.version = r.version
    where r.round_id = ${roundId} ${lock ? sql`for update of r` : sql``}`.execute(trx);
  const row = r.rows[0];
  return row ? { status: row.status, version: row.version, spec: JSON.parse(row.spec) as RoundSpec } : undefined;
}

/**
 * Whether a sale at `at` may go on the record: the round is on sale on the
 * server, `at` lies in its window [opensAt, closesAt) and is not in the
 * server's future. Uses and refunds are not sales: they go on after close.
 */
export function checkSaleTime(roundId: string, round: ServerRound | undefined, at: string, now: Date): Verdict<void> {
  if (!round || round.status !== 'on_sale') return refuse('sync.roundNotOnSale', { roundId, status: round?.status ?? 'draft' });
  const t = Date.parse(at);
  if (t < Date.parse(round.spec.opensAt) || t >= Date.parse(round.spec.closesAt)) return refuse('ledger.outsideSaleWindow', { at });
  if (t > now.getTime()) return refuse('ledger.saleInFuture', { at });
  return { ok: true, value: undefined };
}

/** A lot, locked for the rest of the transaction. */
export async function lockLot(trx: Trx, lotId: string): Promise<Lot | undefined> {
  const r = await sql<ServerLotsTable>`select * from lots where lot_id = ${lotId} for update`.execute(trx);
  return r.rows[0] ? lotFromRow(r.rows[0]) : undefined;
}

const refuse = (key: string, params?: Record<string, string | number>): Verdict<never> => ({ ok: false, key, ...(params ? { params } : {}) });

/**
 * Checks one ledger event against the server's state with the same rules the
 * consoles use, and applies it to the derived tables. The caller appends the
 * event to the log in the same transaction.
 */
export async function applyLedgerEvent(trx: Trx, ev: LedgerEvent, now: Date): Promise<Verdict<void>> {
  const published = await publishedSpec(trx, ev.roundId);
  if (!published) return refuse('ledger.roundNotApproved', { roundId: ev.roundId });
  const spec = published.spec;
  if (ev.type === 'purchase') return applyPurchase(trx, ev, now);
  const lot = await lockLot(trx, ev.lotId);
  if (!lot) return refuse('ledger.unknownLot', { lotId: ev.lotId });
  if (lot.roundId !== ev.roundId) return refuse('ledger.wrongRound', { lotId: ev.lotId });
  let gift;
  const scope = limitScope(spec);
  if (ev.type === 'gift') {
    const month = seoulMonthKey(ev.at);
    const r = await sql<{ received: number; holding: number }>`
      select
        coalesce(sum(face) filter (where holder_id = ${ev.toBuyerId} and scope = ${scope} and gift_month = ${month} and gifted), 0) as received,
        coalesce(sum(face - used) filter (where holder_id = ${ev.toBuyerId} and scope = ${scope} and status = 'active'), 0) as holding
      from lots where holder_id = ${ev.toBuyerId}`.execute(trx);
    gift = { recipientMonthReceived: Number(r.rows[0]?.received ?? 0), recipientHolding: Number(r.rows[0]?.holding ?? 0) };
  }
  const verdict = applyToLot(lot, ev, spec, gift);
  if (!verdict.ok) return verdict;
  const next = verdict.value;
  await trx
    .updateTable('lots')
    .set({
      holder_id: next.holderId,
      used: String(next.used),
      refunded: String(next.refunded),
      status: next.status,
      gifted: next.gifted,
      ...(ev.type === 'gift' ? { gift_month: seoulMonthKey(ev.at) } : {}),
    })
    .where('lot_id', '=', lot.lotId)
    .execute();
  if (ev.type === 'cancel') {
    await sql`update round_sales set sold_face = sold_face - ${lot.face}, lot_count = lot_count - 1 where round_id = ${lot.roundId}`.execute(trx);
  }
  return { ok: true, value: undefined };
}

async function applyPurchase(trx: Trx, ev: PurchaseEvent, now: Date): Promise<Verdict<void>> {
  const round = await serverRound(trx, ev.roundId);
  const window = checkSaleTime(ev.roundId, round, ev.at, now);
  if (!window.ok) return window;
  const spec = round!.spec;
  const scope = limitScope(spec);
  const month = seoulMonthKey(ev.at);
  // Lock the round's sales row so two purchases cannot both take the last stock.
  await sql`insert into round_sales (round_id, sold_face, lot_count) values (${ev.roundId}, 0, 0) on conflict (round_id) do nothing`.execute(trx);
  const sold = await sql<{ sold_face: number }>`select sold_face from round_sales where round_id = ${ev.roundId} for update`.execute(trx);
  const buyer = await buyerStanding(trx, ev.buyerId, scope, month);
  if (await trx.selectFrom('lots').select('lot_id').where('lot_id', '=', ev.lotId).executeTakeFirst()) return refuse('ledger.duplicateLot', { lotId: ev.lotId });
  // Stock officials added during a live sale counts as the round's (sale-controls.ts).
  const added = (await saleControls(trx, ev.roundId, round!.version)).addedStock;
  const verdict = checkPurchase({ spec: withAddedStock(spec, added), soldFace: Number(sold.rows[0]?.sold_face ?? 0), buyerMonthFace: buyer.monthFace, buyerHolding: buyer.holding }, ev);
  if (!verdict.ok) return verdict;
  const lot = newLot(ev, spec);
  await insertLots(trx, [{ lot, scope, month, payment: ev.payment }]);
  await sql`update round_sales set sold_face = sold_face + ${lot.face}, lot_count = lot_count + 1 where round_id = ${ev.roundId}`.execute(trx);
  return { ok: true, value: undefined };
}

/** What a buyer bought in `month` and holds now, in a limit scope: the two sums the per-person limits are checked on. */
export async function buyerStanding(db: Kysely<ServerDatabase>, buyerId: string, scope: string, month: string): Promise<{ monthFace: number; holding: number }> {
  return (await buyerStandings(db, [buyerId], scope, month)).get(buyerId)!;
}

/**
 * The same two sums for several buyers in one query (the sale's joins arriving
 * together, server/sale/standing-batch.ts): per buyer, the very query one buyer
 * gets (a lateral subquery on the buyer and holder indexes). Every buyer asked
 * for is in the answer, at 0 when they have no lots.
 */
export async function buyerStandings(db: Kysely<ServerDatabase>, buyerIds: readonly string[], scope: string, month: string): Promise<Map<string, { monthFace: number; holding: number }>> {
  const r = await sql<{ buyer_id: string; month_face: string; holding: string }>`
    select b.buyer_id, s.month_face, s.holding
    from unnest(${[...new Set(buyerIds)]}::text[]) as b(buyer_id)
    cross join lateral (
      select
        coalesce(sum(face) filter (where buyer_id = b.buyer_id and scope = ${scope} and month = ${month} and status <> 'cancelled'), 0) as month_face,
        coalesce(sum(face - used) filter (where holder_id = b.buyer_id and scope = ${scope} and status = 'active'), 0) as holding
      from lots where buyer_id = b.buyer_id or holder_id = b.buyer_id
    ) as s`.execute(db);
  return new Map(r.rows.map((row) => [row.buyer_id, { monthFace: Number(row.month_face), holding: Number(row.holding) }]));
}

export interface NewLot {
  lot: Lot;
  scope: string;
  month: string;
  /** The purchase's payment references (event version 2), when it has them. */
  payment?: { provider: string; tid: string } | undefined;
}

/** Inserts new lots, in their current state (a bulk feed may have used them already), one statement per call. */
export async function insertLots(trx: Trx, rows: NewLot[]): Promise<void> {
  if (rows.length === 0) return;
  const col = <T,>(f: (r: NewLot) => T) => rows.map(f);
  await sql`
    insert into lots (lot_id, round_id, buyer_id, holder_id, scope, district_code, payment_method, face, paid, discount_bp, purchased_at, month, expires_at, used, refunded, status, gifted, payment_provider, payment_tid)
    select a, b, c, c, d, e, f, g, h, i, j, k, l, m, 0, 'active', false, n, o
    from unnest(
      ${col((r) => r.lot.lotId)}::text[], ${col((r) => r.lot.roundId)}::text[], ${col((r) => r.lot.buyerId)}::text[], ${col((r) => r.scope)}::text[],
      ${col((r) => r.lot.districtCode)}::text[], ${col((r) => r.lot.paymentMethod)}::text[], ${col((r) => r.lot.face)}::bigint[], ${col((r) => r.lot.paid)}::bigint[],
      ${col((r) => r.lot.discountBp)}::integer[], ${col((r) => r.lot.purchasedAt)}::text[], ${col((r) => r.month)}::text[], ${col((r) => r.lot.expiresAt)}::text[],
      ${col((r) => r.lot.used)}::bigint[], ${col((r) => r.payment?.provider ?? null)}::text[], ${col((r) => r.payment?.tid ?? null)}::text[]
    ) as x(a, b, c, d, e, f, g, h, i, j, k, l, m, n, o)
  `.execute(trx);
}
