
import type { SimParams } from '../../simulation/params.js';
import { recommend, type BackingRun, type Recommendations } from '../../simulation/recommend.js';
import type { SimResult } from '../../simulation/result.js';
import type { JobContext } from '../jobs/job-registry.js';
import type { SimRunner } from '../kernel/sim-runner.js';

export interface Study {
  main: SimResult;
  recommendations: Recommendations | null;
  backing: BackingRun[];
}

/** The main run takes this share of the progress bar when recommendations follow. */
const MAIN_SHARE = 0.3;

/** A simulation and, if asked, the recommendation searches that follow from it. */
export async function runStudy(runner: SimRunner, params: SimParams, options: { recommend: boolean; targetSellOutMinutes: number; /** Seeds each recommendation is searched on; the default is recommend.ts's. */ seeds?: number }, ctx: JobContext): Promise<Study> {
  if (!options.recommend) {
    ctx.progress(0, 'simulation.phaseMain');
    const main = await runner.run(params, (f) => ctx.progress(f), ctx.signal);
    return { main, recommendations: null, backing: [] };
  }
  // The main run goes alongside the searches (it is their baseline), so both cores stay busy.
  ctx.progress(0, 'simulation.phaseRecommend');
  let mainFraction = 0;
  let searchFraction = 0;
  const report = () => ctx.progress(MAIN_SHARE * mainFraction + (1 - MAIN_SHARE) * searchFraction);
  const mainP = runner.run(
    params,
    (f) => {
      mainFraction = f;
      report();
    },
    ctx.signal,
  );
  const { recommendations, backing } = await recommend(params, (p, onProgress) => runner.run(p, onProgress, ctx.signal), {
    targetSellOutMinutes: options.targetSellOutMinutes,
    seeds: options.seeds,
    baseline: mainP,
    probe: (p, soldOutByMinute, onProgress) => runner.probe(p, soldOutByMinute, onProgress, ctx.signal),
    onProgress: (f) => {
      searchFraction = f;
      report();
    },
  });
  return { main: await mainP, recommendations, backing };
}
