import ExcelJS from 'exceljs';
import { sql, type Kysely } from 'kysely';
import type { ExceptionRow } from '../../api/reconcile-schemas.js';
import { districtName } from '../../common/districts.js';
import { formatWon } from '../../common/money.js';
import { providerName } from '../../reconcile/provider-names.js';
import { formatSeoul } from '../../common/time.js';
import { translate, type Lang } from '../../i18n/index.js';
import { EXCEPTION_CLASSES, type DayTotal } from '../../reconcile/match.js';
import type { Database } from '../db/schema.js';
import { openPdf } from '../pdf/document.js';
import type { ReportFonts } from '../pdf/fonts.js';
import { pageHeading, sectionHeading } from '../pdf/page-frame.js';
import { drawTable, ruledCell } from '../pdf/table.js';
import { paragraph } from '../pdf/text-fit.js';
import { dayRow, listAdjustments, listExceptions, type AdjustmentRow } from './reconcile-repo.js';
import type { DayMoney } from '../../reconcile/adjustments.js';

export interface ReconcileReport {
  day: string;
  provider: string;
  lockedBy: string | null;
  lockedAt: string | null;
  files: { fileName: string; rows: number; importedBy: string; importedAt: string }[];
  byApprovalDay: DayTotal[];
  byPayoutDay: DayTotal[];
  counts: Record<string, number>;
  exceptions: ExceptionRow[];
  money: DayMoney;
  adjustments: AdjustmentRow[];
}

/** What a day's report says, from the recorded imports of that day and provider. */
export async function loadReport(db: Kysely<Database>, day: string, provider: string): Promise<ReconcileReport> {
  const imports = await db.selectFrom('settlement_imports').selectAll().where('day', '=', day).where('provider', '=', provider).orderBy('imported_at').execute();
  const ids = imports.map((i) => i.id);
  const totals = async (col: 'approved_at' | 'payout_day'): Promise<DayTotal[]> => {
    if (ids.length === 0) return [];
    // Approval day in Seoul: UTC + 9 hours.
    const dayExpr = col === 'approved_at' ? "substr(datetime(approved_at, '+9 hours'), 1, 10)" : 'payout_day';
    const r = await sql<DayTotal>`
      select ${sql.raw(dayExpr)} as day, count(*) as count,
        sum(case type when 'cancel' then -amount else amount end) as amount, sum(case type when 'cancel' then -fee else fee end) as fee,
        sum(case type when 'cancel' then -vat else vat end) as vat, sum(case type when 'cancel' then -net else net end) as net
      from settlement_rows where import_id in (${sql.join(ids)}) group by 1 order by 1`.execute(db);
    return r.rows;
  };
  const exceptions = (await listExceptions(db, { startRow: 0, endRow: 100_000, day, provider })).rows;
  const counts: Record<string, number> = {};
  for (const c of EXCEPTION_CLASSES) counts[c] = exceptions.filter((e) => e.class === c).length;
  const d = await dayRow(db, day, provider);
  return {
    day,
    provider,
    lockedBy: d.lockedBy,
    lockedAt: d.lockedAt,
    files: imports.map((i) => ({ fileName: i.file_name, rows: i.row_count, importedBy: i.imported_by, importedAt: i.imported_at })),
    byApprovalDay: await totals('approved_at'),
    byPayoutDay: await totals('payout_day'),
    counts,
    exceptions,
    money: { difference: d.difference, adjusted: d.adjusted, unexplained: d.unexplained },
    adjustments: await listAdjustments(db, day, provider),
  };
}

const totalsHeader = (t: (k: string) => string, first: string) => [first, t('reconcile.count'), t('reconcile.amount'), t('reconcile.fee'), t('reconcile.vat'), t('reconcile.net')];
const exceptionHeader = (t: (k: string) => string) => [t('reconcile.class'), t('reconcile.line'), t('reconcile.tid'), t('reconcile.district'), t('reconcile.fileAmount'), t('reconcile.ledgerAmount'), t('reconcile.reason'), t('reconcile.adjustment'), t('reconcile.status')];
const moneyLine = (r: ReconcileReport, t: (k: string) => string) =>
  `${t('reconcile.difference')} ${formatWon(r.money.difference)} · ${t('reconcile.adjusted')} ${formatWon(r.money.adjusted)} · ${t('reconcile.unexplained')} ${formatWon(r.money.unexplained)}`;
const adjustmentHeader = (t: (k: string) => string) => ['#', t('reconcile.line'), t('reconcile.tid'), t('reconcile.adjustment'), t('reconcile.reason'), t('reconcile.reasonText'), t('reconcile.bookedBy'), t('reconcile.bookedAt'), t('reconcile.serverState')];
function adjustmentCells(a: AdjustmentRow, r: ReconcileReport, t: (k: string) => string, lang: Lang): string[] {
  const e = r.exceptions.find((x) => x.id === a.exceptionId);
  return [String(a.id), e?.line == null ? '' : String(e.line), e?.tid ?? '', formatWon(a.amount), t(`reconcile.reasons.${a.reason}`), a.text, a.by, formatSeoul(a.at, lang), t(`reconcile.serverStates.${a.server}`)];
}

