import type { SimRun } from '../../api/simulation-schemas.js';
import { AppError } from '../../common/errors.js';
import { formatWonReadable } from '../../common/money.js';
import { formatSeoul } from '../../common/time.js';
import { translate, type Lang } from '../../i18n/index.js';
import { metricDelta, metrics, runTitle } from '../../simulation/metrics.js';
import { recommendationEffects } from '../../simulation/recommendation-effect.js';
import { paymentCapacityText, seedCheckText } from '../../simulation/seed-check-text.js';
import { openPdf } from '../pdf/document.js';
import type { ReportFonts } from '../pdf/fonts.js';
import { pageHeading, sectionHeading } from '../pdf/page-frame.js';
import { boldCell, drawTable, rightCell, ruledCell } from '../pdf/table.js';
import { drawLines, fitLines, paragraph } from '../pdf/text-fit.js';

export interface ChartImage {
  title: string;
  /** PNG bytes. */
  png: Buffer;
}

export interface SimulationReport {
  roundName: string;
  runs: SimRun[];
  charts: ChartImage[];
  lang: Lang;
  generatedAt: Date;
  author: string;
}

const GREY = '#5f6b7a';
const LINE = '#dfe3ea';

/**
 * Key parameters as label/value rows, so a reader can reproduce the run. The sign-in row is there when any run of
 * the report has a sign-in stage (`withSignIn`), so compared runs keep the same rows, row for row.
 */
function parameterRows(run: SimRun, lang: Lang, withSignIn: boolean): [string, string][] {
  const t = (k: string, p?: Record<string, string | number>) => translate(lang, k, p);
  const n = (v: number | null) => (v === null ? t('simulation.unlimited') : new Intl.NumberFormat(lang === 'ko' ? 'ko-KR' : 'en-US').format(v));
  const p = run.params;
  return [
    [t('simulation.seed'), String(p.seed)],
    [t('simulation.visitors'), n(p.visitors)],
    [t('simulation.curve'), t(`simulation.curve_${p.arrival.curve}`)],
    [t('simulation.preOpenPct'), `${Math.round(p.arrival.preOpenShare * 100)}%`],
    [t('simulation.stock'), formatWonReadable(p.sale.stock, lang)],
    [t('simulation.limit'), formatWonReadable(p.purchase.limit, lang)],
    [t('simulation.admissionPerMinute'), n(p.waitingRoom.admissionPerMinute)],
    [t('simulation.maxActiveSessions'), n(p.waitingRoom.maxActiveSessions)],
    [t('simulation.order'), t(`simulation.order_${p.waitingRoom.order}`)],
    [t('simulation.stockCutoff'), p.waitingRoom.stockCutoff ? t('common.yes') : t('common.no')],
    [t('simulation.timeoutMinutes'), n(p.session.timeoutMinutes)],
    [t('simulation.policy'), t(`simulation.policy_${p.session.policy}`)],
    [t('simulation.returnPct'), `${Math.round(p.returns.probability * 100)}%`],
    [t('simulation.patience'), `${t(`simulation.patience_${p.patience.kind}`)}${p.patience.kind === 'none' ? '' : ` (${p.patience.meanMinutes})`}`],
    [t('simulation.checkoutSeconds'), `${p.checkout.meanSeconds} (${t(`simulation.dist_${p.checkout.distribution}`)})`],
    [t('simulation.failurePct'), `${Math.round(p.checkout.failureRate * 1000) / 10}%`],
    [t('simulation.maxConnections'), n(p.capacity.maxConnections)],
    ...(withSignIn ? [[t('signIn.loginMinutes'), n(p.capacity.loginMinutes ?? 0)] as [string, string]] : []),
  ];
}

function recommendationLines(run: SimRun, lang: Lang): string[] {
  const r = run.recommendations;
  if (!r) return [];
  const t = (k: string, p?: Record<string, string | number>) => translate(lang, k, p);
  const n = (v: number) => new Intl.NumberFormat(lang === 'ko' ? 'ko-KR' : 'en-US').format(v);
  const cap = r.capacity === null ? t('simulation.unlimited') : n(r.capacity);
  const m = (v: number | null) => (v === null ? '—' : String(Math.round(v * 10) / 10));
  const a = r.admission;
  const checks = seedCheckText(r, t, n);
  const payment = paymentCapacityText(r, t, n);
  const acts = recommendationEffects(r);
  const withCheck = (line: string, check: string | null) => (check ? `${line} ${check}.` : line);
  return [
    ...(acts.session ? [withCheck(t('simulation.recSession', { minutes: r.session.minutes, logouts: n(r.session.baselineLogouts) }), checks.session)] : []),
    withCheck(
      a.feasible
        ? t('simulation.recAdmission', { target: r.targetSellOutMinutes, rate: n(a.perMinute), soldOut: m(a.sellOutMinute), peak: n(a.peakActive), capacity: cap })
        : a.reason === 'capacity'
          ? t('simulation.recAdmissionCapacity', { target: r.targetSellOutMinutes, rate: n(a.perMinute), peak: n(a.peakActive), capacity: cap })
          : t('simulation.recAdmissionStock', { target: r.targetSellOutMinutes, rate: n(a.perMinute) }),
      checks.admission,
    ),
    ...(payment ? [withCheck(payment.line, payment.check)] : []),
    ...(acts.cutoff ? [t('simulation.recCutoff', { saved: n(Math.round(r.cutoff.savedHours)), people: n(r.cutoff.cutPeople), sold: formatWonReadable(r.cutoff.amountSoldWith, lang) })] : []),
    ...(checks.margin ? [checks.margin] : []),
  ];
}

