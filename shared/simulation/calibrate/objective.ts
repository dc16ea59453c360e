import type { SimResult } from '../result.js';
import { MEASURES, type MeasureRow, type Observed, type Weights } from './schema.js';

/** Face sold in each minute from the opening (won), from a run's cumulative series, scaled back to full size. */
export function simulatedFacePerMinute(r: SimResult, scale: number, minutes: number): number[] {
  const from = -r.series.firstMinute;
  const sold = r.series.sold;
  const out = new Array<number>(minutes).fill(0);
  for (let m = 0; m < minutes; m++) {
    const i = from + m;
    // sold[i] is the face sold by the end of minute i of the series.
    const before = i - 1 >= 0 && i - 1 < sold.length ? sold[i - 1]! : i - 1 < 0 ? 0 : sold.at(-1)!;
    const now = i < sold.length ? sold[i]! : sold.at(-1) ?? 0;
    out[m] = (now - before) / scale;
  }
  return out;
}

const rel = (sim: number, obs: number) => (sim - obs) / obs;

/**
 * Minutes from the opening until the stock ran out: all of it sold or held by
 * people paying, when the app stops selling and says so. Not the last
 * payment: that is the longest of many checkouts and retries after it, which
 * grows with the number of people paying, so it would not survive the
 * scaled-down runs of the search (at a twentieth of the 2022 sale it came 9
 * minutes earlier), while this moment moved by 0.1 minute.
 */
export function sellOutMinute(r: SimResult): number | null {
  return r.stockReservedMinute;
}

/**
 * How far a run is from what was observed: per measure a relative error
 * (curves: RMS of the per-minute difference over the observed peak; the
 * cumulative: over the total sold), and the weighted sum of their squares.
 * Counts are scaled back by `scale`; minutes and displayed waits need no scaling.
 */
export function compare(r: SimResult, scale: number, observed: Observed, weights: Weights): { objective: number; rows: MeasureRow[]; simulatedCurve: number[] } {
  const f = observed.facts;
  const obsCurve = observed.facePerMinute;
  // Compare past the observed end as well: a run still selling after the ledger stopped is wrong too.
  const horizon = obsCurve.length > 0 ? obsCurve.length + Math.max(10, Math.round(obsCurve.length / 4)) : 0;
  const simCurve = horizon > 0 ? simulatedFacePerMinute(r, scale, horizon) : [];
  const obsAt = (m: number) => (m < obsCurve.length ? obsCurve[m]! : 0);

  let curveErr: number | null = null;
  let cumErr: number | null = null;
  let obsTotal: number | null = null;
  let simTotal: number | null = null;
  if (horizon > 0) {
    const peak = Math.max(1, ...obsCurve);
    obsTotal = obsCurve.reduce((s, v) => s + v, 0);
    let sq = 0;
    let cumSq = 0;
    let co = 0;
    let cs = 0;
    for (let m = 0; m < horizon; m++) {
      const d = simCurve[m]! - obsAt(m);
      sq += d * d;
      co += obsAt(m);
      cs += simCurve[m]!;
      cumSq += (cs - co) * (cs - co);
    }
    simTotal = cs;
    curveErr = Math.sqrt(sq / horizon) / peak;
    cumErr = Math.sqrt(cumSq / horizon) / Math.max(1, obsTotal);
  }

  const soldOut = sellOutMinute(r);
  const displayed = (): number => {
    const s = r.series.displayedWait;
    if (f.displayedAtMinute !== null) {
      const i = Math.round(f.displayedAtMinute) - r.series.firstMinute;
      return s[Math.min(s.length - 1, Math.max(0, i))] ?? 0;
    }
    return s.reduce<number>((mx, v) => (v !== null && v > mx ? v : mx), 0);
  };
  const values: Record<(typeof MEASURES)[number], { obs: number | null; sim: number | null; err: number | null }> = {
    curve: { obs: obsTotal, sim: simTotal, err: curveErr },
    cumulative: { obs: obsTotal, sim: simTotal, err: cumErr },
    // A run that never sells out is off by 100% and by the share of the stock it left: bounded, so the
    // search is not thrown by a cliff (the window's end would count a 12-hour window as 17 times too late).
    sellOutMinutes:
      f.sellOutMinutes === null
        ? { obs: null, sim: soldOut, err: null }
        : { obs: f.sellOutMinutes, sim: soldOut, err: soldOut === null ? 1 + (r.stock - r.amountSold) / r.stock : rel(soldOut, f.sellOutMinutes) },
    lastSaleMinutes:
      f.lastSaleMinutes === null
        ? { obs: null, sim: r.soldOutMinute, err: null }
        : { obs: f.lastSaleMinutes, sim: r.soldOutMinute, err: r.soldOutMinute === null ? 1 + (r.stock - r.amountSold) / r.stock : rel(r.soldOutMinute, f.lastSaleMinutes) },
    buyers: { obs: f.buyers, sim: r.buyers / scale, err: f.buyers === null ? null : rel(r.buyers / scale, f.buyers) },
    peakQueue: { obs: f.peakQueue, sim: r.peakQueue / scale, err: f.peakQueue === null ? null : rel(r.peakQueue / scale, f.peakQueue) },
    displayedWait: (() => {
      const sim = displayed();
      return { obs: f.displayedWaitMinutes, sim, err: f.displayedWaitMinutes === null ? null : rel(sim, f.displayedWaitMinutes) };
    })(),
    peakConnections: { obs: f.peakConnections, sim: r.peakConnections / scale, err: f.peakConnections === null ? null : rel(r.peakConnections / scale, f.peakConnections) },
  };
  let objective = 0;
  const rows: MeasureRow[] = MEASURES.map((m) => {
    const v = values[m];
    const w = v.err === null ? 0 : weights[m];
    objective += w * (v.err ?? 0) ** 2;
    return { measure: m, observed: v.obs, simulated: v.sim, error: v.err, weight: w };
  });
  return { objective, rows, simulatedCurve: simCurve };
}
