
import type { SimParams } from '../../simulation/params.js';
import { recommend, type BackingRun, type Recommendations } from '../../simulation/recommend.js';
import type { SimResult } from '../../simulation/result.js';
import type { JobContext } from '../jobs/job-registry.js';
import type { SimRunner } from './sim-runner.js';

export interface Study {
  main: SimResult;
  recommendations: Recommendations | null;
  backing: BackingRun[];
}

/** The main run takes this share of the progress bar when recommendations follow. */
const MAIN_SHARE = 0.3;

/** A simulation and, if asked, the recommendation searches that follow from it. */
export async function runStudy(runner: SimRunner, params: SimParams, options: { recommend: boolean; targetSellOutMinutes: number }, ctx: JobContext): Promise<Study> {
  const mainShare = options.recommend ? MAIN_SHARE : 1;
  ctx.progress(0, 'simulation.phaseMain');
  const main = await runner.run(params, (f) => ctx.progress(f * mainShare), ctx.signal);
  if (!options.recommend) return { main, recommendations: null, backing: [] };
  ctx.progress(mainShare, 'simulation.phaseRecommend');
  const { recommendations, backing } = await recommend(params, (p, onProgress) => runner.run(p, onProgress, ctx.signal), {
    targetSellOutMinutes: options.targetSellOutMinutes,
    baseline: main,
    onProgress: (f) => ctx.progress(mainShare + f * (1 - mainShare)),
  });
  return { main, recommendations, backing };
}