/**
 * A PDF of one run, or two side by side: what was assumed, what happened,
 * what to change, and the charts as the console drew them.
 */
export function buildSimulationPdf(report: SimulationReport, fonts: ReportFonts): Promise<Buffer> {
  const { lang, runs } = report;
  const t = (k: string, p?: Record<string, string | number>) => translate(lang, k, p);
  const { doc, done } = openPdf({ size: 'A4', margin: 40, title: `${t('simulation.reportTitle')} — ${report.roundName}`, author: report.author }, fonts);

  const width = doc.page.width - 80;
  pageHeading(doc, {
    title: t('simulation.reportTitle'),
    titleSize: 18,
    titleGap: 0.3,
    lines: [`${t('simulation.reportRound')}: ${report.roundName}`, `${t('simulation.reportGenerated')}: ${formatSeoul(report.generatedAt.toISOString(), lang)} KST · ${report.author}`],
    linesSize: 10,
    linesColor: GREY,
    after: 0.8,
  });

  // Compact rows: a run's results, recommendations and parameters fit on the first page, so
  // the parameters no longer spill two rows onto a page of their own.
  const style = ruledCell([2.5, 6, 2.5, 6], LINE);
  const [baseline, other] = runs;
  const comparing = other !== undefined;

  // Results: one column per run; a comparison names its baseline and shows the difference.
  sectionHeading(doc, t('simulation.results'), { size: 12, gap: 0.3, bodySize: 9 });
  const shown = metrics(t, lang);
  drawTable(doc, {
    style,
    columns: comparing ? [150, '*', '*', '*'] : [200, '*'],
    header: [
      t('simulation.metric'),
      comparing ? t('simulation.baselineRun', { run: runTitle(t, baseline!) }) : runTitle(t, baseline!),
      ...(comparing ? [runTitle(t, other), t('simulation.differenceFrom', { run: other.label })] : []),
    ],
    rows: shown.map((m) => [
      m.label,
      ...runs.map((r) => rightCell(m.format(m.value(r.result)))),
      ...(comparing ? [rightCell(metricDelta(m, baseline!.result, other.result).text)] : []),
    ]),
  });
  if (comparing) {
    doc.moveDown(0.2).fontSize(8).fillColor(GREY);
    paragraph(doc, t('simulation.baselineNote'), { width });
    doc.fillColor('black');
  }
  doc.moveDown(0.8);

  for (const run of runs) {
    const lines = recommendationLines(run, lang);
    if (lines.length === 0) continue;
    sectionHeading(doc, `${t('simulation.recommendations')}${comparing ? ` — ${runTitle(t, run)}` : ''}`, { size: 12, gap: 0.3, bodySize: 9.5 });
    for (const line of lines) paragraph(doc, `• ${line}`, { width });
    doc.moveDown(0.8);
  }

  // Parameters, so the reader can reproduce each run: two label/value pairs a row for one run.
  sectionHeading(doc, t('simulation.reportParams'), { size: 12, gap: 0.3, bodySize: 9 });
  const withSignIn = runs.some((r) => (r.params.capacity.loginMinutes ?? 0) > 0);
  const rows = runs.map((r) => parameterRows(r, lang, withSignIn));
  if (comparing) {
    drawTable(doc, {
      style,
      columns: [150, '*', '*'],
      // Settings that differ between the runs are in bold: they are what the comparison is about.
      rows: rows[0]!.map(([label], i) => {
        const differs = rows[1]![i]![1] !== rows[0]![i]![1];
        return [differs ? boldCell(label) : label, ...rows.map((r) => (differs ? boldCell(r[i]![1]) : r[i]![1]))];
      }),
    });
  } else {
    const one = rows[0]!;
    const half = Math.ceil(one.length / 2);
    drawTable(doc, {
      style,
      columns: [130, '*', 130, '*'],
      rows: one.slice(0, half).map(([label, value], i) => [label, value, one[half + i]?.[0] ?? '', one[half + i]?.[1] ?? '']),
    });
  }

  // Charts, two to a row, after the tables; a new page only when not even one row fits.
  if (report.charts.length > 0) {
    const gap = 12;
    const w = (width - gap) / 2;
    const h = w * 0.62;
    const rowHeight = h + 28;
    const bottom = doc.page.height - 40;
    let x = 40;
    let y = doc.y + 16;
    if (y + rowHeight > bottom) {
      doc.addPage();
      y = 40;
    }
    for (const [i, chart] of report.charts.entries()) {
      if (i % 2 === 0 && y + rowHeight > bottom) {
        doc.addPage();
        y = 40;
      }
      doc.font('bold').fontSize(9);
      drawLines(doc, fitLines(doc, chart.title, w).slice(0, 1), x, y, w);
      try {
        doc.image(chart.png, x, y + 14, { fit: [w, h] });
      } catch {
        // A PNG signature on bytes that do not decode: the caller sent a broken image.
        throw new AppError('invalid_input', 'simulation.chartsMissing', { title: chart.title });
      }
      if (i % 2 === 0) x += w + gap;
      else {
        x = 40;
        y += rowHeight;
      }
    }
  }

  doc.end();
  return done;
}
