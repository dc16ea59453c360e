import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ExceptionRow } from '../../shared/api/reconcile-schemas.js';
import type { ClosingView, CounterRequestView } from '../../shared/api/refund-schemas.js';
import { openPdf } from '../../shared/node/pdf/document.js';
import { findReportFonts } from '../../shared/node/pdf/fonts.js';
import { fitLines } from '../../shared/node/pdf/text-fit.js';
import { buildReconcilePdf, type ReconcileReport } from '../../shared/node/reconcile/report.js';
import { buildClosingPdf } from '../../shared/node/refunds/closing-sheet.js';
import { buildReceiptPdf } from '../../shared/node/refunds/receipt-pdf.js';
import { buildReportPdf } from '../../shared/node/reports/report-pdf.js';
import { buildSimulationPdf } from '../../shared/node/reports/simulation-report.js';
import type { ReportResult } from '../../shared/reports/params.js';
import { overlappingText, pdfTextBoxes, TINY_PNG } from '../support/pdf-text.js';
import { simRun } from '../support/sim-run.js';

const fonts = findReportFonts();
const out = join(process.cwd(), 'test-results', 'pdf-layout');
const png = Buffer.from(TINY_PNG.slice(TINY_PNG.indexOf(',') + 1), 'base64');

/** Writes the PDF and, where poppler is installed, its pages as PNGs to look at; returns the text boxes. */
async function layout(name: string, pdf: Buffer) {
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, `${name}.pdf`), pdf);
  try {
    execFileSync('pdftoppm', ['-r', '60', '-png', join(out, `${name}.pdf`), join(out, name)]);
  } catch {
    // No poppler here: the boxes below still decide.
  }
  return pdfTextBoxes(new Uint8Array(pdf));
}

function expectNoOverprint(l: Awaited<ReturnType<typeof layout>>) {
  const clashes = overlappingText(l.boxes).map(([a, b]) => `p${a.page} “${a.str}” × “${b.str}”`);
  expect(clashes).toEqual([]);
  for (const b of l.boxes) {
    const page = l.sizes[b.page - 1]!;
    expect(b.x1, `“${b.str}” runs off the page`).toBeLessThanOrEqual(page.width + 0.5);
    expect(b.y0, `“${b.str}” below the page`).toBeGreaterThanOrEqual(-0.5);
  }
}

// Sums in the hundreds of billions, the figures that wrapped over the next row in the old report table.
const BIG = [412_345_678_900, 98_765_432_100, 7_000_000_000, 123_456_789, 400_000_000_000];
const DISTRICTS = ['11110', '11140', '11170', '11200', '11215', '11230', '11260', '11290', '11305', '11320', '11350', '11380', '11410', '11440', '11470', '11500', '11530', '11545', '11560', '11590', '11620', '11650', '11680', '11710', '11740'];

function bigReport(rows: number): ReportResult {
  const measures = ['faceSold', 'paid', 'discount', 'usedAmount', 'useRate', 'buyers', 'lots', 'cancelAmount', 'refundAmount'] as const;
  const values = (i: number) => Object.fromEntries(measures.map((m, j) => [m, m === 'useRate' ? 0.4567 : BIG[(i + j) % BIG.length]!]));
  return {
    groupBy: ['district', 'day'],
    measures: [...measures],
    rows: Array.from({ length: rows }, (_, i) => ({ keys: [DISTRICTS[i % 25]!, `2026-12-${String(1 + (i % 28)).padStart(2, '0')}`], values: values(i) })),
    totals: values(0),
    scopedTo: null,
  };
}

