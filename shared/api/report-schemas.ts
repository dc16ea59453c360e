import { z } from 'zod';
import { LANGUAGES } from '../i18n/index.js';
import { reportParamsSchema } from '../reports/params.js';

export const savedReportSchema = z.object({
  id: z.string(),
  name: z.string(),
  params: reportParamsSchema,
  createdBy: z.string(),
  createdByName: z.string(),
  createdAt: z.string(),
});
export type SavedReport = z.infer<typeof savedReportSchema>;

export const EXPORT_FORMATS = ['csv', 'xlsx', 'pdf'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export const reportExportSchema = z
  .object({
    params: reportParamsSchema,
    format: z.enum(EXPORT_FORMATS),
    /** `events`: every event in the filters, one row each (CSV and XLSX); `summary`: the report's table. */
    content: z.enum(['events', 'summary']),
    lang: z.enum(LANGUAGES),
    title: z.string().trim().min(1).max(120),
    /** The filters in words, for the PDF's heading. */
    filters: z.array(z.string().max(300)).max(12).default([]),
    notes: z.array(z.string().max(300)).max(6).default([]),
    // The chart drawn by the renderer; ~3 MB of PNG at most.
    chart: z
      .string()
      .max(4_000_000)
      .regex(/^data:image\/png;base64,[A-Za-z0-9+/]+=*$/, { message: 'expected a PNG data URL' })
      .nullable()
      .default(null),
  })
  .strict()
  .refine((x) => !(x.format === 'pdf' && x.content === 'events'), { message: 'a PDF holds the report table, not every event', path: ['content'] });

export const exportChunkSchema = z.object({
  filename: z.string(),
  mime: z.string(),
  size: z.number(),
  base64: z.string(),
  /** Null when this chunk was the last. */
  nextOffset: z.number().nullable(),
});