function exceptionCells(e: ExceptionRow, t: (k: string) => string, lang: Lang): string[] {
  return [
    t(`reconcile.classes.${e.class}`),
    e.line === null ? '' : String(e.line),
    e.tid ?? '',
    e.districtCode === null ? '' : districtName(e.districtCode, lang),
    e.fileAmount === null ? '' : formatWon(e.fileAmount),
    e.ledgerAmount === null ? '' : formatWon(e.ledgerAmount),
    e.resolution ? `${t(`reconcile.reasons.${e.resolution}`)}${e.resolutionText ? ` — ${e.resolutionText}` : ''}` : '',
    e.adjustment ? formatWon(e.adjustment) : '',
    e.resolvedAt ? `${t('reconcile.resolved')} (${e.resolvedBy})` : t('reconcile.open'),
  ];
}

export function buildReconcilePdf(r: ReconcileReport, lang: Lang, fonts: ReportFonts, generatedAt: Date, author: string): Promise<Buffer> {
  const t = (k: string, p?: Record<string, string | number>) => translate(lang, k, p);
  const { doc, done } = openPdf({ size: 'A4', layout: 'landscape', margin: 36, title: `${t('reconcile.title')} ${r.day} ${providerName(r.provider, lang)}`, author }, fonts);
  const style = ruledCell([3, 5, 3, 5], '#dfe3ea');
  pageHeading(doc, {
    title: `${t('reconcile.title')} — ${r.day} · ${providerName(r.provider, lang)}`,
    titleSize: 16,
    lines: [
      `${formatSeoul(generatedAt.toISOString(), lang)} KST · ${author}`,
      ...(r.lockedBy ? [t('reconcile.locked', { by: r.lockedBy, at: formatSeoul(r.lockedAt, lang) })] : []),
      ...r.files.map((f) => `${t('reconcile.file')}: ${f.fileName} · ${f.rows} · ${f.importedBy} · ${formatSeoul(f.importedAt, lang)}`),
    ],
    linesSize: 9,
    linesColor: '#5f6b7a',
    after: 0.6,
  });
  const section = (title: string) => sectionHeading(doc, title, { size: 11, bodySize: 9 });
  const totalsTable = (title: string, rows: DayTotal[]) => {
    section(title);
    drawTable(doc, { style, header: totalsHeader(t, t('reconcile.day')), rows: rows.map((d) => [d.day, String(d.count), formatWon(d.amount), formatWon(d.fee), formatWon(d.vat), formatWon(d.net)]) });
    doc.moveDown(0.6);
  };
  totalsTable(t('reconcile.totalsByApproval'), r.byApprovalDay);
  totalsTable(t('reconcile.totalsByPayout'), r.byPayoutDay);
  section(t('reconcile.class'));
  paragraph(doc, EXCEPTION_CLASSES.map((c) => `${t(`reconcile.classes.${c}`)} ${r.counts[c] ?? 0}`).join(' · '));
  paragraph(doc, moneyLine(r, t));
  doc.moveDown(0.6);
  section(t('reconcile.adjustments'));
  if (r.adjustments.length === 0) paragraph(doc, t('reconcile.noAdjustments'));
  else drawTable(doc, { style, header: adjustmentHeader(t), rows: r.adjustments.map((a) => adjustmentCells(a, r, t, lang)) });
  doc.moveDown(0.6);
  if (r.exceptions.length > 0) {
    doc.font('body').fontSize(8);
    drawTable(doc, { style, header: exceptionHeader(t), rows: r.exceptions.map((e) => exceptionCells(e, t, lang)) });
  }
  doc.end();
  return done;
}

export async function buildReconcileXlsx(r: ReconcileReport, lang: Lang): Promise<Buffer> {
  const t = (k: string, p?: Record<string, string | number>) => translate(lang, k, p);
  const wb = new ExcelJS.Workbook();
  const won = '"₩"#,##0;-"₩"#,##0';
  const totals = (name: string, rows: DayTotal[]) => {
    const ws = wb.addWorksheet(name);
    ws.addRow(totalsHeader(t, t('reconcile.day'))).font = { bold: true };
    for (const d of rows) ws.addRow([d.day, d.count, d.amount, d.fee, d.vat, d.net]);
    for (const c of [3, 4, 5, 6]) ws.getColumn(c).numFmt = won;
    ws.columns.forEach((c) => (c.width = 16));
  };
  totals(t('reconcile.totalsByApproval'), r.byApprovalDay);
  totals(t('reconcile.totalsByPayout'), r.byPayoutDay);
  const ws = wb.addWorksheet(t('reconcile.nav'));
  ws.addRow(exceptionHeader(t)).font = { bold: true };
  for (const e of r.exceptions) {
    const c = exceptionCells(e, t, lang);
    ws.addRow([c[0], e.line, e.tid, c[3], e.fileAmount, e.ledgerAmount, c[6], e.adjustment, c[8]]);
  }
  for (const c of [5, 6, 8]) ws.getColumn(c).numFmt = won;
  ws.columns.forEach((c) => (c.width = 18));
  const adj = wb.addWorksheet(t('reconcile.adjustments'));
  adj.addRow(adjustmentHeader(t)).font = { bold: true };
  for (const a of r.adjustments) {
    const c = adjustmentCells(a, r, t, lang);
    adj.addRow([a.id, c[1] === '' ? null : Number(c[1]), c[2], a.amount, c[4], a.text, a.by, c[7], c[8]]);
  }
  adj.addRow([]);
  adj.addRow([t('reconcile.difference'), null, null, r.money.difference]);
  adj.addRow([t('reconcile.adjusted'), null, null, r.money.adjusted]);
  adj.addRow([t('reconcile.unexplained'), null, null, r.money.unexplained]);
  adj.getColumn(4).numFmt = won;
  adj.columns.forEach((c) => (c.width = 18));
  return Buffer.from(await wb.xlsx.writeBuffer());
}
