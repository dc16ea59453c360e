import type BetterSqlite3 from 'better-sqlite3';
import { seoulMonthKey, storedUtc } from '../../common/time.js';
import type { LedgerEvent, PurchaseEvent } from '../../ledger/events.js';
import { applyToLot, checkPurchaseAgainstRound, limitScope, newLot } from '../../ledger/rules.js';
import type { RoundSpec } from '../../rounds/spec.js';
import { withAddedStock } from '../../rounds/steering.js';
import type { DayClosingEvent, RoundPublished, RoundStatusEvent, SyncEvent } from '../../sync/protocol.js';
import type { SaleSteeredEvent } from '../../sync/sale-wire.js';
import type { UsesFoldedEvent } from '../../sync/use-checkpoint.js';
import type { LotsTable } from '../db/schema.js';
import { canonicalEvent, LOG_GENESIS } from '../chain/log-hash.js';
import { lotFromRow } from '../../ledger/lot-row.js';
import { PAY_COLUMN_NAMES, payColumns } from '../ledger/pay-columns.js';
import { PayKeyWriter } from '../db/pay-keys.js';
import { deferIndexes, restoreIndexes, worthDeferring } from './bulk-indexes.js';
import { SyncError } from './sync-error.js';
import { CheckpointApplier } from './checkpoint-apply.js';
import type { LedgerWriteHook } from './sync-hooks.js';
import { expectedHash, LOCAL_LOG, LOG_TABLES, type ChainPoint, type FullEntry, type PageEntry } from './page-entry.js';

export type { ChainPoint, FullEntry, PageEntry, RedactedEntry } from './page-entry.js';

interface RoundTally {
  spec: RoundSpec;
  /** Face sold, cancellations returned to stock, as it stands after the events applied so far. */
  sold: number;
  /** Lots in the round not cancelled, likewise. */
  lots: number;
  touched: boolean;
  /** Won added to the stock during a live sale (the last `sale_steered` event's), on top of the spec's amount. */
  added: number;
}


/**
 * Applies pages of the server's log to the console's SQLite ledger. Each page
 * goes in one transaction together with the new cursor, so a crash part-way
 * loses nothing and applies nothing twice. Before anything is written, every
 * event must follow the last without a gap and its hash must chain from the
 * last; every ledger event must also make sense against the round the server
 * published (unit, discounted price, payment method, stock). Per-buyer limits
 * are the server's to judge: checking them would cost two queries a purchase.
 */
export class SyncApplier {
  private readonly st;
  private insertClosing: BetterSqlite3.Statement | undefined;
  private insertSteering: BetterSqlite3.Statement | undefined;
  private addedStockBefore: BetterSqlite3.Statement | undefined;
  /** Published spec and running sold face per round, while applying. */
  private readonly rounds = new Map<string, RoundTally>();
  /**
   * True during a catch-up that set the indexes aside: the summaries (kept
   * behind their own watermark) are summed once at its end, as the indexes
   * are built, rather than per slice, which cost a third of the apply (issue 21).
   * Reports read the summaries as of their watermark meanwhile.
   */
  private bulk = false;
  /** Prepared when the first checkpoint or fold arrives: a ledger at an older schema (migration tests) has no such tables. */
  private checkpointApplier: CheckpointApplier | undefined;
  /** The payment keys of the page being applied, written together in its last slice's transaction, in key order. */
  private readonly payKeys: PayKeyWriter;
  private get folds(): CheckpointApplier {
    return (this.checkpointApplier ??= new CheckpointApplier(this.sqlite));
  }

