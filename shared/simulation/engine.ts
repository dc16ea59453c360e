import { apportion, ArrivalStream, MergedArrivals, planSegments } from './arrivals.js';
import type { SimParams } from './params.js';
import { streams } from './random.js';
import { deltas, estimatorSummary, OUTCOMES, quantileOfMinuteHist, quantileOfSigned, rebin, round1, statsFromSeconds, type Outcome, type SimResult, type SimSeries } from './result.js';
import { ArrayPool, EventHeap, TaggedFifo, WaitingLine } from './structures.js';

// Person states. DONE people have an outcome and never come back.
const QUEUED = 1;
const ACTIVE = 2;
const AWAY = 3;
const DONE = 4;

// Where an active person's payment is (engine's `paying`).
const FILLING = 0;
const PAY_QUEUED = 1;
const PAY_SERVED = 2;

// Outcome codes: indexes into OUTCOMES.
const BOUGHT = 0;
const ABANDONED = 1;
const LOGGED_OUT_LEFT = 2;
/** The honest estimate's "you are past the remaining stock". */
const PAST_STOCK = -1;
/** Say "past the stock" only beyond this multiple of the buyers the stock can serve: wrongly turning someone away is worse than a late notice. */
const PAST_STOCK_MARGIN = 1.25;
const CUT = 3;
const SOLD_OUT = 4;
const CLOSED = 5;
const PAYMENT_FAILED = 6;
const REFUSED_LEFT = 7;

/** A person joins the queue at most this often; the tag that marks their entries is one byte and must not wrap onto a live entry. */
const MAX_STINTS = 250;

export class SimulationCancelled extends Error {
  constructor() {
    super('simulation cancelled');
    this.name = 'SimulationCancelled';
  }
}

export interface SimOptions {
  /** Called now and then with the share of visitors that have arrived so far. */
  onProgress?: (fraction: number) => void;
  /** Polled with progress; returning true stops the run with SimulationCancelled. */
  shouldStop?: () => boolean;
  /** Told of every admission (person number in arrival order, seconds since opening); for tests. */
  onAdmit?: (person: number, secondsAfterOpening: number) => void;
}

/**
 * A discrete-event simulation of one sale: arrivals, the waiting room,
 * login sessions, returns, patience, checkout and stock. State lives in
 * typed arrays indexed by person (people are numbered in arrival order);
 * events with a constant delay (session expiry, returns, fixed patience) sit
 * in FIFOs, since their order is the order they were scheduled in; only
 * checkout completions, whose durations vary, need a heap. Exponential
 * patience is the queue-wide Poisson process it is equivalent to.
 */
export function simulate(p: SimParams, options: SimOptions = {}): SimResult {
  return simulateUnless(p, options, Infinity)!;
}

/**
 * A run that answers "does the sale sell out within `minutes` of opening?"
 * as early as it can: null the moment the clock passes that minute with stock
 * still unsold (the rest of the day would not change the answer), otherwise
 * the full result, exactly as simulate() gives it. The admission search probes
 * rates with it.
 */
export function simulateIfSoldOutBy(p: SimParams, minutes: number, options: SimOptions = {}): SimResult | null {
  return simulateUnless(p, options, minutes);
}

function simulateUnless(p: SimParams, options: SimOptions, soldOutByMinute: number): SimResult | null {
  const run = new Run(p, options, soldOutByMinute);
  try {
    return runSale(run);
  } finally {
    // The result holds none of the per-person arrays: the next run on this thread may have them.
    const { queue, sessions, patienceFifo, returnsFifo, heap, logins, payQueue, payTimeouts } = run;
    if (queue.ids.length <= 1 << 22) spareLines = { queue, sessions, patienceFifo, returnsFifo, heap, logins, payQueue, payTimeouts };
    [run.state, run.tag, run.stintsOf, run.retries, run.reserved, run.mark, run.waited, run.spent, run.shown, run.honest, run.shownLong, run.paying, run.placeOf].forEach((a, slot) => pool.give(slot, a));
  }
}

const newLines = () => ({
  queue: new WaitingLine(1 << 16),
  sessions: new TaggedFifo(1 << 12, true),
  patienceFifo: new TaggedFifo(1 << 12, true),
  returnsFifo: new TaggedFifo(1 << 12, true),
  heap: new EventHeap(1 << 12),
  logins: new TaggedFifo(1 << 12, true),
  payQueue: new TaggedFifo(1 << 10),
  payTimeouts: new TaggedFifo(1 << 10, true),
});
/**
 * A run's line, FIFOs and heap, kept for the next run on the thread with the room they grew to (a 700k
 * sale's line doubles from 64k places to a million, each step a new set of arrays for the collector);
 * taken by a run, given back when it ends, not kept above 4M places.
 */
let spareLines: ReturnType<typeof newLines> | null = null;

/** Per-person arrays kept between runs on one thread (slots in the order simulateUnless gives them back), up to 2M people's. */
const pool = new ArrayPool(16 << 20);

/**
 * Everything one run holds: settings read once, per-person arrays, queues and counters. A class, so that
 * every run has the same shape and a warm worker keeps the optimised code of the functions below between
 * runs: the closures this was once made of were created afresh for each run, and the first call of a
 * new one threw the optimised caller away ("wrong call target") on every run. The functions that act on a
 * run take it as their first argument. Its fields are `declare`d: a class field declaration defines the
 * field as undefined before the constructor assigns it, which makes V8 type every numeric field as any
 * value, so each store of a fraction into one (t, area, sums) boxed a new heap number: ~165 MB a run.
 */
