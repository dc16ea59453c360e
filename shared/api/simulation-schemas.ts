import { z } from 'zod';
import { recommendationsSchema } from '../simulation/recommend.js';
import { simParamsSchema } from '../simulation/params.js';
import { simResultSchema } from '../simulation/result.js';
import { JOB_STATES } from './job-states.js';
import { ERROR_CODES } from '../common/errors.js';
import { issueSchema } from './schemas.js';

export const jobViewSchema = z.object({
  id: z.string(),
  kind: z.string(),
  state: z.enum(JOB_STATES),
  progress: z.number(),
  phase: z.string(),
  startedAt: z.string(),
  finishedAt: z.string().nullable(),
  error: z
    .object({ code: z.enum(ERROR_CODES), key: z.string(), message: z.string(), params: z.record(z.string(), z.union([z.string(), z.number()])).optional() })
    .nullable(),
  result: z.record(z.string(), z.union([z.string(), z.number(), z.null()])).nullable(),
});
export type JobViewOutput = z.infer<typeof jobViewSchema>;

export const simRunSummarySchema = z.object({
  id: z.string(),
  roundId: z.string(),
  roundVersion: z.number(),
  label: z.string(),
  parentId: z.string().nullable(),
  backingKey: z.string().nullable(),
  createdAt: z.string(),
  createdByName: z.string(),
  seed: z.number(),
  visitors: z.number(),
  soldOutMinute: z.number().nullable(),
  buyers: z.number(),
  amountSold: z.number(),
  logouts: z.number(),
  requeues: z.number(),
  waitedForNothing: z.number(),
  personHoursLost: z.number(),
  peakConnections: z.number(),
  peakActive: z.number(),
  sessionTimeoutMinutes: z.number().nullable(),
  sessionPolicy: z.string(),
  admissionPerMinute: z.number().nullable(),
  stockCutoff: z.boolean(),
  elapsedMs: z.number(),
  hasRecommendations: z.boolean(),
});
export type SimRunSummary = z.infer<typeof simRunSummarySchema>;

export const simRunSchema = simRunSummarySchema.extend({
  params: simParamsSchema,
  result: simResultSchema,
  recommendations: recommendationsSchema.nullable(),
  backing: z.array(simRunSummarySchema),
});
export type SimRun = z.infer<typeof simRunSchema>;

/** The editor's check of a round's settings by a quick simulation (see simulation/rehearsal-check.ts). */
export const rehearsalCheckSchema = z.object({
  basis: z.object({ kind: z.literal('quick'), scale: z.number(), visitors: z.number(), seed: z.number(), at: z.string() }),
  warnings: z.array(issueSchema),
  /** Counts scaled back to the round's size; minutes as simulated. */
  logouts: z.number(),
  waitP90Minutes: z.number(),
  stockReservedMinute: z.number().nullable(),
  waitedForNothing: z.number(),
  elapsedMs: z.number(),
});
export type RehearsalCheck = z.infer<typeof rehearsalCheckSchema>;
