import PDFDocument from 'pdfkit';
import type { ReportFonts } from './fonts.js';

export type Pdf = PDFKit.PDFDocument;

export interface PdfSetup {
  size: PDFKit.PDFDocumentOptions['size'];
  layout?: PDFKit.PDFDocumentOptions['layout'];
  margin: number;
  title: string;
  author: string;
}

/**
 * A document with the Korean fonts registered as `body` and `bold`, and its
 * bytes once `doc.end()` is called: pdfkit streams, and every caller wants
 * one buffer.
 */
export function openPdf(setup: PdfSetup, fonts: ReportFonts): { doc: Pdf; done: Promise<Buffer> } {
  const doc = new PDFDocument({
    size: setup.size,
    ...(setup.layout ? { layout: setup.layout } : {}),
    margin: setup.margin,
    info: { Title: setup.title, Author: setup.author },
  });
  doc.registerFont('body', fonts.regular);
  doc.registerFont('bold', fonts.bold);
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  return { doc, done };
}