class Run {
  declare readonly p: SimParams;
  declare readonly options: SimOptions;
  declare readonly soldOutByMinute: number;
  declare readonly startedAt: number;
  declare readonly rs: ReturnType<typeof streams>;
  declare readonly N: number;
  declare readonly O: number;
  declare readonly W: number;
  declare readonly unitWon: number;
  declare readonly stockUnits: number;
  declare readonly limitUnits: number;
  declare readonly fullShare: number;
  declare readonly meanUnits: number;
  declare readonly admInterval: number;
  declare readonly maxActive: number;
  declare readonly maxConn: number;
  declare readonly loginSeconds: number;
  declare readonly T: number;
  declare readonly expiresWhileWaiting: boolean;
  declare readonly retProb: number;
  declare readonly retDelay: number;
  declare readonly patKind: SimParams['patience']['kind'];
  declare readonly patSeconds: number;
  declare readonly theta: number;
  declare readonly coMean: number;
  declare readonly coDist: SimParams['checkout']['distribution'];
  declare readonly LN_SIGMA: number;
  declare readonly lnMu: number;
  declare readonly failRate: number;
  declare readonly maxRetries: number;
  declare readonly payModel: boolean;
  declare readonly payServers: number;
  declare readonly payServiceMean: number;
  declare readonly payTimeout: number;
  declare readonly cutoff: boolean;
  declare readonly cutMargin: number;
  declare readonly nominalPerMinute: number;
  declare readonly arrivals: { next: number; advance(): void };
  declare readonly state: Uint8Array;
  declare readonly tag: Uint8Array;
  declare readonly stintsOf: Uint8Array;
  declare readonly retries: Uint8Array;
  declare readonly reserved: Uint16Array;
  declare readonly mark: Float64Array;
  declare readonly waited: Float32Array;
  declare readonly spent: Float32Array;
  declare readonly shown: Float32Array;
  declare readonly honest: Float32Array;
  declare readonly shownLong: Uint8Array;
  declare readonly paying: Uint8Array;
  declare readonly queue: WaitingLine;
  declare readonly placeOf: Int32Array;
  declare readonly sessions: TaggedFifo;
  declare readonly patienceFifo: TaggedFifo;
  declare readonly returnsFifo: TaggedFifo;
  declare readonly heap: EventHeap;
  declare readonly logins: TaggedFifo;
  declare readonly payQueue: TaggedFifo;
  declare readonly payTimeouts: TaggedFifo;
  declare payBusy: number;
  declare payWaiting: number;
  declare payPeakQueue: number;
  declare payAttempts: number;
  declare payTimedOut: number;
  declare payServed: number;
  declare payWaitSum: number;
  declare live: number;
  declare active: number;
  declare loggingIn: number;
  declare soldUnits: number;
  declare reservedUnits: number;
  declare arrived: number;
  declare events: number;
  declare readonly outcomeCounts: Float64Array;
  declare logouts: number;
  declare requeues: number;
  declare refused: number;
  declare paymentFailures: number;
  declare admissions: number;
  declare abandons: number;
  declare peakConnections: number;
  declare peakActive: number;
  declare peakQueue: number;
  declare maxStint: number;
  declare soldOutAt: number;
  declare reservedOutAt: number;
  declare opened: boolean;
  declare closed: boolean;
  declare soldOut: boolean;
  declare nextAdm: number;
  declare tAbandon: number;
  declare abandonDirty: boolean;
  declare recentPerMinute: number;
  declare readonly histLen: number;
  declare readonly histBuy: Uint32Array;
  declare readonly histFail: Uint32Array;
  declare sumBuy: number;
  declare sumFail: number;
  declare maxBuy: number;
  declare maxFail: number;
  declare waitedForNothing: number;
  declare lostSeconds: number;
  declare dispN: number;
  declare honN: number;
  declare honAbs: number;
  declare readonly HON_OFFSET: number;
  declare readonly honErr: Uint32Array;
  declare pastRight: number;
  declare pastWrong: number;
  declare honestMisled: number;
  declare naiveMisled: number;
  declare dispAbs: number;
  declare dispSigned: number;
  declare dispMax: number;
  declare shownMax: number;
  declare shownOverHour: number;
  declare readonly dispHist: Uint32Array;
  declare area: number;
  declare stints: number;
  declare stintSeconds: number;
  declare serviceN: number;
  declare serviceSum: number;
  declare readonly M: number;
  declare readonly sQueue: Float64Array;
  declare readonly sActive: Float64Array;
  declare readonly sLogin: Float64Array;
  declare readonly sAdm: Float64Array;
  declare readonly sArr: Float64Array;
  declare readonly sLogout: Float64Array;
  declare readonly sAband: Float64Array;
  declare readonly sRef: Float64Array;
  declare readonly sSold: Float64Array;
  declare readonly sShown: Float64Array;
  declare readonly joinSum: Float64Array;
  declare readonly joinN: Float64Array;
  declare nextMinute: number;
  declare t: number;
  declare readonly progressEvery: number;
  declare nextProgress: number;

