import { seoulDayKey } from '../../common/time.js';
import { translate } from '../../i18n/index.js';
import { AppError } from '../../common/errors.js';
import { requireUser, type HandlersFor } from '../kernel/call-context.js';
import { findRound } from '../rounds/rounds-repo.js';
import { getRun, listRuns, saveStudy } from './simulation-repo.js';
import { runStudy } from './study.js';
import { simParamsFromRound } from '../../simulation/params.js';
import { quickScale, rehearsalWarnings, scaledParams } from '../../simulation/rehearsal-check.js';

/** A quick check that takes longer than this is abandoned (its worker terminated). */
const CHECK_TIMEOUT_MS = 20_000;
import { findReportFonts } from '../pdf/fonts.js';
import { buildSimulationPdf } from '../reports/simulation-report.js';

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

export const simulationHandlers: HandlersFor<'simulations'> = {
  'simulations.start': async (input, ctx) => {
    const user = requireUser(ctx);
    const { db, jobs, simulations, now } = ctx.deps;
    const round = await findRound(db, input.roundId);
    if (!round) throw new AppError('not_found', 'errors.roundNotFound');
    return jobs.start('simulation', user.id, async (job) => {
      const study = await runStudy(simulations, input.params, { recommend: input.recommend, targetSellOutMinutes: input.targetSellOutMinutes }, job);
      job.progress(1, 'simulation.phaseSaving');
      const runId = await saveStudy(db, study, { roundId: round.id, roundVersion: round.currentVersion, label: input.label, userId: user.id, at: now().toISOString() });
      return { runId };
    });
  },

  'simulations.check': async (input, ctx) => {
    requireUser(ctx);
    const params = simParamsFromRound(input.spec);
    const scale = quickScale(params);
    const result = await ctx.deps.simulations.quick(scaledParams(params, scale), AbortSignal.timeout(CHECK_TIMEOUT_MS));
    return {
      basis: { kind: 'quick' as const, scale, visitors: Math.round(params.visitors * scale), seed: params.seed, at: ctx.deps.now().toISOString() },
      warnings: rehearsalWarnings(input.spec, result, scale),
      logouts: Math.round(result.logouts / scale),
      waitP90Minutes: result.waitBuyers.p90Minutes,
      stockReservedMinute: result.stockReservedMinute,
      waitedForNothing: Math.round(result.waitedForNothing / scale),
      elapsedMs: result.elapsedMs,
    };
  },

  'simulations.list': async (input, { deps }) => {
    if (!(await findRound(deps.db, input.roundId))) throw new AppError('not_found', 'errors.roundNotFound');
    return listRuns(deps.db, input.roundId);
  },

  'simulations.get': async (input, { deps }) => {
    const run = await getRun(deps.db, input.id);
    if (!run) throw new AppError('not_found', 'simulation.runNotFound');
    return run;
  },

  'simulations.exportPdf': async (input, ctx) => {
    const user = requireUser(ctx);
    const { db, now } = ctx.deps;
    const runs = [];
    for (const id of input.ids) {
      const run = await getRun(db, id);
      if (!run) throw new AppError('not_found', 'simulation.runNotFound');
      runs.push(run);
    }
    const round = await findRound(db, runs[0]!.roundId);
    const charts = input.charts.map((c) => {
      const png = Buffer.from(c.png.slice(c.png.indexOf(',') + 1), 'base64');
      // The schema checked the data URL's form; this checks the bytes are a PNG.
      if (!png.subarray(0, 8).equals(PNG_SIGNATURE)) throw new AppError('invalid_input', 'simulation.chartsMissing');
      return { title: c.title, png };
    });
    const pdf = await buildSimulationPdf(
      { roundName: round?.spec.name ?? '', runs, charts, lang: input.lang, generatedAt: now(), author: user.displayName },
      findReportFonts(),
    );
    const stamp = seoulDayKey(now().toISOString());
    const name = runs.map((r) => r.label).join(' vs ').replace(/[\\/:*?"<>|]+/g, '_').slice(0, 80);
    return { filename: `${translate(input.lang, 'exports.simulationFile', { day: stamp, name })}.pdf`, base64: pdf.toString('base64') };
  },
};

export const jobHandlers: HandlersFor<'jobs'> = {
  'jobs.get': async (input, ctx) => ctx.deps.jobs.get(input.id, requireUser(ctx).id),
  'jobs.cancel': async (input, ctx) => ctx.deps.jobs.cancel(input.id, requireUser(ctx).id),
};
