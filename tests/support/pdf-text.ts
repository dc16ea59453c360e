import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';

/** The text of every page of a PDF, as pdf.js extracts it (through the fonts' ToUnicode maps). */
export async function pdfText(bytes: Uint8Array): Promise<{ pages: number; text: string }> {
  const doc = await getDocument({ data: bytes, useSystemFonts: false, isEvalSupported: false }).promise;
  const parts: string[] = [];
  for (let i = 1; i <= doc.numPages; i++) {
    const content = await (await doc.getPage(i)).getTextContent();
    parts.push(content.items.map((it) => ('str' in it ? it.str : '')).join(' '));
  }
  return { pages: doc.numPages, text: parts.join('\n') };
}

/** A real 2×2 PNG, for tests that send chart images. */
export const TINY_PNG =
  'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAF0lEQVR4nGOQ9Z/4//9/hv///8v6TwQANtIH9RRbBg4AAAAASUVORK5CYII=';

export interface TextBox {
  page: number;
  str: string;
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

/**
 * Every non-blank piece of text pdf.js finds, as a box in page points: from
 * its baseline less a fifth of the font size (descenders) up to four fifths
 * above it (the glyphs' body), as wide as pdf.js measures the run.
 */
export async function pdfTextBoxes(bytes: Uint8Array): Promise<{ boxes: TextBox[]; sizes: { width: number; height: number }[] }> {
  const doc = await getDocument({ data: bytes, useSystemFonts: false, isEvalSupported: false }).promise;
  const boxes: TextBox[] = [];
  const sizes: { width: number; height: number }[] = [];
  for (let i = 1; i <= doc.numPages; i++) {
    const page = await doc.getPage(i);
    const [, , width, height] = page.view as [number, number, number, number];
    sizes.push({ width, height });
    for (const it of (await page.getTextContent()).items) {
      if (!('str' in it) || it.str.trim() === '') continue;
      const [, , , d, x, y] = it.transform as number[];
      const size = Math.abs(d!) || it.height;
      boxes.push({ page: i, str: it.str, x0: x!, x1: x! + it.width, y0: y! - size * 0.2, y1: y! + size * 0.8 });
    }
  }
  return { boxes, sizes };
}

/** Pairs of text boxes on the same page that overlap by more than `tolerance` points each way: text printed over text. */
export function overlappingText(boxes: TextBox[], tolerance = 0.5): [TextBox, TextBox][] {
  const out: [TextBox, TextBox][] = [];
  for (let i = 0; i < boxes.length; i++)
    for (let j = i + 1; j < boxes.length; j++) {
      const a = boxes[i]!;
      const b = boxes[j]!;
      if (a.page !== b.page) continue;
      const dx = Math.min(a.x1, b.x1) - Math.max(a.x0, b.x0);
      const dy = Math.min(a.y1, b.y1) - Math.max(a.y0, b.y0);
      if (dx > tolerance && dy > tolerance) out.push([a, b]);
    }
  return out;
}