  constructor(p: SimParams, options: SimOptions, soldOutByMinute: number) {
    const startedAt = Date.now();
    const rs = streams(p.seed);
    const N = p.visitors;

    // Clock: seconds from the start of the pre-opening window.
    const O = p.arrival.preOpenMinutes * 60;
    const W = O + p.sale.windowMinutes * 60;
    const unitWon = p.sale.unit;
    const stockUnits = Math.floor(p.sale.stock / unitWon);
    const limitUnits = Math.max(1, Math.floor(p.purchase.limit / unitWon));
    const fullShare = p.purchase.fullLimitShare;
    const meanUnits = fullShare * limitUnits + (1 - fullShare) * (limitUnits > 1 ? limitUnits / 2 : 1);

    const admInterval = p.waitingRoom.admissionPerMinute ? 60 / p.waitingRoom.admissionPerMinute : 0;
    const maxActive = p.waitingRoom.maxActiveSessions ?? Infinity;
    const maxConn = p.capacity.maxConnections ?? Infinity;
    // Signing in (params.ts capacity.loginMinutes): a connection held before the queue. Absent or 0, joining is
    // instant, no event of this kind is ever scheduled and the run is exactly what it was before it existed.
    const loginSeconds = (p.capacity.loginMinutes ?? 0) * 60;
    const T = p.session.timeoutMinutes != null ? p.session.timeoutMinutes * 60 : Infinity;
    const expiresWhileWaiting = p.session.policy === 'expires_while_waiting' && p.session.timeoutMinutes != null;
    const retProb = p.returns.probability;
    const retDelay = p.returns.delayMinutes * 60;
    const patKind = p.patience.kind;
    const patSeconds = p.patience.meanMinutes * 60;
    const theta = 1 / patSeconds;
    const coMean = p.checkout.meanSeconds;
    const coDist = p.checkout.distribution;
    // Lognormal with σ = 0.5, scaled so its mean is coMean.
    const LN_SIGMA = 0.5;
    const lnMu = Math.log(coMean) - (LN_SIGMA * LN_SIGMA) / 2;
    const failRate = p.checkout.failureRate;
    const maxRetries = p.checkout.maxRetries;
    // The payment system (rounds/spec.ts paymentSystemShape): TPS × latency slots, each serving one transaction for an
    // exponential time of mean latency (the TPS exactly when all are busy; one slot of 1/TPS when latency is 0).
    // Absent, a payment is instant and unlimited and none of this draws a random number: old runs stand.
    const payTps = p.checkout.paymentCapacityTps ?? null;
    const payLatency = (p.checkout.paymentLatencyMs ?? 0) / 1000;
    const payModel = payTps !== null || payLatency > 0;
    const payServers = payTps === null ? Infinity : Math.max(1, Math.round(payTps * payLatency));
    const payServiceMean = payTps === null ? payLatency : payServers / payTps;
    const payTimeout = p.checkout.paymentTimeoutMs != null ? p.checkout.paymentTimeoutMs / 1000 : Infinity;
    const cutoff = p.waitingRoom.stockCutoff;
    const cutMargin = 1 + p.waitingRoom.cutoffMargin;
    // What the waiting page assumes before it has measured anything: the configured pace.
    const nominalPerMinute =
      p.waitingRoom.admissionPerMinute ?? (Number.isFinite(maxActive) ? (maxActive * 60) / coMean : Infinity);

    // Arrivals: one stream per birth-year slot, merged in time order.
    const slots = p.waitingRoom.order === 'birth_year' && p.waitingRoom.slots.length > 0 ? p.waitingRoom.slots : [{ share: 1, startMinute: 0 }];
    const slotCounts = apportion(N, slots.map((s) => s.share));
    const slotStreams = slots.map((s, i) => new ArrivalStream(planSegments(p.arrival, slotCounts[i]!, O + s.startMinute * 60, W, s.startMinute === 0, rs.arrivals), rs.arrivals));
    // One stream needs no merging; skipping it matters at tens of millions of arrivals.
    const arrivals: { next: number; advance(): void } = slotStreams.length === 1 ? slotStreams[0]! : new MergedArrivals(slotStreams);

    // Per-person state, struct of arrays.
    const state = pool.take(0, Uint8Array, N);
    /** Bumped at every queue stint; FIFO entries carry it to tell whether they are still current. */
    const tag = pool.take(1, Uint8Array, N);
    const stintsOf = pool.take(2, Uint8Array, N);
    const retries = pool.take(3, Uint8Array, N);
    const reserved = pool.take(4, Uint16Array, N);
    /**
     * When an active person's payment was sent (only with a payment system). When a queue stint began is the line's (queue.marks), kept
     * with the place. Float64, as those: a Float32 time rounded up made the wait of someone admitted the
     * instant they joined slightly negative, and the histogram silently lost them.
     */
    const mark = pool.take(5, Float64Array, payModel ? N : 0);
    /** Queue time across stints. */
    const waited = pool.take(6, Float32Array, N);
    /** Queue and checkout time across stints. */
    const spent = pool.take(7, Float32Array, N);
    /** The estimated wait shown at joining; once admitted, the admission time. */
    const shown = pool.take(8, Float32Array, N);
    /** The honest estimate shown at joining (minutes), or PAST_STOCK; see estimators in result.ts. */
    const honest = pool.take(9, Float32Array, N);
    /** Set once the page has shown this person a wait above an hour; people are counted, not stints. */
    const shownLong = pool.take(10, Uint8Array, N);
    /** Where an active person's payment is: filling the form, queued at the payment system, or being served. */
    const paying = pool.take(11, Uint8Array, payModel ? N : 0);

    // The line, FIFOs and heap of the last run on this thread, emptied, with the room they grew to.
    const lines = spareLines ?? newLines();
    spareLines = null;
    for (const l of Object.values(lines)) l.reset();
    const queue = lines.queue;
    /** Where each waiting person stands (queue.push's answer), for the leavers found by person, not by place: expiry and fixed patience. */
    const placeOf = pool.take(12, Int32Array, expiresWhileWaiting || patKind === 'fixed' ? N : 0);
    // Constant delays: due times are pushed in order, so FIFOs replace a heap.
    const sessions = lines.sessions;
    const patienceFifo = lines.patienceFifo;
    /** People away (logged out or turned away) who will come back; never stale, nothing else takes them back. */
    const returnsFifo = lines.returnsFifo;
    const heap = lines.heap;
    /** People signing in, holding a connection, not yet queued: a constant delay, so in order; the tag is queuedBefore. */
    const logins = lines.logins;
    /** Transactions waiting for the payment system, in order; the tag is the person's attempt (retries), so a later attempt never matches. */
    const payQueue = lines.payQueue;
    /** Their time-outs: a constant delay, so in order too. */
    const payTimeouts = lines.payTimeouts;
    let payBusy = 0;
    let payWaiting = 0;
    let payPeakQueue = 0;
    let payAttempts = 0;
    let payTimedOut = 0;
    let payServed = 0;
    let payWaitSum = 0;

    let live = 0;
    let active = 0;
    /** Connected and signing in: neither in the queue nor paying (see capacity.loginMinutes). */
    let loggingIn = 0;
    let soldUnits = 0;
    let reservedUnits = 0;
    let arrived = 0;
    let events = 0;

    const outcomeCounts = new Float64Array(OUTCOMES.length);
    let logouts = 0;
    let requeues = 0;
    let refused = 0;
    let paymentFailures = 0;
    let admissions = 0;
    let abandons = 0;
    let peakConnections = 0;
    let peakActive = 0;
    let peakQueue = 0;
    let maxStint = 0;
    let soldOutAt = -1;
    /** First moment every unit was sold or held by someone paying: admission stops here, not at the last payment. */
    let reservedOutAt = -1;
    let opened = O <= 0;
    let closed = false;
    let soldOut = false;
    let nextAdm = 0;
    let tAbandon = Infinity;
    let abandonDirty = true;
    let recentPerMinute = 0;

    // Wait statistics: 1-second histograms up to the whole horizon.
    const histLen = Math.ceil(W) + 2;
    const histBuy = new Uint32Array(histLen);
    const histFail = new Uint32Array(histLen);
    let sumBuy = 0;
    let sumFail = 0;
    let maxBuy = 0;
    let maxFail = 0;
    let waitedForNothing = 0;
    let lostSeconds = 0;
    let dispN = 0;
    // The honest estimator, judged like the displayed one (errors at admission) and by
    // those who waited for stock that ran out: were they told early, or shown a wait?
    let honN = 0;
    let honAbs = 0;
    const HON_OFFSET = 24 * 60;
    const honErr = new Uint32Array(2 * HON_OFFSET + 1);
    let pastRight = 0;
    let pastWrong = 0;
    let honestMisled = 0;
    let naiveMisled = 0;
    /** People who waited and then were sent away for stock: judged at that moment. */
    let dispAbs = 0;
    let dispSigned = 0;
    let dispMax = 0;
    // What the page showed, whoever it was shown to: judging it only at admission hides the
    // longest waits, which are shown to the people stranded when the stock runs out.
    let shownMax = 0;
    let shownOverHour = 0;
    const dispHist = new Uint32Array(24 * 60 + 2);
    let area = 0;
    let stints = 0;
    let stintSeconds = 0;
    let serviceN = 0;
    let serviceSum = 0;

    // Series, sampled on minute boundaries.
    const M = Math.ceil(W / 60) + 1;
    const sQueue = new Float64Array(M);
    const sActive = new Float64Array(M);
    const sLogin = new Float64Array(M);
    const sAdm = new Float64Array(M);
    const sArr = new Float64Array(M);
    const sLogout = new Float64Array(M);
    const sAband = new Float64Array(M);
    const sRef = new Float64Array(M);
    const sSold = new Float64Array(M);
    const sShown = new Float64Array(M).fill(-1);
    const joinSum = new Float64Array(M);
    const joinN = new Float64Array(M);
    let nextMinute = 0;

    let t = 0;

    const progressEvery = 1 << 16;
    let nextProgress = progressEvery;
    // A field that holds a fraction in some run (a clock, a sum, a rate, Infinity) is given one before its
    // value: V8 lays a field out by the first value stored, and a field laid out for small integers that
    // later gets a fraction gives every Run after it a new shape, throwing away the optimised code of each
    // function that takes one ("wrong map": 70 of the 151 deopts in a warm thread's first 32 study runs; now
    // 4 of 45, and 1 in the next 32). payServers is left as it was: Infinity or a whole number, it made the
    // result's literal deoptimise at every run with a payment system when given a fraction first.
    this.soldOutByMinute = this.startedAt = this.O = this.W = this.fullShare = this.meanUnits = this.admInterval = 0.5;
    this.maxActive = this.maxConn = this.loginSeconds = this.T = this.retProb = this.retDelay = this.patSeconds = 0.5;
    this.theta = this.coMean = this.LN_SIGMA = this.lnMu = this.failRate = this.payServiceMean = this.payTimeout = 0.5;
    this.cutMargin = this.nominalPerMinute = this.payWaitSum = this.sumBuy = this.sumFail = this.maxBuy = this.maxFail = 0.5;
    this.lostSeconds = this.honAbs = this.dispAbs = this.dispSigned = this.dispMax = this.shownMax = this.area = 0.5;
    this.stintSeconds = this.serviceSum = this.t = this.nextAdm = this.tAbandon = this.recentPerMinute = this.maxStint = 0.5;
    this.soldOutAt = this.reservedOutAt = 0.5;
    this.p = p;
    this.options = options;
    this.soldOutByMinute = soldOutByMinute;
    this.startedAt = startedAt;
    this.rs = rs;
    this.N = N;
    this.O = O;
    this.W = W;
    this.unitWon = unitWon;
    this.stockUnits = stockUnits;
    this.limitUnits = limitUnits;
    this.fullShare = fullShare;
    this.meanUnits = meanUnits;
    this.admInterval = admInterval;
    this.maxActive = maxActive;
    this.maxConn = maxConn;
    this.loginSeconds = loginSeconds;
    this.T = T;
    this.expiresWhileWaiting = expiresWhileWaiting;
    this.retProb = retProb;
    this.retDelay = retDelay;
    this.patKind = patKind;
    this.patSeconds = patSeconds;
    this.theta = theta;
    this.coMean = coMean;
    this.coDist = coDist;
    this.LN_SIGMA = LN_SIGMA;
    this.lnMu = lnMu;
    this.failRate = failRate;
    this.maxRetries = maxRetries;
    this.payModel = payModel;
    this.payServers = payServers;
    this.payServiceMean = payServiceMean;
    this.payTimeout = payTimeout;
    this.cutoff = cutoff;
    this.cutMargin = cutMargin;
    this.nominalPerMinute = nominalPerMinute;
    this.arrivals = arrivals;
    this.state = state;
    this.tag = tag;
    this.stintsOf = stintsOf;
    this.retries = retries;
    this.reserved = reserved;
    this.mark = mark;
    this.waited = waited;
    this.spent = spent;
    this.shown = shown;
    this.honest = honest;
    this.shownLong = shownLong;
    this.paying = paying;
    this.queue = queue;
    this.placeOf = placeOf;
    this.sessions = sessions;
    this.patienceFifo = patienceFifo;
    this.returnsFifo = returnsFifo;
    this.heap = heap;
    this.logins = logins;
    this.payQueue = payQueue;
    this.payTimeouts = payTimeouts;
    this.payBusy = payBusy;
    this.payWaiting = payWaiting;
    this.payPeakQueue = payPeakQueue;
    this.payAttempts = payAttempts;
    this.payTimedOut = payTimedOut;
    this.payServed = payServed;
    this.payWaitSum = payWaitSum;
    this.live = live;
    this.active = active;
    this.loggingIn = loggingIn;
    this.soldUnits = soldUnits;
    this.reservedUnits = reservedUnits;
    this.arrived = arrived;
    this.events = events;
    this.outcomeCounts = outcomeCounts;
    this.logouts = logouts;
    this.requeues = requeues;
    this.refused = refused;
    this.paymentFailures = paymentFailures;
    this.admissions = admissions;
    this.abandons = abandons;
    this.peakConnections = peakConnections;
    this.peakActive = peakActive;
    this.peakQueue = peakQueue;
    this.maxStint = maxStint;
    this.soldOutAt = soldOutAt;
    this.reservedOutAt = reservedOutAt;
    this.opened = opened;
    this.closed = closed;
    this.soldOut = soldOut;
    this.nextAdm = nextAdm;
    this.tAbandon = tAbandon;
    this.abandonDirty = abandonDirty;
    this.recentPerMinute = recentPerMinute;
    this.histLen = histLen;
    this.histBuy = histBuy;
    this.histFail = histFail;
    this.sumBuy = sumBuy;
    this.sumFail = sumFail;
    this.maxBuy = maxBuy;
    this.maxFail = maxFail;
    this.waitedForNothing = waitedForNothing;
    this.lostSeconds = lostSeconds;
    this.dispN = dispN;
    this.honN = honN;
    this.honAbs = honAbs;
    this.HON_OFFSET = HON_OFFSET;
    this.honErr = honErr;
    this.pastRight = pastRight;
    this.pastWrong = pastWrong;
    this.honestMisled = honestMisled;
    this.naiveMisled = naiveMisled;
    this.dispAbs = dispAbs;
    this.dispSigned = dispSigned;
    this.dispMax = dispMax;
    this.shownMax = shownMax;
    this.shownOverHour = shownOverHour;
    this.dispHist = dispHist;
    this.area = area;
    this.stints = stints;
    this.stintSeconds = stintSeconds;
    this.serviceN = serviceN;
    this.serviceSum = serviceSum;
    this.M = M;
    this.sQueue = sQueue;
    this.sActive = sActive;
    this.sLogin = sLogin;
    this.sAdm = sAdm;
    this.sArr = sArr;
    this.sLogout = sLogout;
    this.sAband = sAband;
    this.sRef = sRef;
    this.sSold = sSold;
    this.sShown = sShown;
    this.joinSum = joinSum;
    this.joinN = joinN;
    this.nextMinute = nextMinute;
    this.t = t;
    this.progressEvery = progressEvery;
    this.nextProgress = nextProgress;
  }
}

