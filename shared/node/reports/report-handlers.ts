import { seoulDayKey } from '../../common/time.js';
import { randomUUID } from 'node:crypto';
import { rmSync, statSync, writeFileSync } from 'node:fs';
import { AppError } from '../../common/errors.js';
import { reportParamsSchema, type ReportParams } from '../../reports/params.js';
import type { SessionUser } from '../kernel/session-user.js';
import { requireUser, type HandlersFor } from '../kernel/call-context.js';
import { exportFiles } from './export-files.js';
import { findReportFonts } from '../pdf/fonts.js';
import { exportEventsCsv, exportEventsXlsx, exportSummaryCsv, exportSummaryXlsx } from './report-export.js';
import { runReport } from './report-engine.js';
import { buildReportPdf } from './report-pdf.js';
import { saleCurve } from './sale-curve.js';

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const MIME = {
  csv: 'text/csv;charset=utf-8',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  pdf: 'application/pdf',
} as const;

/** The districts a report may cover: a clerk's own whatever was asked, anyone else's as asked. */
export function reportScope(user: SessionUser, p: ReportParams): { districts: string[]; scopedTo: string | null } {
  if (user.role === 'clerk') {
    const own = user.districtCode ?? '-';
    return { districts: [own], scopedTo: own };
  }
  return { districts: p.districts, scopedTo: null };
}

function savedRow(r: { id: string; name: string; params: string; created_by: string; created_by_name: string; created_at: string }) {
  return { id: r.id, name: r.name, params: reportParamsSchema.parse(JSON.parse(r.params)), createdBy: r.created_by, createdByName: r.created_by_name, createdAt: r.created_at };
}

export const reportHandlers: HandlersFor<'reports'> = {
  'reports.run': async (input, ctx) => {
    const user = requireUser(ctx);
    return runReport(ctx.deps.db, input.params, reportScope(user, input.params));
  },

  'reports.saleCurve': async (input, ctx) => {
    const user = requireUser(ctx);
    return saleCurve(ctx.deps.db, input.roundId, user.role === 'clerk' ? (user.districtCode ?? '-') : null);
  },

  'reports.saved': async (_input, ctx) => {
    const rows = await ctx.deps.db.selectFrom('saved_reports').selectAll().orderBy('name').execute();
    return rows.map(savedRow);
  },

  'reports.save': async (input, ctx) => {
    const user = requireUser(ctx);
    const { db, now } = ctx.deps;
    const row = { id: randomUUID(), name: input.name, params: JSON.stringify(input.params), created_by: user.id, created_by_name: user.displayName, created_at: now().toISOString() };
    const taken = await db.selectFrom('saved_reports').select('id').where('name', '=', input.name).executeTakeFirst();
    if (taken) throw new AppError('conflict', 'reports.nameTaken', { name: input.name });
    await db.insertInto('saved_reports').values(row).execute();
    return savedRow(row);
  },

  'reports.deleteSaved': async (input, ctx) => {
    const user = requireUser(ctx);
    const { db } = ctx.deps;
    const row = await db.selectFrom('saved_reports').select(['created_by']).where('id', '=', input.id).executeTakeFirst();
    if (!row) throw new AppError('not_found', 'reports.savedNotFound');
    // Whoever saved it, or an administrator, removes a saved report.
    if (row.created_by !== user.id && user.role !== 'admin') throw new AppError('forbidden', 'reports.notYours');
    await db.deleteFrom('saved_reports').where('id', '=', input.id).execute();
    return {};
  },

  'reports.export': async (input, ctx) => {
    const user = requireUser(ctx);
    const { db, jobs, now } = ctx.deps;
    const scope = reportScope(user, input.params);
    let chart: Buffer | null = null;
    if (input.chart) {
      chart = Buffer.from(input.chart.slice(input.chart.indexOf(',') + 1), 'base64');
      if (!chart.subarray(0, 8).equals(PNG_SIGNATURE)) throw new AppError('invalid_input', 'reports.chartNotPng');
    }
    // The office's day: just after midnight in Seoul is still the day before in UTC.
    const stamp = seoulDayKey(now().toISOString());
    const filename = `${input.title.replace(/[\\/:*?"<>|]+/g, '_').slice(0, 80)} ${stamp}.${input.format}`;
    const view = jobs.start('report-export', user.id, async (job) => {
      // The job starts running inside jobs.start; wait a turn so `view` holds its id.
      await Promise.resolve();
      const path = exportFiles.pathFor(view.id, input.format);
      const target = { path, lang: input.lang, job };
      let rows: number;
      try {
        if (input.content === 'events') {
          rows = (input.format === 'csv' ? await exportEventsCsv(ctx.deps, input.params, scope.districts, target) : await exportEventsXlsx(ctx.deps, input.params, scope.districts, target)).rows;
        } else {
          const result = await runReport(db, input.params, scope);
          if (input.format === 'csv') rows = (await exportSummaryCsv(result, target)).rows;
          else if (input.format === 'xlsx') rows = (await exportSummaryXlsx(result, target)).rows;
          else {
            const pdf = await buildReportPdf(
              { title: input.title, filters: input.filters, notes: input.notes, result, chart, lang: input.lang, generatedAt: now(), author: user.displayName },
              findReportFonts(),
            );
            writeFileSync(path, pdf);
            rows = result.rows.length;
          }
        }
        if (job.signal.aborted) throw new AppError('conflict', 'reports.exportCancelled');
      } catch (e) {
        // A cancelled or failed export leaves no half-written file behind.
        rmSync(path, { force: true });
        throw e;
      }
      exportFiles.register(view.id, { path, filename, mime: MIME[input.format], ownerId: user.id });
      return { filename, rows, bytes: statSync(path).size };
    });
    return view;
  },

  'reports.download': async (input, ctx) => {
    const user = requireUser(ctx);
    const chunk = exportFiles.read(input.jobId, user.id, input.offset);
    if (chunk.nextOffset === null) exportFiles.discard(input.jobId);
    return chunk;
  },
};
