import type { CounterRequestView } from '../../api/refund-schemas.js';
import { districtName } from '../../common/districts.js';
import { formatBasisPoints, formatWon, formatWonKorean } from '../../common/money.js';
import { formatSeoul } from '../../common/time.js';
import { translate, type Lang } from '../../i18n/index.js';
import { openPdf } from '../pdf/document.js';
import type { ReportFonts } from '../pdf/fonts.js';
import { pageHeading } from '../pdf/page-frame.js';
import { boldCell, drawTable } from '../pdf/table.js';
import { paragraph } from '../pdf/text-fit.js';

export interface ReceiptInput {
  request: CounterRequestView;
  roundName: string;
  width: 'a4' | 'roll80';
  /** `request`: as taken at the counter; `answer`: the server's decision on it. */
  copy: 'request' | 'answer';
  printedAt: string;
  printedBy: string;
  lang: Lang;
}

/** 80 mm thermal roll: 226.77 pt wide; the page ends under the last line, where the printer cuts. */
const ROLL_WIDTH = (80 / 25.4) * 72;
/** Room for the measuring pass: far more than any receipt takes. */
const ROLL_PROBE_HEIGHT = 20_000;

/** Money as the receipt reads it: the exact ₩ figure, with 만/억 beside it where that reads easier. */
function money(amount: number, lang: Lang): string {
  return lang === 'ko' && amount >= 10_000 ? `${formatWon(amount)} (${formatWonKorean(amount)})` : formatWon(amount);
}

/** The rule the payout follows, in words, for the receipt and the screen alike. */
export function ruleText(r: Pick<CounterRequestView, 'kind' | 'working'>, lang: Lang): string {
  const t = (k: string, p?: Record<string, string | number>) => translate(lang, k, p);
  if (r.kind === 'cancel') return t('counter.rule_cancel');
  return t(`counter.rule_${r.working.formula}`, { threshold: r.working.thresholdPct });
}

/**
 * The receipt (접수증) for a refund or cancellation: what was asked, by whom,
 * at which counter and why, with the working, on A4 or an 80 mm roll. The
 * second copy states the server's answer.
 */
export async function buildReceiptPdf(input: ReceiptInput, fonts: ReportFonts): Promise<Buffer> {
  if (input.width === 'a4') return drawReceipt(input, fonts, 'A4').done;
  // Lay the roll out once on a long page to learn where its text ends, then again on a page that long.
  const probe = drawReceipt(input, fonts, [ROLL_WIDTH, ROLL_PROBE_HEIGHT]);
  await probe.done;
  return drawReceipt(input, fonts, [ROLL_WIDTH, Math.ceil(probe.end + ROLL_MARGIN)]).done;
}

const ROLL_MARGIN = 10;

function drawReceipt(input: ReceiptInput, fonts: ReportFonts, size: PDFKit.PDFDocumentOptions['size']): { done: Promise<Buffer>; end: number } {
  const { request: r, lang } = input;
  const t = (k: string, p?: Record<string, string | number>) => translate(lang, k, p);
  const roll = input.width === 'roll80';
  const margin = roll ? ROLL_MARGIN : 48;
  const title = input.copy === 'answer' ? t('counter.receiptAnswerTitle') : t('counter.receiptTitle');
  const { doc, done } = openPdf({ size, margin, title: `${title} ${r.receiptNo}`, author: input.printedBy }, fonts);
  const width = doc.page.width - margin * 2;
  const fontSize = roll ? { title: 12, body: 7.5, label: 7 } : { title: 18, body: 10.5, label: 10 };

  pageHeading(doc, {
    title,
    titleSize: fontSize.title,
    titleGap: 0.2,
    lines: [r.receiptProvisional ? t('receiptNumbers.provisionalLine', { no: r.receiptNo }) : `${t('counter.receiptNo')} ${r.receiptNo}`],
    linesSize: fontSize.label,
    linesColor: '#475467',
    after: roll ? 0.5 : 1,
    width,
    align: roll ? 'center' : 'left',
  });

  const status = t(`counter.status_${r.status}`);
  const w = r.working;
  const rows: [string, string][] = [
    // The buyer may hold the first slip, with the counter's provisional number: both numbers on the later one.
    ...(r.receiptProvisional || r.provisionalNo === r.receiptNo ? [] : ([[t('receiptNumbers.formerProvisional'), r.provisionalNo]] as [string, string][])),
    [t('counter.lot'), r.lotId],
    [t('counter.round'), input.roundName],
    [t('counter.buyer'), r.buyerId],
    [t('counter.district'), districtName(r.districtCode, lang)],
    [t('counter.kind'), t(`counter.kind_${r.kind}`)],
    [t('counter.face'), money(w.face, lang)],
    [t('counter.paid'), money(w.paid, lang)],
    [t('counter.used'), `${money(w.used, lang)} · ${formatBasisPoints(w.usedBp)}`],
    [t('counter.threshold'), `${w.thresholdPct}%`],
    [t('counter.subsidy'), money(w.subsidyDeducted, lang)],
    [t('counter.payout'), money(r.amount, lang)],
    [t('counter.rule'), ruleText(r, lang)],
    [t('counter.reason'), [t(`counter.reason_${r.reasonCode}`), r.reasonText].filter(Boolean).join(' · ')],
    ...(r.accountMasked ? ([[t('counter.account'), r.accountMasked]] as [string, string][]) : []),
    [t('counter.clerk'), r.clerkName],
    ...(r.countersignedByName ? ([[t('counter.second'), r.countersignedByName]] as [string, string][]) : []),
    [t('counter.requestedAt'), `${formatSeoul(r.createdAt, lang, true)} KST`],
    [t('counter.status'), status],
  ];
  if (input.copy === 'answer') {
    rows.push([t('counter.answeredAt'), r.resolvedAt ? `${formatSeoul(r.resolvedAt, lang, true)} KST` : '—']);
    if (r.serverReason) rows.push([t('counter.serverReason'), translate(lang, r.serverReason.key, r.serverReason.params)]);
  }

  // Labels in bold in a fixed column, values broken between words beside them; no rules, as a receipt reads.
  doc.fontSize(fontSize.body);
  drawTable(doc, {
    style: { padding: roll ? [1, 3, 1, 0] : [2, 6, 2, 0], ruleColor: null },
    columns: [roll ? 64 : 130, '*'],
    x: margin,
    width,
    rows: rows.map(([label, value]) => [boldCell(label), value]),
  });
  doc.moveDown(roll ? 0.6 : 1.2);
  doc.font('body').fontSize(fontSize.label).fillColor('#475467');
  paragraph(doc, t(input.copy === 'answer' ? 'counter.receiptAnswerNote' : 'counter.receiptNote'), { x: margin, width });
  if (r.receiptProvisional) {
    doc.moveDown(0.4);
    paragraph(doc, t('receiptNumbers.provisionalNote'), { x: margin, width });
  }
  doc.moveDown(0.4);
  paragraph(doc, t('counter.printed', { at: `${formatSeoul(input.printedAt, lang)} KST`, by: input.printedBy }), { x: margin, width });
  const end = doc.y;
  doc.end();
  return { done, end };
}
