import { addBusinessDays, businessDaysBetween, seoulDay } from './days.js';
import { LedgerIndex } from './ledger-index.js';
import type { LedgerTx } from './ledger-tx.js';
import type { SettlementRow } from './profile.js';

export const EXCEPTION_CLASSES = ['amount_mismatch', 'only_in_file', 'only_in_ledger', 'duplicate', 'cancel_without_original', 'other_day'] as const;
export type ExceptionClass = (typeof EXCEPTION_CLASSES)[number];
export type Explanation = 'fee' | 'vat' | 'feeVat' | null;

export interface ReconcileException {
  class: ExceptionClass;
  /** File line, when the difference is a file row. */
  line: number | null;
  tid: string | null;
  /** The record's transaction key, when the difference involves one (pass 2 may place a row on another key). */
  ledgerTid: string | null;
  eventId: string | null;
  districtCode: string | null;
  fileAmount: number | null;
  ledgerAmount: number | null;
  /** For an amount mismatch: whether the provider's fee and/or VAT account for the difference. */
  explainedBy: Explanation;
}

export interface DayTotal {
  day: string;
  count: number;
  /** Signed: cancellations count negative. */
  amount: number;
  fee: number;
  vat: number;
  net: number;
}

export interface MatchResult {
  /** The day the file settles: the approval day most of its rows carry. */
  day: string;
  rows: number;
  matched: number;
  /** Matched by amount and time (pass 2): their lines. */
  matchedByTime: number[];
  exceptions: ReconcileException[];
  byApprovalDay: DayTotal[];
  byPayoutDay: DayTotal[];
  /** The record's side for the file's day: count and signed amount. */
  ledger: { count: number; amount: number };
}

export interface MatchOptions {
  /** Pass 2 window, in business days either side; default 1. */
  windowBusinessDays?: number;
  /** Business days from approval to payout in the provider's contract. */
  payoutLagDays: number;
  /** Whether a key is in the record at all (any day): a cancellation whose original is not is an orphan. */
  knownTid?: (tid: string) => boolean;
}

/** Whether fee and/or VAT explain the difference between what the record says and what the file says. */
export function explain(ledgerAmount: number, row: Pick<SettlementRow, 'amount' | 'fee' | 'vat'>): Explanation {
  const diff = ledgerAmount - row.amount;
  if (diff === 0) return null;
  if (diff === row.fee + row.vat) return 'feeVat';
  if (diff === row.fee) return 'fee';
  if (diff === row.vat) return 'vat';
  return null;
}

function addTotal(map: Map<string, DayTotal>, day: string, r: SettlementRow): void {
  let t = map.get(day);
  if (!t) map.set(day, (t = { day, count: 0, amount: 0, fee: 0, vat: 0, net: 0 }));
  const sign = r.type === 'cancel' ? -1 : 1;
  t.count++;
  t.amount += sign * r.amount;
  t.fee += sign * r.fee;
  t.vat += sign * r.vat;
  t.net += sign * r.net;
}

/**
 * Matches a provider's settlement rows against the record, streaming: rows go
 * in one at a time and only the ones pass 1 cannot place are kept, so a
 * million-row file costs the ledger index and little more.
 *
 * Pass 1: the provider's transaction key. Pass 2 (rows the key did not place):
 * same kind and amount, approval within the window, nearest in time first.
 * A key seen twice is a duplicate; a cancellation whose original is in neither
 * the record nor the file is an orphan; a row placed on a transaction approved
 * on another day, or paid out on another day than the contract says, was
 * settled on another day.
 */
export class SettlementMatcher {
  private readonly ledger: LedgerIndex;
  private readonly used: Uint8Array;
  private readonly unplaced: SettlementRow[] = [];
  private readonly fileTids = new Set<string>();
  private readonly dayCounts = new Map<string, number>();
  private readonly byApproval = new Map<string, DayTotal>();
  private readonly byPayout = new Map<string, DayTotal>();
  private readonly exceptions: ReconcileException[] = [];
  private readonly matchedByTime: number[] = [];
  private matched = 0;
  private rows = 0;
  /** Milliseconds `finish` spent in pass 2 and in classifying the record's side (the benchmark reports them). */
  readonly timing = { pass2Ms: 0, classifyMs: 0 };

  /** `ledger`: the record's payments, columnar (as the loader reads them) or as objects (tests, small sets). */
  constructor(
    ledger: LedgerIndex | readonly LedgerTx[],
    private readonly o: MatchOptions,
  ) {
    this.ledger = ledger instanceof LedgerIndex ? ledger : LedgerIndex.from(ledger);
    this.used = new Uint8Array(this.ledger.size);
  }

  add(r: SettlementRow): void {
    this.rows++;
    this.dayCounts.set(r.approvedDay, (this.dayCounts.get(r.approvedDay) ?? 0) + 1);
    addTotal(this.byApproval, r.approvedDay, r);
    addTotal(this.byPayout, r.payoutDay, r);
    const i = this.ledger.keys.get(r.tid);
    if (i < 0 || this.ledger.kindOf(i) !== r.type) {
      this.unplaced.push(r);
      return;
    }
    if (this.used[i]) {
      this.exceptions.push(this.fileException('duplicate', r, i));
      return;
    }
    this.used[i] = 1;
    this.place(r, i, 1);
  }

