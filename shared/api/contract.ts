import { z } from 'zod';
import type { Role } from '../common/roles.js';
import { ALL_ROLES, ROUND_MANAGERS } from '../common/roles.js';
import { roundSpecSchema } from '../rounds/spec.js';
import { simParamsSchema } from '../simulation/params.js';
import { LANGUAGES } from '../i18n/index.js';
import { jobViewSchema, rehearsalCheckSchema, simRunSchema, simRunSummarySchema } from './simulation-schemas.js';
import { ledgerQuerySchema, ledgerRowSchema, ledgerTotalsSchema, lotDetailSchema, outboxItemSchema, syncStatusSchema } from './sync-schemas.js';
import { ROUND_ACTIONS } from '../rounds/lifecycle.js';
import {
  auditEntrySchema,
  displayNameSchema,
  districtCodeSchema,
  empty,
  idSchema,
  passwordSchema,
  roleSchema,
  roundDetailSchema,
  roundRowSchema,
  userSchema,
  usernameSchema,
} from './schemas.js';
import { verifyResultSchema } from './audit-schemas.js';
import { foldAgeSchema, foldListSchema, foldResultSchema } from '../sync/fold-wire.js';
import { saleApproveInputSchema, saleMonitorViewSchema, saleRoundInputSchema, saleSteerInputSchema, saleSteerResultSchema } from './sale-schemas.js';
import { calibrationStartSchema, calibrationViewSchema, savePresetSchema, simPresetSchema } from './calibration-schemas.js';
import { exportChunkSchema, reportExportSchema, savedReportSchema } from './report-schemas.js';
import { reportParamsSchema, reportResultSchema } from '../reports/params.js';
import {
  closingInputSchema,
  closingSchema,
  dayStateSchema,
  counterLotSchema,
  counterQuoteSchema,
  counterRequestInputSchema,
  counterRequestSchema,
  counterSearchSchema,
  findBuyerInputSchema,
  foundBuyerSchema,
  queueInputSchema,
  queueShownSchema,
  receiptInputSchema,
} from './refund-schemas.js';
import {
  analyseInputSchema,
  discardUploadInputSchema,
  uploadInputSchema,
  uploadOutputSchema,
  dayInputSchema,
  exceptionQuerySchema,
  exceptionRowSchema,
  reconcileDaySchema,
  adjustInputSchema,
  assigneeSchema,
  previewOutputSchema,
  previewProfileInputSchema,
  saveProfileInputSchema,
  RECONCILE_READERS,
  RECONCILERS,
  reopenInputSchema,
  reportInputSchema,
  resolveInputSchema,
  settlementProfileSchema,
  journalEntrySchema,
  countersignInputSchema,
} from './reconcile-schemas.js';

export interface Procedure<I extends z.ZodType = z.ZodType, O extends z.ZodType = z.ZodType> {
  input: I;
  output: O;
  /** 'public' procedures need no session; every other call is checked against these roles in the backend. */
  access: 'public' | readonly Role[];
}

const proc = <I extends z.ZodType, O extends z.ZodType>(p: Procedure<I, O>) => p;
const ADMIN: readonly Role[] = ['admin'];
/** Analysts study simulations; only those who configure rounds run them. */
const SIMULATION_VIEWERS: readonly Role[] = ['admin', 'official', 'analyst'];
/** Who works the refund counter: district clerks, and officials and administrators city-wide. Never analysts. */
export const COUNTER: readonly Role[] = ['admin', 'official', 'clerk'];
/** Who reads lot events (the server's read scope): everyone but analysts, who read rounds and totals only. */
export const LOT_READERS: readonly Role[] = ['admin', 'official', 'clerk'];

/**
 * The one API of the console. Electron IPC and the local web host both bind
 * exactly this map; the renderer calls it through `send()`.
 */
