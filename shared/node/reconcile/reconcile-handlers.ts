import { translate } from '../../i18n/index.js';
import { providerName } from '../../reconcile/provider-names.js';
import { AppError } from '../../common/errors.js';
import { requireUser, type HandlersFor } from '../kernel/call-context.js';
import { findReportFonts } from '../pdf/fonts.js';
import { analyseSettlement } from './analyse.js';
import { bookAdjustment, dayRow, findProfile, listAssignees, listDays, listExceptions, listProfiles, lockDay, recordImport, refuseReimport, reopenDay, sha256, updateException } from './reconcile-repo.js';
import { buildReconcilePdf, buildReconcileXlsx, loadReport } from './report.js';
import { PREVIEW_SAMPLE_BYTES } from '../../api/reconcile-schemas.js';
import { appendAudit } from '../kernel/audit-append.js';
import { previewProfile } from './preview.js';
import { RowStager } from './stage-rows.js';
import { serverJournal } from './server-journal.js';
import { countersignBooking } from './adjustment-countersign.js';
import { EXCEPTION_CLASSES } from '../../reconcile/match.js';

const actorOf = (u: { id: string; username: string; displayName: string }) => ({ id: u.id, username: u.username, displayName: u.displayName });

export const reconcileHandlers: HandlersFor<'reconcile'> = {
  'reconcile.profiles': async (_input, { deps }) => listProfiles(deps.db),

  'reconcile.saveProfile': async ({ profile }, ctx) => {
    const user = requireUser(ctx);
    const at = ctx.deps.now().toISOString();
    const before = await ctx.deps.db.selectFrom('settlement_profiles').select('spec').where('id', '=', profile.id).executeTakeFirst();
    await ctx.deps.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('settlement_profiles')
        .values({ id: profile.id, provider: profile.provider, spec: JSON.stringify(profile), updated_at: at, updated_by: user.username })
        .onConflict((oc) => oc.column('id').doUpdateSet({ provider: profile.provider, spec: JSON.stringify(profile), updated_at: at, updated_by: user.username }))
        .execute();
      // How files are read decides what is matched: who changed a profile, and from what, is on the record.
      await appendAudit(trx, {
        at, actorId: user.id, actorName: user.displayName, action: 'reconcile.saveProfile', entityType: 'settlement_profile', entityId: profile.id,
        details: { created: !before, before: before ? JSON.parse(before.spec) : null, after: profile },
      });
    });
    return profile;
  },

  'reconcile.previewProfile': async ({ profile, base64 }) => {
    const bytes = Buffer.from(base64, 'base64');
    if (bytes.length > PREVIEW_SAMPLE_BYTES) throw new AppError('invalid_input', 'reconcile.tooLarge', { max: 1 });
    return previewProfile(profile, bytes);
  },

  'reconcile.upload': async ({ bytes }, { deps }) => deps.uploads.put(bytes),
  'reconcile.discardUpload': async ({ uploadId }, { deps }) => {
    deps.uploads.remove(uploadId);
    return { ok: true as const };
  },

  'reconcile.assignees': async (_input, { deps }) => listAssignees(deps.db),

  /**
   * Reads the file, matches it and — unless a dry run — records it, as a job: the
   * renderer polls its progress and may cancel. The result carries the summary the
   * dry run shows. A file already imported, or a bad one, stops before anything is written.
   */
  'reconcile.analyse': async (input, ctx) => {
    const user = requireUser(ctx);
    const { db, sqlite, jobs, now } = ctx.deps;
    const { uploads } = ctx.deps;
    const bytes = uploads.read(input.uploadId);
    // A recorded (or refused) file's upload goes; a dry run's stays for the record step.
    const done = () => (input.record ? uploads.remove(input.uploadId) : undefined);
    let profile, hash;
    try {
      profile = await findProfile(db, input.profileId);
      hash = sha256(bytes);
      await refuseReimport(db, hash);
    } catch (e) {
      uploads.remove(input.uploadId);
      throw e;
    }
    return jobs.start('reconcile', user.id, async (job) => {
      job.progress(0, 'reconcile.importing');
      // Rows to record wait on disk, not in memory; the stage is removed however the job ends.
      const stage = input.record ? new RowStager(sqlite) : undefined;
      try {
        const a = await analyseSettlement(sqlite, profile, bytes, {
          signal: job.signal,
          windowBusinessDays: input.windowBusinessDays,
          ...(stage ? { stage } : {}),
          onProgress: (p) => job.progress((0.9 * p.bytes) / Math.max(1, p.total)),
        });
        const r = a.result;
        const counts: Record<string, number> = {};
        for (const c of EXCEPTION_CLASSES) counts[c] = r.exceptions.filter((e) => e.class === c).length;
        let importId: string | null = null;
        if (stage && !job.signal.aborted) {
          importId = await recordImport(db, sqlite, { profile, fileName: input.fileName, hash, encoding: a.encoding, result: r, stage, actor: actorOf(user), at: now().toISOString() });
        }
        return {
          importId,
          day: r.day,
          provider: profile.provider,
          encoding: a.encoding,
          rows: r.rows,
          matched: r.matched,
          matchedByTime: r.matchedByTime.length,
          exceptions: r.exceptions.length,
          ledgerCount: r.ledger.count,
          ledgerAmount: r.ledger.amount,
          // Flat job results carry strings: the summary the dry run shows, as JSON.
          summary: JSON.stringify({ counts, byApprovalDay: r.byApprovalDay, byPayoutDay: r.byPayoutDay, sample: r.exceptions.slice(0, 200) }),
        };
      } finally {
        stage?.dispose();
        done();
      }
    });
  },

  'reconcile.days': async (_input, { deps }) => listDays(deps.db),
  'reconcile.exceptions': async (q, { deps }) => listExceptions(deps.db, q),
  'reconcile.journal': async ({ day, provider }, { deps }) => serverJournal(deps.db, day, provider),
  'reconcile.countersign': async ({ commandId }, ctx) => {
    const d = await countersignBooking(ctx.deps.db, ctx.deps.now(), commandId, actorOf(requireUser(ctx)));
    return serverJournal(ctx.deps.db, d.day, d.provider);
  },

  'reconcile.assign': async (input, ctx) => {
    const user = requireUser(ctx);
    // Handed only to someone who may work it: an analyst or clerk could never resolve it.
    if (input.assignee !== null && !(await listAssignees(ctx.deps.db)).some((a) => a.username === input.assignee)) {
      throw new AppError('validation_failed', 'reconcile.assigneeNotReconciler', { username: input.assignee });
    }
    return updateException(ctx.deps.db, input.id, { assignee: input.assignee }, actorOf(user), ctx.deps.now().toISOString(), 'reconcile.assign');
  },
  'reconcile.annotate': async (input, ctx) => {
    const user = requireUser(ctx);
    return updateException(ctx.deps.db, input.id, { note: input.note || null }, actorOf(user), ctx.deps.now().toISOString(), 'reconcile.annotate');
  },
  'reconcile.resolve': async (input, ctx) => {
    const user = requireUser(ctx);
    // Booking a difference without saying why is what an audit finds: a non-zero adjustment needs the text.
    if (input.adjustment !== 0 && input.text.trim() === '') throw new AppError('validation_failed', 'reconcile.adjustmentNeedsReason');
    const at = ctx.deps.now().toISOString();
    return updateException(
      ctx.deps.db,
      input.id,
      { resolution: input.reason, resolution_text: input.text || null, adjustment: input.adjustment, resolved_by: user.username, resolved_at: at },
      actorOf(user),
      at,
      'reconcile.resolve',
      async (trx, before) => {
        // Resolved once: a second resolution would book the same difference twice.
        if (before.resolvedAt) throw new AppError('conflict', 'reconcile.alreadyResolved');
        if (input.adjustment === 0) return;
        await bookAdjustment(trx, ctx.deps.now(), before, { amount: input.adjustment, reason: input.reason, text: input.text, user, at });
      },
    );
  },
  'reconcile.adjust': async (input, ctx) => {
    const user = requireUser(ctx);
    const at = ctx.deps.now().toISOString();
    return updateException(
      ctx.deps.db,
      input.id,
      {},
      actorOf(user),
      at,
      'reconcile.adjust',
      (trx, before) => bookAdjustment(trx, ctx.deps.now(), before, { amount: input.amount, reason: input.reason, text: input.text, user, at }),
      { amount: input.amount, reason: input.reason, text: input.text },
    );
  },
  'reconcile.lockDay': async (input, ctx) => lockDay(ctx.deps.db, input.day, input.provider, actorOf(requireUser(ctx)), ctx.deps.now().toISOString()),
  'reconcile.reopenDay': async (input, ctx) => reopenDay(ctx.deps.db, input.day, input.provider, input.reason, actorOf(requireUser(ctx)), ctx.deps.now().toISOString()),

  'reconcile.report': async (input, ctx) => {
    const user = requireUser(ctx);
    const { db, now } = ctx.deps;
    const d = await dayRow(db, input.day, input.provider);
    if (d.exceptions === 0 && !(await db.selectFrom('settlement_imports').select('id').where('day', '=', input.day).where('provider', '=', input.provider).executeTakeFirst())) {
      throw new AppError('not_found', 'reconcile.notFound');
    }
    const report = await loadReport(db, input.day, input.provider);
    const base = translate(input.lang, 'exports.reconcileFile', { day: input.day, provider: providerName(input.provider, input.lang) });
    if (input.format === 'xlsx') return { filename: `${base}.xlsx`, base64: (await buildReconcileXlsx(report, input.lang)).toString('base64') };
    return { filename: `${base}.pdf`, base64: (await buildReconcilePdf(report, input.lang, findReportFonts(), now(), user.displayName)).toString('base64') };
  },
};
