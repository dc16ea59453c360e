import type { CalibrationView } from '../../api/calibration-schemas.js';
import { formatWonReadable } from '../../common/money.js';
import { formatSeoul } from '../../common/time.js';
import { translate, type Lang } from '../../i18n/index.js';
import { fitValueOf, fitValueText } from '../../simulation/calibrate/fit-values.js';
import { openPdf } from '../pdf/document.js';
import type { ReportFonts } from '../pdf/fonts.js';
import { pageHeading, sectionHeading } from '../pdf/page-frame.js';
import { boldCell, drawTable, rightCell, ruledCell } from '../pdf/table.js';
import { paragraph } from '../pdf/text-fit.js';

const GREY = '#5f6b7a';
const LINE = '#dfe3ea';

/**
 * A calibration on paper: how close the fit came on each measure, and each
 * fitted parameter with whether the data pinned it; a parameter they did not
 * pin shows the assumption it kept and the value the search had wandered to.
 */
export function buildCalibrationPdf(c: CalibrationView, lang: Lang, author: string, generatedAt: Date, fonts: ReportFonts): Promise<Buffer> {
  const t = (k: string, p?: Record<string, string | number>) => translate(lang, k, p);
  const n = (v: number) => new Intl.NumberFormat(lang === 'ko' ? 'ko-KR' : 'en-US').format(v);
  const r = c.result;
  const { doc, done } = openPdf({ size: 'A4', margin: 40, title: `${t('calibration.resultTitle')} — ${c.roundName}`, author }, fonts);
  const width = doc.page.width - 80;
  pageHeading(doc, {
    title: `${t('calibration.resultTitle')} — ${c.roundName}`,
    titleSize: 18,
    titleGap: 0.3,
    lines: [
      t('calibration.resultMeta', { at: formatSeoul(c.createdAt, lang), name: c.createdByName, evaluations: n(r.evaluations), seconds: (r.elapsedMs / 1000).toFixed(1) }),
      t('calibration.improvement', { before: r.startObjective.toFixed(3), after: r.objective.toFixed(3) }),
      `${t('simulation.reportGenerated')}: ${formatSeoul(generatedAt.toISOString(), lang)} KST · ${author}`,
    ],
    linesSize: 10,
    linesColor: GREY,
    after: 0.8,
  });
  const style = ruledCell([2.5, 6, 2.5, 6], LINE);
  const isCurve = (m: string) => m === 'curve' || m === 'cumulative';
  const value = (m: string, v: number | null) => (v === null ? t('calibration.notObserved') : isCurve(m) ? formatWonReadable(Math.round(v), lang) : n(Math.round(v * 10) / 10));
  const error = (v: number | null) => (v === null ? '—' : `${v > 0 ? '+' : ''}${(v * 100).toFixed(1)}%`);
  sectionHeading(doc, t('identifiability.measuresTitle'), { size: 12, gap: 0.3, bodySize: 9 });
  drawTable(doc, {
    style,
    columns: [200, '*', '*', '*'],
    header: [t('calibration.colMeasure'), t('calibration.colObserved'), t('calibration.colSimulated'), t('calibration.colError')],
    rows: r.rows.filter((row) => row.observed !== null).map((row) => [t(`calibration.measure_${row.measure}`), rightCell(value(row.measure, row.observed)), rightCell(value(row.measure, row.simulated)), rightCell(error(row.error))]),
  });
  doc.moveDown(0.3).fontSize(8).fillColor(GREY);
  paragraph(doc, t('calibration.curveNote'), { width });
  doc.fillColor('black').moveDown(0.8);

  sectionHeading(doc, t('calibration.fittedTitle'), { size: 12, gap: 0.3, bodySize: 9 });
  drawTable(doc, {
    style,
    columns: [200, 90, '*'],
    header: [t('calibration.fittedTitle'), t('identifiability.colValue'), t('identifiability.colVerdict')],
    rows: r.free.map((key) => {
      const d = r.identified?.find((x) => x.key === key);
      const assumedText = d ? fitValueText(key, d.assumed, n) : '';
      const verdict = !d
        ? '—'
        : d.pinned
          ? t('identifiability.pinned')
          : d.joint
            ? `${t('identifiability.joint')} — ${t('identifiability.jointKept', { assumed: assumedText })}`
            : `${t('identifiability.notPinned')} — ${t('identifiability.keptAssumption', { assumed: assumedText, fitted: fitValueText(key, d.fitted, n) })}`;
      return [t(`calibration.fit_${key}`), rightCell(fitValueText(key, fitValueOf(r.params, key), n)), d?.pinned === false ? boldCell(verdict) : verdict];
    }),
  });
  doc.moveDown(0.3).fontSize(8).fillColor(GREY);
  paragraph(doc, r.identified ? t('identifiability.rule') : t('identifiability.none'), { width });
  doc.fillColor('black');
  doc.end();
  return done;
}
