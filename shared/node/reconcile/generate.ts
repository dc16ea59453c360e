import iconv from 'iconv-lite';
import { addBusinessDays, seoulDay } from '../../reconcile/days.js';
import type { LedgerTx } from '../../reconcile/ledger-tx.js';
import type { ExceptionClass } from '../../reconcile/match.js';
import type { SettlementProfile } from '../../reconcile/profile.js';
import { streams } from '../../simulation/random.js';

/**
 * Writes settlement files as providers would, for development, tests and
 * demos, with discrepancies injected on purpose and a manifest of exactly what
 * was injected and how matching must classify it.
 */

export type FileEncoding = 'utf-8' | 'utf-8-bom' | 'cp949';

/** What each provider keeps: fee in basis points of the amount; VAT is 10% of the fee. */
const FEE_BP: Record<string, number> = { hecto: 30, toss: 160, kicc: 100 };

interface Record_ {
  type: 'approval' | 'cancel';
  tid: string;
  originalTid: string | null;
  approvalNo: string;
  approvedMs: number;
  amount: number;
  fee: number;
  vat: number;
  net: number;
  payoutDay: string;
}

export interface Injected {
  kind: 'missing' | 'extra' | 'amountByFee' | 'amountChanged' | 'duplicate' | 'orphanCancel' | 'lateSettled' | 'rekeyed';
  /** How matching must classify it; `matched` for a row only pass 2 can place. */
  class: ExceptionClass | 'matched';
  line: number | null;
  tid: string;
  eventId: string | null;
}

export interface Manifest {
  provider: string;
  profileId: string;
  day: string;
  encoding: FileEncoding;
  rows: number;
  /** Rows that must match (by key or, for `rekeyed`, by time). */
  matched: number;
  injected: Injected[];
}

export interface GenerateOptions {
  seed?: number;
  encoding?: FileEncoding;
  /** Inject discrepancies (default true); false writes a clean file. */
  inject?: boolean;
}

const fee = (provider: string, amount: number) => Math.floor((amount * (FEE_BP[provider] ?? 100)) / 10_000);

function record(provider: string, t: LedgerTx, lagDays: number): Record_ {
  const f = fee(provider, t.amount);
  const v = Math.floor(f / 10);
  return {
    type: t.kind,
    tid: t.tid,
    originalTid: t.originalTid,
    approvalNo: String(t.approvedMs % 100_000_000).padStart(8, '0'),
    approvedMs: t.approvedMs,
    amount: t.amount,
    fee: f,
    vat: v,
    net: t.amount - f - v,
    payoutDay: addBusinessDays(seoulDay(t.approvedMs), lagDays),
  };
}

/** Seoul date and time of an instant as the profile writes them. */
function dateTime(ms: number, p: SettlementProfile): [string, string] {
  const iso = new Date(ms + 9 * 3_600_000).toISOString();
  const day = iso.slice(0, 10);
  const time = iso.slice(11, 19);
  return [p.dateFormat === 'YYYYMMDD' ? day.replaceAll('-', '') : day, p.shape === 'fixed' || p.header === 'hecto' ? time.replaceAll(':', '') : time];
}

function fields(r: Record_, p: SettlementProfile): Record<string, string> {
  const [date, time] = dateTime(r.approvedMs, p);
  const payout = p.dateFormat === 'YYYYMMDD' ? r.payoutDay.replaceAll('-', '') : r.payoutDay;
  return {
    type: r.type === 'approval' ? p.approvalValue : p.cancelValue,
    tid: r.tid,
    originalTid: r.originalTid ?? '',
    approvalNo: r.approvalNo,
    approvedDate: date,
    approvedTime: time,
    amount: String(r.amount),
    fee: String(r.fee),
    vat: String(r.vat),
    net: String(r.net),
    payoutDate: payout,
  };
}

/** The text of a file in the profile's shape. */
export function formatSettlement(records: readonly Record_[], p: SettlementProfile): string {
  const lines: string[] = [];
  if (p.shape === 'fixed') {
    for (const r of records) {
      const f = fields(r, p);
      let line = '';
      for (const c of [...p.columns].sort((a, b) => a.start! - b.start!)) {
        const v = f[c.field]!;
        const numeric = c.field === 'amount' || c.field === 'fee' || c.field === 'vat' || c.field === 'net';
        line = line.padEnd(c.start!, ' ') + (numeric ? v.padStart(c.width!, '0') : v.padEnd(c.width!, ' ')).slice(0, c.width!);
      }
      lines.push(line);
    }
    return lines.join('\n') + '\n';
  }
  const d = p.delimiter ?? ',';
  const width = Math.max(...p.columns.map((c) => c.index ?? 0)) + 1;
  const ordered = p.header === 'named' ? p.columns : [...p.columns].sort((a, b) => a.index! - b.index!);
  if (p.header === 'hecto') lines.push(`0000|정상|${records.length}|`);
  if (p.header === 'named') lines.push(ordered.map((c) => c.header).join(d));
  for (const r of records) {
    const f = fields(r, p);
    if (p.header === 'named') lines.push(ordered.map((c) => f[c.field]).join(d));
    else {
      const cells = new Array<string>(width).fill('');
      for (const c of p.columns) cells[c.index!] = f[c.field]!;
      // Hecto ends every record with the delimiter, as its header does.
      lines.push(cells.join(d) + (p.header === 'hecto' ? d : ''));
    }
  }
  // CSV made on Windows ends lines with CR LF.
  return lines.join(p.header === 'named' ? '\r\n' : '\n') + (p.header === 'named' ? '\r\n' : '\n');
}