  private place(r: SettlementRow, i: number, pass: 1 | 2): void {
    const amount = this.ledger.amount[i]!;
    if (amount !== r.amount) {
      this.exceptions.push({ ...this.fileException('amount_mismatch', r, i), explainedBy: explain(amount, r) });
      return;
    }
    const day = this.dayOf(this.ledger.approvedMs[i]!);
    if (day !== r.approvedDay || r.payoutDay !== this.payoutOf(day)) {
      this.exceptions.push(this.fileException('other_day', r, i));
      return;
    }
    this.matched++;
    if (pass === 2) this.matchedByTime.push(r.line);
  }

  /** Seoul day and contracted payout day, memoised: a million rows fall on a handful of days. */
  private readonly days = new Map<number, string>();
  private readonly payouts = new Map<string, string>();
  private dayOf(ms: number): string {
    const n = Math.floor((ms + 9 * 3_600_000) / 86_400_000);
    let d = this.days.get(n);
    if (d === undefined) this.days.set(n, (d = seoulDay(ms)));
    return d;
  }
  private payoutOf(day: string): string {
    let p = this.payouts.get(day);
    if (p === undefined) this.payouts.set(day, (p = addBusinessDays(day, this.o.payoutLagDays)));
    return p;
  }

  /** An exception on a file row; `i` is the record's row it was placed on, if any. */
  private fileException(cls: ExceptionClass, r: SettlementRow, i = -1): ReconcileException {
    const l = this.ledger;
    return {
      class: cls,
      line: r.line,
      tid: r.tid,
      ledgerTid: i >= 0 ? l.tidOf(i) : null,
      eventId: i >= 0 ? l.eventIdOf(i) || null : null,
      districtCode: i >= 0 ? l.districtOf(i) : null,
      fileAmount: r.amount,
      ledgerAmount: i >= 0 ? l.amount[i]! : null,
      explainedBy: null,
    };
  }

  finish(): MatchResult {
    let day = '';
    let most = -1;
    for (const [d, n] of this.dayCounts) if (n > most || (n === most && d < day)) [day, most] = [d, n];
    const window = this.o.windowBusinessDays ?? 1;
    const l = this.ledger;
    const t0 = performance.now();

    // Pass 2 over what the key did not place: candidates by kind and amount among the unused.
    const byAmount = new Map<string, number[]>();
    if (this.unplaced.length > 0) {
      for (let i = 0; i < l.size; i++) {
        if (this.used[i]) continue;
        const k = `${l.kind[i]}:${l.amount[i]}`;
        const list = byAmount.get(k);
        if (list) list.push(i);
        else byAmount.set(k, [i]);
      }
    }
    for (const r of this.unplaced) if (r.type === 'approval') this.fileTids.add(r.tid);
    for (const r of this.unplaced) {
      const candidates = byAmount.get(`${r.type === 'approval' ? 1 : 2}:${r.amount}`) ?? [];
      let best = -1;
      let bestGap = Infinity;
      for (const i of candidates) {
        if (this.used[i]) continue;
        if (Math.abs(businessDaysBetween(this.dayOf(l.approvedMs[i]!), r.approvedDay)) > window) continue;
        const gap = Math.abs(l.approvedMs[i]! - r.approvedMs);
        if (gap < bestGap) [best, bestGap] = [i, gap];
      }
      if (best >= 0) {
        this.used[best] = 1;
        this.place(r, best, 2);
        continue;
      }
      const orphan =
        r.type === 'cancel' &&
        (r.originalTid === null || (!l.keys.has(r.originalTid) && !this.fileTids.has(r.originalTid) && !(this.o.knownTid?.(r.originalTid) ?? false)));
      this.exceptions.push(this.fileException(orphan ? 'cancel_without_original' : 'only_in_file', r));
    }

    const t1 = performance.now();
    this.timing.pass2Ms = t1 - t0;
    // The record's side of the file's day, and what of it the file never mentioned. Days are
    // compared as day numbers: no string per row.
    const dayNo = Math.floor((Date.parse(`${day}T00:00:00+09:00`) + 9 * 3_600_000) / 86_400_000);
    let ledgerCount = 0;
    let ledgerAmount = 0;
    for (let i = 0; i < l.size; i++) {
      if (Math.floor((l.approvedMs[i]! + 9 * 3_600_000) / 86_400_000) !== dayNo) continue;
      ledgerCount++;
      ledgerAmount += l.kind[i] === 2 ? -l.amount[i]! : l.amount[i]!;
      if (!this.used[i]) {
        const tid = l.tidOf(i);
        this.exceptions.push({ class: 'only_in_ledger', line: null, tid, ledgerTid: tid, eventId: l.eventIdOf(i) || null, districtCode: l.districtOf(i), fileAmount: null, ledgerAmount: l.amount[i]!, explainedBy: null });
      }
    }
    const sorted = (m: Map<string, DayTotal>) => [...m.values()].sort((a, b) => a.day.localeCompare(b.day));
    this.timing.classifyMs = performance.now() - t1;
    return {
      day,
      rows: this.rows,
      matched: this.matched,
      matchedByTime: this.matchedByTime,
      exceptions: this.exceptions,
      byApprovalDay: sorted(this.byApproval),
      byPayoutDay: sorted(this.byPayout),
      ledger: { count: ledgerCount, amount: ledgerAmount },
    };
  }
}
