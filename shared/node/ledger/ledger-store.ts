import type BetterSqlite3 from 'better-sqlite3';
import canonicalize from 'canonicalize';
import type { Kysely } from 'kysely';
import { AppError } from '../../common/errors.js';
import { seoulMonthKey } from '../../common/time.js';
import type { LedgerEvent, PurchaseEvent } from '../../ledger/events.js';
import { applyToLot, checkPurchase, limitScope, newLot, type Lot } from '../../ledger/rules.js';
import type { RoundSpec } from '../../rounds/spec.js';
import type { Database, LotsTable } from '../db/schema.js';
import { lotFromRow } from '../../ledger/lot-row.js';
import { PAY_COLUMN_NAMES, payColumns } from './pay-columns.js';
import { INSERT_PAY_KEY, payKey } from '../db/pay-keys.js';

function refuse(key: string, ev: LedgerEvent, params?: Record<string, string | number>): never {
  throw new AppError('rule_violation', key, { ...params, eventId: ev.eventId, lotId: ev.lotId });
}

/**
 * Applies ledger events to SQLite. Each event is checked against the rules
 * (stock, monthly and holding limits, refund rules) before it is written, and
 * a batch is all-or-nothing. Runs on better-sqlite3 directly because this is
 * the hot path of sync; it holds Kysely's connection while it does, so no
 * other query interleaves with its transaction.
 */
export class LedgerStore {
  private readonly stmt;
  private readonly specCache = new Map<string, RoundSpec>();