  /** `ledgerWrites`: what the capabilities above derive from the log, kept in each page's transaction (the backend registry's LEDGER_WRITE_HOOKS). */
  constructor(
    private readonly sqlite: BetterSqlite3.Database,
    private readonly ledgerWrites: readonly LedgerWriteHook[],
  ) {
    this.payKeys = new PayKeyWriter(sqlite);
    const s = (q: string) => sqlite.prepare(q);
    this.st = {
      cursor: s('select last_seq, last_hash from sync_state where id = 1'),
      setCursor: s('update sync_state set last_seq = ?, last_hash = ?, head_seq = max(head_seq, ?) where id = 1'),
      latestPublication: s('select payload from round_publications where round_id = ? order by version desc limit 1').pluck(),
      sold: s('select sold_face, lot_count from round_sales where round_id = ?'),
      setSold: s(
        'insert into round_sales (round_id, sold_face, lot_count) values (?, ?, ?) on conflict(round_id) do update set sold_face = excluded.sold_face, lot_count = excluded.lot_count',
      ),
      insertEvent: s(
        `insert into ledger_events (seq, event_id, type, round_id, lot_id, district_code, amount, payment_method, occurred_at, payload, hash,
           ${PAY_COLUMN_NAMES}) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      insertLot: s(
        `insert into lots (lot_id, round_id, buyer_id, holder_id, scope, district_code, payment_method, face, paid, discount_bp, purchased_at, month, expires_at, used, refunded, status, gifted)
         values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, 0, 'active', 0)`,
      ),
      lot: s('select * from lots where lot_id = ?'),
      addUsed: s('update lots set used = used + ? where lot_id = ?'),
      updateLot: s('update lots set holder_id = ?, used = ?, refunded = ?, status = ?, gifted = ?, gift_month = coalesce(?, gift_month) where lot_id = ?'),
      giftsReceived: s('select coalesce(sum(face), 0) from lots where holder_id = ? and scope = ? and gift_month = ? and gifted = 1').pluck(),
      holding: s("select coalesce(sum(face - used), 0) from lots where holder_id = ? and scope = ? and status = 'active'").pluck(),
      insertRedacted: s('insert into redacted_events (seq, hash, digest) values (?, ?, ?)'),
      insertPublication: s('insert into round_publications (seq, event_id, round_id, version, published_by, payload, hash) values (?, ?, ?, ?, ?, ?, ?)'),
      round: s('select id, status, current_version, approved_version from rounds where id = ?'),
      version: s('select spec from round_versions where round_id = ? and version = ?').pluck(),
      insertRound: s("insert into rounds (id, status, current_version, approved_version, created_at, created_by, updated_at) values (?, 'approved', ?, ?, ?, 'server', ?)"),
      insertVersion: s("insert into round_versions (round_id, version, spec, changed, author_id, created_at, approved_by, approved_at) values (?, ?, ?, '[]', 'server', ?, 'server', ?)"),
      approveVersion: s("update round_versions set approved_by = 'server', approved_at = ? where round_id = ? and version = ? and approved_by is null"),
      insertStatus: s('insert into round_statuses (seq, event_id, round_id, status, version, by, payload, hash) values (?, ?, ?, ?, ?, ?, ?, ?)'),
      setStatus: s('update rounds set status = ?, updated_at = ? where id = ?'),
      lastServerStatus: s('select status from round_statuses where round_id = ? order by seq desc limit 1').pluck(),
      isPublished: s('select 1 from round_publications where round_id = ? limit 1').pluck(),
      publishedVersion: s('select 1 from round_publications where round_id = ? and version = ?').pluck(),
      lastPublishedVersion: s('select max(version) from round_publications where round_id = ?').pluck(),
      setApprovedVersion: s('update rounds set approved_version = ?, updated_at = ? where id = ?'),
      // As on the server: a new version keeps a round on sale on sale and makes a scheduled one approved again,
      // unless this console already holds a newer draft of it.
      statusAfterPublication: s(
        "update rounds set status = case when status in ('on_sale', 'closed', 'settled') or current_version > ? then status else 'approved' end where id = ?",
      ),
      advanceRound: s('update rounds set current_version = max(current_version, ?), approved_version = max(coalesce(approved_version, 0), ?), updated_at = ? where id = ?'),
    };
  }

  private insertJournal: BetterSqlite3.Statement | undefined;
  /** Prepared when the first journal event arrives: a ledger opened at an older schema (migration tests) has no journal table. */
  private journalInsert(): BetterSqlite3.Statement {
    return (this.insertJournal ??= this.sqlite.prepare(
      'insert into server_reconcile_journal (seq, event_id, type, day, provider, amount, by, at, payload, hash) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    ));
  }

  cursor(): ChainPoint {
    const r = this.st.cursor.get() as { last_seq: number; last_hash: string };
    return { seq: r.last_seq, hash: r.last_hash };
  }

  /**
   * Before a catch-up of `remaining` events: sets the bulk tables' indexes aside when that is cheaper (bulk-indexes.ts),
   * and then also holds the summaries back until the end of the catch-up (see `bulk`).
   */
  deferIndexesFor(remaining: number): number {
    const n = worthDeferring(this.sqlite, remaining) ? deferIndexes(this.sqlite) : 0;
    this.bulk = n > 0;
    return n;
  }

  /**
   * Builds again the indexes a catch-up set aside, then sums what the summaries
   * were not yet given, in one transaction; both are no-ops when nothing was held
   * back (also at open, after a stop mid catch-up).
   */
  restoreIndexes(): number {
    const n = restoreIndexes(this.sqlite);
    this.bulk = false;
    this.sqlite.transaction(() => {
      for (const hook of this.ledgerWrites) hook.afterPage(this.sqlite);
    })();
    return n;
  }

  /**
   * Applies one page, or one slice of a page (`endOfPage` false but for its last), atomically; returns the new cursor.
   * Throws SyncError, writing nothing, on any problem.
   */
  applyPage(entries: readonly PageEntry[], headSeq: number, endOfPage = true): ChainPoint {
    this.rounds.clear();
    this.payKeys.begin();
    const run = this.sqlite.transaction(() => {
      let { seq, hash } = this.cursor();
      for (const e of entries) {
        if (e.seq !== seq + 1) throw new SyncError('sync.gap', { expected: seq + 1, got: e.seq });
        const expected = expectedHash(hash, e.seq, e.text ?? null, e.digest ?? null);
        if (expected !== e.hash) throw new SyncError('sync.hashMismatch', { seq: e.seq });
        // A redacted event touches no lot: it only keeps the chain.
        if (e.digest !== undefined) this.st.insertRedacted.run(e.seq, e.hash, e.digest);
        else this.applyEvent(e);
        // The uses folded into a checkpoint count from their last one, in the same transaction.
        if (e.checkpoints) for (const c of e.checkpoints) this.folds.apply(c, e.seq);
        seq = e.seq;
        hash = e.hash;
      }
      for (const [roundId, r] of this.rounds) if (r.touched) this.st.setSold.run(roundId, r.sold, r.lots);
      this.payKeys.write(seq, endOfPage);
      // What is derived from the log (the report summaries) commits with the page, except in a large catch-up.
      if (!this.bulk) for (const hook of this.ledgerWrites) hook.afterPage(this.sqlite);
      this.st.setCursor.run(seq, hash, headSeq);
      return { seq, hash };
    });
    try {
      const cursor = run();
      this.payKeys.committed();
      return cursor;
    } catch (e) {
      this.payKeys.rolledBack();
      if (e instanceof SyncError && e.key === 'compaction.foldMismatch') this.dropFoldsOf(entries);
      if (e instanceof SyncError) throw e;
      // A constraint the database itself holds (unique event id, a CHECK on a lot).
      throw new SyncError('sync.ruleBroken', { seq: entries[0]?.seq ?? 0, detail: e instanceof Error ? e.message : String(e) });
    }
  }

  /**
   * A fold event refused because the checkpoints taken for it do not hash to
   * its roots: those came in earlier pages (each sits after its last folded
   * use, the fold event far later) and are committed. Cut the log back to the
   * first of them so no balance they added stays; the next sync fetches that
   * range again.
   */
  private dropFoldsOf(entries: readonly PageEntry[]): void {
    const foldIds = entries.flatMap((e) => (e.event?.type === 'uses_folded' ? [e.event.foldId] : []));
    const from = this.folds.firstSeqOf(foldIds);
    if (from !== null) this.truncateFrom(from);
  }

  /**
   * Cuts the local log back to just before `fromSeq` (or before the run held
   * as one link that `fromSeq` falls in) and rebuilds the state derived from it
   * by replaying what remains, so the range from there can be fetched again. The one place synced history is deleted; it raises the
   * repair flag the delete triggers look for, inside its own transaction.
   */
  truncateFrom(fromSeq: number): ChainPoint {
    return this.sqlite.transaction(() => {
      this.sqlite.prepare('insert into sync_repair (id) values (1)').run();
      // A run held as one link (a snapshot's, snapshot-ranges.ts) that the cut falls in goes whole, by its last
      // sequence: the hashes within it are not held, so the cursor goes back to the event before it.
      // use_folds goes in cutFrom, with the checkpoints that name its folds.
      for (const t of LOG_TABLES) if (t !== 'use_folds') this.sqlite.prepare(`delete from ${t} where seq >= ?`).run(fromSeq);
      this.payKeys.cutFrom(fromSeq);
      const folded = this.folds.cutFrom(fromSeq);
      this.sqlite.prepare('delete from lots').run();
      this.sqlite.prepare('delete from round_sales').run();
      this.rounds.clear();
      const rows = this.sqlite
        .prepare(LOCAL_LOG)
        .all() as { seq: number; payload: string | null; hash: string | null }[];
      let cursor: ChainPoint = { seq: 0, hash: LOG_GENESIS };
      for (const row of rows) {
        if (row.payload !== null) this.applyEvent({ seq: row.seq, hash: row.hash ?? '', text: row.payload, event: JSON.parse(row.payload) as SyncEvent }, false);
        for (const c of folded.get(row.seq) ?? []) this.st.addUsed.run(c.applied, c.lotId);
        if (row.hash) cursor = { seq: row.seq, hash: row.hash };
      }
      for (const [roundId, r] of this.rounds) if (r.touched) this.st.setSold.run(roundId, r.sold, r.lots);
      this.rounds.clear();
      for (const hook of this.ledgerWrites) hook.afterCut(this.sqlite);
      this.sqlite.prepare("update sync_state set last_seq = ?, last_hash = ?, chain_status = 'unchecked', mismatch_seq = null where id = 1").run(cursor.seq, cursor.hash);
      this.sqlite.prepare('delete from sync_repair').run();
      return cursor;
    })();
  }

  /**
   * Recomputes the local chain from the stored event texts and returns the
   * first sequence whose stored hash no longer follows (an edited event or
   * hash, or a missing one), or null when the whole local log chains.
   */
  firstLocalBreak(): number | null {
    const rows = this.sqlite
      .prepare(LOCAL_LOG)
      .raw()
      .iterate() as IterableIterator<[number, string | null, string | null, string | null, number | null]>;
    let prev = LOG_GENESIS;
    let expectedSeq = 1;
    for (const [seq, payload, hash, digest, from] of rows) {
      // A run of unreadable events is one link: its hash is the one the next event must follow from (and the signed head, at the end).
      const ok = from !== null ? from === expectedSeq && hash !== null : seq === expectedSeq && hash !== null && expectedHash(prev, seq, payload, digest) === hash;
      if (!ok) {
        rows.return?.();
        return expectedSeq;
      }
      prev = hash!;
      expectedSeq = seq + 1;
    }
    const cursor = this.cursor();
    if (expectedSeq - 1 !== cursor.seq || prev !== cursor.hash) return Math.min(expectedSeq, cursor.seq);
    return null;
  }

  private round(roundId: string, seq: number): RoundTally {
    let r = this.rounds.get(roundId);
    if (!r) {
      const payload = this.st.latestPublication.get(roundId) as string | undefined;
      if (payload === undefined) throw new SyncError('sync.ruleBroken', { seq, detail: `round ${roundId} was never published` });
      const sales = this.st.sold.get(roundId) as { sold_face: number; lot_count: number } | undefined;
      r = { spec: (JSON.parse(payload) as RoundPublished).spec, sold: sales?.sold_face ?? 0, lots: sales?.lot_count ?? 0, touched: false, added: this.addedStock(roundId, seq) };
      this.rounds.set(roundId, r);
    }
    return r;
  }

  /** Stock added during the round's live sale by the steering events before `seq` (prepared when first needed, as the closings are). */
  private addedStock(roundId: string, seq: number): number {
    // A migration's test runs this applier on a database from before 0027, which has no steering and no such table.
    if (this.addedStockBefore === undefined) {
      if (!this.sqlite.prepare("select 1 from sqlite_master where type = 'table' and name = 'sale_steering_events'").get()) return 0;
      this.addedStockBefore = this.sqlite.prepare('select added_stock from sale_steering_events where round_id = ? and seq < ? order by seq desc limit 1');
    }
    return (this.addedStockBefore.get(roundId, seq) as { added_stock: number } | undefined)?.added_stock ?? 0;
  }

  /**
   * A new version of a round judges the sales after it; the sales before it
   * still count. The running tally is kept (it may hold sales of this page not
   * yet written to round_sales) and only its spec is replaced. Taken from the
   * event rather than the table, so a repair replaying the log judges each
   * sale by the version in effect at its place in the log.
   */
  private takeSpec(ev: RoundPublished, seq: number): void {
    const r = this.rounds.get(ev.roundId);
    if (r) {
      r.spec = ev.spec;
      return;
    }
    const sales = this.st.sold.get(ev.roundId) as { sold_face: number; lot_count: number } | undefined;
    this.rounds.set(ev.roundId, { spec: ev.spec, sold: sales?.sold_face ?? 0, lots: sales?.lot_count ?? 0, touched: false, added: this.addedStock(ev.roundId, seq) });
  }

  /** `record` false replays an event already in the local log (a repair rebuilding derived state). */
  private applyEvent(e: FullEntry, record = true): void {
    const ev = e.event;
    if (ev.type === 'round_published') {
      this.takeSpec(ev, e.seq);
      if (record) return this.publish(e, ev);
      return void this.st.statusAfterPublication.run(ev.version, ev.roundId);
    }
    if (ev.type === 'round_status') return this.setStatus(e, ev, record);
    if (ev.type === 'day_closing') return this.dayClosing(e, ev, record);
    if (ev.type === 'adjustment_booked' || ev.type === 'reconcile_day_locked' || ev.type === 'reconcile_day_reopened') {
      // The server's journal touches no lot or round: it is kept as the server wrote it, for the reconcile page.
      if (record) this.journalInsert().run(e.seq, ev.eventId, ev.type, ev.day, ev.provider, ev.type === 'adjustment_booked' ? ev.amount : null, ev.by, ev.at, e.text, e.hash);
      return;
    }
    if (ev.type === 'sale_steered') return this.saleSteered(e, ev, record);
    if (ev.type === 'uses_folded') return this.usesFolded(e, ev, record);
    const r = this.round(ev.roundId, e.seq);
    if (ev.type === 'purchase') return this.purchase(e, ev, r, record);
    const row = this.st.lot.get(ev.lotId) as LotsTable | undefined;
    if (!row || row.round_id !== ev.roundId) throw new SyncError('sync.ruleBroken', { seq: e.seq, detail: `unknown lot ${ev.lotId}` });
    const lot = lotFromRow(row);
    const giftMonth = ev.type === 'gift' ? seoulMonthKey(ev.at) : null;
    const gift =
      ev.type === 'gift'
        ? { recipientMonthReceived: this.st.giftsReceived.get(ev.toBuyerId, row.scope, giftMonth) as number, recipientHolding: this.st.holding.get(ev.toBuyerId, row.scope) as number }
        : undefined;
    const verdict = applyToLot(lot, ev, r.spec, gift);
    if (!verdict.ok) throw new SyncError('sync.ruleBroken', { seq: e.seq, detail: verdict.key });
    const next = verdict.value;
    this.st.updateLot.run(next.holderId, next.used, next.refunded, next.status, next.gifted ? 1 : 0, giftMonth, next.lotId);
    if (ev.type === 'cancel') {
      // A cancelled lot goes back to stock, as in LedgerStore.
      r.sold -= lot.face;
      r.lots--;
      r.touched = true;
    }
    if (record) this.insertEvent(e, ev, row.district_code, row.payment_method, ev.type === 'gift' ? 0 : ev.amount);
  }

  private purchase(e: FullEntry, ev: PurchaseEvent, r: RoundTally, record: boolean): void {
    const spec = r.spec;
    const verdict = checkPurchaseAgainstRound(withAddedStock(spec, r.added), r.sold, ev);
    if (!verdict.ok) throw new SyncError('sync.ruleBroken', { seq: e.seq, detail: verdict.key });
    const lot = newLot(ev, spec);
    this.st.insertLot.run(lot.lotId, lot.roundId, lot.buyerId, lot.holderId, limitScope(spec), lot.districtCode, lot.paymentMethod, lot.face, lot.paid, lot.discountBp, lot.purchasedAt, seoulMonthKey(ev.at), lot.expiresAt);
    r.sold += ev.face;
    r.lots++;
    r.touched = true;
    if (record) this.insertEvent(e, ev, ev.districtCode, ev.paymentMethod, ev.face);
  }

  private insertEvent(e: FullEntry, ev: LedgerEvent, district: string, method: string, amount: number): void {
    // Stored in UTC with milliseconds, so date filters can compare the text.
    // Payment references (event version 2) go to their columns, so settlement rows are matched by key or by time.
    const pay = payColumns(ev);
    this.st.insertEvent.run(e.seq, ev.eventId, ev.type, ev.roundId, ev.lotId, district, amount, method, storedUtc(ev.at), e.text, e.hash, ...pay);
    // Found by key through pay_keys (migration 0044), written at the page's end (0045).
    if (pay[1] !== null) this.payKeys.add(pay[0]!, pay[1], e.seq);
  }

  /** After the server refused a lifecycle step: the round's status as the server last recorded it (approved once published). */
  restoreServerStatus(roundId: string, at: string): void {
    const status = (this.st.lastServerStatus.get(roundId) as string | undefined) ?? (this.st.isPublished.get(roundId) ? 'approved' : undefined);
    if (status) this.st.setStatus.run(status, at, roundId);
  }

  /**
   * After the server refused to publish a version this console approved: the
   * approval did not take effect. The version in effect is the last one the
   * server published and the status is the server's (a draft if nothing was
   * ever published). The version row keeps the local approval as history (it
   * is immutable); the round needs a new version to be proposed again.
   */
  undoRefusedApproval(roundId: string, version: number, at: string): void {
    this.sqlite.transaction(() => {
      if (this.st.publishedVersion.get(roundId, version)) return;
      this.st.setApprovedVersion.run((this.st.lastPublishedVersion.get(roundId) as number | undefined) ?? null, at, roundId);
      const status = (this.st.lastServerStatus.get(roundId) as string | undefined) ?? (this.st.isPublished.get(roundId) ? 'approved' : 'draft');
      this.st.setStatus.run(status, at, roundId);
    })();
  }

  /** A district's day closed or reopened on the server; the counter reads the latest of these before it takes work. */
  /** A live sale steered on the server: kept as written; stock added during the sale counts when later purchases are checked. */
  private saleSteered(e: FullEntry, ev: SaleSteeredEvent, record: boolean): void {
    this.insertSteering ??= this.sqlite.prepare(
      'insert into sale_steering_events (seq, event_id, round_id, kind, added_stock, by, proposed_by, at, payload, hash) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    );
    if (record) this.insertSteering.run(e.seq, ev.eventId, ev.roundId, ev.change.kind, ev.controls.addedStock, ev.by, ev.proposedBy ?? null, new Date(ev.at).toISOString(), e.text, e.hash);
    this.round(ev.roundId, e.seq).added = ev.controls.addedStock;
  }

  /** A fold of settled uses: kept as written, after checking the checkpoints received for it against the roots it names. */
  private usesFolded(e: FullEntry, ev: UsesFoldedEvent, record: boolean): void {
    if (!record) return;
    this.folds.checkFold(ev, e.seq);
    this.folds.recordFold(e.seq, ev, e.text, e.hash);
  }

  private dayClosing(e: FullEntry, ev: DayClosingEvent, record: boolean): void {
    // Prepared when first needed: a migration's test runs this applier on a database from before 0016.
    this.insertClosing ??= this.sqlite.prepare('insert into day_closing_events (seq, event_id, district_code, day, closed, by, at, reason, payload, hash) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)');
    if (record) this.insertClosing.run(e.seq, ev.eventId, ev.districtCode, ev.day, ev.closed ? 1 : 0, ev.by, new Date(ev.at).toISOString(), ev.reason ?? null, e.text, e.hash);
  }

  /** The server moved a round through its lifecycle: its word wins over the status this console set. */
  private setStatus(e: FullEntry, ev: RoundStatusEvent, record: boolean): void {
    if (record) this.st.insertStatus.run(e.seq, ev.eventId, ev.roundId, ev.status, ev.version, ev.by, e.text, e.hash);
    this.st.setStatus.run(ev.status, ev.at, ev.roundId);
  }

  /**
   * A round version became the record. Rounds from other consoles are
   * created locally, owned by the `server` user; a round this console wrote
   * must match what it published, or the copies have diverged.
   */
  private publish(e: FullEntry, ev: RoundPublished): void {
    this.st.insertPublication.run(e.seq, ev.eventId, ev.roundId, ev.version, ev.publishedBy, e.text, e.hash);
    const spec = JSON.stringify(ev.spec);
    const existing = this.st.round.get(ev.roundId) as { id: string } | undefined;
    if (!existing) {
      this.st.insertRound.run(ev.roundId, ev.version, ev.version, ev.at, ev.at);
      this.st.insertVersion.run(ev.roundId, ev.version, spec, ev.at, ev.at);
      return;
    }
    const local = this.st.version.get(ev.roundId, ev.version) as string | undefined;
    if (local === undefined) {
      this.st.insertVersion.run(ev.roundId, ev.version, spec, ev.at, ev.at);
    } else if (canonicalEvent(JSON.parse(local)) !== canonicalEvent(ev.spec)) {
      throw new SyncError('sync.localVersionDiffers', { roundId: ev.roundId, version: ev.version });
    } else {
      this.st.approveVersion.run(ev.at, ev.roundId, ev.version);
    }
    this.st.advanceRound.run(ev.version, ev.version, ev.at, ev.roundId);
    this.st.statusAfterPublication.run(ev.version, ev.roundId);
  }
}
