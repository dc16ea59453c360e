import type { Pdf } from './document.js';

type Sides = [number, number, number, number];
export type Cell = string | PDFKit.Mixins.CellOptions;

/** Rows ruled by a thin line underneath, no vertical lines: how every table in the console's PDFs reads. */
export function ruledCell(padding: Sides, borderColor: string): PDFKit.Mixins.CellStyle {
  return { padding, border: [0, 0, 0.5, 0], borderColor };
}

export const boldCell = (text: string): PDFKit.Mixins.CellOptions => ({ text, font: { src: 'bold' } });
export const rightCell = (text: string): PDFKit.Mixins.CellOptions => ({ text, align: { x: 'right' } });

/** A table in the current font, with an optional bold header row. */
export function drawTable(doc: Pdf, t: { style: PDFKit.Mixins.CellStyle; header?: string[]; rows: Cell[][]; columnStyles?: PDFKit.Mixins.TableOptions['columnStyles'] }): void {
  doc.table({
    defaultStyle: t.style,
    ...(t.columnStyles ? { columnStyles: t.columnStyles } : {}),
    data: [...(t.header ? [t.header.map(boldCell)] : []), ...t.rows],
  });
}