  constructor(
    private readonly sqlite: BetterSqlite3.Database,
    private readonly db: Kysely<Database>,
  ) {
    const s = (q: string) => sqlite.prepare(q);
    this.stmt = {
      eventById: s('select payload from ledger_events where event_id = ?').pluck(),
      insertEvent: s(
        `insert into ledger_events (event_id, type, round_id, lot_id, district_code, amount, payment_method, occurred_at, payload, ${PAY_COLUMN_NAMES}) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      insertPayKey: s(INSERT_PAY_KEY),
      approvedSpec: s(
        'select v.spec from rounds r join round_versions v on v.round_id = r.id and v.version = r.approved_version where r.id = ?',
      ).pluck(),
      lot: s('select * from lots where lot_id = ?'),
      insertLot: s(
        `insert into lots (lot_id, round_id, buyer_id, holder_id, scope, district_code, payment_method, face, paid, discount_bp,
           purchased_at, month, expires_at, used, refunded, status, gifted, gift_month)
         values (@lot_id, @round_id, @buyer_id, @holder_id, @scope, @district_code, @payment_method, @face, @paid, @discount_bp,
           @purchased_at, @month, @expires_at, 0, 0, 'active', 0, null)`,
      ),
      updateLot: s(
        'update lots set holder_id = @holder_id, used = @used, refunded = @refunded, status = @status, gifted = @gifted, gift_month = coalesce(@gift_month, gift_month) where lot_id = @lot_id',
      ),
      sold: s('select sold_face from round_sales where round_id = ?').pluck(),
      addSold: s(
        'insert into round_sales (round_id, sold_face, lot_count) values (?, ?, ?) on conflict(round_id) do update set sold_face = sold_face + excluded.sold_face, lot_count = lot_count + excluded.lot_count',
      ),
      // A separate statement: the upsert above would CHECK the negative insert row before resolving the conflict.
      returnStock: s('update round_sales set sold_face = sold_face - ?, lot_count = lot_count - 1 where round_id = ?'),
      buyerMonth: s("select coalesce(sum(face), 0) from lots where buyer_id = ? and scope = ? and month = ? and status != 'cancelled'").pluck(),
      holding: s("select coalesce(sum(face - used), 0) from lots where holder_id = ? and scope = ? and status = 'active'").pluck(),
      giftsReceived: s('select coalesce(sum(face), 0) from lots where holder_id = ? and scope = ? and gift_month = ? and gifted = 1').pluck(),
    };
  }

  private spec(roundId: string, ev: LedgerEvent): RoundSpec {
    let spec = this.specCache.get(roundId);
    if (!spec) {
      const json = this.stmt.approvedSpec.get(roundId) as string | undefined;
      if (json === undefined) refuse('ledger.roundNotApproved', ev, { roundId });
      spec = JSON.parse(json) as RoundSpec;
      this.specCache.set(roundId, spec);
    }
    return spec;
  }

  /** Forget cached round specs (a new version was approved). */
  invalidateRounds(): void {
    this.specCache.clear();
  }

  async append(events: readonly LedgerEvent[]): Promise<{ applied: number; skipped: number }> {
    return this.db.connection().execute(async () => this.appendNow(events));
  }

  private appendNow(events: readonly LedgerEvent[]): { applied: number; skipped: number } {
    let applied = 0;
    let skipped = 0;
    this.sqlite.transaction(() => {
      for (const ev of events) {
        const payload = canonicalize(ev)!;
        const existing = this.stmt.eventById.get(ev.eventId) as string | undefined;
        if (existing !== undefined) {
          // The same id is the same event: apply once, and refuse a different event reusing it.
          if (existing !== payload) refuse('ledger.idConflict', ev);
          skipped++;
          continue;
        }
        const lot = ev.type === 'purchase' ? this.purchase(ev) : this.change(ev);
        const pay = payColumns(ev);
        const { lastInsertRowid } = this.stmt.insertEvent.run(ev.eventId, ev.type, ev.roundId, ev.lotId, lot.districtCode, ev.type === 'purchase' ? ev.face : ev.type === 'gift' ? 0 : ev.amount, lot.paymentMethod, ev.at, payload, ...pay);
        // Found by key through pay_keys (migration 0044), as synced events are.
        if (pay[1] !== null) this.stmt.insertPayKey.run(payKey(pay[0]!, pay[1]), lastInsertRowid);
        applied++;
      }
    })();
    return { applied, skipped };
  }

  private purchase(ev: PurchaseEvent): Lot {
    const spec = this.spec(ev.roundId, ev);
    if (this.stmt.lot.get(ev.lotId)) refuse('ledger.duplicateLot', ev);
    const scope = limitScope(spec);
    const month = seoulMonthKey(ev.at);
    const verdict = checkPurchase(
      {
        spec,
        soldFace: (this.stmt.sold.get(ev.roundId) as number | undefined) ?? 0,
        buyerMonthFace: this.stmt.buyerMonth.get(ev.buyerId, scope, month) as number,
        buyerHolding: this.stmt.holding.get(ev.buyerId, scope) as number,
      },
      ev,
    );
    if (!verdict.ok) refuse(verdict.key, ev, verdict.params);
    const lot = newLot(ev, spec);
    this.stmt.insertLot.run({
      lot_id: lot.lotId,
      round_id: lot.roundId,
      buyer_id: lot.buyerId,
      holder_id: lot.holderId,
      scope,
      district_code: lot.districtCode,
      payment_method: lot.paymentMethod,
      face: lot.face,
      paid: lot.paid,
      discount_bp: lot.discountBp,
      purchased_at: lot.purchasedAt,
      month,
      expires_at: lot.expiresAt,
    });
    this.stmt.addSold.run(ev.roundId, lot.face, 1);
    return lot;
  }

  private change(ev: Exclude<LedgerEvent, PurchaseEvent>): Lot {
    const row = this.stmt.lot.get(ev.lotId) as LotsTable | undefined;
    if (!row) refuse('ledger.unknownLot', ev);
    if (row.round_id !== ev.roundId) refuse('ledger.wrongRound', ev);
    const spec = this.spec(row.round_id, ev);
    const lot = lotFromRow(row);
    const giftMonth = ev.type === 'gift' ? seoulMonthKey(ev.at) : null;
    const gift =
      ev.type === 'gift'
        ? {
            recipientMonthReceived: this.stmt.giftsReceived.get(ev.toBuyerId, row.scope, giftMonth) as number,
            recipientHolding: this.stmt.holding.get(ev.toBuyerId, row.scope) as number,
          }
        : undefined;
    const verdict = applyToLot(lot, ev, spec, gift);
    if (!verdict.ok) refuse(verdict.key, ev, verdict.params);
    const next = verdict.value;
    this.stmt.updateLot.run({
      lot_id: next.lotId,
      holder_id: next.holderId,
      used: next.used,
      refunded: next.refunded,
      status: next.status,
      gifted: next.gifted ? 1 : 0,
      gift_month: giftMonth,
    });
    // A cancelled lot goes back to stock; a refunded one was partly used, so it stays sold.
    if (ev.type === 'cancel') this.stmt.returnStock.run(row.face, row.round_id);
    return next;
  }
}