function judgeNothing(run: Run, id: number): void {
  run.naiveMisled++;
  if (run.honest[id] === PAST_STOCK) run.pastRight++;
  else run.honestMisled++;
}
/** `first`: the person has never queued, so has never been shown a wait (their flag is known to be clear, not read). */
function showWait(run: Run, id: number, minutes: number, first = false): void {
  run.shown[id] = minutes;
  if (minutes > run.shownMax) run.shownMax = minutes;
  if (minutes > 60 && (first || run.shownLong[id] === 0)) {
    run.shownLong[id] = 1;
    run.shownOverHour++;
  }
}
function checkoutTime(run: Run): number {
  if (run.coDist === 'fixed') return run.coMean;
  if (run.coDist === 'exponential') return run.rs.checkout.exponential(run.coMean);
  return Math.exp(run.lnMu + run.LN_SIGMA * run.rs.checkout.normal());
}

function currentRate(run: Run): number {
  return (run.t >= run.O && run.recentPerMinute > 0 ? run.recentPerMinute : run.nominalPerMinute);
}

function finish(run: Run, id: number, outcome: number): void {
  run.state[id] = DONE;
  run.outcomeCounts[outcome]!++;
  const w = run.waited[id]!;
  // Waits are sums of non-negative stints; the clamp keeps a rounding error from indexing histBuy[-1].
  const ws = w <= 0 ? 0 : w < run.histLen - 1 ? Math.floor(w) : run.histLen - 1;
  if (outcome === BOUGHT) {
    run.histBuy[ws]!++;
    run.sumBuy += w;
    if (w > run.maxBuy) run.maxBuy = w;
  } else {
    run.histFail[ws]!++;
    run.sumFail += w;
    if (w > run.maxFail) run.maxFail = w;
    if (w > 0) run.waitedForNothing++;
    run.lostSeconds += run.spent[id]!;
  }
}

