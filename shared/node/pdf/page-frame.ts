import type { Pdf } from './document.js';
import { paragraph } from './text-fit.js';

export interface PageHeading {
  title: string;
  titleSize: number;
  /** Space under the title, in lines (none by default). */
  titleGap?: number;
  /** Who made it, when, from what: smaller and grey under the title. */
  lines: string[];
  linesSize: number;
  linesColor: string;
  /** Space before the body, in lines. */
  after: number;
  /** Set for a frame narrower than the margins or not left-aligned (the receipt's roll). */
  width?: number;
  align?: 'left' | 'center';
}

/** The top of a document's first page: title, grey lines under it, then back to black body text. */
export function pageHeading(doc: Pdf, h: PageHeading): void {
  const options = { ...(h.width === undefined ? {} : { width: h.width }), align: h.align ?? 'left' };
  doc.font('bold').fontSize(h.titleSize);
  paragraph(doc, h.title, options);
  if (h.titleGap) doc.moveDown(h.titleGap);
  doc.font('body').fontSize(h.linesSize).fillColor(h.linesColor);
  for (const line of h.lines) paragraph(doc, line, options);
  doc.fillColor('black').moveDown(h.after);
}

/** A bold heading above a section, leaving the body font set for what follows. */
export function sectionHeading(doc: Pdf, title: string, o: { size: number; gap?: number; bodySize: number }): void {
  doc.font('bold').fontSize(o.size);
  paragraph(doc, title);
  if (o.gap) doc.moveDown(o.gap);
  doc.font('body').fontSize(o.bodySize);
}
