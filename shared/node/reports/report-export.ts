import ExcelJS from 'exceljs';
import { createWriteStream, type WriteStream } from 'node:fs';
import type { Kysely } from 'kysely';
import { districtName } from '../../common/districts.js';
import { AppError } from '../../common/errors.js';
import { translate, type Lang } from '../../i18n/index.js';
import { groupKeyLabel, groupValueLabel, measureLabel } from '../../reports/labels.js';
import { MONEY_MEASURES, type ReportParams, type ReportResult } from '../../reports/params.js';
import type { Database } from '../db/schema.js';
import type { JobContext } from '../jobs/job-registry.js';
import { countEvents, eventBlocks, type ExportSource, type RawEvent } from './report-query.js';

/** Excel's sheet limit, the header row included. */
export const EXCEL_MAX_ROWS = 1_048_576;
const SEOUL_OFFSET_MS = 9 * 3_600_000;
const WON_FORMAT = '"₩"#,##0';
const DATE_FORMAT = 'yyyy-mm-dd hh:mm:ss';

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

export function csvField(v: string | number): string {
  if (typeof v === 'number') return String(v);
  return /[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

/** `2022-07-14 10:00:03` in Seoul time, from a UTC instant (`…T01:00:03.000Z`); the hour's shift is worked out once per hour. */
function seoulTexter(): (iso: string) => string {
  const hours = new Map<string, string>();
  return (iso) => {
    const hourKey = iso.slice(0, 13);
    let seoulHour = hours.get(hourKey);
    if (seoulHour === undefined) {
      seoulHour = new Date(Date.parse(`${hourKey}:00:00.000Z`) + SEOUL_OFFSET_MS).toISOString().slice(0, 13).replace('T', ' ');
      hours.set(hourKey, seoulHour);
    }
    return seoulHour + iso.slice(13, 19);
  };
}

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
  return ['seq', 'occurredAt', 'type', 'round', 'lot', 'district', 'paymentMethod', 'amount'].map((k) => translate(lang, `reports.column.${k}`));
}

/** Label of a code, worked out once per distinct code (a few dozen in a million rows). */
function labeller(make: (code: string) => string): (code: string) => string {
  const cache = new Map<string, string>();
  return (code) => {
    let v = cache.get(code);
    if (v === undefined) cache.set(code, (v = make(code)));
    return v;
  };
}

/** The event's cells as shown: type, district and payment method in words. */
function eventLabels(lang: Lang) {
  return {
    type: labeller((t) => translate(lang, `ledgerPage.type_${t}`)),
    district: labeller((d) => districtName(d, lang)),
    method: labeller((m) => translate(lang, `payment.${m}`)),
  };
}

/**
 * One CSV line per event. Labels come already quoted from their caches;
 * round and lot ids are quoted only when they hold a comma, quote or line break.
 */
export function csvLines(rows: readonly RawEvent[], lang: Lang, cache = csvLineCache(lang)): string {
  const { type, district, method, round, seoulText } = cache;
  let text = '';
  for (const r of rows) {
    const lot = /[",\r\n]/.test(r[4]) ? csvField(r[4]) : r[4];
    text += `${r[0]},${seoulText(r[1])},${type(r[2])},${round(r[3])},${lot},${district(r[5])},${method(r[6])},${r[7]}\r\n`;
  }
  return text;
}

export function csvLineCache(lang: Lang) {
  const l = eventLabels(lang);
  return {
    type: labeller((t) => csvField(l.type(t))),
    district: labeller((d) => csvField(l.district(d))),
    method: labeller((m) => csvField(l.method(m))),
    round: labeller(csvField),
    seoulText: seoulTexter(),
  };
}

/** Every event in the filters as CSV: UTF-8 with a BOM, so Excel reads the Korean. */
export async function exportEventsCsv(src: ExportSource, p: ReportParams, districts: readonly string[], target: ExportTarget): Promise<{ rows: number }> {
  const total = await countEvents(src.db, p, districts);
  // Large writes: the stream's buffer holds one block's text, not 16 KiB of it.
  const stream = createWriteStream(target.path, { highWaterMark: 4 * 1024 * 1024 });
  const cache = csvLineCache(target.lang);
  let rows = 0;
  try {
    await write(stream, '\uFEFF' + eventHeader(target.lang).map(csvField).join(',') + '\r\n');
    for (const block of eventBlocks(src, p, districts)) {
      checkCancel(target.job.signal);
      await write(stream, csvLines(block, target.lang, cache));
      rows += block.length;
      target.job.progress(total > 0 ? rows / total : 1, 'reports.phaseWriting');
      await yieldToOthers();
    }
  } finally {
    await close(stream);
  }
  return { rows };
}

/**
 * Waits while the sheet's buffered XML (exceljs's StreamBuf, read by the zip
 * compressor off the main thread) is more than ~4 MB ahead: without it a fast
 * writer queues the whole sheet in memory before the compressor catches up.
 */
async function drain(sheet: ExcelJS.Worksheet): Promise<void> {
  const buf = (sheet as unknown as { stream?: { buffers?: unknown[] } }).stream;
  for (let i = 0; i < 5_000 && (buf?.buffers?.length ?? 0) > 64; i++) await new Promise((r) => setTimeout(r, 1));
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

/** Every event in the filters as XLSX: won as numbers with a ₩ format, times as Excel dates (Seoul), a frozen header, a new sheet every 1,048,575 rows. */
export async function exportEventsXlsx(src: ExportSource, p: ReportParams, districts: readonly string[], target: ExportTarget): Promise<{ rows: number; sheets: number }> {
  const total = await countEvents(src.db, p, districts);
  const perSheet = (target.maxRowsPerSheet ?? EXCEL_MAX_ROWS) - 1;
  const wb = newWorkbook(target.path);
  const header = eventHeader(target.lang);
  const formats = ['0', DATE_FORMAT, undefined, undefined, undefined, undefined, undefined, WON_FORMAT];
  const widths = [10, 20, 10, 16, 22, 12, 12, 16];
  const l = eventLabels(target.lang);
  const sheetName = (n: number) => `${translate(target.lang, 'reports.sheetEvents')} ${n}`;
  let sheets = 1;
  let sheet = addSheet(wb, sheetName(1), header, formats, widths);
  let inSheet = 0;
  let rows = 0;
  for (const block of eventBlocks(src, p, districts)) {
    checkCancel(target.job.signal);
    for (const r of block) {
      if (inSheet === perSheet) {
        sheet.commit();
        sheets++;
        sheet = addSheet(wb, sheetName(sheets), header, formats, widths);
        inSheet = 0;
      }
      // Excel dates carry no zone: the cell holds the Seoul wall-clock time.
      sheet.addRow([r[0], new Date(Date.parse(r[1]) + SEOUL_OFFSET_MS), l.type(r[2]), r[3], r[4], l.district(r[5]), l.method(r[6]), r[7]]).commit();
      inSheet++;
      if (inSheet % 5_000 === 0) await drain(sheet);
    }
    rows += block.length;
    target.job.progress(total > 0 ? (rows / total) * 0.98 : 0.98, 'reports.phaseWriting');
    await yieldToOthers();
  }
  sheet.commit();
  await wb.commit();
  return { rows, sheets };
}

function summaryHeader(result: ReportResult, lang: Lang): string[] {
  return [...result.groupBy.map((g) => groupKeyLabel(g, lang)), ...result.measures.map((m) => measureLabel(m, lang))];
}

function summaryRows(result: ReportResult, lang: Lang): (string | number)[][] {
  const rows = result.rows.map((r) => [...r.keys.map((k, i) => groupValueLabel(result.groupBy[i]!, k, lang)), ...result.measures.map((m) => r.values[m] ?? 0)]);
  const totalLabel = translate(lang, 'reports.total');
  const totals = [...result.groupBy.map((_, i) => (i === 0 ? totalLabel : '')), ...result.measures.map((m) => result.totals[m] ?? 0)];
  return [...rows, result.groupBy.length > 0 ? totals : []].filter((r) => r.length > 0);
}

/** The report's table (its groups, measures and totals) as CSV. */
export async function exportSummaryCsv(result: ReportResult, target: ExportTarget): Promise<{ rows: number }> {
  const stream = createWriteStream(target.path);
  const lines = [summaryHeader(result, target.lang), ...summaryRows(result, target.lang)].map((r) => r.map(csvField).join(','));
  await write(stream, '\uFEFF' + lines.join('\r\n') + '\r\n');
  await close(stream);
  return { rows: lines.length - 1 };
}

export async function exportSummaryXlsx(result: ReportResult, target: ExportTarget): Promise<{ rows: number }> {
  const wb = newWorkbook(target.path);
  const formats = [...result.groupBy.map(() => undefined), ...result.measures.map((m) => (MONEY_MEASURES.has(m) ? WON_FORMAT : m === 'useRate' ? '0.0%' : '#,##0'))];
  const sheet = addSheet(wb, translate(target.lang, 'reports.sheetReport'), summaryHeader(result, target.lang), formats, formats.map((_, i) => (i < result.groupBy.length ? 16 : 18)));
  const rows = summaryRows(result, target.lang);
  for (const r of rows) sheet.addRow(r).commit();
  sheet.commit();
  await wb.commit();
  return { rows: rows.length };
}
