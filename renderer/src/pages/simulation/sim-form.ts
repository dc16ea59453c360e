import type { Issue } from '#shared/common/errors.js';
import { formatWonDigits, parseWon } from '#shared/common/money.js';
import { simParamsSchema, type SimParams } from '#shared/simulation/params.js';

/** The simulation form as typed: numbers are text, percents are percents, blank limits mean none. */
export interface SimForm {
  seed: string;
  visitors: string;
  curve: SimParams['arrival']['curve'];
  spikeMinutes: string;
  decayMinutes: string;
  perMinute: string;
  preOpenPct: string;
  preOpenMinutes: string;
  windowMinutes: string;
  stock: string;
  limit: string;
  fullLimitPct: string;
  admissionPerMinute: string;
  maxActiveSessions: string;
  order: SimParams['waitingRoom']['order'];
  slots: string;
  stockCutoff: boolean;
  cutoffMarginPct: string;
  timeoutMinutes: string;
  policy: SimParams['session']['policy'];
  returnPct: string;
  returnDelayMinutes: string;
  patience: SimParams['patience']['kind'];
  patienceMinutes: string;
  checkoutSeconds: string;
  checkoutDistribution: SimParams['checkout']['distribution'];
  failurePct: string;
  maxRetries: string;
  /** The payment system; blank: instant and unlimited, as before it was modelled. */
  paymentTps: string;
  paymentLatencyMs: string;
  paymentTimeoutMs: string;
  maxConnections: string;
  /** Minutes signing in, connected but not yet waiting; blank: joining is instant, as before it was modelled. */
  loginMinutes: string;
}

const grouped = (n: number) => new Intl.NumberFormat('en-US', { maximumFractionDigits: 4 }).format(n);
const pct = (share: number) => String(Math.round(share * 10_000) / 100);
const optional = (n: number | null) => (n === null ? '' : grouped(n));

export function formFromParams(p: SimParams): SimForm {
  return {
    seed: String(p.seed),
    visitors: grouped(p.visitors),
    curve: p.arrival.curve,
    spikeMinutes: String(p.arrival.spikeMinutes),
    decayMinutes: String(p.arrival.decayMinutes),
    perMinute: p.arrival.perMinute.join(', '),
    preOpenPct: pct(p.arrival.preOpenShare),
    preOpenMinutes: String(p.arrival.preOpenMinutes),
    windowMinutes: grouped(p.sale.windowMinutes),
    stock: formatWonDigits(p.sale.stock),
    limit: formatWonDigits(p.purchase.limit),
    fullLimitPct: pct(p.purchase.fullLimitShare),
    admissionPerMinute: optional(p.waitingRoom.admissionPerMinute),
    maxActiveSessions: optional(p.waitingRoom.maxActiveSessions),
    order: p.waitingRoom.order,
    slots: p.waitingRoom.slots.map((s) => `${pct(s.share)}@${s.startMinute}`).join(', '),
    stockCutoff: p.waitingRoom.stockCutoff,
    cutoffMarginPct: pct(p.waitingRoom.cutoffMargin),
    timeoutMinutes: optional(p.session.timeoutMinutes),
    policy: p.session.policy,
    returnPct: pct(p.returns.probability),
    returnDelayMinutes: String(p.returns.delayMinutes),
    patience: p.patience.kind,
    patienceMinutes: String(p.patience.meanMinutes),
    checkoutSeconds: String(p.checkout.meanSeconds),
    checkoutDistribution: p.checkout.distribution,
    failurePct: pct(p.checkout.failureRate),
    maxRetries: String(p.checkout.maxRetries),
    paymentTps: optional(p.checkout.paymentCapacityTps ?? null),
    paymentLatencyMs: optional(p.checkout.paymentLatencyMs ?? null),
    paymentTimeoutMs: optional(p.checkout.paymentTimeoutMs ?? null),
    maxConnections: optional(p.capacity.maxConnections),
    loginMinutes: optional(p.capacity.loginMinutes ?? null),
  };
}

/** A bound as the form's figures read (10,080; 99.5). */
const GROUPED = new Intl.NumberFormat('en-US', { maximumFractionDigits: 2 });

export interface ParsedSimForm {
  params: SimParams | null;
  issues: Issue[];
}

/**
 * Reads the form into parameters: first each text as a number, then the whole
 * against the same schema the backend checks, so every message names its field.
 */
