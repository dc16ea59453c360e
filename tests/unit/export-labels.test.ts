import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import type { ClosingView } from '../../shared/api/refund-schemas.js';
import { findReportFonts } from '../../shared/node/pdf/fonts.js';
import { buildReconcilePdf, buildReconcileXlsx, type ReconcileReport } from '../../shared/node/reconcile/report.js';
import { buildClosingXlsx } from '../../shared/node/refunds/closing-sheet.js';
import { pdfText } from '../support/pdf-text.js';

async function workbook(bytes: Buffer) {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(bytes as unknown as ArrayBuffer);
  return wb;
}

describe('exports read as people read them', () => {
  it('closing XLSX: counts are counts (3, not ₩3), sums are won, differences in won', async () => {
    const tally = { cancelCount: 3, cancelSum: 120_000, refundCount: 1, refundSum: 45_000 };
    const c: ClosingView = {
      day: '2026-12-07', districtCode: '11170', rows: [{ clerk: '박창구', counter: tally, server: tally }], total: { counter: tally, server: tally },
      differences: [{ lotId: 'lot-1', receiptNo: 'R-1', clerk: '박창구', kind: 'refund', counterAmount: 45_000, serverAmount: null, note: 'counter.diffNotAccepted' }],
      closed: null, server: null, reopenings: [],
    };
    const ws = (await workbook(await buildClosingXlsx(c, 'ko'))).worksheets[0]!;
    // Row 5: the first clerk's counter line under the header on row 4.
    const line = ws.getRow(5);
    expect(line.getCell(3).value).toBe(3);
    expect(line.getCell(5).value).toBe(1);
    for (const col of [3, 5]) expect(line.getCell(col).numFmt ?? '', `column ${col}`).not.toContain('₩');
    for (const col of [4, 6]) expect(line.getCell(col).numFmt).toContain('₩');
    // The differences table's fifth column holds won.
    const diff = ws.getRow(ws.rowCount);
    expect(diff.getCell(5).value).toBe(45_000);
    expect(diff.getCell(5).numFmt).toContain('₩');
  });

  it('reconcile XLSX and PDF: district and provider by name, never 11170 or toss', async () => {
    const r: ReconcileReport = {
      day: '2026-12-07', provider: 'toss', lockedBy: null, lockedAt: null, files: [], byApprovalDay: [], byPayoutDay: [], counts: {},
      exceptions: [{ id: 1, day: '2026-12-07', provider: 'toss', class: 'only_in_file', line: 4, tid: 'T1', eventId: null, districtCode: '11170', fileAmount: 10_000, ledgerAmount: null, explainedBy: null, assignee: null, note: null, resolution: null, resolutionText: null, adjustment: null, booked: 0, resolvedBy: null, resolvedAt: null }],
      money: { difference: 10_000, adjusted: 0, unexplained: 10_000 }, adjustments: [],
    };
    const wb = await workbook(await buildReconcileXlsx(r, 'ko'));
    const sheet = wb.worksheets[2]!;
    expect(sheet.getRow(2).getCell(4).value).toBe('용산구');
    const { text } = await pdfText(new Uint8Array(await buildReconcilePdf(r, 'ko', findReportFonts(), new Date('2026-12-07T10:00:00Z'), '최정산')));
    expect(text).toContain('토스페이먼츠');
    expect(text).toContain('용산구');
    expect(text).not.toMatch(/\btoss\b|11170/);
  });
});
