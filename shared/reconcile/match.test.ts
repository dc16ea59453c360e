import { describe, expect, it } from 'vitest';
import { explain, SettlementMatcher } from './match.js';
import type { LedgerTx } from './ledger-tx.js';
import type { SettlementRow } from './profile.js';

// 2026-03-10 is a Tuesday, an ordinary business day; its contracted payout (one business day) is 03-11.
const DAY = '2026-03-10';
const PAYOUT = '2026-03-11';
const KST = 9 * 3_600_000;
const at = (hh: number) => Date.parse(`${DAY}T00:00:00Z`) - KST + hh * 3_600_000;

const ledgerTx = (tid: string, kind: LedgerTx['kind'], amount: number, hh: number, originalTid: string | null = null): LedgerTx => ({
  eventId: `e-${tid}`, kind, tid, originalTid, approvedMs: at(hh), amount, districtCode: '11440',
});
const fileRow = (line: number, tid: string, type: SettlementRow['type'], amount: number, o: { fee?: number; vat?: number; originalTid?: string | null; hh?: number } = {}): SettlementRow => {
  const fee = o.fee ?? 0;
  const vat = o.vat ?? 0;
  return {
    line, type, tid, originalTid: o.originalTid ?? null, approvalNo: null, approvedMs: at(o.hh ?? 11), approvedDay: DAY,
    amount, fee, vat, net: amount - fee - vat, payoutDay: PAYOUT,
  };
};

describe('fee and VAT explanations', () => {
  // Fee 700 and VAT 70 are different amounts, so a difference can only be one of them.
  it('names the fee, the VAT or both as what the file deducted', () => {
    const charges = { fee: 700, vat: 70 };
    // 50,000 − 49,300 = 700: the fee.
    expect(explain(50_000, { amount: 49_300, ...charges })).toBe('fee');
    // 50,000 − 49,930 = 70: the VAT.
    expect(explain(50_000, { amount: 49_930, ...charges })).toBe('vat');
    // 50,000 − 49,230 = 770 = 700 + 70: both.
    expect(explain(50_000, { amount: 49_230, ...charges })).toBe('feeVat');
    // 50,000 − 49,000 = 1,000: neither.
    expect(explain(50_000, { amount: 49_000, ...charges })).toBeNull();
    expect(explain(50_000, { amount: 50_000, ...charges })).toBeNull();
  });

  it('carries the explanation onto the amount mismatch the matcher reports', () => {
    const m = new SettlementMatcher([ledgerTx('F1', 'approval', 50_000, 10), ledgerTx('V1', 'approval', 50_000, 10)], { payoutLagDays: 1 });
    m.add(fileRow(2, 'F1', 'approval', 49_300, { fee: 700, vat: 70 })); // 700 short: the fee
    m.add(fileRow(3, 'V1', 'approval', 49_930, { fee: 700, vat: 70 })); // 70 short: the VAT
    const r = m.finish();
    expect(r.exceptions.map((e) => [e.tid, e.class, e.explainedBy])).toEqual([
      ['F1', 'amount_mismatch', 'fee'],
      ['V1', 'amount_mismatch', 'vat'],
    ]);
  });
});

describe('cancellations without an original', () => {
  it('a cancellation whose approval is in the same file is not an orphan, even when the record has neither', () => {
    // The record knows only R1; the file brings A1 and its cancellation C1, and C9 cancelling X9, which is nowhere.
    const m = new SettlementMatcher([ledgerTx('R1', 'approval', 10_000, 9)], { payoutLagDays: 1 });
    m.add(fileRow(2, 'R1', 'approval', 10_000));
    m.add(fileRow(3, 'A1', 'approval', 30_000));
    m.add(fileRow(4, 'C1', 'cancel', 30_000, { originalTid: 'A1', hh: 12 }));
    m.add(fileRow(5, 'C9', 'cancel', 20_000, { originalTid: 'X9', hh: 12 }));
    const r = m.finish();
    expect(r.matched).toBe(1);
    expect(r.exceptions.map((e) => [e.tid, e.class])).toEqual([
      ['A1', 'only_in_file'],
      ['C1', 'only_in_file'],
      ['C9', 'cancel_without_original'],
    ]);
  });
});

describe("the record's side of the file's day", () => {
  it('counts cancellations negative in the day total', () => {
    const ledger = [
      ledgerTx('A1', 'approval', 50_000, 9),
      ledgerTx('A2', 'approval', 30_000, 10),
      ledgerTx('C1', 'cancel', 20_000, 11, 'A1'),
    ];
    const m = new SettlementMatcher(ledger, { payoutLagDays: 1 });
    m.add(fileRow(2, 'A1', 'approval', 50_000));
    m.add(fileRow(3, 'A2', 'approval', 30_000));
    m.add(fileRow(4, 'C1', 'cancel', 20_000, { originalTid: 'A1' }));
    const r = m.finish();
    // 50,000 + 30,000 − 20,000 = 60,000 over three payments.
    expect(r.ledger).toEqual({ count: 3, amount: 60_000 });
    // The file's side agrees: the approval day's signed total is the same 60,000.
    expect(r.byApprovalDay).toEqual([{ day: DAY, count: 3, amount: 60_000, fee: 0, vat: 0, net: 60_000 }]);
    expect(r.matched).toBe(3);
    expect(r.exceptions).toEqual([]);
  });
});
