import ExcelJS from 'exceljs';
import { createWriteStream, type WriteStream } from 'node:fs';
import { AppError } from '../../common/errors.js';
import { translate, type Lang } from '../../i18n/index.js';
import type { ReportParams, ReportResult } from '../../reports/params.js';
import { reportTable, type ColumnKind, type ReportTable, type TableColumn, type TableRow } from '../../reports/report-table.js';
import type { JobContext } from '../jobs/job-registry.js';
import { concat, eventLabelCases, eventTextBlocks, seoulWallTimeSql, xmlEscaped, type SqlPiece } from './event-text.js';
import { WON_FORMAT, XLSX_STYLE, xmlText, XlsxStream } from './xlsx-stream.js';
import { countEvents, type ExportSource } from './report-query.js';
import { csvCell, csvCellSql } from './csv-cell.js';
import { selectRoundsWithSpec, toRoundWithSpec } from '../rounds/rounds-repo.js';

/** Excel's sheet limit, the header row included. */
export const EXCEL_MAX_ROWS = 1_048_576;

export interface ExportTarget {
  /** Where the file is written. */
  path: string;
  lang: Lang;
  job: Pick<JobContext, 'signal' | 'progress'>;
  /** Tests lower it to see sheets split. */
  maxRowsPerSheet?: number;
}

const yieldToOthers = () => new Promise<void>((r) => setImmediate(r));

function checkCancel(signal: AbortSignal): void {
  if (signal.aborted) throw new AppError('conflict', 'reports.exportCancelled');
}

/** Kept as the writers' name for the one CSV cell rule (csv-cell.ts). */
export const csvField = csvCell;

async function write(stream: WriteStream, text: string): Promise<void> {
  if (!stream.write(text)) await new Promise<void>((r) => stream.once('drain', () => r()));
}

async function close(stream: WriteStream): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    stream.once('error', reject);
    stream.end(() => resolve());
  });
}

function eventHeader(lang: Lang): string[] {
  return ['seq', 'occurredAt', 'type', 'round', 'roundName', 'lot', 'district', 'paymentMethod', 'amount'].map((k) => translate(lang, `reports.column.${k}`));
}

/** Each round's name (its current version's) by id: the exports show it beside the id, as the screens do. */
export async function roundNames(db: ExportSource['db']): Promise<Map<string, string>> {
  const rows = await selectRoundsWithSpec(db).execute();
  return new Map(rows.map((r) => [r.id, toRoundWithSpec(r).spec.name]));
}

/** One event's CSV line, built by SQLite: Seoul time, labels in words, round and lot neutralised and quoted by the one cell rule (csv-cell.ts). */
export function csvLineSql(lang: Lang, names: ReadonlyMap<string, string> = new Map()): SqlPiece {
  const l = eventLabelCases(lang, csvField, names);
  return concat([
    'seq', "','", seoulWallTimeSql('occurred_at'), "','", l.type, "','", csvCellSql('round_id'), "','", l.roundName, "','", csvCellSql('lot_id'),
    "','", l.district, "','", l.method, "','", 'amount', "char(13, 10)",
  ]);
}

/** Every event in the filters as CSV: UTF-8 with a BOM, so Excel reads the Korean. */
export async function exportEventsCsv(src: ExportSource, p: ReportParams, districts: readonly string[], target: ExportTarget): Promise<{ rows: number }> {
  const total = await countEvents(src.db, p, districts);
  // Large writes: the stream's buffer holds one block's text, not 16 KiB of it.
  const stream = createWriteStream(target.path, { highWaterMark: 4 * 1024 * 1024 });
  let rows = 0;
  try {
    await write(stream, '\uFEFF' + eventHeader(target.lang).map(csvField).join(',') + '\r\n');
    const line = csvLineSql(target.lang, await roundNames(src.db));
    for (const block of eventTextBlocks(src, p, districts, line, () => ({ size: 50_000, rowBase: 0 }))) {
      checkCancel(target.job.signal);
      await write(stream, block.text);
      rows += block.rows;
      target.job.progress(total > 0 ? rows / total : 1, 'reports.phaseWriting');
      await yieldToOthers();
    }
  } finally {
    await close(stream);
  }
  return { rows };
}

/** A streaming XLSX workbook: rows go to disk as they are written, strings inline (no shared-strings table held in memory). */
function newWorkbook(path: string): ExcelJS.stream.xlsx.WorkbookWriter {
  return new ExcelJS.stream.xlsx.WorkbookWriter({ filename: path, useSharedStrings: false, useStyles: true });
}

function addSheet(wb: ExcelJS.stream.xlsx.WorkbookWriter, name: string, header: string[], formats: (string | undefined)[], widths: number[]): ExcelJS.Worksheet {
  const sheet = wb.addWorksheet(name, { views: [{ state: 'frozen', ySplit: 1 }] });
  sheet.columns = header.map((h, i) => ({ header: h, key: `c${i}`, width: widths[i] ?? 14, ...(formats[i] ? { style: { numFmt: formats[i] } } : {}) }));
  sheet.getRow(1).font = { bold: true };
  sheet.getRow(1).commit();
  return sheet;
}

