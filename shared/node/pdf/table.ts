import type { Pdf } from './document.js';
import { drawLines, fitLines, lineHeight, type Align } from './text-fit.js';

export interface CellSpec {
  text: string;
  bold?: boolean;
  align?: Align;
}
export type Cell = string | CellSpec;

export const boldCell = (text: string): CellSpec => ({ text, bold: true });
export const rightCell = (text: string): CellSpec => ({ text, align: 'right' });

export interface TableStyle {
  /** Top, right, bottom, left, in points. */
  padding: [number, number, number, number];
  /** The thin rule under each row; null for none (a label/value list). */
  ruleColor: string | null;
}

/** Rows ruled by a thin line underneath, no vertical lines: how every table in the console's PDFs reads. */
export function ruledCell(padding: TableStyle['padding'], ruleColor: string): TableStyle {
  return { padding, ruleColor };
}

export interface TableSpec {
  style: TableStyle;
  /** Repeated at the top of every page the table continues on. */
  header?: string[];
  rows: Cell[][];
  /** Per column: a fixed width in points, or '*' to share what is left by measured content. */
  columns?: (number | '*')[];
  /** Alignment per column for plain-string cells. */
  align?: Align[];
  /** Left edge and width; the page's margins by default. */
  x?: number;
  width?: number;
}

const spec = (c: Cell): CellSpec => (typeof c === 'string' ? { text: c } : c);

function widest(doc: Pdf, text: string, bold: boolean, pick: (words: string[]) => string[]): number {
  doc.font(bold ? 'bold' : 'body');
  const parts = pick(text.split('\n'));
  return parts.reduce((m, p) => Math.max(m, doc.widthOfString(p)), 0);
}

/**
 * Column widths the way a browser lays out an auto table: each column at
 * least as wide as its longest word, the rest shared by how much each
 * column's text would take on one line.
 */
function columnWidths(doc: Pdf, t: TableSpec, all: CellSpec[][], width: number, padX: number): number[] {
  const n = all[0]?.length ?? 0;
  const fixed = (i: number) => (typeof t.columns?.[i] === 'number' ? (t.columns[i] as number) : null);
  const min = new Array<number>(n).fill(0);
  const max = new Array<number>(n).fill(0);
  for (const row of all)
    row.forEach((c, i) => {
      const bold = c.bold === true;
      min[i] = Math.max(min[i]!, widest(doc, c.text, bold, (ls) => ls.flatMap((l) => l.split(' '))) + padX);
      max[i] = Math.max(max[i]!, widest(doc, c.text, bold, (ls) => ls) + padX);
    });
  const free = [...Array(n).keys()].filter((i) => fixed(i) === null);
  const room = width - [...Array(n).keys()].reduce((s, i) => s + (fixed(i) ?? 0), 0);
  const out = [...Array(n).keys()].map((i) => fixed(i) ?? 0);
  const sumMax = free.reduce((s, i) => s + max[i]!, 0);
  const sumMin = free.reduce((s, i) => s + min[i]!, 0);
  if (sumMax <= room) {
    // Everything fits on one line: spread the spare room in proportion.
    for (const i of free) out[i] = sumMax > 0 ? (max[i]! / sumMax) * room : room / free.length;
  } else if (sumMin <= room) {
    const give = room - sumMin;
    const want = sumMax - sumMin;
    for (const i of free) out[i] = min[i]! + (want > 0 ? ((max[i]! - min[i]!) / want) * give : 0);
  } else {
    // Not even the longest words fit: shrink in proportion; fitLines then cuts those words.
    for (const i of free) out[i] = (min[i]! / sumMin) * room;
  }
  return out;
}

/**
 * A table in the current font size whose cells never overprint: each cell is
 * broken between words to its column's measured width, a row is as tall as
 * its tallest cell, a row that does not fit goes to a new page under a
 * repeated header. Leaves `doc.y` under the table and `doc.x` at its left.
 */
export function drawTable(doc: Pdf, t: TableSpec): void {
  const x0 = t.x ?? doc.page.margins.left;
  const width = t.width ?? doc.page.width - x0 - doc.page.margins.right;
  const [padT, padR, padB, padL] = t.style.padding;
  // pdfkit keeps the size set by the caller's last fontSize() but does not type it.
  const size = (doc as unknown as { _fontSize: number })._fontSize;
  const body = t.rows.map((r) => r.map(spec));
  // A header sits over its figures: right-aligned where the first row's cell is.
  const header = t.header?.map((h, i): CellSpec => {
    const align = t.align?.[i] ?? body[0]?.[i]?.align;
    return { text: h, bold: true, ...(align ? { align } : {}) };
  });
  const all = header ? [header, ...body] : body;
  if (all.length === 0) return;
  doc.fontSize(size);
  const widths = columnWidths(doc, t, all, width, padL + padR);

  const layout = (row: CellSpec[]) => {
    const cells = row.map((c, i) => {
      doc.font(c.bold ? 'bold' : 'body').fontSize(size);
      return { c, lines: fitLines(doc, c.text, widths[i]! - padL - padR), lh: lineHeight(doc) };
    });
    return { cells, height: padT + padB + Math.max(...cells.map((c) => c.lines.length * c.lh)) };
  };
  const draw = (row: ReturnType<typeof layout>, y: number) => {
    let x = x0;
    row.cells.forEach(({ c, lines }, i) => {
      doc.font(c.bold ? 'bold' : 'body').fontSize(size);
      drawLines(doc, lines, x + padL, y + padT, widths[i]! - padL - padR, c.align ?? t.align?.[i] ?? 'left');
      x += widths[i]!;
    });
    if (t.style.ruleColor) doc.moveTo(x0, y + row.height).lineTo(x0 + width, y + row.height).lineWidth(0.5).strokeColor(t.style.ruleColor).stroke();
    return y + row.height;
  };

  const bottom = () => doc.page.height - doc.page.margins.bottom;
  const head = header ? layout(header) : null;
  let y = doc.y;
  // A header alone at the foot of a page says nothing: start on the next one.
  const first = body[0] ? layout(body[0]) : null;
  if (y + (head?.height ?? 0) + (first?.height ?? 0) > bottom() && y > doc.page.margins.top) {
    doc.addPage();
    y = doc.page.margins.top;
  }
  if (head) y = draw(head, y);
  for (const [i, row] of body.entries()) {
    const r = i === 0 && first ? first : layout(row);
    if (y + r.height > bottom()) {
      doc.addPage();
      y = doc.page.margins.top;
      if (head) y = draw(head, y);
    }
    y = draw(r, y);
  }
  doc.font('body').fontSize(size).fillColor('black');
  doc.x = x0;
  doc.y = y;
}
