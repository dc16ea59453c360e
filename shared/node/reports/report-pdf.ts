import { formatWonReadable } from '../../common/money.js';
import { formatSeoul } from '../../common/time.js';
import { translate, type Lang } from '../../i18n/index.js';
import { formatRate, measureLabel } from '../../reports/labels.js';
import { reportTable, type ColumnKind } from '../../reports/report-table.js';
import { MONEY_MEASURES, type Measure, type ReportResult } from '../../reports/params.js';
import { openPdf } from '../pdf/document.js';
import type { ReportFonts } from '../pdf/fonts.js';
import { pageHeading } from '../pdf/page-frame.js';
import { boldCell, drawTable, ruledCell } from '../pdf/table.js';
import { drawLines, fitLines, paragraph } from '../pdf/text-fit.js';

const GREY = '#555555';
const LINE = '#cccccc';
const MARGIN = 40;

export interface ReportPdfInput {
  title: string;
  /** One line per filter, already in words. */
  filters: string[];
  result: ReportResult;
  /** The report's chart as drawn in the renderer (PNG bytes). */
  chart: Buffer | null;
  lang: Lang;
  generatedAt: Date;
  author: string;
  /** Extra notes under the table (e.g. the population source). */
  notes?: string[];
}

const money = (v: number, lang: Lang) => formatWonReadable(v, lang);

export function measureText(m: Measure, v: number, lang: Lang): string {
  if (MONEY_MEASURES.has(m)) return money(v, lang);
  if (m === 'useRate') return formatRate(v);
  return v.toLocaleString('en-US');
}

/** A report as PDF: title, filters, the chart, the table with its totals row; Korean fonts. */
export function buildReportPdf(input: ReportPdfInput, fonts: ReportFonts): Promise<Buffer> {
  const { lang, result } = input;
  const t = (k: string, p?: Record<string, string | number>) => translate(lang, k, p);
  const { doc, done } = openPdf({ size: 'A4', margin: MARGIN, title: input.title, author: input.author }, fonts);
  const width = doc.page.width - 2 * MARGIN;

  pageHeading(doc, {
    title: input.title,
    titleSize: 18,
    titleGap: 0.3,
    lines: [`${t('reports.generated')}: ${formatSeoul(input.generatedAt.toISOString(), lang)} KST · ${input.author}`, ...input.filters],
    linesSize: 9.5,
    linesColor: GREY,
    after: 0.6,
  });

  // Totals as cards, in 만/억 where Korean reads them so; a card as tall as its longest label and figure.
  const cards = result.measures.slice(0, 6);
  if (cards.length > 0) {
    const w = width / cards.length;
    const y = doc.y;
    let under = y;
    cards.forEach((m, i) => {
      const x = MARGIN + i * w;
      doc.font('body').fontSize(8).fillColor(GREY);
      const valueY = drawLines(doc, fitLines(doc, measureLabel(m, lang), w - 6), x, y, w - 6) + 2;
      doc.font('bold').fontSize(11).fillColor('black');
      under = Math.max(under, drawLines(doc, fitLines(doc, measureText(m, result.totals[m] ?? 0, lang), w - 6), x, valueY, w - 6));
    });
    doc.x = MARGIN;
    doc.y = under + 8;
  }

  if (input.chart) {
    const h = Math.min(230, width * 0.5);
    doc.image(input.chart, MARGIN, doc.y, { fit: [width, h], align: 'center' });
    doc.y += h + 10;
  }

  // The page's table, 비중 included, each figure as the PDF reads it (money in 만/억).
  const table = reportTable(result, lang);
  const header = table.columns.map((c) => c.header);
  const cellText = (kind: ColumnKind, v: string | number | null) =>
    v === null ? '' : typeof v === 'string' ? v : kind === 'money' ? money(v, lang) : kind === 'rate' ? formatRate(v) : v.toLocaleString('en-US');
  const body = [...table.rows, ...(table.total ? [table.total] : [])].map((r) => r.cells.map((v, i) => cellText(table.columns[i]!.kind, v)));
  const keys = result.groupBy.length;
  const total = table.total ? body.length - 1 : -1;
  doc.font('body').fontSize(header.length > 7 ? 7 : 8.5).fillColor('black');
  drawTable(doc, {
    style: ruledCell([2.5, 3, 2.5, 3], LINE),
    header,
    align: header.map((_, i) => (i < keys ? 'left' : 'right')),
    rows: body.map((cells, r) => (r === total ? cells.map(boldCell) : cells)),
  });
  doc.y += 6;
  doc.x = MARGIN;
  doc.font('body').fontSize(8).fillColor(GREY);
  for (const note of input.notes ?? []) paragraph(doc, note, { x: MARGIN, width });
  doc.end();
  return done;
}