export function paramsFromForm(f: SimForm): ParsedSimForm {
  const issues: Issue[] = [];
  const bad = (path: string, code = 'simulation.notANumber') => {
    issues.push({ path, code, severity: 'error' });
    return Number.NaN;
  };
  const num = (path: string, text: string): number => {
    const s = text.replace(/[\s,]/g, '');
    if (!/^-?\d+(\.\d+)?$/.test(s)) return bad(path);
    return Number(s);
  };
  const orNull = (path: string, text: string): number | null => (text.trim() === '' ? null : num(path, text));
  /** Fields typed in percent (the schema holds fractions): a bound is named back in percent. */
  const percentPaths = new Set<string>();
  const share = (path: string, text: string): number => {
    percentPaths.add(path);
    return num(path, text.replace(/%$/, '')) / 100;
  };
  const money = (path: string, text: string): number => parseWon(text) ?? bad(path);
  const list = (path: string, text: string): number[] =>
    text.trim() === '' ? [] : text.split(/[,\s]+/).filter(Boolean).map((x) => num(path, x));
  const slots = (text: string): SimParams['waitingRoom']['slots'] =>
    text.trim() === ''
      ? []
      : text.split(',').map((part) => {
          const m = /^\s*([\d.]+)%?\s*@\s*([\d.]+)\s*$/.exec(part);
          if (!m) return { share: bad('waitingRoom.slots', 'simulation.badSlots'), startMinute: 0 };
          return { share: Number(m[1]) / 100, startMinute: Number(m[2]) };
        });

  const candidate = {
    seed: num('seed', f.seed),
    visitors: num('visitors', f.visitors),
    arrival: {
      curve: f.curve,
      spikeMinutes: num('arrival.spikeMinutes', f.spikeMinutes),
      decayMinutes: num('arrival.decayMinutes', f.decayMinutes),
      perMinute: list('arrival.perMinute', f.perMinute),
      preOpenShare: share('arrival.preOpenShare', f.preOpenPct),
      preOpenMinutes: num('arrival.preOpenMinutes', f.preOpenMinutes),
    },
    sale: { windowMinutes: num('sale.windowMinutes', f.windowMinutes), stock: money('sale.stock', f.stock), unit: 10_000 },
    purchase: { limit: money('purchase.limit', f.limit), fullLimitShare: share('purchase.fullLimitShare', f.fullLimitPct) },
    waitingRoom: {
      admissionPerMinute: orNull('waitingRoom.admissionPerMinute', f.admissionPerMinute),
      maxActiveSessions: orNull('waitingRoom.maxActiveSessions', f.maxActiveSessions),
      order: f.order,
      slots: slots(f.slots),
      stockCutoff: f.stockCutoff,
      cutoffMargin: share('waitingRoom.cutoffMargin', f.cutoffMarginPct),
    },
    session: { timeoutMinutes: orNull('session.timeoutMinutes', f.timeoutMinutes), policy: f.policy },
    returns: { probability: share('returns.probability', f.returnPct), delayMinutes: num('returns.delayMinutes', f.returnDelayMinutes) },
    patience: { kind: f.patience, meanMinutes: num('patience.meanMinutes', f.patienceMinutes) },
    checkout: {
      meanSeconds: num('checkout.meanSeconds', f.checkoutSeconds),
      distribution: f.checkoutDistribution,
      failureRate: share('checkout.failureRate', f.failurePct),
      maxRetries: num('checkout.maxRetries', f.maxRetries),
      // Blank leaves the setting out (unlimited, instant, no time-out), as a round saved before it existed has it.
      paymentCapacityTps: orNull('checkout.paymentCapacityTps', f.paymentTps) ?? undefined,
      paymentLatencyMs: orNull('checkout.paymentLatencyMs', f.paymentLatencyMs) ?? undefined,
      paymentTimeoutMs: orNull('checkout.paymentTimeoutMs', f.paymentTimeoutMs) ?? undefined,
    },
    capacity: {
      maxConnections: orNull('capacity.maxConnections', f.maxConnections),
      loginMinutes: orNull('capacity.loginMinutes', f.loginMinutes) ?? undefined,
    },
  };
  if (issues.length > 0) return { params: null, issues };
  const checked = simParamsSchema.safeParse(candidate);
  if (!checked.success) {
    return {
      params: null,
      issues: checked.error.issues.map((i): Issue => {
        const path = i.path.map(String).join('.');
        // The bound the value broke, in the unit the official typed (zod's own words are English and in fractions).
        const bound = (n: number | bigint) => GROUPED.format(percentPaths.has(path) ? Math.round(Number(n) * 10_000) / 100 : Number(n));
        if (i.code === 'too_big') return { path, code: 'simRange.tooBig', severity: 'error' as const, params: { max: bound(i.maximum) } };
        if (i.code === 'too_small') return { path, code: i.inclusive === false ? 'simRange.above' : 'simRange.tooSmall', severity: 'error' as const, params: { min: bound(i.minimum) } };
        return { path, code: 'simulation.outOfRange', severity: 'error' as const, params: { detail: i.message } };
      }),
    };
  }
  if (f.order === 'birth_year' && candidate.waitingRoom.slots.length === 0) {
    return { params: null, issues: [{ path: 'waitingRoom.slots', code: 'simulation.badSlots', severity: 'error' }] };
  }
  return { params: checked.data, issues: [] };
}
