import { formatWonReadable } from '../../common/money.js';
import { formatSeoul } from '../../common/time.js';
import { translate, type Lang } from '../../i18n/index.js';
import { formatRate, groupKeyLabel, groupValueLabel, measureLabel } from '../../reports/labels.js';
import { MONEY_MEASURES, type Measure, type ReportResult } from '../../reports/params.js';
import { openPdf } from '../pdf/document.js';
import type { ReportFonts } from '../pdf/fonts.js';
import { pageHeading } from '../pdf/page-frame.js';

const GREY = '#555555';
const LINE = '#cccccc';
const MARGIN = 40;
const HEADER_H = 20;
/** Row height range: rows shrink towards the minimum rather than leave a few rows alone on a last page. */
const ROW_H = 16;
const MIN_ROW_H = 12.5;
/** A last page holding fewer rows than this counts as near-empty. */
const MIN_LAST_ROWS = 6;

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

/** How many table rows go on each page, given the room on the first and on later pages. */
export function paginate(rows: number, firstRoom: number, nextRoom: number): { perPage: number[]; rowH: number } {
  const plan = (h: number) => {
    const first = Math.max(0, Math.floor((firstRoom - HEADER_H) / h));
    const next = Math.max(1, Math.floor((nextRoom - HEADER_H) / h));
    const perPage = [Math.min(rows, first)];
    let left = rows - perPage[0]!;
    while (left > 0) {
      perPage.push(Math.min(left, next));
      left -= next;
    }
    return perPage;
  };
  const natural = plan(ROW_H);
  const last = natural.at(-1)!;
  if (natural.length > 1 && last < MIN_LAST_ROWS) {
    // Tighter rows that save the last page?
    for (let h = ROW_H - 0.5; h >= MIN_ROW_H; h -= 0.5) {
      const p = plan(h);
      if (p.length < natural.length) return { perPage: p.filter((n) => n > 0), rowH: h };
    }
    // Otherwise move rows from the page before, so both carry a fair share.
    const before = natural[natural.length - 2]!;
    const move = Math.min(before - 1, Math.ceil((before - last) / 2));
    natural[natural.length - 2] = before - move;
    natural[natural.length - 1] = last + move;
  }
  return { perPage: natural.filter((n, i) => n > 0 || i > 0), rowH: ROW_H };
}

/** A report as PDF: title, filters, the chart, the table with its totals row; Korean fonts. */
export function buildReportPdf(input: ReportPdfInput, fonts: ReportFonts): Promise<Buffer> {
  const { lang, result } = input;
  const t = (k: string, p?: Record<string, string | number>) => translate(lang, k, p);
  const { doc, done } = openPdf({ size: 'A4', margin: MARGIN, title: input.title, author: input.author }, fonts);
  const width = doc.page.width - 2 * MARGIN;
  const bottom = doc.page.height - MARGIN;

  pageHeading(doc, {
    title: input.title,
    titleSize: 18,
    titleGap: 0.3,
    lines: [`${t('reports.generated')}: ${formatSeoul(input.generatedAt.toISOString(), lang)} KST · ${input.author}`, ...input.filters],
    linesSize: 9.5,
    linesColor: GREY,
    after: 0.6,
  });

  // Totals as cards, in 만/억 where Korean reads them so.
  const cards = result.measures.slice(0, 6);
  if (cards.length > 0) {
    const w = width / cards.length;
    const y = doc.y;
    cards.forEach((m, i) => {
      doc.font('body').fontSize(8).fillColor(GREY).text(measureLabel(m, lang), MARGIN + i * w, y, { width: w - 6 });
      doc.font('bold').fontSize(11).fillColor('black').text(measureText(m, result.totals[m] ?? 0, lang), MARGIN + i * w, y + 12, { width: w - 6 });
    });
    doc.x = MARGIN;
    doc.y = y + 34;
  }

  if (input.chart) {
    const h = Math.min(230, width * 0.5);
    doc.image(input.chart, MARGIN, doc.y, { fit: [width, h], align: 'center' });
    doc.y += h + 10;
  }

  const header = [...result.groupBy.map((g) => groupKeyLabel(g, lang)), ...result.measures.map((m) => measureLabel(m, lang))];
  const body: string[][] = result.rows.map((r) => [...r.keys.map((k, i) => groupValueLabel(result.groupBy[i]!, k, lang)), ...result.measures.map((m) => measureText(m, r.values[m] ?? 0, lang))]);
  if (result.groupBy.length > 0) body.push([t('reports.total'), ...result.groupBy.slice(1).map(() => ''), ...result.measures.map((m) => measureText(m, result.totals[m] ?? 0, lang))]);
  const notesH = (input.notes?.length ?? 0) * 12 + 6;
  const { perPage, rowH } = paginate(body.length, bottom - doc.y - notesH, bottom - MARGIN - notesH);
  const colW = width / header.length;
  const fontSize = header.length > 7 ? 7 : 8.5;
  const drawRow = (cells: string[], y: number, bold: boolean) => {
    doc.font(bold ? 'bold' : 'body').fontSize(fontSize);
    cells.forEach((c, i) => doc.text(c, MARGIN + i * colW + 3, y + 3, { width: colW - 6, align: i < result.groupBy.length ? 'left' : 'right', lineBreak: false, ellipsis: true }));
    doc.moveTo(MARGIN, y + rowH).lineTo(MARGIN + width, y + rowH).lineWidth(0.5).strokeColor(LINE).stroke();
  };
  let index = 0;
  perPage.forEach((n, page) => {
    if (page > 0) {
      doc.addPage();
      doc.y = MARGIN;
    }
    let y = doc.y;
    drawRow(header, y, true);
    y += HEADER_H;
    for (let i = 0; i < n; i++, index++) {
      drawRow(body[index]!, y, result.groupBy.length > 0 && index === body.length - 1);
      y += rowH;
    }
    doc.y = y + 6;
  });
  doc.x = MARGIN;
  doc.font('body').fontSize(8).fillColor(GREY);
  for (const note of input.notes ?? []) doc.text(note, MARGIN, doc.y, { width });
  doc.end();
  return done;
}
