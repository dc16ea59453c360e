import { parseDayEntry, timeEntryProblem } from '#shared/common/date-entry.js';
import type { Issue } from '#shared/common/errors.js';
import { formatWonDigits, parsePercentToBasisPoints, parseWon } from '#shared/common/money.js';
import { fromSeoulLocalInput, toSeoulLocalInput } from '#shared/common/time.js';
import { ISSUED_DENOMINATIONS } from '#shared/rounds/validate.js';
import type { PaymentMethod, QUEUE_ORDERS, RefundFormula, RoundKind, RoundSpec } from '#shared/rounds/spec.js';

/** What the form holds: text as typed, so half-typed values are never lost or coerced. */
export interface RoundForm {
  name: string;
  kind: RoundKind;
  districtCode: string;
  totalAmount: string;
  denominations: string;
  discountPct: string;
  perPersonMonthlyLimit: string;
  holdingLimit: string;
  giftReceiveCap: string;
  validityYears: string;
  refundThresholdPct: string;
  refundFormula: RefundFormula;
  refundCashOnly: boolean;
  paymentMethods: PaymentMethod[];
  opensAt: string;
  closesAt: string;
  sessionTimeoutMinutes: string;
  admissionPerMinute: string;
  maxActiveSessions: string;
  expectedVisitors: string;
  queueOrder: (typeof QUEUE_ORDERS)[number];
  stockCutoff: boolean;
  /** Carried unchanged: the rehearsal assumptions (saved from the simulation page) and queue details not edited here. */
  carried: Pick<RoundSpec, 'rehearsal'> & Pick<RoundSpec['waitingRoom'], 'slots' | 'cutoffMargin'> & { queueSettingsStored: boolean };
}

const grouped = (n: number): string => new Intl.NumberFormat('en-US').format(n);

export function formFromSpec(spec: RoundSpec): RoundForm {
  return {
    name: spec.name,
    kind: spec.kind,
    districtCode: spec.districtCode ?? '',
    totalAmount: formatWonDigits(spec.totalAmount),
    denominations: spec.denominations.map(formatWonDigits).join(', '),
    discountPct: String(spec.discountBp / 100),
    perPersonMonthlyLimit: formatWonDigits(spec.perPersonMonthlyLimit),
    holdingLimit: formatWonDigits(spec.holdingLimit),
    giftReceiveCap: formatWonDigits(spec.giftReceiveCap),
    validityYears: String(spec.validityYears),
    refundThresholdPct: String(spec.refund.partialUseThresholdPct),
    refundFormula: spec.refund.formula,
    refundCashOnly: spec.refund.cashOnly,
    paymentMethods: [...spec.paymentMethods],
    opensAt: toSeoulLocalInput(spec.opensAt),
    closesAt: toSeoulLocalInput(spec.closesAt),
    sessionTimeoutMinutes: String(spec.sessionTimeoutMinutes),
    admissionPerMinute: grouped(spec.waitingRoom.admissionPerMinute),
    maxActiveSessions: grouped(spec.waitingRoom.maxActiveSessions),
    expectedVisitors: spec.expectedVisitors == null ? '' : grouped(spec.expectedVisitors),
    queueOrder: spec.waitingRoom.order ?? 'fifo',
    stockCutoff: spec.waitingRoom.stockCutoff ?? false,
    carried: {
      rehearsal: spec.rehearsal,
      slots: spec.waitingRoom.slots,
      cutoffMargin: spec.waitingRoom.cutoffMargin,
      queueSettingsStored: spec.waitingRoom.order !== undefined || spec.waitingRoom.stockCutoff !== undefined,
    },
  };
}

export interface ParsedForm {
  /** Best-effort spec (unreadable numbers as 0) so derived figures can still be shown. */
  spec: RoundSpec;
  /** Fields whose text is not a value at all; the round cannot be saved until they are fixed. */
  parseIssues: Issue[];
}

