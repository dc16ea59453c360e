import { z } from 'zod';
import { DISTRICTS, findDistrict } from '../common/districts.js';
import { PAYMENT_METHODS } from '../rounds/spec.js';

/** What a report can be grouped by: the lot's district, the Seoul day or hour of day of the event, payment method, the lot's face (denomination). */
export const GROUP_KEYS = ['district', 'day', 'hour', 'paymentMethod', 'denomination'] as const;
export type GroupKey = (typeof GROUP_KEYS)[number];

/**
 * Measures over the events in the filters. `remaining` is face sold − used − face
 * retired by cancellations and refunds (it always counts every event type, since
 * a balance without its uses means nothing). `useRate` = used ÷ face sold.
 */
export const MEASURES = [
  'faceSold',
  'paid',
  'discount',
  'buyers',
  'lots',
  'usedAmount',
  'useRate',
  'gifts',
  'cancelCount',
  'cancelAmount',
  'refundCount',
  'refundAmount',
  'remaining',
] as const;
export type Measure = (typeof MEASURES)[number];

/** Measures in won (formatted as money); the rest are counts or, for useRate, a fraction. */
export const MONEY_MEASURES: ReadonlySet<Measure> = new Set(['faceSold', 'paid', 'discount', 'usedAmount', 'cancelAmount', 'refundAmount', 'remaining']);

export const REPORT_EVENT_TYPES = ['purchase', 'use', 'gift', 'cancel', 'refund'] as const;

const seoulDay = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, { message: 'expected YYYY-MM-DD' });

/** An i18n-keyed zod issue: the dispatcher turns it into a translated message naming the field. */
function keyed(ctx: z.RefinementCtx, path: (string | number)[], key: string, values: Record<string, string | number> = {}): void {
  ctx.addIssue({ code: 'custom', path, message: key, params: { i18n: key, values } });
}

export const reportParamsSchema = z
  .object({
    /** Empty: every round. */
    roundIds: z.array(z.string().min(1).max(64)).max(100).default([]),
    /** Seoul days, both included. */
    fromDay: seoulDay.optional(),
    toDay: seoulDay.optional(),
    districts: z.array(z.string().max(10)).max(DISTRICTS.length).default([]),
    paymentMethods: z.array(z.enum(PAYMENT_METHODS)).max(PAYMENT_METHODS.length).default([]),
    eventTypes: z.array(z.enum(REPORT_EVENT_TYPES)).max(REPORT_EVENT_TYPES.length).default([]),
    groupBy: z.array(z.enum(GROUP_KEYS)).max(2).default([]),
    measures: z.array(z.enum(MEASURES)).min(1).max(MEASURES.length).default(['faceSold', 'paid', 'lots']),
  })
  .strict()
  .superRefine((p, ctx) => {
    if (p.fromDay && p.toDay && p.toDay < p.fromDay) keyed(ctx, ['toDay'], 'reports.periodReversed', { from: p.fromDay, to: p.toDay });
    for (const [field, day] of [['fromDay', p.fromDay], ['toDay', p.toDay]] as const) {
      if (day && Number.isNaN(Date.parse(`${day}T00:00:00Z`))) keyed(ctx, [field], 'reports.badDay', { day });
    }
    p.districts.forEach((code, i) => {
      if (!findDistrict(code)) keyed(ctx, ['districts', i], 'reports.unknownDistrict', { code });
    });
    if (p.groupBy.length === 2 && p.groupBy[0] === p.groupBy[1]) keyed(ctx, ['groupBy'], 'reports.sameGroupTwice');
  });

export type ReportParams = z.output<typeof reportParamsSchema>;
export type ReportParamsInput = z.input<typeof reportParamsSchema>;

export const reportRowSchema = z.object({
  /** One value per groupBy key, as text (district code, `YYYY-MM-DD`, `00`–`23`, payment method, face in won). */
  keys: z.array(z.string()),
  values: z.record(z.string(), z.number()),
});
export type ReportRow = z.infer<typeof reportRowSchema>;

export const reportResultSchema = z.object({
  groupBy: z.array(z.enum(GROUP_KEYS)),
  measures: z.array(z.enum(MEASURES)),
  rows: z.array(reportRowSchema),
  /** Over every row in the filters; buyers counted once across groups. */
  totals: z.record(z.string(), z.number()),
  /** The district a clerk's report was held to, whatever was asked. */
  scopedTo: z.string().nullable(),
});
export type ReportResult = z.infer<typeof reportResultSchema>;

/** Use rate as a fraction, 0 when nothing was sold. */
export function useRate(used: number, sold: number): number {
  return sold > 0 ? used / sold : 0;
}
