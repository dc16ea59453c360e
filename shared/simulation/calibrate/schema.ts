import { z } from 'zod';
import { simParamsSchema } from '../params.js';

/**
 * What a calibration fits: the behaviour a round's settings do not fix. Each
 * is searched between bounds; positive quantities on a log scale, so a step
 * means the same relative change at 20 seconds as at 20 minutes.
 */
export const FIT_PARAMETERS = ['visitors', 'arrivalShape', 'preOpenShare', 'admissionPerMinute', 'checkoutSeconds', 'failureRate', 'patienceMinutes', 'returnProbability'] as const;
export type FitParameter = (typeof FIT_PARAMETERS)[number];

/** The measures compared; each has a weight in the objective (0 leaves it out). */
export const MEASURES = ['curve', 'cumulative', 'sellOutMinutes', 'lastSaleMinutes', 'buyers', 'peakQueue', 'displayedWait', 'peakConnections'] as const;
export type Measure = (typeof MEASURES)[number];

const count = z.int().min(1).max(50_000_000);
const weight = z.number().min(0).max(100);

/**
 * Facts of the sale day the ledger does not hold, entered by the official
 * (or cited from the press for the 2022 preset). All optional.
 */
export const observedFactsSchema = z
  .object({
    /** Minutes from the opening until the stock was gone (the app said "sold out"). */
    sellOutMinutes: z.number().min(0.5).max(7 * 24 * 60).nullable(),
    /**
     * Minutes from the opening to the last sale (payments that failed can put stock back after it
     * was gone). It grows with the number of people paying, so it is only meaningful at full scale.
     */
    lastSaleMinutes: z.number().min(0.5).max(7 * 24 * 60).nullable(),
    buyers: count.nullable(),
    /** The longest the waiting room's queue got (people). */
    peakQueue: count.nullable(),
    /** The wait the waiting page displayed (minutes), at `displayedAtMinute` after opening (or its highest, if null). */
    displayedWaitMinutes: z.number().min(0.1).max(100_000).nullable(),
    displayedAtMinute: z.number().min(0).max(24 * 60).nullable(),
    /** People connected at the peak (waiting and paying). */
    peakConnections: count.nullable(),
  })
  .strict();
export type ObservedFacts = z.infer<typeof observedFactsSchema>;

export const NO_FACTS: ObservedFacts = { sellOutMinutes: null, lastSaleMinutes: null, buyers: null, peakQueue: null, displayedWaitMinutes: null, displayedAtMinute: null, peakConnections: null };

/** The observed sale: face sold per minute from the opening (the ledger), and the facts. */
export interface Observed {
  /** Face sold in each minute from the opening (won); empty when only facts are known. */
  facePerMinute: number[];
  facts: ObservedFacts;
}

export const weightsSchema = z.object(Object.fromEntries(MEASURES.map((m) => [m, weight])) as Record<Measure, typeof weight>).strict();
export type Weights = z.infer<typeof weightsSchema>;

/** Curve and totals count most; single reported facts are rougher. */
export const DEFAULT_WEIGHTS: Weights = { curve: 4, cumulative: 4, sellOutMinutes: 2, lastSaleMinutes: 1, buyers: 1, peakQueue: 1, displayedWait: 0.5, peakConnections: 0.5 };

export const calibrationOptionsSchema = z
  .object({
    free: z.array(z.enum(FIT_PARAMETERS)).min(1).max(FIT_PARAMETERS.length),
    weights: weightsSchema,
    /** Visitors simulated per evaluation during the search (the sale is scaled down to this). */
    searchVisitors: z.int().min(2_000).max(2_000_000),
    /** Objective evaluations at most. */
    maxEvaluations: z.int().min(10).max(5_000),
    /** Re-run the fitted parameters at full size and report that run's measures. */
    confirmAtFullScale: z.boolean(),
  })
  .strict();
export type CalibrationOptions = z.infer<typeof calibrationOptionsSchema>;

export const DEFAULT_OPTIONS: CalibrationOptions = {
  free: [...FIT_PARAMETERS],
  weights: DEFAULT_WEIGHTS,
  searchVisitors: 35_000,
  maxEvaluations: 400,
  confirmAtFullScale: true,
};

const nullableNumber = z.number().nullable();

export const measureRowSchema = z.object({
  measure: z.enum(MEASURES),
  observed: nullableNumber,
  simulated: nullableNumber,
  /** Relative error (curves: normalised RMS of the difference); null when not observed. */
  error: nullableNumber,
  weight: z.number(),
});
export type MeasureRow = z.infer<typeof measureRowSchema>;

/** What the profile of one fitted parameter showed (identifiability.ts states the rule). */
export const identificationSchema = z.object({
  key: z.enum(FIT_PARAMETERS),
  pinned: z.boolean(),
  /** The value the search found (kept when pinned). */
  fitted: z.number(),
  /** The official's assumption, kept in the result when not pinned. */
  assumed: z.number(),
  /** The values held on each side (null where the fit sat on a bound), and the best objective there. */
  low: z.number().nullable(),
  high: z.number().nullable(),
  lowObjective: z.number().nullable(),
  highObjective: z.number().nullable(),
  /** Not pinned alone, but putting it back lost what the data fix together with others: kept at the search's value. */
  joint: z.boolean().optional(),
});
export type Identification = z.infer<typeof identificationSchema>;

export const calibrationResultSchema = z.object({
  params: simParamsSchema,
  objective: z.number(),
  /** The objective of the starting parameters, for "how much better". */
  startObjective: z.number(),
  rows: z.array(measureRowSchema),
  /** Face sold per minute from the opening, won: the ledger's and the fitted run's (full scale). */
  observedCurve: z.array(z.number()),
  simulatedCurve: z.array(z.number()),
  evaluations: z.int(),
  searchScale: z.number(),
  confirmed: z.boolean(),
  free: z.array(z.enum(FIT_PARAMETERS)),
  /** Per free parameter, whether the data pinned it; absent on calibrations stored before it was reported. */
  identified: z.array(identificationSchema).optional(),
  elapsedMs: z.number(),
});
export type CalibrationResult = z.infer<typeof calibrationResultSchema>;