/**
 * The end of someone who never got into the queue: nothing waited, nothing
 * spent, no entries anywhere that could name them, so their per-person
 * state is not touched at all (it is the bulk of a crowd turned away).
 */
function finishUnqueued(run: Run, outcome: number): void {
  run.outcomeCounts[outcome]!++;
  run.histFail[0]!++;
}

function end(run: Run, id: number, outcome: number, queuedBefore: number): void {
  if (queuedBefore) finish(run, id, outcome);
  else finishUnqueued(run, outcome);
}

/** Ends a queue stint (the person standing at index k leaves the queue for any reason). */
function leaveQueue(run: Run, id: number, k: number): void {
  const d = run.t - run.queue.marks[k]!;
  // A first stint's person has waited and spent nothing before (both grow only when a stint ends): 0 + d is
  // d, rounded to Float32 by the store as the sum was, so the values are written without reading the
  // person's scattered record, which would wait on the read of the line that named them.
  if (run.queue.held[k] === WaitingLine.FIRST) {
    run.waited[id] = d;
    run.spent[id] = d;
  } else {
    run.waited[id]! += d;
    run.spent[id]! += d;
  }
  run.queue.held[k] = 0;
  run.stints++;
  run.stintSeconds += d;
  if (d > run.maxStint) run.maxStint = d;
  run.live--;
  run.abandonDirty = true;
}

/**
 * Logged out or turned away: come back later, or give up. The return entry's
 * tag says whether they ever queued, i.e. whether they have state to update.
 */
function goAway(run: Run, id: number, outcome: number, queuedBefore: number): void {
  if (!run.closed && !run.soldOut && run.rs.returns.uniform() < run.retProb) run.returnsFifo.push(id, queuedBefore, run.t + run.retDelay);
  else end(run, id, outcome, queuedBefore);
}

function cutLimit(run: Run): number {
  return Math.ceil(((run.stockUnits - run.soldUnits - run.reservedUnits) / run.meanUnits) * run.cutMargin);
}

function popLiveBack(run: Run): number {
  while (run.queue.tail > run.queue.head) {
    run.queue.tail--;
    if (run.queue.held[run.queue.tail]) return run.queue.ids[run.queue.tail]!;
  }
  return -1;
}

function enforceCutoff(run: Run): void {
  const limit = cutLimit(run);
  while (run.live > limit) {
    const id = popLiveBack(run);
    if (id < 0) break;
    leaveQueue(run, id, run.queue.tail);
    judgeNothing(run, id);
    finish(run, id, CUT);
  }
}

function drainQueue(run: Run, outcome: number): void {
  for (let k = run.queue.head; k < run.queue.tail; k++) {
    if (run.queue.held[k]) {
      const id = run.queue.ids[k]!;
      leaveQueue(run, id, k);
      if (outcome === SOLD_OUT) judgeNothing(run, id);
      finish(run, id, outcome);
    }
  }
  run.queue.head = run.queue.tail = 0;
}

/** Someone arrives or comes back: the sale may be over, the servers full, or the queue beyond the stock. */
function arriveOrJoin(run: Run, id: number, queuedBefore: number): void {
  if (run.closed) return end(run, id, CLOSED, queuedBefore);
  if (run.soldOut) return end(run, id, SOLD_OUT, queuedBefore);
  if (run.live + run.active + run.loggingIn >= run.maxConn) {
    run.refused++;
    return goAway(run, id, REFUSED_LEFT, queuedBefore);
  }
  if (run.loginSeconds > 0) {
    run.loggingIn++;
    run.logins.push(id, queuedBefore, run.t + run.loginSeconds);
    if (run.live + run.active + run.loggingIn > run.peakConnections) run.peakConnections = run.live + run.active + run.loggingIn;
    return;
  }
  joinQueue(run, id, queuedBefore);
}

/** Signed in (or no sign-in modelled): the person takes a place at the back of the queue. */
function joinQueue(run: Run, id: number, queuedBefore: number): void {
  if (run.cutoff && run.live >= cutLimit(run)) return end(run, id, CUT, queuedBefore);
  // Someone who never queued has no stints, tag 0 and has been shown nothing: those are written, not read
  // (the first read of a person's scattered record stalls; a write does not).
  const first = queuedBefore === 0;
  let g: number;
  if (first) {
    run.stintsOf[id] = 1;
    g = 1;
  } else {
    if (run.stintsOf[id] === MAX_STINTS) return finish(run, id, LOGGED_OUT_LEFT);
    run.stintsOf[id]!++;
    g = (run.tag[id]! + 1) & 0xff;
  }
  run.tag[id] = g;
  run.state[id] = QUEUED;
  const rate = currentRate(run);
  showWait(run, id, rate === Infinity ? 0 : run.live / rate, first);
  // Honest: count only the people ahead expected to reach the front (the rest give up
  // or are logged out, at the share seen so far), and say so when even they need
  // more than the stock left.
  const exits = run.abandons + run.logouts;
  const ahead = run.admissions + exits > 0 ? (run.live * run.admissions) / (run.admissions + exits) : run.live;
  run.honest[id] = ahead >= ((run.stockUnits - run.soldUnits - run.reservedUnits) / run.meanUnits) * PAST_STOCK_MARGIN ? PAST_STOCK : rate === Infinity ? 0 : ahead / rate;
  const place = run.queue.push(id, run.t, first ? WaitingLine.FIRST : WaitingLine.AGAIN);
  if (run.placeOf.length > 0) run.placeOf[id] = place;
  run.live++;
  run.abandonDirty = true;
  if (run.expiresWhileWaiting) run.sessions.push(id, g, run.t + run.T);
  if (run.patKind === 'fixed') run.patienceFifo.push(id, g, (run.t > run.O ? run.t : run.O) + run.patSeconds);
  if (run.live > run.peakQueue) run.peakQueue = run.live;
  if (run.live + run.active + run.loggingIn > run.peakConnections) run.peakConnections = run.live + run.active + run.loggingIn;
}