/** One event's XLSX row, built by SQLite: seq, the Seoul time as an Excel date, labels as text, won as a number in ₩. */
export function xlsxRowSql(lang: Lang, names: ReadonlyMap<string, string> = new Map()): SqlPiece {
  const l = eventLabelCases(lang, xmlText, names);
  const cell = (col: string, attrs: string, value: string | SqlPiece): (string | SqlPiece)[] => [`'<c r="${col}' || rn || '"${attrs}><v>'`, value, "'</v></c>'"];
  return concat([
    `'<row r="' || rn || '">'`,
    ...cell('A', '', 'seq'),
    // Excel's day count (1899-12-30 is day 0) of the Seoul wall-clock time: Excel dates carry no zone.
    ...cell('B', ` s="${XLSX_STYLE.date}"`, "julianday(occurred_at, '+9 hours') - 2415018.5"),
    ...cell('C', ' t="str"', l.type),
    ...cell('D', ' t="str"', xmlEscaped('round_id')),
    ...cell('E', ' t="str"', l.roundName),
    ...cell('F', ' t="str"', xmlEscaped('lot_id')),
    ...cell('G', ' t="str"', l.district),
    ...cell('H', ' t="str"', l.method),
    ...cell('I', ` s="${XLSX_STYLE.won}"`, 'amount'),
    "'</row>'",
  ]);
}

/** Every event in the filters as XLSX: won as numbers with a ₩ format, times as Excel dates (Seoul), a frozen header, a new sheet every 1,048,575 rows. */
export async function exportEventsXlsx(src: ExportSource, p: ReportParams, districts: readonly string[], target: ExportTarget): Promise<{ rows: number; sheets: number }> {
  const total = await countEvents(src.db, p, districts);
  const perSheet = (target.maxRowsPerSheet ?? EXCEL_MAX_ROWS) - 1;
  const book = new XlsxStream(target.path);
  const sheetSpec = (n: number) => ({ name: `${translate(target.lang, 'reports.sheetEvents')} ${n}`, header: eventHeader(target.lang), widths: [10, 20, 10, 16, 24, 22, 12, 12, 16] });
  let sheets = 1;
  let inSheet = 0;
  let rows = 0;
  try {
    await book.addSheet(sheetSpec(1));
    // Small blocks: each is a multi-megabyte string until zlib has it; at 20,000 rows a million-row export peaked
    // at ~405 MiB, at 5,000 ~300 MiB for about a second more.
    const next = () => ({ size: Math.min(5_000, perSheet - inSheet), rowBase: inSheet + 1 });
    const row = xlsxRowSql(target.lang, await roundNames(src.db));
    for (const block of eventTextBlocks(src, p, districts, row, next)) {
      checkCancel(target.job.signal);
      await book.rows(block.text);
      inSheet += block.rows;
      rows += block.rows;
      // A full sheet: the next rows go to a new one (an empty last sheet is never made: the next block decides).
      if (inSheet === perSheet && rows < total) {
        sheets++;
        await book.addSheet(sheetSpec(sheets));
        inSheet = 0;
      }
      target.job.progress(total > 0 ? (rows / total) * 0.98 : 0.98, 'reports.phaseWriting');
      await yieldToOthers();
    }
    await book.close();
  } catch (e) {
    book.abort();
    throw e;
  }
  return { rows, sheets };
}

/** CSV has no cell formats: a rate goes out as a percentage number (45.7) under a header that says so. */
const csvHeader = (c: TableColumn, lang: Lang) => (c.kind === 'rate' ? translate(lang, 'exports.percentHeader', { header: c.header }) : c.header);
const csvValue = (c: TableColumn, v: string | number | null) => (v === null ? '' : c.kind === 'rate' ? Math.round(Number(v) * 1000) / 10 : v);
const XLSX_FORMAT: Record<ColumnKind, string | undefined> = { text: undefined, money: WON_FORMAT, count: '#,##0', rate: '0.0%' };

function tableRows(table: ReportTable): TableRow[] {
  return table.total ? [...table.rows, table.total] : table.rows;
}

/** The report's table as the page shows it (its groups, measures, 비중 and totals) as CSV. */
export async function exportSummaryCsv(result: ReportResult, target: ExportTarget): Promise<{ rows: number }> {
  const table = reportTable(result, target.lang);
  const stream = createWriteStream(target.path);
  const lines = [table.columns.map((c) => csvHeader(c, target.lang)), ...tableRows(table).map((r) => r.cells.map((v, i) => csvValue(table.columns[i]!, v)))].map((r) => r.map(csvField).join(','));
  await write(stream, '\uFEFF' + lines.join('\r\n') + '\r\n');
  await close(stream);
  return { rows: lines.length - 1 };
}

/** The same table as XLSX: won and counts as numbers in their formats, rates as fractions Excel shows as %. */
export async function exportSummaryXlsx(result: ReportResult, target: ExportTarget): Promise<{ rows: number }> {
  const table = reportTable(result, target.lang);
  const wb = newWorkbook(target.path);
  const formats = table.columns.map((c) => XLSX_FORMAT[c.kind]);
  const sheet = addSheet(wb, translate(target.lang, 'reports.sheetReport'), table.columns.map((c) => c.header), formats, table.columns.map((c) => (c.kind === 'text' ? 16 : 18)));
  const rows = tableRows(table);
  for (const r of rows) {
    const row = sheet.addRow(r.cells);
    if (r.total) row.font = { bold: true };
    row.commit();
  }
  sheet.commit();
  await wb.commit();
  return { rows: rows.length };
}
