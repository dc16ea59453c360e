import { z } from 'zod';
import { saleMonitorSchema } from '../sync/sale-monitor-wire.js';
import { saleChangeSchema } from '../sync/sale-wire.js';

const safeId = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/);

export const saleRoundInputSchema = z.object({ roundId: safeId }).strict();

/** The live monitor as the console shows it: the server's counters, the simulation the round was approved on, and the forecast. */
export const saleMonitorViewSchema = z
  .object({
    roundName: z.string(),
    live: saleMonitorSchema,
    /** The stored simulation run of the version on sale (the newest, when there are several); null when none was saved. */
    simulated: z
      .object({
        runId: z.string(),
        label: z.string(),
        /** Cumulative won sold per minute from `firstMinute` after opening. */
        firstMinute: z.number().int(),
        sold: z.array(z.number()),
        waitP50Minutes: z.number(),
        waitP90Minutes: z.number(),
        soldOutMinute: z.number().nullable(),
      })
      .strict()
      .nullable(),
    /** shared/rounds/sale-forecast.ts: the recent pace carried over the stock left. */
    forecast: z.object({ wonPerMinute: z.number(), soldOutAt: z.iso.datetime().nullable(), afterClose: z.boolean() }).strict(),
  })
  .strict();
export type SaleMonitorView = z.infer<typeof saleMonitorViewSchema>;

export const saleSteerInputSchema = z.object({ roundId: safeId, change: saleChangeSchema }).strict();
/** Applied at once (within the envelope, pause, resume) or kept by the server until another official approves. */
export const saleSteerResultSchema = z.object({ status: z.enum(['applied', 'proposed']), proposalId: z.string().nullable() }).strict();
export const saleApproveInputSchema = z.object({ roundId: safeId, proposalId: safeId }).strict();