/** Reads the form into a spec, reporting fields whose text is not a number, amount or time. */
export function specFromForm(form: RoundForm): ParsedForm {
  const parseIssues: Issue[] = [];
  const bad = (path: string, code = 'rounds.notANumber', params?: Issue['params']) => parseIssues.push({ path, code, severity: 'error', ...(params ? { params } : {}) });

  const money = (path: string, text: string): number => {
    const v = parseWon(text);
    if (v === null) bad(path);
    return v ?? 0;
  };
  const int = (path: string, text: string): number => {
    const s = text.replace(/[\s,]/g, '');
    if (!/^-?\d+$/.test(s) || !Number.isSafeInteger(Number(s))) {
      bad(path);
      return 0;
    }
    return Number(s);
  };
  const instant = (path: string, text: string): string => {
    const v = fromSeoulLocalInput(text);
    if (v === null) {
      const problem = instantProblem(text);
      bad(path, problem.code, { field: path, value: problem.value });
    }
    return v ?? new Date(0).toISOString();
  };

  const denominations = parseDenominations(form.denominations) ?? [];
  if (parseDenominations(form.denominations) === null) bad('denominations');

  const discountBp = parsePercentToBasisPoints(form.discountPct);
  if (discountBp === null) bad('discountBp');

  const spec: RoundSpec = {
    name: form.name,
    kind: form.kind,
    districtCode: form.kind === 'district' ? form.districtCode || null : null,
    totalAmount: money('totalAmount', form.totalAmount),
    denominations,
    discountBp: discountBp ?? 0,
    perPersonMonthlyLimit: money('perPersonMonthlyLimit', form.perPersonMonthlyLimit),
    holdingLimit: money('holdingLimit', form.holdingLimit),
    giftReceiveCap: money('giftReceiveCap', form.giftReceiveCap),
    validityYears: int('validityYears', form.validityYears),
    refund: {
      partialUseThresholdPct: int('refund.partialUseThresholdPct', form.refundThresholdPct),
      formula: form.refundFormula,
      cashOnly: form.refundCashOnly,
    },
    paymentMethods: [...form.paymentMethods],
    opensAt: instant('opensAt', form.opensAt),
    closesAt: instant('closesAt', form.closesAt),
    sessionTimeoutMinutes: int('sessionTimeoutMinutes', form.sessionTimeoutMinutes),
    waitingRoom: {
      admissionPerMinute: int('waitingRoom.admissionPerMinute', form.admissionPerMinute),
      maxActiveSessions: int('waitingRoom.maxActiveSessions', form.maxActiveSessions),
      // A round stored before queue settings existed keeps that shape until someone sets them.
      ...(form.carried.queueSettingsStored || form.queueOrder !== 'fifo' || form.stockCutoff ? { order: form.queueOrder, stockCutoff: form.stockCutoff } : {}),
      ...(form.carried.slots ? { slots: form.carried.slots } : {}),
      ...(form.carried.cutoffMargin !== undefined ? { cutoffMargin: form.carried.cutoffMargin } : {}),
    },
    expectedVisitors: form.expectedVisitors.trim() === '' ? null : int('expectedVisitors', form.expectedVisitors),
    ...(form.carried.rehearsal ? { rehearsal: form.carried.rehearsal } : {}),
  };
  return { spec, parseIssues };
}

/** The amounts in a denomination list as typed, or null when one is not an amount. */
export function parseDenominations(text: string): number[] | null {
  if (text.trim() === '') return [];
  const out: number[] = [];
  // Commas group thousands too, so split on commas only where a new amount starts (", " or ";").
  for (const part of text.split(/\s*[;\n]\s*|,\s+/)) {
    const v = parseWon(part);
    if (v === null) return null;
    out.push(v);
  }
  return out;
}

/**
 * The faces the editor offers as toggles: the programme's, plus any other the
 * round already holds (an older round's 15,000), so it can be seen and removed.
 */
export function denominationChoices(text: string): number[] {
  const held = parseDenominations(text) ?? [];
  return [...new Set<number>([...ISSUED_DENOMINATIONS, ...held])].sort((a, b) => a - b);
}

/** The list with one face switched on or off, kept in ascending order. */
export function toggleDenomination(text: string, value: number, on: boolean): string {
  const held = (parseDenominations(text) ?? []).filter((d) => d !== value);
  if (on) held.push(value);
  return [...new Set(held)].sort((a, b) => a - b).map(formatWonDigits).join(', ');
}

/**
 * Which half of an unreadable date + time pair is wrong, and why: DateTimeInput
 * hands over `day text` + `T` + `time text` when either half does not read, so
 * "2500" is reported as an hour outside 0–23, not as "enter a date and time".
 */
export function instantProblem(text: string): { code: string; value: string } {
  const cut = text.lastIndexOf('T');
  const day = cut < 0 ? text : text.slice(0, cut);
  const time = cut < 0 ? '' : text.slice(cut + 1);
  // The day as typed in either language (the form does not know which one the field was read in).
  const dayReads = ['ko', 'en'].some((lang) => parseDayEntry(day, lang, '2000-01-01'));
  if (!dayReads) return { code: day.trim() === '' ? 'roundForm.dayMissing' : 'roundForm.dayUnreadable', value: day };
  const problem = timeEntryProblem(time) ?? 'unreadable';
  return { code: `roundForm.time_${problem}`, value: time };
}
