import { z } from 'zod';
import { calibrationResultSchema, observedFactsSchema, weightsSchema } from '../simulation/calibrate/schema.js';
import { simParamsSchema } from '../simulation/params.js';
import { idSchema } from './schemas.js';

/**
 * Start a calibration of a sold round: the ledger gives the curve (and the
 * buyers, unless entered); the official may add facts the ledger does not
 * hold. A fact that contradicts itself is refused with its own message.
 */
export const calibrationStartSchema = z
  .object({
    roundId: idSchema,
    facts: observedFactsSchema,
    weights: weightsSchema.optional(),
  })
  .strict()
  .superRefine((v, ctx) => {
    if (v.facts.displayedAtMinute !== null && v.facts.displayedWaitMinutes === null) {
      ctx.addIssue({ code: 'custom', path: ['facts', 'displayedAtMinute'], message: 'displayed minute without a displayed wait', params: { i18n: 'calibration.errors.displayedAtWithoutWait' } });
    }
    if (v.facts.peakQueue !== null && v.facts.peakConnections !== null && v.facts.peakQueue > v.facts.peakConnections) {
      ctx.addIssue({ code: 'custom', path: ['facts', 'peakQueue'], message: 'queue above connections', params: { i18n: 'calibration.errors.queueAboveConnections' } });
    }
  });

export const calibrationViewSchema = z.object({
  id: z.string(),
  roundId: z.string(),
  roundName: z.string(),
  createdAt: z.string(),
  createdByName: z.string(),
  result: calibrationResultSchema,
});
export type CalibrationView = z.infer<typeof calibrationViewSchema>;

export const simPresetSchema = z.object({
  id: z.string(),
  name: z.string(),
  params: simParamsSchema,
  sourceRoundId: z.string().nullable(),
  calibrationId: z.string().nullable(),
  createdAt: z.string(),
});
export type SimPreset = z.infer<typeof simPresetSchema>;

export const savePresetSchema = z.object({ calibrationId: idSchema, presetName: z.string().trim().min(1).max(80) }).strict();