export const contract = {
  'setup.status': proc({ input: empty, output: z.object({ needsAdmin: z.boolean() }), access: 'public' }),
  'setup.createAdmin': proc({
    input: z.object({ username: usernameSchema, displayName: displayNameSchema, password: passwordSchema }).strict(),
    output: userSchema,
    access: 'public',
  }),

  'auth.signIn': proc({
    input: z.object({ username: z.string().trim().toLowerCase().min(1).max(64), password: z.string().min(1).max(200) }).strict(),
    output: z.object({ token: z.string(), user: userSchema }),
    access: 'public',
  }),
  'auth.signOut': proc({ input: empty, output: empty, access: ALL_ROLES }),
  'auth.me': proc({ input: empty, output: userSchema, access: ALL_ROLES }),
  'auth.changePassword': proc({
    input: z.object({ currentPassword: z.string().min(1).max(200), newPassword: passwordSchema }).strict(),
    output: empty,
    access: ALL_ROLES,
  }),

  'users.list': proc({ input: empty, output: z.array(userSchema), access: ADMIN }),
  'users.create': proc({
    input: z
      .object({
        username: usernameSchema,
        displayName: displayNameSchema,
        password: passwordSchema,
        role: roleSchema,
        districtCode: districtCodeSchema.nullable(),
      })
      .strict(),
    output: userSchema,
    access: ADMIN,
  }),
  'users.update': proc({
    input: z
      .object({
        id: idSchema,
        displayName: displayNameSchema.optional(),
        role: roleSchema.optional(),
        districtCode: districtCodeSchema.nullable().optional(),
        disabled: z.boolean().optional(),
        password: passwordSchema.optional(),
      })
      .strict(),
    output: userSchema,
    access: ADMIN,
  }),

  'rounds.list': proc({ input: empty, output: z.array(roundRowSchema), access: ALL_ROLES }),
  'rounds.get': proc({ input: z.object({ id: idSchema }).strict(), output: roundDetailSchema, access: ALL_ROLES }),
  'rounds.create': proc({
    input: z.object({ spec: roundSpecSchema }).strict(),
    output: z.object({ id: z.string(), version: z.number() }),
    access: ROUND_MANAGERS,
  }),
  'rounds.update': proc({
    input: z.object({ id: idSchema, expectedVersion: z.int().min(1), spec: roundSpecSchema }).strict(),
    output: z.object({ version: z.number(), status: z.string() }),
    access: ROUND_MANAGERS,
  }),
  'rounds.transition': proc({
    input: z.object({ id: idSchema, expectedVersion: z.int().min(1), action: z.enum(ROUND_ACTIONS) }).strict(),
    output: z.object({ status: z.string() }),
    access: ROUND_MANAGERS,
  }),

  'simulations.start': proc({
    input: z
      .object({
        roundId: idSchema,
        label: z.string().trim().min(1).max(100),
        params: simParamsSchema,
        recommend: z.boolean(),
        targetSellOutMinutes: z.int().min(1).max(24 * 60),
      })
      .strict(),
    output: jobViewSchema,
    access: ROUND_MANAGERS,
  }),
  // A few hundred milliseconds in a worker: the editor's warnings come from simulating the settings as typed.
  'simulations.check': proc({ input: z.object({ spec: roundSpecSchema }).strict(), output: rehearsalCheckSchema, access: SIMULATION_VIEWERS }),
  'simulations.list': proc({ input: z.object({ roundId: idSchema }).strict(), output: z.array(simRunSummarySchema), access: SIMULATION_VIEWERS }),
  'simulations.get': proc({ input: z.object({ id: idSchema }).strict(), output: simRunSchema, access: SIMULATION_VIEWERS }),
  'simulations.exportPdf': proc({
    input: z
      .object({
        ids: z.array(idSchema).min(1).max(2),
        charts: z
          .array(
            z
              .object({
                title: z.string().max(200),
                // A chart drawn by the renderer; ~3 MB of PNG at most.
                png: z.string().max(4_000_000).regex(/^data:image\/png;base64,[A-Za-z0-9+/]+=*$/, { message: 'expected a PNG data URL' }),
              })
              .strict(),
          )
          .max(12),
        lang: z.enum(LANGUAGES),
      })
      .strict(),
    output: z.object({ filename: z.string(), base64: z.string() }),
    access: SIMULATION_VIEWERS,
  }),

  'reconcile.profiles': proc({ input: empty, output: z.array(settlementProfileSchema), access: RECONCILE_READERS }),
  /** A new provider is configured here, not coded: its file's column mapping. */
  'reconcile.saveProfile': proc({ input: saveProfileInputSchema, output: settlementProfileSchema, access: RECONCILERS }),
  /** Reads the first lines of a file with a draft profile: the mapped rows, or the first problem. */
  'reconcile.previewProfile': proc({ input: previewProfileInputSchema, output: previewOutputSchema, access: RECONCILERS }),
  'reconcile.assignees': proc({ input: empty, output: z.array(assigneeSchema), access: RECONCILERS }),
  /** A settlement file's bytes, kept as a private upload for `reconcile.analyse` (Electron; the web host streams to POST /api/upload). */
  'reconcile.upload': proc({ input: uploadInputSchema, output: uploadOutputSchema, access: RECONCILERS }),
  /** An upload no longer wanted (another file chosen, the import cancelled). */
  'reconcile.discardUpload': proc({ input: discardUploadInputSchema, output: z.object({ ok: z.literal(true) }), access: RECONCILERS }),
  /** Reads, matches and (unless a dry run) records a settlement file, as a job with progress and cancel. */
  'reconcile.analyse': proc({ input: analyseInputSchema, output: jobViewSchema, access: RECONCILERS }),
  'reconcile.days': proc({ input: empty, output: z.array(reconcileDaySchema), access: RECONCILE_READERS }),
  'reconcile.exceptions': proc({ input: exceptionQuerySchema, output: z.object({ rows: z.array(exceptionRowSchema), lastRow: z.number().nullable() }), access: RECONCILE_READERS }),
  'reconcile.assign': proc({ input: z.object({ id: z.int().min(1), assignee: z.string().trim().min(1).max(64).nullable() }).strict(), output: exceptionRowSchema, access: RECONCILERS }),
  'reconcile.annotate': proc({ input: z.object({ id: z.int().min(1), note: z.string().trim().max(1_000) }).strict(), output: exceptionRowSchema, access: RECONCILERS }),
  'reconcile.resolve': proc({ input: resolveInputSchema, output: exceptionRowSchema, access: RECONCILERS }),
  /** Books a further adjustment on an exception (a correction), on a day not locked. */
  'reconcile.adjust': proc({ input: adjustInputSchema, output: exceptionRowSchema, access: RECONCILERS }),
  'reconcile.lockDay': proc({ input: dayInputSchema, output: reconcileDaySchema, access: RECONCILERS }),
  'reconcile.reopenDay': proc({ input: reopenInputSchema, output: reconcileDaySchema, access: RECONCILERS }),
  'reconcile.report': proc({ input: reportInputSchema, output: z.object({ filename: z.string(), base64: z.string() }), access: RECONCILE_READERS }),
  /** A day's journal as the server recorded it (synced), and this console's bookings it has not accepted. */
  'reconcile.journal': proc({ input: dayInputSchema, output: z.array(journalEntrySchema), access: RECONCILE_READERS }),
  /** Another official countersigns a booking above the administrator's amount; never its booker (backend and server). */
  'reconcile.countersign': proc({ input: countersignInputSchema, output: z.array(journalEntrySchema), access: RECONCILERS }),
  'jobs.get': proc({ input: z.object({ id: idSchema }).strict(), output: jobViewSchema, access: ALL_ROLES }),
  'jobs.cancel': proc({ input: z.object({ id: idSchema }).strict(), output: jobViewSchema, access: ALL_ROLES }),

  'sync.status': proc({ input: empty, output: syncStatusSchema, access: ALL_ROLES }),
  'sync.connect': proc({
    input: z
      .object({
        serverUrl: z.url({ protocol: /^https?$/, message: 'expected an http(s) address' }).max(300),
        username: z.string().trim().toLowerCase().min(1).max(64),
        password: z.string().min(1).max(200),
      })
      .strict(),
    output: syncStatusSchema,
    access: ADMIN,
  }),
  'sync.disconnect': proc({ input: empty, output: syncStatusSchema, access: ADMIN }),
  'sync.run': proc({ input: empty, output: jobViewSchema, access: ALL_ROLES }),
  'sync.outbox': proc({ input: z.object({ limit: z.int().min(1).max(1_000).default(200) }).strict(), output: z.array(outboxItemSchema), access: ALL_ROLES }),
  'sync.retry': proc({ input: z.object({ commandId: idSchema }).strict(), output: outboxItemSchema, access: ALL_ROLES }),
  'sync.findDivergence': proc({ input: empty, output: z.object({ seq: z.number().nullable() }), access: ADMIN }),
  'sync.repair': proc({ input: z.object({ fromSeq: z.int().min(1) }).strict(), output: jobViewSchema, access: ADMIN }),
  /** Settled uses folded into per-lot checkpoints on the server (issue 21's compaction): the acts so far, and a new one. Online only. */
  'compaction.folds': proc({ input: empty, output: foldListSchema, access: ADMIN }),
  'compaction.fold': proc({ input: z.object({ olderThanDays: foldAgeSchema }).strict(), output: foldResultSchema, access: ADMIN }),

  'ledger.rows': proc({ input: ledgerQuerySchema, output: z.object({ rows: z.array(ledgerRowSchema), lastRow: z.number().nullable() }), access: LOT_READERS }),
  'ledger.totals': proc({ input: z.object({ roundId: idSchema }).strict(), output: ledgerTotalsSchema, access: ALL_ROLES }),
  'ledger.lot': proc({ input: z.object({ lotId: idSchema }).strict(), output: lotDetailSchema, access: LOT_READERS }),
  'refunds.search': proc({ input: counterSearchSchema, output: z.object({ lots: z.array(counterLotSchema), truncated: z.boolean() }), access: COUNTER }),
  /** Clerks only: the server's directory answers a clerk of the buyer's district and nobody else. */
  'refunds.findBuyer': proc({ input: findBuyerInputSchema, output: z.object({ buyers: z.array(foundBuyerSchema) }), access: ['clerk'] }),
  'refunds.quote': proc({ input: z.object({ lotId: idSchema }).strict(), output: counterQuoteSchema, access: COUNTER }),
  'refunds.request': proc({
    input: counterRequestInputSchema,
    output: z.object({ commandId: z.string(), receiptNo: z.string(), kind: z.enum(['cancel', 'refund']), amount: z.number(), awaitingSecond: z.boolean() }),
    access: COUNTER,
  }),
  'refunds.countersign': proc({ input: z.object({ commandId: idSchema }).strict(), output: counterRequestSchema, access: COUNTER }),
  'refunds.withdraw': proc({ input: z.object({ commandId: idSchema }).strict(), output: counterRequestSchema, access: COUNTER }),
  'refunds.queue': proc({
    input: queueInputSchema,
    output: z.object({ requests: z.array(counterRequestSchema), clerks: z.array(z.object({ id: z.string(), name: z.string() })), shown: queueShownSchema }),
    access: COUNTER,
  }),
  'refunds.receipt': proc({ input: receiptInputSchema, output: z.object({ filename: z.string(), base64: z.string() }), access: COUNTER }),
  'refunds.closing': proc({ input: closingInputSchema, output: closingSchema, access: COUNTER }),
  'refunds.dayState': proc({ input: z.object({ districtCode: z.string().max(10).optional() }).strict(), output: dayStateSchema, access: COUNTER }),
  'refunds.closeDay': proc({ input: closingInputSchema, output: closingSchema, access: COUNTER }),
  'refunds.reopenDay': proc({ input: closingInputSchema.extend({ reason: z.string().max(300) }).strict(), output: closingSchema, access: ROUND_MANAGERS }),
  'refunds.closingSheet': proc({
    input: closingInputSchema.extend({ format: z.enum(['pdf', 'xlsx']) }).strict(),
    output: z.object({ filename: z.string(), base64: z.string() }),
    access: COUNTER,
  }),
  'refunds.settings': proc({ input: empty, output: z.object({ countersignAbove: z.number().nullable() }), access: COUNTER }),
  'refunds.setThreshold': proc({
    input: z.object({ countersignAbove: z.int().min(0).max(100_000_000).nullable() }).strict(),
    output: z.object({ countersignAbove: z.number().nullable() }),
    access: ADMIN,
  }),

  /** Reports read the local ledger; a clerk's are held to their district in the handler. */
  // Fitting the simulator to a sold round's ledger: a job in workers; its result is read with calibrations.get.
  'calibrations.start': proc({ input: calibrationStartSchema, output: jobViewSchema, access: ROUND_MANAGERS }),
  'calibrations.get': proc({ input: z.object({ id: idSchema }).strict(), output: calibrationViewSchema, access: SIMULATION_VIEWERS }),
  'calibrations.latest': proc({ input: z.object({ roundId: idSchema }).strict(), output: calibrationViewSchema.nullable(), access: SIMULATION_VIEWERS }),
  'calibrations.savePreset': proc({ input: savePresetSchema, output: simPresetSchema, access: ROUND_MANAGERS }),
  'calibrations.presets': proc({ input: empty, output: z.array(simPresetSchema), access: SIMULATION_VIEWERS }),
  // A stored calibration on paper: the measures and, per fitted parameter, whether the data pinned it.
  'calibrations.exportPdf': proc({ input: z.object({ id: idSchema, lang: z.enum(LANGUAGES) }).strict(), output: z.object({ filename: z.string(), base64: z.string() }), access: SIMULATION_VIEWERS }),

  'reports.run': proc({ input: z.object({ params: reportParamsSchema }).strict(), output: reportResultSchema, access: ALL_ROLES }),
  'reports.saleCurve': proc({
    input: z.object({ roundId: idSchema }).strict(),
    output: z.object({
      roundId: z.string(),
      opensAt: z.string(),
      firstMinute: z.number(),
      purchases: z.array(z.number()),
      face: z.array(z.number()),
      forecast: z.object({ runId: z.string(), label: z.string(), firstMinute: z.number(), sold: z.array(z.number()) }).nullable(),
    }),
    access: ALL_ROLES,
  }),
  'reports.saved': proc({ input: empty, output: z.array(savedReportSchema), access: ALL_ROLES }),
  'reports.save': proc({
    input: z.object({ name: z.string().trim().min(1).max(80), params: reportParamsSchema }).strict(),
    output: savedReportSchema,
    access: ALL_ROLES,
  }),
  'reports.deleteSaved': proc({ input: z.object({ id: idSchema }).strict(), output: empty, access: ALL_ROLES }),
  /** Starts an export job; its file is then read with reports.download. */
  'reports.export': proc({ input: reportExportSchema, output: jobViewSchema, access: ALL_ROLES }),
  'reports.download': proc({
    input: z.object({ jobId: idSchema, offset: z.int().min(0).default(0) }).strict(),
    output: exportChunkSchema,
    access: ALL_ROLES,
  }),

  'audit.list': proc({
    input: z.object({ limit: z.int().min(1).max(1000).default(200), beforeSeq: z.int().min(1).optional() }).strict(),
    output: z.array(auditEntrySchema),
    access: ADMIN,
  }),
  'audit.verify': proc({ input: empty, output: verifyResultSchema, access: ADMIN }),
  /** The last automatic verification (at start and after each sync), for the banner every user sees; null until the first is done. */
  'audit.status': proc({ input: empty, output: verifyResultSchema.nullable(), access: ALL_ROLES }),

  /** A live sale's monitor, asked of the server in the user's name (online only); analysts read it, no steering. */
  'sale.monitor': proc({ input: saleRoundInputSchema, output: saleMonitorViewSchema, access: SIMULATION_VIEWERS }),
  /** Steering a live sale through the server's `steer_sale` (it decides whether a second official is needed). */
  'sale.steer': proc({ input: saleSteerInputSchema, output: saleSteerResultSchema, access: ROUND_MANAGERS }),
  /** Another official's approval of a proposed change (`approve_sale_change`); the server refuses the proposer. */
  'sale.approve': proc({ input: saleApproveInputSchema, output: saleSteerResultSchema, access: ROUND_MANAGERS }),
} as const satisfies Record<string, Procedure>;

export type Contract = typeof contract;
export type Method = keyof Contract;
export type Input<M extends Method> = z.input<Contract[M]['input']>;
export type ParsedInput<M extends Method> = z.output<Contract[M]['input']>;
export type Output<M extends Method> = z.output<Contract[M]['output']>;

export const METHODS = Object.keys(contract) as Method[];

export function isMethod(name: unknown): name is Method {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(contract, name);
}
