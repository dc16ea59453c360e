import type { Issue } from '#shared/common/errors.js';
import { observedFactsSchema, type ObservedFacts } from '#shared/simulation/calibrate/schema.js';

/** The observed facts as typed: text, blank meaning "not known". */
export type FactsForm = Record<keyof ObservedFacts, string>;

export const FACT_FIELDS: (keyof ObservedFacts)[] = ['sellOutMinutes', 'lastSaleMinutes', 'buyers', 'peakQueue', 'displayedWaitMinutes', 'displayedAtMinute', 'peakConnections'];

export const emptyFacts = (): FactsForm => Object.fromEntries(FACT_FIELDS.map((f) => [f, ''])) as FactsForm;

/** Parses the typed facts; each wrong field gets an issue at `facts.<field>`, named by its label on screen. */
export function factsFromForm(form: FactsForm): { facts: ObservedFacts | null; issues: Issue[] } {
  const issues: Issue[] = [];
  const out = {} as Record<keyof ObservedFacts, number | null>;
  for (const f of FACT_FIELDS) {
    const text = form[f].replace(/[,\s]/g, '');
    if (text === '') {
      out[f] = null;
      continue;
    }
    const n = Number(text);
    if (!Number.isFinite(n)) {
      issues.push({ path: `facts.${f}`, code: 'calibration.errors.notANumber', severity: 'error' });
      out[f] = null;
    } else out[f] = n;
  }
  if (issues.length > 0) return { facts: null, issues };
  // The same schema the backend checks, so bounds read the same on both sides.
  const parsed = observedFactsSchema.safeParse(out);
  if (!parsed.success) {
    return {
      facts: null,
      issues: parsed.error.issues.map((i) => ({
        path: `facts.${i.path.join('.')}`,
        code: i.code === 'too_small' ? 'issues.input.tooLow' : i.code === 'too_big' ? 'issues.input.tooHigh' : 'issues.input.invalid',
        severity: 'error' as const,
        params: { fieldPath: `facts.${i.path.join('.')}`, ...(i.code === 'too_small' ? { min: Number((i as { minimum?: unknown }).minimum) } : {}), ...(i.code === 'too_big' ? { max: Number((i as { maximum?: unknown }).maximum) } : {}) },
      })),
    };
  }
  const facts = parsed.data;
  if (facts.displayedAtMinute !== null && facts.displayedWaitMinutes === null) issues.push({ path: 'facts.displayedAtMinute', code: 'calibration.errors.displayedAtWithoutWait', severity: 'error' });
  if (facts.peakQueue !== null && facts.peakConnections !== null && facts.peakQueue > facts.peakConnections) issues.push({ path: 'facts.peakQueue', code: 'calibration.errors.queueAboveConnections', severity: 'error' });
  return issues.length > 0 ? { facts: null, issues } : { facts, issues };
}
