import type { Pdf } from './document.js';

export type Align = 'left' | 'right' | 'center';

/**
 * The lines `text` takes in `width` in the document's current font and size,
 * broken at spaces only — Korean is read word by word (CSS `word-break:
 * keep-all`), while pdfkit's own wrapper would break between any two Hangul
 * syllables. A word wider than the width on its own is the one case broken
 * between characters. Explicit newlines are kept.
 */
export function fitLines(doc: Pdf, text: string, width: number): string[] {
  const fits = (s: string) => doc.widthOfString(s) <= width;
  const out: string[] = [];
  for (const paragraph of text.split('\n')) {
    let line = '';
    for (const word of paragraph.split(' ').filter((w) => w !== '')) {
      const joined = line === '' ? word : `${line} ${word}`;
      if (fits(joined)) {
        line = joined;
        continue;
      }
      if (line !== '') out.push(line);
      if (fits(word)) {
        line = word;
        continue;
      }
      // One word wider than the width: the only place a word is cut, at code points.
      line = '';
      for (const ch of Array.from(word)) {
        if (line !== '' && !fits(line + ch)) {
          out.push(line);
          line = '';
        }
        line += ch;
      }
    }
    out.push(line);
  }
  return out;
}

/** Height of one line in the current font and size, with the font's own line gap. */
export const lineHeight = (doc: Pdf): number => doc.currentLineHeight(true);

/**
 * Lines drawn one by one at `x, y` without pdfkit's wrapper (which would
 * re-break them its own way); alignment is placed by measured width.
 * Returns the y under the last line.
 */
export function drawLines(doc: Pdf, lines: string[], x: number, y: number, width: number, align: Align = 'left'): number {
  const h = lineHeight(doc);
  for (const line of lines) {
    const w = doc.widthOfString(line);
    const dx = align === 'right' ? width - w : align === 'center' ? (width - w) / 2 : 0;
    if (line !== '') doc.text(line, x + Math.max(0, dx), y, { lineBreak: false });
    y += h;
  }
  return y;
}

/**
 * A paragraph in the current font at the current position, broken between
 * words, continued on a new page when it reaches the bottom margin. Leaves
 * `doc.y` under it and `doc.x` at `x`.
 */
export function paragraph(doc: Pdf, text: string, o: { x?: number; width?: number; align?: Align } = {}): void {
  const x = o.x ?? doc.page.margins.left;
  const width = o.width ?? doc.page.width - x - doc.page.margins.right;
  const h = lineHeight(doc);
  let y = doc.y;
  for (const line of fitLines(doc, text, width)) {
    if (y + h > doc.page.height - doc.page.margins.bottom && y > doc.page.margins.top) {
      doc.addPage();
      y = doc.page.margins.top;
    }
    y = drawLines(doc, [line], x, y, width, o.align);
  }
  doc.x = x;
  doc.y = y;
}
