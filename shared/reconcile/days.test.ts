import { describe, expect, it } from 'vitest';
import { addBusinessDays, businessDaysBetween, holidaysKnown, isBusinessDay } from './days.js';
import type { LedgerTx } from './ledger-tx.js';
import { SettlementMatcher } from './match.js';
import type { SettlementRow } from './profile.js';

// Chuseok 2025: 10-03 (Fri, 개천절), weekend, 10-05..07 추석, 10-08 대체공휴일(추석), 10-09 한글날.
// 2026-05-25 (Mon) is 대체공휴일(부처님 오신 날).
describe('business days skip weekends and Korean public holidays', () => {
  it('knows Chuseok, a substitute holiday and an ordinary Monday', () => {
    expect(['2025-10-03', '2025-10-06', '2025-10-08', '2025-10-09', '2026-05-25'].map(isBusinessDay)).toEqual([false, false, false, false, false]);
    expect(['2025-10-02', '2025-10-10', '2026-05-26', '2026-03-09'].map(isBusinessDay)).toEqual([true, true, true, true]);
    expect(holidaysKnown('2027-09-15')).toBe(true);
    expect(holidaysKnown('2031-01-01')).toBe(false);
  });

  it('moves payouts over the Chuseok week and the substitute holiday', () => {
    expect(addBusinessDays('2025-10-02', 1)).toBe('2025-10-10');
    expect(addBusinessDays('2025-10-10', -1)).toBe('2025-10-02');
    expect(addBusinessDays('2026-05-22', 1)).toBe('2026-05-26');
    expect(addBusinessDays('2026-03-06', 1)).toBe('2026-03-09'); // an ordinary weekend
    expect(businessDaysBetween('2025-10-02', '2025-10-10')).toBe(1);
    expect(businessDaysBetween('2025-10-10', '2025-10-02')).toBe(-1);
    expect(businessDaysBetween('2026-05-22', '2026-05-26')).toBe(1);
    expect(businessDaysBetween('2025-10-02', '2025-10-06')).toBe(1); // into a holiday: not the same day
  });
});

const KST = 9 * 3_600_000;
const at = (day: string, hh = 10) => Date.parse(`${day}T00:00:00Z`) - KST + hh * 3_600_000;
const tx = (tid: string, day: string): LedgerTx => ({ eventId: tid, kind: 'approval', tid, originalTid: null, approvedMs: at(day), amount: 50_000, districtCode: '11440' });
const row = (line: number, tid: string, day: string, payoutDay: string): SettlementRow => ({
  line, type: 'approval', tid, originalTid: null, approvalNo: null, approvedMs: at(day, 11), approvedDay: day, amount: 50_000, fee: 500, vat: 50, net: 49_450, payoutDay,
});

describe('matching over holidays', () => {
  it('a sale before Chuseok paid out the day after it is on time, not settled on another day', () => {
    const m = new SettlementMatcher([tx('T1', '2025-10-02')], { payoutLagDays: 1 });
    m.add(row(2, 'T1', '2025-10-02', '2025-10-10'));
    const r = m.finish();
    expect(r.matched).toBe(1);
    expect(r.exceptions).toEqual([]);
  });

  it('a payout on the substitute holiday itself is settled on another day', () => {
    const m = new SettlementMatcher([tx('T1', '2026-05-22')], { payoutLagDays: 1 });
    m.add(row(2, 'T1', '2026-05-22', '2026-05-25'));
    expect(m.finish().exceptions.map((e) => e.class)).toEqual(['other_day']);
  });

  it('the approval-time window of ±1 business day reaches across Chuseok', () => {
    // The file approved it on 10-10 under another key; the record on 10-02: one business day apart.
    const m = new SettlementMatcher([tx('L1', '2025-10-02')], { payoutLagDays: 1, windowBusinessDays: 1 });
    m.add(row(2, 'F1', '2025-10-10', '2025-10-13'));
    const r = m.finish();
    // Paired by pass 2 (same amount, in the window), then flagged: approved on another day than the record says.
    expect(r.exceptions.map((e) => [e.class, e.ledgerTid])).toEqual([['other_day', 'L1']]);
    // Weekends alone would put them six business days apart; with a window of 0 they do not pair at all.
    const strict = new SettlementMatcher([tx('L1', '2025-10-02')], { payoutLagDays: 1, windowBusinessDays: 0 });
    strict.add(row(2, 'F1', '2025-10-10', '2025-10-13'));
    expect(strict.finish().exceptions.map((e) => e.class).sort()).toEqual(['only_in_file']);
  });
});

describe('the ledger read around a file day', () => {
  it('spans the calendar days a business-day window covers', async () => {
    const { calendarDaysSpanned } = await import('./days.js');
    expect(calendarDaysSpanned('2026-03-10', 1)).toBe(1);
    expect(calendarDaysSpanned('2026-03-09', 1)).toBe(3); // Monday: back to Friday
    expect(calendarDaysSpanned('2025-10-10', 1)).toBe(8); // after Chuseok: back to 10-02
  });
});
