import { AppError } from '../../common/errors.js';
import { seoulDayKey } from '../../common/time.js';
import { translate } from '../../i18n/index.js';
import { calibrate, NothingToFit } from '../../simulation/calibrate/calibrate.js';
import { DEFAULT_OPTIONS, type Observed } from '../../simulation/calibrate/schema.js';
import { simParamsFromRound } from '../../simulation/params.js';
import { requireUser, type HandlersFor } from '../kernel/call-context.js';
import { saleCurve } from '../reports/sale-curve.js';
import { findReportFonts } from '../pdf/fonts.js';
import { findRound } from '../rounds/rounds-repo.js';
import { buildCalibrationPdf } from './calibration-report.js';
import { getCalibration, latestCalibration, listPresets, saveCalibration, savePreset } from './calibration-repo.js';

export const calibrationHandlers: HandlersFor<'calibrations'> = {
  'calibrations.start': async (input, ctx) => {
    const user = requireUser(ctx);
    const { db, jobs, simulations, now } = ctx.deps;
    const round = await findRound(db, input.roundId);
    if (!round) throw new AppError('not_found', 'errors.roundNotFound');
    // The sale as the ledger has it, city-wide, from the opening (anything sold before it is counted in minute 0).
    const curve = await saleCurve(db, round.id, null);
    const face = curve.face.slice(Math.max(0, -curve.firstMinute));
    if (curve.firstMinute < 0) face[0] = (face[0] ?? 0) + curve.face.slice(0, -curve.firstMinute).reduce((s, v) => s + v, 0);
    const purchases = curve.purchases.reduce((s, v) => s + v, 0);
    if (purchases === 0) throw new AppError('invalid_input', 'calibration.errors.noSales');
    // The ledger's purchases are the buyers unless the official knows better.
    const observed: Observed = { facePerMinute: face, facts: { ...input.facts, buyers: input.facts.buyers ?? purchases } };
    const base = simParamsFromRound(round.spec);
    const options = { ...DEFAULT_OPTIONS, weights: input.weights ?? DEFAULT_OPTIONS.weights };
    return jobs.start('calibration', user.id, async (job) => {
      job.progress(0, 'calibration.phaseSearch');
      let confirming = false;
      const result = await calibrate(
        base,
        observed,
        options,
        (batch) => simulations.runMany(batch, job.signal),
        (f) => {
          if (f >= 0.9 && !confirming) {
            confirming = true;
            job.progress(f, 'calibration.phaseConfirm');
          } else job.progress(f);
        },
        job.signal,
      ).catch((e: unknown) => {
        if (e instanceof NothingToFit) throw new AppError('invalid_input', 'calibration.errors.nothingToFit');
        throw e;
      });
      job.progress(1, 'calibration.phaseSaving');
      const calibrationId = await saveCalibration(db, { roundId: round.id, userId: user.id, at: now().toISOString() }, result);
      return { calibrationId, objective: result.objective };
    });
  },

  'calibrations.get': async (input, { deps }) => {
    const c = await getCalibration(deps.db, input.id);
    if (!c) throw new AppError('not_found', 'calibration.errors.notFound');
    return c;
  },

  'calibrations.latest': async (input, { deps }) => {
    if (!(await findRound(deps.db, input.roundId))) throw new AppError('not_found', 'errors.roundNotFound');
    return latestCalibration(deps.db, input.roundId);
  },

  'calibrations.savePreset': async (input, ctx) => {
    const user = requireUser(ctx);
    const c = await getCalibration(ctx.deps.db, input.calibrationId);
    if (!c) throw new AppError('not_found', 'calibration.errors.notFound');
    // The parameters come from the stored fit, never from the caller.
    return savePreset(ctx.deps.db, { name: input.presetName, params: c.result.params, roundId: c.roundId, calibrationId: c.id, userId: user.id, at: ctx.deps.now().toISOString() });
  },

  'calibrations.presets': async (_input, { deps }) => listPresets(deps.db),

  'calibrations.exportPdf': async (input, ctx) => {
    const user = requireUser(ctx);
    const c = await getCalibration(ctx.deps.db, input.id);
    if (!c) throw new AppError('not_found', 'calibration.errors.notFound');
    const at = ctx.deps.now();
    const pdf = await buildCalibrationPdf(c, input.lang, user.displayName, at, findReportFonts());
    const name = c.roundName.replace(/[\\/:*?"<>|]+/g, '_').slice(0, 80);
    return { filename: `${translate(input.lang, 'identifiability.file', { day: seoulDayKey(at.toISOString()), name })}.pdf`, base64: pdf.toString('base64') };
  },
};
