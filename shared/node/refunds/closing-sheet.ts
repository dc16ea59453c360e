import ExcelJS from 'exceljs';
import type { ClosingView, Tally } from '../../api/refund-schemas.js';
import { districtName } from '../../common/districts.js';
import { formatWon } from '../../common/money.js';
import { formatSeoul } from '../../common/time.js';
import { translate, type Lang } from '../../i18n/index.js';
import { openPdf } from '../pdf/document.js';
import type { ReportFonts } from '../pdf/fonts.js';
import { pageHeading, sectionHeading } from '../pdf/page-frame.js';
import { drawTable, rightCell, ruledCell } from '../pdf/table.js';
import { paragraph } from '../pdf/text-fit.js';

type T = (k: string, p?: Record<string, string | number>) => string;

function header(t: T): string[] {
  return [t('counter.closingClerk'), t('counter.closingSide'), t('counter.kind_cancel'), t('counter.closingSum'), t('counter.kind_refund'), t('counter.closingSum')];
}
function line(clerk: string, side: string, x: Tally): (string | number)[] {
  return [clerk, side, x.cancelCount, x.cancelSum, x.refundCount, x.refundSum];
}
function body(c: ClosingView, t: T): (string | number)[][] {
  const out: (string | number)[][] = [];
  for (const r of c.rows) out.push(line(r.clerk, t('counter.closingCounter'), r.counter), line(r.clerk, t('counter.closingServer'), r.server));
  out.push(line(t('counter.closingTotal'), t('counter.closingCounter'), c.total.counter), line(t('counter.closingTotal'), t('counter.closingServer'), c.total.server));
  return out;
}

/** The closing sheet as a workbook: the figures in full won, then the differences, for the office's own checks. */
export async function buildClosingXlsx(c: ClosingView, lang: Lang): Promise<Buffer> {
  const t: T = (k, p) => translate(lang, k, p);
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet(t('counter.tabClosing'));
  ws.addRow([`${t('counter.closingTitle')} · ${districtName(c.districtCode, lang)} · ${c.day}`]).font = { bold: true };
  ws.addRow([c.closed ? t('counter.closedBy', { by: c.closed.by, at: formatSeoul(c.closed.at, lang) }) : t('counter.notClosed')]);
  ws.addRow([]);
  ws.addRow(header(t)).font = { bold: true };
  // Per cell, not per column: column 5 holds refund counts above and won amounts in the differences below.
  const won = '"₩"#,##0';
  for (const r of body(c, t)) {
    const row = ws.addRow(r);
    for (const col of [4, 6]) row.getCell(col).numFmt = won;
    for (const col of [3, 5]) row.getCell(col).numFmt = '#,##0';
  }
  ws.addRow([]);
  ws.addRow([t('counter.differences')]).font = { bold: true };
  ws.addRow([t('counter.lot'), t('counter.colReceipt'), t('counter.closingClerk'), t('counter.kind'), t('counter.closingCounter'), t('counter.closingServer'), t('counter.closingNote')]).font = { bold: true };
  for (const d of c.differences) {
    const row = ws.addRow([d.lotId, d.receiptNo ?? '', d.clerk, t(`counter.kind_${d.kind}`), d.counterAmount ?? '', d.serverAmount ?? '', t(d.note)]);
    for (const col of [5, 6]) row.getCell(col).numFmt = won;
  }
  ws.columns.forEach((col) => (col.width = 18));
  return Buffer.from(await wb.xlsx.writeBuffer());
}

/** The closing sheet as an A4 PDF in Korean: figures per clerk and for the district, differences, who closed it. */
export function buildClosingPdf(c: ClosingView, lang: Lang, fonts: ReportFonts, printedBy: string, printedAt: string): Promise<Buffer> {
  const t: T = (k, p) => translate(lang, k, p);
  const { doc, done } = openPdf({ size: 'A4', margin: 40, title: `${t('counter.closingTitle')} ${c.day}`, author: printedBy }, fonts);
  pageHeading(doc, {
    title: `${t('counter.closingTitle')} · ${districtName(c.districtCode, lang)} · ${c.day}`,
    titleSize: 16,
    lines: [
      c.closed ? t('counter.closedBy', { by: c.closed.by, at: formatSeoul(c.closed.at, lang) }) : t('counter.notClosed'),
      ...c.reopenings.map((r) => t('counter.reopenedBy', { by: r.by, at: formatSeoul(r.at, lang), reason: r.reason })),
    ],
    linesSize: 9.5,
    linesColor: '#475467',
    after: 0.6,
  });
  const style = ruledCell([3, 5, 3, 5], '#d0d5dd');
  const money = (v: string | number, i: number) => (i === 3 || i === 5 ? formatWon(Number(v)) : String(v));
  doc.fontSize(9);
  drawTable(doc, { style, header: header(t), rows: body(c, t).map((r) => r.map((v, i) => (i >= 2 ? rightCell(money(v, i)) : { text: money(v, i) }))) });
  doc.moveDown(0.8);
  sectionHeading(doc, t('counter.differences'), { size: 11, bodySize: 9 });
  doc.moveDown(0.3);
  if (c.differences.length === 0) paragraph(doc, t('counter.noDifferences'));
  else {
    drawTable(doc, {
      style,
      header: [t('counter.lot'), t('counter.colReceipt'), t('counter.closingClerk'), t('counter.closingCounter'), t('counter.closingServer'), t('counter.closingNote')],
      rows: c.differences.map((d) => [d.lotId, d.receiptNo ?? '—', d.clerk, d.counterAmount === null ? '—' : formatWon(d.counterAmount), d.serverAmount === null ? '—' : formatWon(d.serverAmount), t(d.note)]),
    });
  }
  doc.moveDown(0.8);
  doc.font('body').fontSize(8.5).fillColor('#475467');
  paragraph(doc, t('counter.printed', { at: `${formatSeoul(printedAt, lang)} KST`, by: printedBy }));
  doc.end();
  return done;
}