/** Drops stale entries so the queue holds exactly the people waiting, in order; each moved person's place follows. */
function compactQueue(run: Run): void {
  const q = run.queue;
  let w = q.head;
  for (let k = q.head; k < q.tail; k++) {
    if (q.held[k]) {
      const id = q.ids[k]!;
      q.ids[w] = id;
      q.held[w] = q.held[k]!;
      q.marks[w] = q.marks[k]!;
      if (run.placeOf.length > 0) run.placeOf[id] = w + q.shifted;
      w++;
    }
  }
  q.tail = w;
}

function shuffleQueue(run: Run): void {
  // A lottery among those who came before opening.
  compactQueue(run);
  for (let k = run.queue.tail - 1; k > run.queue.head; k--) {
    const j = run.queue.head + run.rs.order.below(k - run.queue.head + 1);
    run.queue.swap(k, j);
  }
  if (run.placeOf.length > 0) for (let k = run.queue.head; k < run.queue.tail; k++) run.placeOf[run.queue.ids[k]!] = k + run.queue.shifted;
  const rate = run.nominalPerMinute;
  for (let k = run.queue.head; k < run.queue.tail; k++) showWait(run, run.queue.ids[k]!, rate === Infinity ? 0 : (k - run.queue.head) / rate);
}

/** The payment system takes the next transaction; mark[] (unused once admitted) holds when it was sent. */
function servePayment(run: Run, id: number): void {
  run.paying[id] = PAY_SERVED;
  run.payBusy++;
  run.payServed++;
  run.payWaitSum += run.t - run.mark[id]!;
  run.heap.push(run.t + (run.payServiceMean > 0 ? run.rs.payment.exponential(run.payServiceMean) : 0), id, run.tag[id]!);
}
function sendPayment(run: Run, id: number): void {
  run.payAttempts++;
  run.mark[id] = run.t;
  if (run.payBusy < run.payServers) return servePayment(run, id);
  run.paying[id] = PAY_QUEUED;
  run.payQueue.push(id, run.retries[id]!);
  if (run.payTimeout !== Infinity) run.payTimeouts.push(id, run.retries[id]!, run.t + run.payTimeout);
  if (++run.payWaiting > run.payPeakQueue) run.payPeakQueue = run.payWaiting;
}
function queuedPayment(run: Run, id: number, attempt: number): boolean {
  return run.state[id] === ACTIVE && run.paying[id] === PAY_QUEUED && run.retries[id] === attempt;
}
/** A slot came free: the longest-waiting transaction still queued goes next. */
function nextPayment(run: Run): void {
  while (run.payBusy < run.payServers && run.payQueue.size > 0) {
    const id = run.payQueue.ids[run.payQueue.head]!;
    const attempt = run.payQueue.tags[run.payQueue.head]!;
    run.payQueue.head++;
    if (!queuedPayment(run, id, attempt)) continue;
    run.payWaiting--;
    servePayment(run, id);
  }
}
/** A payment failed (declined, or timed out): another go at the form while retries last, else the person leaves without. */
function paymentFailed(run: Run, id: number, g: number): void {
  run.paymentFailures++;
  if (run.retries[id]! < run.maxRetries) {
    run.retries[id]!++;
    if (run.payModel) run.paying[id] = FILLING;
    run.heap.push(run.t + checkoutTime(run), id, g);
    return;
  }
  run.reservedUnits -= run.reserved[id]!;
  run.active--;
  run.spent[id]! += run.t - run.shown[id]!;
  run.serviceN++;
  run.serviceSum += run.t - run.shown[id]!;
  finish(run, id, PAYMENT_FAILED);
}

function snapshot(run: Run, m: number): void {
  run.sQueue[m] = run.live;
  run.sActive[m] = run.active;
  run.sLogin[m] = run.loggingIn;
  run.sAdm[m] = run.admissions;
  run.sArr[m] = run.arrived + run.requeues;
  run.sLogout[m] = run.logouts;
  run.sAband[m] = run.abandons;
  run.sRef[m] = run.refused;
  run.sSold[m] = run.soldUnits;
  // The page estimates from the last five minutes' pace, as a waiting-room service would.
  if (m > 0) {
    const back = Math.min(m, 5);
    run.recentPerMinute = (run.admissions - run.sAdm[m - back]!) / back;
  }
  const rate = currentRate(run);
  if (run.t >= run.O - 60) run.sShown[m] = rate === Infinity ? 0 : run.live / rate;
}

function progress(run: Run): void {
  run.nextProgress = run.events + run.progressEvery;
  run.options.onProgress?.(run.arrived / run.N);
  if (run.options.shouldStop?.()) throw new SimulationCancelled();
}


