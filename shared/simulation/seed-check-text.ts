import type { Recommendations } from './recommend.js';
import { HOLD_CONFIDENCE, HOLD_SHARE, type SeedCheck, toleranceFactor } from './seed-spread.js';

type Translate = (key: string, params?: Record<string, string | number>) => string;

/**
 * The seeds' evidence under each recommendation, in the reader's language:
 * the console's card and the PDF print the same sentences. Runs saved before
 * recommendations were checked over seeds have none.
 */
export function seedCheckText(r: Recommendations, t: Translate, num: (v: number) => string): { session: string | null; admission: string | null; margin: string | null } {
  const m = (v: number | null) => (v === null ? t('seedCheck.never') : t('seedCheck.minutes', { m: num(Math.round(v * 10) / 10) }));
  const spread = (c: SeedCheck) => ({ seeds: c.seeds, held: c.held, min: m(c.min), median: m(c.median), max: m(c.max) });
  const s = r.session.check;
  const a = r.admission.check;
  const seeds = s?.seeds ?? a?.seeds ?? 1;
  return {
    session: s ? t('seedCheck.session', spread(s)) : null,
    admission: a ? t('seedCheck.admission', { ...spread(a), target: r.targetSellOutMinutes }) : null,
    margin:
      seeds >= 3
        ? t('seedCheck.margin', { seeds, share: Math.round(HOLD_SHARE * 100), confidence: Math.round(HOLD_CONFIDENCE * 100), k: num(Math.round(toleranceFactor(seeds) * 100) / 100) })
        : null,
  };
}

/** The payment capacity recommendation in words, with its seeds; null for runs saved before it was searched. */
export function paymentCapacityText(r: Recommendations, t: Translate, num: (v: number) => string): { line: string; check: string } | null {
  const pay = r.payment;
  if (!pay) return null;
  const params = {
    target: r.targetSellOutMinutes,
    rate: num(pay.admissionPerMinute),
    tps: num(pay.tps),
    latency: num(pay.latencyMs),
    timeout: pay.timeoutMs === null ? t('paymentCapacity.noTimeout') : t('paymentCapacity.seconds', { s: num(pay.timeoutMs / 1000) }),
  };
  const m = (v: number | null) => (v === null ? t('seedCheck.never') : t('seedCheck.minutes', { m: num(Math.round(v * 10) / 10) }));
  const c = pay.check;
  return {
    line: t(pay.feasible ? 'paymentCapacity.rec' : 'paymentCapacity.recInfeasible', params),
    check: t('seedCheck.admission', { seeds: c.seeds, held: c.held, target: r.targetSellOutMinutes, min: m(c.min), median: m(c.median), max: m(c.max) }),
  };
}