export function encodeText(text: string, encoding: FileEncoding): Buffer {
  if (encoding === 'cp949') return iconv.encode(text, 'cp949');
  const body = Buffer.from(text, 'utf8');
  return encoding === 'utf-8-bom' ? Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), body]) : body;
}

/**
 * A day's file for one provider from the record's transactions of that day
 * (`ledger`: the provider's, approved that Seoul day), with one or two of each
 * discrepancy injected when the day has enough sales to carry them.
 */
export function generateSettlement(ledger: readonly LedgerTx[], profile: SettlementProfile, day: string, o: GenerateOptions = {}): { bytes: Buffer; manifest: Manifest } {
  const rs = streams(o.seed ?? 1);
  const provider = profile.provider;
  const txs = ledger.filter((t) => seoulDay(t.approvedMs) === day).sort((a, b) => a.approvedMs - b.approvedMs || a.tid.localeCompare(b.tid));
  const records: (Record_ & { eventId: string | null; kind?: Injected['kind'] })[] = txs.map((t) => ({ ...record(provider, t, profile.payoutLagDays), eventId: t.eventId }));
  const injected: Omit<Injected, 'line'>[] = [];
  const fresh = (n: number) => (provider === 'toss' ? `tgen_x${day.replaceAll('-', '')}${String(n).padStart(12, '0')}` : `9${day.slice(2).replaceAll('-', '')}${String(n).padStart(13, '0')}`);
  const dayStart = Date.parse(`${day}T00:00:00+09:00`);
  // Amounts ending in 7 won: no sale (whole tens of won) can match them by amount.
  const oddRecord = (n: number, type: Record_['type'], originalTid: string | null): Record_ => ({
    ...record(provider, { eventId: '', kind: type, tid: fresh(n), originalTid, approvedMs: dayStart + 36_000_000 + n * 1_000, amount: 10_007 + 1_000 * rs.amounts.below(50), districtCode: '' }, profile.payoutLagDays),
  });

  if (o.inject !== false && records.filter((r) => r.type === 'approval').length >= 9) {
    // Distinct approvals to tamper with, drawn by the seed; cancellations in the file keep their originals.
    const cancelled = new Set(records.map((c) => c.originalTid));
    const pool = records.filter((r) => r.type === 'approval' && !cancelled.has(r.tid));
    for (let i = pool.length - 1; i > 0; i--) {
      const j = rs.order.below(i + 1);
      [pool[i], pool[j]] = [pool[j]!, pool[i]!];
    }
    const take = () => pool.pop()!;
    for (let k = 0; k < 2; k++) {
      const r = take();
      records.splice(records.indexOf(r), 1);
      injected.push({ kind: 'missing', class: 'only_in_ledger', tid: r.tid, eventId: r.eventId });
    }
    const byFee = take();
    byFee.amount = byFee.amount - byFee.fee - byFee.vat;
    byFee.kind = 'amountByFee';
    const changed = take();
    changed.amount += 1_000;
    changed.kind = 'amountChanged';
    const late = take();
    late.payoutDay = addBusinessDays(late.payoutDay, 1);
    late.kind = 'lateSettled';
    const rekeyed = take();
    rekeyed.tid = fresh(900);
    rekeyed.kind = 'rekeyed';
    const dup = take();
    dup.kind = undefined;
    records.splice(records.lastIndexOf(dup) + 1, 0, { ...dup, kind: 'duplicate' });
    records.push({ ...oddRecord(901, 'approval', null), eventId: null, kind: 'extra' }, { ...oddRecord(902, 'approval', null), eventId: null, kind: 'extra' });
    records.push({ ...oddRecord(903, 'cancel', fresh(904)), eventId: null, kind: 'orphanCancel' });
  }

  const classOf: Record<Exclude<Injected['kind'], 'missing'>, Injected['class']> = {
    amountByFee: 'amount_mismatch',
    amountChanged: 'amount_mismatch',
    lateSettled: 'other_day',
    rekeyed: 'matched',
    duplicate: 'duplicate',
    extra: 'only_in_file',
    orphanCancel: 'cancel_without_original',
  };
  const firstLine = profile.header === 'none' ? 1 : 2;
  const all: Injected[] = injected.map((i) => ({ ...i, line: null }));
  records.forEach((r, i) => {
    if (r.kind) all.push({ kind: r.kind, class: classOf[r.kind as keyof typeof classOf], line: firstLine + i, tid: r.tid, eventId: r.eventId });
  });
  const exceptionsInFile = all.filter((i) => i.line !== null && i.class !== 'matched').length;
  const encoding = o.encoding ?? (profile.header === 'named' ? 'cp949' : 'utf-8');
  return {
    bytes: encodeText(formatSettlement(records, profile), encoding),
    manifest: { provider, profileId: profile.id, day, encoding, rows: records.length, matched: records.length - exceptionsInFile, injected: all },
  };
}