function runSale(run: Run): SimResult | null {
  for (;;) {
    // Drop stale FIFO heads, then find the earliest pending event.
    while (run.sessions.size > 0) {
      const id = run.sessions.ids[run.sessions.head]!;
      if (run.state[id] === QUEUED && run.tag[id] === run.sessions.tags[run.sessions.head]) break;
      run.sessions.head++;
    }
    while (run.patienceFifo.size > 0) {
      const id = run.patienceFifo.ids[run.patienceFifo.head]!;
      if (run.state[id] === QUEUED && run.tag[id] === run.patienceFifo.tags[run.patienceFifo.head]) break;
      run.patienceFifo.head++;
    }
    while (run.payTimeouts.size > 0 && !queuedPayment(run, run.payTimeouts.ids[run.payTimeouts.head]!, run.payTimeouts.tags[run.payTimeouts.head]!)) run.payTimeouts.head++;
    if (run.patKind === 'exponential' && run.abandonDirty) {
      const from = run.t > run.O ? run.t : run.O;
      run.tAbandon = run.live > 0 ? from + run.rs.patience.exponential(1 / (run.theta * run.live)) : Infinity;
      run.abandonDirty = false;
    }

    const tMinute = run.nextMinute < run.M ? run.nextMinute * 60 : Infinity;
    const tOpen = run.opened ? Infinity : run.O;
    const tClose = run.closed ? Infinity : run.W;
    const tHeap = run.heap.topTime;
    const tSession = run.sessions.size > 0 ? run.sessions.times[run.sessions.head]! : Infinity;
    const tPatience = run.patienceFifo.size > 0 ? run.patienceFifo.times[run.patienceFifo.head]! : Infinity;
    const tReturn = run.returnsFifo.size > 0 ? run.returnsFifo.times[run.returnsFifo.head]! : Infinity;
    const canAdmit = run.opened && !run.closed && run.live > 0 && run.active < run.maxActive && run.stockUnits - run.soldUnits - run.reservedUnits > 0;
    const tAdmit = canAdmit ? (run.nextAdm > run.t ? run.nextAdm : run.t) : Infinity;
    const tArrival = run.arrivals.next;
    const tAb = run.patKind === 'exponential' ? run.tAbandon : Infinity;
    const tPayTimeout = run.payTimeouts.size > 0 ? run.payTimeouts.times[run.payTimeouts.head]! : Infinity;
    const tLogin = run.logins.size > 0 ? run.logins.times[run.logins.head]! : Infinity;

    let next = tMinute;
    let kind = 0;
    if (tOpen < next) { next = tOpen; kind = 1; }
    if (tClose < next) { next = tClose; kind = 2; }
    if (tHeap < next) { next = tHeap; kind = 3; }
    if (tSession < next) { next = tSession; kind = 4; }
    if (tPatience < next) { next = tPatience; kind = 5; }
    if (tAb < next) { next = tAb; kind = 6; }
    if (tReturn < next) { next = tReturn; kind = 7; }
    if (tAdmit < next) { next = tAdmit; kind = 8; }
    if (tArrival < next) { next = tArrival; kind = 9; }
    if (tPayTimeout < next) { next = tPayTimeout; kind = 10; }
    if (tLogin < next) { next = tLogin; kind = 11; }
    if (next === Infinity) break;
    // Measured as soldOutMinute is, so "sold out by the target" means the same here and in the result.
    if (!run.soldOut && (next - run.O) / 60 > run.soldOutByMinute) return null;

    // Only while the sale runs: after closing or selling out, those arriving are told so
    // (arriveOrJoin), even when people still paying hold every connection.
    if ((kind === 7 || kind === 9) && !run.closed && !run.soldOut && run.live + run.active + run.loggingIn >= run.maxConn) {
      // The servers are full: everyone arriving or coming back is turned away
      // until something else happens. Run through them without re-examining
      // every other kind of event; nothing they do changes those. Returns are
      // read from their FIFO alone, so this loop touches no scattered state.
      const until = Math.min(tMinute, tOpen, tClose, tHeap, tSession, tPatience, tAb, tAdmit, tPayTimeout, tLogin);
      run.area += run.live * (next - run.t);
      run.t = next;
      for (;;) {
        let id: number;
        let queuedBefore = 0;
        if (kind === 9) {
          id = run.arrived++;
          run.arrivals.advance();
        } else {
          id = run.returnsFifo.ids[run.returnsFifo.head]!;
          queuedBefore = run.returnsFifo.tags[run.returnsFifo.head]!;
          run.returnsFifo.head++;
          run.requeues++;
        }
        run.events++;
        run.refused++;
        goAway(run, id, REFUSED_LEFT, queuedBefore);
        const ta = run.arrivals.next;
        const tr = run.returnsFifo.size > 0 ? run.returnsFifo.times[run.returnsFifo.head]! : Infinity;
        const tn = tr < ta ? tr : ta;
        if (tn >= until) break;
        kind = tr < ta ? 7 : 9;
        run.area += run.live * (tn - run.t);
        run.t = tn;
      }
      if (run.events >= run.nextProgress) progress(run);
      continue;
    }

    run.area += run.live * (next - run.t);
    run.t = next;
    run.events++;

    switch (kind) {
      case 0:
        snapshot(run, run.nextMinute++);
        break;
      case 1:
        run.opened = true;
        run.abandonDirty = true;
        if (run.p.waitingRoom.order === 'shuffle_preopen') shuffleQueue(run);
        break;
      case 2:
        run.closed = true;
        drainQueue(run, CLOSED);
        break;
      case 3: {
        const id = run.heap.topId;
        const g = run.heap.topTag;
        run.heap.pop();
        if (run.state[id] !== ACTIVE || run.tag[id] !== g) break;
        if (run.payModel) {
          // The form is filled: the transaction goes to the payment system. Or it was served: the slot is free.
          if (run.paying[id] === FILLING) {
            sendPayment(run, id);
            break;
          }
          run.payBusy--;
          nextPayment(run);
        }
        if (run.failRate > 0 && run.rs.failures.uniform() < run.failRate) {
          paymentFailed(run, id, g);
          break;
        }
        run.reservedUnits -= run.reserved[id]!;
        run.soldUnits += run.reserved[id]!;
        run.active--;
        run.spent[id]! += run.t - run.shown[id]!;
        run.serviceN++;
        run.serviceSum += run.t - run.shown[id]!;
        finish(run, id, BOUGHT);
        if (run.soldUnits === run.stockUnits) {
          run.soldOut = true;
          run.soldOutAt = run.t;
          drainQueue(run, SOLD_OUT);
        }
        break;
      }
      case 4: {
        const id = run.sessions.ids[run.sessions.head]!;
        run.sessions.head++;
        run.logouts++;
        leaveQueue(run, id, run.placeOf[id]! - run.queue.shifted);
        run.state[id] = AWAY;
        goAway(run, id, LOGGED_OUT_LEFT, 1);
        break;
      }
      case 5: {
        const id = run.patienceFifo.ids[run.patienceFifo.head]!;
        run.patienceFifo.head++;
        run.abandons++;
        leaveQueue(run, id, run.placeOf[id]! - run.queue.shifted);
        finish(run, id, ABANDONED);
        break;
      }
      case 6: {
        // A uniformly chosen waiting person gives up; compact first if most entries are stale.
        if (run.live * 4 < run.queue.size) compactQueue(run);
        let k: number;
        do k = run.queue.head + run.rs.patience.below(run.queue.size);
        while (!run.queue.held[k]);
        const id = run.queue.ids[k]!;
        run.abandons++;
        leaveQueue(run, id, k);
        finish(run, id, ABANDONED);
        break;
      }
      case 7: {
        const id = run.returnsFifo.ids[run.returnsFifo.head]!;
        const queuedBefore = run.returnsFifo.tags[run.returnsFifo.head]!;
        run.returnsFifo.head++;
        run.requeues++;
        arriveOrJoin(run, id, queuedBefore);
        break;
      }
      case 8: {
        let k = -1;
        while (run.queue.head < run.queue.tail) {
          const at = run.queue.head++;
          if (run.queue.held[at]) {
            k = at;
            break;
          }
        }
        if (k < 0) break;
        const id = run.queue.ids[k]!;
        run.nextAdm = run.t + run.admInterval;
        run.admissions++;
        const joined = run.queue.marks[k]!;
        const stint = run.t - joined;
        const shownMinutes = run.shown[id]!;
        const err = shownMinutes - stint / 60;
        run.dispN++;
        run.dispAbs += Math.abs(err);
        run.dispSigned += err;
        if (shownMinutes > run.dispMax) run.dispMax = shownMinutes;
        run.dispHist[Math.min(run.dispHist.length - 1, Math.floor(Math.abs(err)))]!++;
        const h = run.honest[id]!;
        if (h === PAST_STOCK) run.pastWrong++;
        else {
          const e = stint / 60 - h;
          run.honN++;
          run.honAbs += Math.abs(e);
          run.honErr[Math.max(0, Math.min(run.honErr.length - 1, Math.floor(e) + run.HON_OFFSET))]!++;
        }
        const jm = Math.min(run.M - 1, Math.floor(joined / 60));
        run.joinSum[jm]! += stint / 60;
        run.joinN[jm]!++;
        leaveQueue(run, id, k);
        const available = run.stockUnits - run.soldUnits - run.reservedUnits;
        const want = run.limitUnits === 1 || run.rs.amounts.uniform() < run.fullShare ? run.limitUnits : 1 + run.rs.amounts.below(run.limitUnits - 1);
        const units = want < available ? want : available;
        run.reserved[id] = units;
        run.reservedUnits += units;
        if (run.reservedOutAt < 0 && run.soldUnits + run.reservedUnits === run.stockUnits) run.reservedOutAt = run.t;
        run.state[id] = ACTIVE;
        run.retries[id] = 0;
        if (run.payModel) run.paying[id] = FILLING;
        run.shown[id] = run.t;
        run.active++;
        if (run.active > run.peakActive) run.peakActive = run.active;
        run.heap.push(run.t + checkoutTime(run), id, run.tag[id]!);
        run.options.onAdmit?.(id, run.t - run.O);
        if (run.cutoff) enforceCutoff(run);
        break;
      }
      case 9: {
        const id = run.arrived++;
        run.arrivals.advance();
        arriveOrJoin(run, id, 0);
        break;
      }
      case 10: {
        // Queued at the payment system past the time-out: the transaction fails.
        const id = run.payTimeouts.ids[run.payTimeouts.head]!;
        run.payTimeouts.head++;
        run.payWaiting--;
        run.payTimedOut++;
        run.paying[id] = FILLING;
        paymentFailed(run, id, run.tag[id]!);
        break;
      }
      case 11: {
        // Signed in: into the queue, unless the sale ended meanwhile.
        const id = run.logins.ids[run.logins.head]!;
        const queuedBefore = run.logins.tags[run.logins.head]!;
        run.logins.head++;
        run.loggingIn--;
        if (run.closed) end(run, id, CLOSED, queuedBefore);
        else if (run.soldOut) end(run, id, SOLD_OUT, queuedBefore);
        else joinQueue(run, id, queuedBefore);
        break;
      }
    }

    if (run.events >= run.nextProgress) progress(run);
  }

  run.options.onProgress?.(1);

  const series: SimSeries = {
    firstMinute: -run.p.arrival.preOpenMinutes,
    queue: Array.from(run.sQueue),
    active: Array.from(run.sActive),
    connections: Array.from(run.sQueue, (q, i) => q + run.sActive[i]! + run.sLogin[i]!),
    admissions: deltas(run.sAdm),
    arrivals: deltas(run.sArr),
    logouts: deltas(run.sLogout),
    abandons: deltas(run.sAband),
    refused: deltas(run.sRef),
    stockLeft: Array.from(run.sSold, (s) => (run.stockUnits - s) * run.unitWon),
    sold: Array.from(run.sSold, (s) => s * run.unitWon),
    displayedWait: Array.from(run.sShown, (v) => (v < 0 ? null : round1(v))),
    actualWait: Array.from(run.joinSum, (s, i) => (run.joinN[i]! > 0 ? round1(s / run.joinN[i]!) : null)),
  };

  const outcomes = Object.fromEntries(OUTCOMES.map((o, i) => [o, run.outcomeCounts[i]!])) as Record<Outcome, number>;
  const buyers = outcomes.bought;
  const failed = run.N - buyers;
  const waitBuyers = statsFromSeconds(run.histBuy, buyers, run.sumBuy, run.maxBuy);
  const waitFailed = statsFromSeconds(run.histFail, failed, run.sumFail, run.maxFail);
  const longest = Math.max(waitBuyers.maxMinutes, waitFailed.maxMinutes);
  const binMinutes = [1, 2, 5, 10, 15, 30, 60, 120, 240].find((b) => longest / b <= 60) ?? 480;

  return {
    params: run.p,
    soldOutMinute: run.soldOutAt < 0 ? null : (run.soldOutAt - run.O) / 60,
    stockReservedMinute: run.reservedOutAt < 0 ? null : (run.reservedOutAt - run.O) / 60,
    buyers,
    amountSold: run.soldUnits * run.unitWon,
    stock: run.p.sale.stock,
    outcomes,
    logouts: run.logouts,
    requeues: run.requeues,
    refusedConnections: run.refused,
    paymentFailures: run.paymentFailures,
    payment: {
      servers: run.payServers === Infinity ? null : run.payServers,
      attempts: run.payAttempts,
      timeouts: run.payTimedOut,
      meanQueueSeconds: run.payServed ? run.payWaitSum / run.payServed : 0,
      peakQueue: run.payPeakQueue,
    },
    waitBuyers,
    waitFailed,
    waitHistogram: { binMinutes, buyers: rebin(run.histBuy, binMinutes), failed: rebin(run.histFail, binMinutes) },
    personHoursLost: run.lostSeconds / 3600,
    waitedForNothing: run.waitedForNothing,
    displayError: {
      samples: run.dispN,
      meanAbsMinutes: run.dispN ? run.dispAbs / run.dispN : 0,
      meanSignedMinutes: run.dispN ? run.dispSigned / run.dispN : 0,
      p90AbsMinutes: quantileOfMinuteHist(run.dispHist, run.dispN, 0.9),
      maxDisplayedMinutes: run.dispMax,
      longestShownMinutes: run.shownMax,
      shownOverHour: run.shownOverHour,
    },
    estimators: estimatorSummary({
      naive: { samples: run.dispN, meanAbsMinutes: run.dispN ? run.dispAbs / run.dispN : 0, misledForNothing: run.naiveMisled },
      honest: {
        samples: run.honN,
        meanAbsMinutes: run.honN ? run.honAbs / run.honN : 0,
        bandLowMinutes: quantileOfSigned(run.honErr, run.honN, 0.25, run.HON_OFFSET),
        bandHighMinutes: quantileOfSigned(run.honErr, run.honN, 0.75, run.HON_OFFSET) + 1,
        pastStockRight: run.pastRight,
        pastStockWrong: run.pastWrong,
        misledForNothing: run.honestMisled,
      },
    }),
    peakConnections: run.peakConnections,
    peakActive: run.peakActive,
    peakQueue: run.peakQueue,
    maxSessionMinutes: run.maxStint / 60,
    queueing: {
      horizonSeconds: run.t,
      meanQueue: run.t > 0 ? run.area / run.t : 0,
      stints: run.stints,
      meanStintSeconds: run.stints ? run.stintSeconds / run.stints : 0,
      meanServiceSeconds: run.serviceN ? run.serviceSum / run.serviceN : 0,
    },
    series,
    events: run.events,
    elapsedMs: Date.now() - run.startedAt,
  };
}