function request(over: Partial<CounterRequestView> = {}): CounterRequestView {
  return {
    commandId: 'c-1',
    receiptNo: '11170-20261207-000001',
    receiptProvisional: false,
    provisionalNo: '가-11170-3F9A-000001',
    lotId: 'lot-3f9a2c1e-7b44-4d2a-9e0f-123456789abc',
    roundId: 'r-1',
    buyerId: 'buyer-a3769d49-817',
    districtCode: '11170',
    kind: 'refund',
    amount: 1_234_567,
    working: {
      face: 1_000_000, paid: 930_000, used: 612_000, usedBp: 6120, remaining: 388_000, thresholdPct: 60, formula: 'remaining',
      cashOnly: false, paymentMethod: 'card', discountBp: 700, subsidyDeducted: 27_160, refundedBefore: 0, expiresAt: '2031-07-14T15:00:00.000Z',
      outcome: { ok: true, kind: 'refund', amount: 360_840 },
    },
    reasonCode: 'other',
    reasonText: '구매자가 이사하여 다른 자치구 상품권으로 바꾸기를 원하며 남은 금액의 현금 환불을 요청함, 신분증 확인 완료',
    accountMasked: '국민은행 ****-**-****-1234',
    clerkId: 'u-1',
    clerkName: '박창구',
    createdAt: '2026-12-07T01:23:45.000Z',
    status: 'accepted',
    serverReason: null,
    countersignedByName: '이확인',
    resolvedAt: '2026-12-07T01:25:00.000Z',
    ...over,
  };
}

describe('keep-all line breaking', () => {
  it('breaks Korean between words, and a word only when it alone is wider than the cell', async () => {
    const { doc, done } = openPdf({ size: 'A4', margin: 40, title: 't', author: 't' }, fonts);
    doc.font('body').fontSize(10);
    const w = doc.widthOfString('서울사랑상품권 환불') + 1;
    expect(fitLines(doc, '서울사랑상품권 환불 접수증을 발급합니다', w)).toEqual(['서울사랑상품권 환불', '접수증을 발급합니다']);
    // A word wider than the cell is cut, and only that word.
    const narrow = doc.widthOfString('서울사랑') + 0.5;
    expect(fitLines(doc, '서울사랑상품권 환불', narrow)).toEqual(['서울사랑', '상품권', '환불']);
    expect(fitLines(doc, '첫째 줄\n둘째', 1000)).toEqual(['첫째 줄', '둘째']);
    doc.end();
    await done;
  });
});

describe('every PDF kind: no text printed over text', () => {
  it('report: long money values in nine columns over three pages, header on each page', async () => {
    const pdf = await buildReportPdf(
      { title: '자치구·일별 판매 보고서', filters: ['기간: 2026-12-01 ~ 2026-12-28', '자치구: 전체'], result: bigReport(120), chart: png, lang: 'ko', generatedAt: new Date('2026-12-07T01:00:00Z'), author: '김분석', notes: ['인구: 행정안전부 주민등록 인구통계 2026년 11월 기준'] },
      fonts,
    );
    const l = await layout('report', pdf);
    expectNoOverprint(l);
    const pages = l.sizes.length;
    expect(pages).toBeGreaterThanOrEqual(3);
    // The header row starts every page the table continues on.
    for (let p = 2; p <= pages; p++) expect(l.boxes.some((b) => b.page === p && b.str === '판매 액면')).toBe(true);
    // 412,345,678,900 won reads as 4,123억 4,567만 원 and stays whole inside its cell.
    expect(l.boxes.some((b) => b.str.includes('4,123억'))).toBe(true);
  });

  it('reconcile day report: long reasons and ids in the exceptions table', async () => {
    const exception = (id: number): ExceptionRow => ({
      id, day: '2026-12-07', provider: 'toss', class: 'amount_mismatch', line: id, tid: `T2026120700000${id}-ABCDEFGHIJ`, eventId: null, districtCode: '11170',
      fileAmount: 412_345_678, ledgerAmount: 412_345_000, explainedBy: null, assignee: null, note: null, resolution: 'provider_error',
      resolutionText: '정산 파일의 금액이 가맹점 원장과 다르며 결제대행사에 확인을 요청하여 회신을 기다리는 중입니다', adjustment: -678, booked: -678, resolvedBy: '최정산', resolvedAt: '2026-12-07T05:00:00.000Z',
    });
    const r: ReconcileReport = {
      day: '2026-12-07', provider: 'toss', lockedBy: '최정산', lockedAt: '2026-12-07T09:00:00.000Z',
      files: [{ fileName: 'settlement_toss_20261207_final_version_2.csv', rows: 120_000, importedBy: '최정산', importedAt: '2026-12-07T03:00:00.000Z' }],
      byApprovalDay: [{ day: '2026-12-07', count: 120_000, amount: 412_345_678_900, fee: 1_234_567_890, vat: 123_456_789, net: 410_987_654_221 }],
      byPayoutDay: [{ day: '2026-12-09', count: 120_000, amount: 412_345_678_900, fee: 1_234_567_890, vat: 123_456_789, net: 410_987_654_221 }],
      counts: { amount_mismatch: 40 }, exceptions: Array.from({ length: 40 }, (_, i) => exception(i + 1)),
      money: { difference: -27_120, adjusted: -27_120, unexplained: 0 },
      adjustments: Array.from({ length: 5 }, (_, i) => ({ id: i + 1, exceptionId: i + 1, amount: -678, reason: 'provider_error', text: '결제대행사 회신에 따라 수수료 차이를 조정함', by: '최정산', at: '2026-12-07T05:00:00.000Z', server: 'accepted' as const })),
    };
    expectNoOverprint(await layout('reconcile', await buildReconcilePdf(r, 'ko', fonts, new Date('2026-12-07T10:00:00Z'), '최정산')));
  });

  it('simulation report: a comparison of two runs with recommendations and charts', async () => {
    const a = simRun('a', '기본 설정', (p) => p, true);
    const b = simRun('b', '세션 60분 대기열 입장 분당 1,450명', (p) => ({ ...p, session: { ...p.session, timeoutMinutes: 60 } }), true);
    const pdf = await buildSimulationPdf(
      { roundName: '2022 서울사랑상품권 하반기 자치구 공동 발행', runs: [a, b], charts: [1, 2, 3].map((i) => ({ title: `차트 ${i}`, png })), lang: 'ko', generatedAt: new Date('2026-11-26T04:00:00Z'), author: '김공무' },
      fonts,
    );
    expectNoOverprint(await layout('simulation', pdf));
  });

  it('receipts on A4 and on an 80 mm roll whose page ends under its last line', async () => {
    const input = { request: request(), roundName: '2026 서울사랑상품권 연말 특별 발행 (자치구 공동)', copy: 'answer' as const, printedAt: '2026-12-07T01:30:00.000Z', printedBy: '박창구', lang: 'ko' as const };
    expectNoOverprint(await layout('receipt-a4', await buildReceiptPdf({ ...input, width: 'a4' }, fonts)));
    const roll = await layout('receipt-80mm', await buildReceiptPdf({ ...input, width: 'roll80' }, fonts));
    expectNoOverprint(roll);
    expect(roll.sizes).toHaveLength(1);
    const page = roll.sizes[0]!;
    expect(page.width).toBeCloseTo((80 / 25.4) * 72, 1);
    // The page is as long as its text and a 10 pt margin: the lowest text sits within 20 pt of the foot.
    const lowest = Math.min(...roll.boxes.map((b) => b.y0));
    expect(lowest).toBeGreaterThan(0);
    expect(lowest).toBeLessThan(20);
    expect(page.height).toBeLessThan(720);
    // Korean words of the reason are never cut: each appears whole in one line of text.
    const lines = roll.boxes.map((b) => b.str);
    for (const word of ['이사하여', '자치구', '상품권으로', '바꾸기를', '원하며', '요청함,']) expect(lines.some((s) => s.split(' ').includes(word)), word).toBe(true);
  });

  it('closing sheet: many clerks with long names and differences', async () => {
    const tally = { cancelCount: 1_234, cancelSum: 412_345_678_900, refundCount: 56, refundSum: 98_765_432_100 };
    const c: ClosingView = {
      day: '2026-12-07', districtCode: '11170',
      rows: Array.from({ length: 30 }, (_, i) => ({ clerk: `창구 담당 주무관 ${i + 1}번 (민원실 제2창구)`, counter: tally, server: tally })),
      total: { counter: tally, server: tally },
      differences: Array.from({ length: 8 }, (_, i) => ({ lotId: `lot-3f9a2c1e-7b44-4d2a-9e0f-12345678${i}`, receiptNo: `R-20261207-11170-000${i}`, clerk: '박창구', kind: 'refund' as const, counterAmount: 412_345_678, serverAmount: null, note: 'counter.diffNotAccepted' })),
      closed: { by: '박창구', at: '2026-12-07T09:00:00.000Z' }, server: null, reopenings: [],
    };
    expectNoOverprint(await layout('closing', await buildClosingPdf(c, 'ko', fonts, '박창구', '2026-12-07T09:05:00.000Z')));
  });
});
