import { apportion, ArrivalStream, MergedArrivals, planSegments } from './arrivals.js';
import type { SimParams } from './params.js';
import { streams } from './random.js';
import { estimatorSummary, OUTCOMES, quantileOfSigned, statsFromSeconds, type Outcome, type SimResult, type SimSeries } from './result.js';
import { EventHeap, TaggedFifo } from './structures.js';

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
  const state = new Uint8Array(N);
  /** Bumped at every queue stint; FIFO entries carry it to tell whether they are still current. */
  const tag = new Uint8Array(N);
  const stintsOf = new Uint8Array(N);
  const retries = new Uint8Array(N);
  const reserved = new Uint16Array(N);
  /**
   * When the current queue stint began. Float64: a Float32 time rounded up
   * made the wait of someone admitted the instant they joined slightly
   * negative, and the histogram silently lost them.
   */
  const mark = new Float64Array(N);
  /** Queue time across stints. */
  const waited = new Float32Array(N);
  /** Queue and checkout time across stints. */
  const spent = new Float32Array(N);
  /** The estimated wait shown at joining; once admitted, the admission time. */
  const shown = new Float32Array(N);
  /** The honest estimate shown at joining (minutes), or PAST_STOCK; see estimators in result.ts. */
  const honest = new Float32Array(N);
  /** Set once the page has shown this person a wait above an hour; people are counted, not stints. */
  const shownLong = new Uint8Array(N);
  /** Where an active person's payment is: filling the form, queued at the payment system, or being served. */
  const paying = new Uint8Array(payModel ? N : 0);

  const queue = new TaggedFifo(Math.min(N, 1 << 16));
  // Constant delays: due times are pushed in order, so FIFOs replace a heap.
  const sessions = new TaggedFifo(1 << 12, true);
  const patienceFifo = new TaggedFifo(1 << 12, true);
  /** People away (logged out or turned away) who will come back; never stale, nothing else takes them back. */
  const returnsFifo = new TaggedFifo(1 << 12, true);
  const heap = new EventHeap(1 << 12);
  /** People signing in, holding a connection, not yet queued: a constant delay, so in order; the tag is queuedBefore. */
  const logins = new TaggedFifo(1 << 12, true);
  /** Transactions waiting for the payment system, in order; the tag is the person's attempt (retries), so a later attempt never matches. */
  const payQueue = new TaggedFifo(1 << 10);
  /** Their time-outs: a constant delay, so in order too. */
  const payTimeouts = new TaggedFifo(1 << 10, true);
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
  const judgeNothing = (id: number): void => {
    naiveMisled++;
    if (honest[id] === PAST_STOCK) pastRight++;
    else honestMisled++;
  };
  let dispAbs = 0;
  let dispSigned = 0;
  let dispMax = 0;
  // What the page showed, whoever it was shown to: judging it only at admission hides the
  // longest waits, which are shown to the people stranded when the stock runs out.
  let shownMax = 0;
  let shownOverHour = 0;
  const showWait = (id: number, minutes: number): void => {
    shown[id] = minutes;
    if (minutes > shownMax) shownMax = minutes;
    if (minutes > 60 && shownLong[id] === 0) {
      shownLong[id] = 1;
      shownOverHour++;
    }
  };
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

  const checkoutTime = (): number => {
    if (coDist === 'fixed') return coMean;
    if (coDist === 'exponential') return rs.checkout.exponential(coMean);
    return Math.exp(lnMu + LN_SIGMA * rs.checkout.normal());
  };

  const currentRate = (): number => (t >= O && recentPerMinute > 0 ? recentPerMinute : nominalPerMinute);

  const finish = (id: number, outcome: number): void => {
    state[id] = DONE;
    outcomeCounts[outcome]!++;
    const w = waited[id]!;
    // Waits are sums of non-negative stints; the clamp keeps a rounding error from indexing histBuy[-1].
    const ws = w <= 0 ? 0 : w < histLen - 1 ? Math.floor(w) : histLen - 1;
    if (outcome === BOUGHT) {
      histBuy[ws]!++;
      sumBuy += w;
      if (w > maxBuy) maxBuy = w;
    } else {
      histFail[ws]!++;
      sumFail += w;
      if (w > maxFail) maxFail = w;
      if (w > 0) waitedForNothing++;
      lostSeconds += spent[id]!;
    }
  };

  /**
   * The end of someone who never got into the queue: nothing waited, nothing
   * spent, no entries anywhere that could name them, so their per-person
   * state is not touched at all (it is the bulk of a crowd turned away).
   */
  const finishUnqueued = (outcome: number): void => {
    outcomeCounts[outcome]!++;
    histFail[0]!++;
  };

  const end = (id: number, outcome: number, queuedBefore: number): void => {
    if (queuedBefore) finish(id, outcome);
    else finishUnqueued(outcome);
  };

  /** Ends a queue stint (the person leaves the queue for any reason). */
  const leaveQueue = (id: number): void => {
    const d = t - mark[id]!;
    waited[id]! += d;
    spent[id]! += d;
    stints++;
    stintSeconds += d;
    if (d > maxStint) maxStint = d;
    live--;
    abandonDirty = true;
  };

  /**
   * Logged out or turned away: come back later, or give up. The return entry's
   * tag says whether they ever queued, i.e. whether they have state to update.
   */
  const goAway = (id: number, outcome: number, queuedBefore: number): void => {
    if (!closed && !soldOut && rs.returns.uniform() < retProb) returnsFifo.push(id, queuedBefore, t + retDelay);
    else end(id, outcome, queuedBefore);
  };

  const cutLimit = (): number => Math.ceil(((stockUnits - soldUnits - reservedUnits) / meanUnits) * cutMargin);

  const popLiveBack = (): number => {
    while (queue.tail > queue.head) {
      queue.tail--;
      const id = queue.ids[queue.tail]!;
      if (state[id] === QUEUED && tag[id] === queue.tags[queue.tail]) return id;
    }
    return -1;
  };

  const enforceCutoff = (): void => {
    const limit = cutLimit();
    while (live > limit) {
      const id = popLiveBack();
      if (id < 0) break;
      leaveQueue(id);
      judgeNothing(id);
      finish(id, CUT);
    }
  };

  const drainQueue = (outcome: number): void => {
    for (let k = queue.head; k < queue.tail; k++) {
      const id = queue.ids[k]!;
      if (state[id] === QUEUED && tag[id] === queue.tags[k]) {
        leaveQueue(id);
        if (outcome === SOLD_OUT) judgeNothing(id);
        finish(id, outcome);
      }
    }
    queue.head = queue.tail = 0;
  };

  /** Someone arrives or comes back: the sale may be over, the servers full, or the queue beyond the stock. */
  const arriveOrJoin = (id: number, queuedBefore: number): void => {
    if (closed) return end(id, CLOSED, queuedBefore);
    if (soldOut) return end(id, SOLD_OUT, queuedBefore);
    if (live + active + loggingIn >= maxConn) {
      refused++;
      return goAway(id, REFUSED_LEFT, queuedBefore);
    }
    if (loginSeconds > 0) {
      loggingIn++;
      logins.push(id, queuedBefore, t + loginSeconds);
      if (live + active + loggingIn > peakConnections) peakConnections = live + active + loggingIn;
      return;
    }
    joinQueue(id, queuedBefore);
  };

  /** Signed in (or no sign-in modelled): the person takes a place at the back of the queue. */
  const joinQueue = (id: number, queuedBefore: number): void => {
    if (cutoff && live >= cutLimit()) return end(id, CUT, queuedBefore);
    if (stintsOf[id] === MAX_STINTS) return finish(id, LOGGED_OUT_LEFT);
    stintsOf[id]!++;
    const g = (tag[id]! + 1) & 0xff;
    tag[id] = g;
    state[id] = QUEUED;
    mark[id] = t;
    const rate = currentRate();
    showWait(id, rate === Infinity ? 0 : live / rate);
    // Honest: count only the people ahead expected to reach the front (the rest give up
    // or are logged out, at the share seen so far), and say so when even they need
    // more than the stock left.
    const exits = abandons + logouts;
    const ahead = admissions + exits > 0 ? (live * admissions) / (admissions + exits) : live;
    honest[id] = ahead >= ((stockUnits - soldUnits - reservedUnits) / meanUnits) * PAST_STOCK_MARGIN ? PAST_STOCK : rate === Infinity ? 0 : ahead / rate;
    queue.push(id, g);
    live++;
    abandonDirty = true;
    if (expiresWhileWaiting) sessions.push(id, g, t + T);
    if (patKind === 'fixed') patienceFifo.push(id, g, (t > O ? t : O) + patSeconds);
    if (live > peakQueue) peakQueue = live;
    if (live + active + loggingIn > peakConnections) peakConnections = live + active + loggingIn;
  };

  /** Drops stale entries so the queue holds exactly the people waiting, in order. */
  const compactQueue = (): void => {
    let w = queue.head;
    for (let k = queue.head; k < queue.tail; k++) {
      const id = queue.ids[k]!;
      if (state[id] === QUEUED && tag[id] === queue.tags[k]) {
        queue.ids[w] = id;
        queue.tags[w] = queue.tags[k]!;
        w++;
      }
    }
    queue.tail = w;
  };

  const shuffleQueue = (): void => {
    // A lottery among those who came before opening.
    compactQueue();
    for (let k = queue.tail - 1; k > queue.head; k--) {
      const j = queue.head + rs.order.below(k - queue.head + 1);
      const a = queue.ids[k]!;
      queue.ids[k] = queue.ids[j]!;
      queue.ids[j] = a;
      const g = queue.tags[k]!;
      queue.tags[k] = queue.tags[j]!;
      queue.tags[j] = g;
    }
    const rate = nominalPerMinute;
    for (let k = queue.head; k < queue.tail; k++) showWait(queue.ids[k]!, rate === Infinity ? 0 : (k - queue.head) / rate);
  };

  /** The payment system takes the next transaction; mark[] (unused once admitted) holds when it was sent. */
  const servePayment = (id: number): void => {
    paying[id] = PAY_SERVED;
    payBusy++;
    payServed++;
    payWaitSum += t - mark[id]!;
    heap.push(t + (payServiceMean > 0 ? rs.payment.exponential(payServiceMean) : 0), id, tag[id]!);
  };
  const sendPayment = (id: number): void => {
    payAttempts++;
    mark[id] = t;
    if (payBusy < payServers) return servePayment(id);
    paying[id] = PAY_QUEUED;
    payQueue.push(id, retries[id]!);
    if (payTimeout !== Infinity) payTimeouts.push(id, retries[id]!, t + payTimeout);
    if (++payWaiting > payPeakQueue) payPeakQueue = payWaiting;
  };
  const queuedPayment = (id: number, attempt: number): boolean => state[id] === ACTIVE && paying[id] === PAY_QUEUED && retries[id] === attempt;
  /** A slot came free: the longest-waiting transaction still queued goes next. */
  const nextPayment = (): void => {
    while (payBusy < payServers && payQueue.size > 0) {
      const id = payQueue.ids[payQueue.head]!;
      const attempt = payQueue.tags[payQueue.head]!;
      payQueue.head++;
      if (!queuedPayment(id, attempt)) continue;
      payWaiting--;
      servePayment(id);
    }
  };
  /** A payment failed (declined, or timed out): another go at the form while retries last, else the person leaves without. */
  const paymentFailed = (id: number, g: number): void => {
    paymentFailures++;
    if (retries[id]! < maxRetries) {
      retries[id]!++;
      if (payModel) paying[id] = FILLING;
      heap.push(t + checkoutTime(), id, g);
      return;
    }
    reservedUnits -= reserved[id]!;
    active--;
    spent[id]! += t - shown[id]!;
    serviceN++;
    serviceSum += t - shown[id]!;
    finish(id, PAYMENT_FAILED);
  };

  const snapshot = (m: number): void => {
    sQueue[m] = live;
    sActive[m] = active;
    sLogin[m] = loggingIn;
    sAdm[m] = admissions;
    sArr[m] = arrived + requeues;
    sLogout[m] = logouts;
    sAband[m] = abandons;
    sRef[m] = refused;
    sSold[m] = soldUnits;
    // The page estimates from the last five minutes' pace, as a waiting-room service would.
    if (m > 0) {
      const back = Math.min(m, 5);
      recentPerMinute = (admissions - sAdm[m - back]!) / back;
    }
    const rate = currentRate();
    if (t >= O - 60) sShown[m] = rate === Infinity ? 0 : live / rate;
  };

  const progressEvery = 1 << 16;
  let nextProgress = progressEvery;
  const progress = (): void => {
    nextProgress = events + progressEvery;
    options.onProgress?.(arrived / N);
    if (options.shouldStop?.()) throw new SimulationCancelled();
  };

  for (;;) {
    // Drop stale FIFO heads, then find the earliest pending event.
    while (sessions.size > 0) {
      const id = sessions.ids[sessions.head]!;
      if (state[id] === QUEUED && tag[id] === sessions.tags[sessions.head]) break;
      sessions.head++;
    }
    while (patienceFifo.size > 0) {
      const id = patienceFifo.ids[patienceFifo.head]!;
      if (state[id] === QUEUED && tag[id] === patienceFifo.tags[patienceFifo.head]) break;
      patienceFifo.head++;
    }
    while (payTimeouts.size > 0 && !queuedPayment(payTimeouts.ids[payTimeouts.head]!, payTimeouts.tags[payTimeouts.head]!)) payTimeouts.head++;
    if (patKind === 'exponential' && abandonDirty) {
      const from = t > O ? t : O;
      tAbandon = live > 0 ? from + rs.patience.exponential(1 / (theta * live)) : Infinity;
      abandonDirty = false;
    }

    const tMinute = nextMinute < M ? nextMinute * 60 : Infinity;
    const tOpen = opened ? Infinity : O;
    const tClose = closed ? Infinity : W;
    const tHeap = heap.topTime;
    const tSession = sessions.size > 0 ? sessions.times[sessions.head]! : Infinity;
    const tPatience = patienceFifo.size > 0 ? patienceFifo.times[patienceFifo.head]! : Infinity;
    const tReturn = returnsFifo.size > 0 ? returnsFifo.times[returnsFifo.head]! : Infinity;
    const canAdmit = opened && !closed && live > 0 && active < maxActive && stockUnits - soldUnits - reservedUnits > 0;
    const tAdmit = canAdmit ? (nextAdm > t ? nextAdm : t) : Infinity;
    const tArrival = arrivals.next;
    const tAb = patKind === 'exponential' ? tAbandon : Infinity;
    const tPayTimeout = payTimeouts.size > 0 ? payTimeouts.times[payTimeouts.head]! : Infinity;
    const tLogin = logins.size > 0 ? logins.times[logins.head]! : Infinity;

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
    if (!soldOut && (next - O) / 60 > soldOutByMinute) return null;

    // Only while the sale runs: after closing or selling out, those arriving are told so
    // (arriveOrJoin), even when people still paying hold every connection.
    if ((kind === 7 || kind === 9) && !closed && !soldOut && live + active + loggingIn >= maxConn) {
      // The servers are full: everyone arriving or coming back is turned away
      // until something else happens. Run through them without re-examining
      // every other kind of event; nothing they do changes those. Returns are
      // read from their FIFO alone, so this loop touches no scattered state.
      const until = Math.min(tMinute, tOpen, tClose, tHeap, tSession, tPatience, tAb, tAdmit, tPayTimeout, tLogin);
      area += live * (next - t);
      t = next;
      for (;;) {
        let id: number;
        let queuedBefore = 0;
        if (kind === 9) {
          id = arrived++;
          arrivals.advance();
        } else {
          id = returnsFifo.ids[returnsFifo.head]!;
          queuedBefore = returnsFifo.tags[returnsFifo.head]!;
          returnsFifo.head++;
          requeues++;
        }
        events++;
        refused++;
        goAway(id, REFUSED_LEFT, queuedBefore);
        const ta = arrivals.next;
        const tr = returnsFifo.size > 0 ? returnsFifo.times[returnsFifo.head]! : Infinity;
        const tn = tr < ta ? tr : ta;
        if (tn >= until) break;
        kind = tr < ta ? 7 : 9;
        area += live * (tn - t);
        t = tn;
      }
      if (events >= nextProgress) progress();
      continue;
    }

    area += live * (next - t);
    t = next;
    events++;

    switch (kind) {
      case 0:
        snapshot(nextMinute++);
        break;
      case 1:
        opened = true;
        abandonDirty = true;
        if (p.waitingRoom.order === 'shuffle_preopen') shuffleQueue();
        break;
      case 2:
        closed = true;
        drainQueue(CLOSED);
        break;
      case 3: {
        const id = heap.topId;
        const g = heap.topTag;
        heap.pop();
        if (state[id] !== ACTIVE || tag[id] !== g) break;
        if (payModel) {
          // The form is filled: the transaction goes to the payment system. Or it was served: the slot is free.
          if (paying[id] === FILLING) {
            sendPayment(id);
            break;
          }
          payBusy--;
          nextPayment();
        }
        if (failRate > 0 && rs.failures.uniform() < failRate) {
          paymentFailed(id, g);
          break;
        }
        reservedUnits -= reserved[id]!;
        soldUnits += reserved[id]!;
        active--;
        spent[id]! += t - shown[id]!;
        serviceN++;
        serviceSum += t - shown[id]!;
        finish(id, BOUGHT);
        if (soldUnits === stockUnits) {
          soldOut = true;
          soldOutAt = t;
          drainQueue(SOLD_OUT);
        }
        break;
      }
      case 4: {
        const id = sessions.ids[sessions.head]!;
        sessions.head++;
        logouts++;
        leaveQueue(id);
        state[id] = AWAY;
        goAway(id, LOGGED_OUT_LEFT, 1);
        break;
      }
      case 5: {
        const id = patienceFifo.ids[patienceFifo.head]!;
        patienceFifo.head++;
        abandons++;
        leaveQueue(id);
        finish(id, ABANDONED);
        break;
      }
      case 6: {
        // A uniformly chosen waiting person gives up; compact first if most entries are stale.
        if (live * 4 < queue.size) compactQueue();
        let id: number;
        for (;;) {
          const k = queue.head + rs.patience.below(queue.size);
          id = queue.ids[k]!;
          if (state[id] === QUEUED && tag[id] === queue.tags[k]) break;
        }
        abandons++;
        leaveQueue(id);
        finish(id, ABANDONED);
        break;
      }
      case 7: {
        const id = returnsFifo.ids[returnsFifo.head]!;
        const queuedBefore = returnsFifo.tags[returnsFifo.head]!;
        returnsFifo.head++;
        requeues++;
        arriveOrJoin(id, queuedBefore);
        break;
      }
      case 8: {
        let id = -1;
        while (queue.head < queue.tail) {
          const k = queue.head++;
          const candidate = queue.ids[k]!;
          if (state[candidate] === QUEUED && tag[candidate] === queue.tags[k]) {
            id = candidate;
            break;
          }
        }
        if (id < 0) break;
        nextAdm = t + admInterval;
        admissions++;
        const stint = t - mark[id]!;
        const shownMinutes = shown[id]!;
        const err = shownMinutes - stint / 60;
        dispN++;
        dispAbs += Math.abs(err);
        dispSigned += err;
        if (shownMinutes > dispMax) dispMax = shownMinutes;
        dispHist[Math.min(dispHist.length - 1, Math.floor(Math.abs(err)))]!++;
        const h = honest[id]!;
        if (h === PAST_STOCK) pastWrong++;
        else {
          const e = stint / 60 - h;
          honN++;
          honAbs += Math.abs(e);
          honErr[Math.max(0, Math.min(honErr.length - 1, Math.floor(e) + HON_OFFSET))]!++;
        }
        const jm = Math.min(M - 1, Math.floor(mark[id]! / 60));
        joinSum[jm]! += stint / 60;
        joinN[jm]!++;
        leaveQueue(id);
        const available = stockUnits - soldUnits - reservedUnits;
        const want = limitUnits === 1 || rs.amounts.uniform() < fullShare ? limitUnits : 1 + rs.amounts.below(limitUnits - 1);
        const units = want < available ? want : available;
        reserved[id] = units;
        reservedUnits += units;
        if (reservedOutAt < 0 && soldUnits + reservedUnits === stockUnits) reservedOutAt = t;
        state[id] = ACTIVE;
        retries[id] = 0;
        if (payModel) paying[id] = FILLING;
        shown[id] = t;
        active++;
        if (active > peakActive) peakActive = active;
        heap.push(t + checkoutTime(), id, tag[id]!);
        options.onAdmit?.(id, t - O);
        if (cutoff) enforceCutoff();
        break;
      }
      case 9: {
        const id = arrived++;
        arrivals.advance();
        arriveOrJoin(id, 0);
        break;
      }
      case 10: {
        // Queued at the payment system past the time-out: the transaction fails.
        const id = payTimeouts.ids[payTimeouts.head]!;
        payTimeouts.head++;
        payWaiting--;
        payTimedOut++;
        paying[id] = FILLING;
        paymentFailed(id, tag[id]!);
        break;
      }
      case 11: {
        // Signed in: into the queue, unless the sale ended meanwhile.
        const id = logins.ids[logins.head]!;
        const queuedBefore = logins.tags[logins.head]!;
        logins.head++;
        loggingIn--;
        if (closed) end(id, CLOSED, queuedBefore);
        else if (soldOut) end(id, SOLD_OUT, queuedBefore);
        else joinQueue(id, queuedBefore);
        break;
      }
    }

    if (events >= nextProgress) progress();
  }

  options.onProgress?.(1);

  const series: SimSeries = {
    firstMinute: -p.arrival.preOpenMinutes,
    queue: Array.from(sQueue),
    active: Array.from(sActive),
    connections: Array.from(sQueue, (q, i) => q + sActive[i]! + sLogin[i]!),
    admissions: deltas(sAdm),
    arrivals: deltas(sArr),
    logouts: deltas(sLogout),
    abandons: deltas(sAband),
    refused: deltas(sRef),
    stockLeft: Array.from(sSold, (s) => (stockUnits - s) * unitWon),
    sold: Array.from(sSold, (s) => s * unitWon),
    displayedWait: Array.from(sShown, (v) => (v < 0 ? null : round1(v))),
    actualWait: Array.from(joinSum, (s, i) => (joinN[i]! > 0 ? round1(s / joinN[i]!) : null)),
  };

  const outcomes = Object.fromEntries(OUTCOMES.map((o, i) => [o, outcomeCounts[i]!])) as Record<Outcome, number>;
  const buyers = outcomes.bought;
  const failed = N - buyers;
  const waitBuyers = statsFromSeconds(histBuy, buyers, sumBuy, maxBuy);
  const waitFailed = statsFromSeconds(histFail, failed, sumFail, maxFail);
  const longest = Math.max(waitBuyers.maxMinutes, waitFailed.maxMinutes);
  const binMinutes = [1, 2, 5, 10, 15, 30, 60, 120, 240].find((b) => longest / b <= 60) ?? 480;

  return {
    params: p,
    soldOutMinute: soldOutAt < 0 ? null : (soldOutAt - O) / 60,
    stockReservedMinute: reservedOutAt < 0 ? null : (reservedOutAt - O) / 60,
    buyers,
    amountSold: soldUnits * unitWon,
    stock: p.sale.stock,
    outcomes,
    logouts,
    requeues,
    refusedConnections: refused,
    paymentFailures,
    payment: {
      servers: payServers === Infinity ? null : payServers,
      attempts: payAttempts,
      timeouts: payTimedOut,
      meanQueueSeconds: payServed ? payWaitSum / payServed : 0,
      peakQueue: payPeakQueue,
    },
    waitBuyers,
    waitFailed,
    waitHistogram: { binMinutes, buyers: rebin(histBuy, binMinutes), failed: rebin(histFail, binMinutes) },
    personHoursLost: lostSeconds / 3600,
    waitedForNothing,
    displayError: {
      samples: dispN,
      meanAbsMinutes: dispN ? dispAbs / dispN : 0,
      meanSignedMinutes: dispN ? dispSigned / dispN : 0,
      p90AbsMinutes: quantileOfMinuteHist(dispHist, dispN, 0.9),
      maxDisplayedMinutes: dispMax,
      longestShownMinutes: shownMax,
      shownOverHour,
    },
    estimators: estimatorSummary({
      naive: { samples: dispN, meanAbsMinutes: dispN ? dispAbs / dispN : 0, misledForNothing: naiveMisled },
      honest: {
        samples: honN,
        meanAbsMinutes: honN ? honAbs / honN : 0,
        bandLowMinutes: quantileOfSigned(honErr, honN, 0.25, HON_OFFSET),
        bandHighMinutes: quantileOfSigned(honErr, honN, 0.75, HON_OFFSET) + 1,
        pastStockRight: pastRight,
        pastStockWrong: pastWrong,
        misledForNothing: honestMisled,
      },
    }),
    peakConnections,
    peakActive,
    peakQueue,
    maxSessionMinutes: maxStint / 60,
    queueing: {
      horizonSeconds: t,
      meanQueue: t > 0 ? area / t : 0,
      stints,
      meanStintSeconds: stints ? stintSeconds / stints : 0,
      meanServiceSeconds: serviceN ? serviceSum / serviceN : 0,
    },
    series,
    events,
    elapsedMs: Date.now() - startedAt,
  };
}

function deltas(cumulative: Float64Array): number[] {
  return Array.from(cumulative, (v, i) => (i === 0 ? v : v - cumulative[i - 1]!));
}

function round1(v: number): number {
  return Math.round(v * 10) / 10;
}

function rebin(hist: Uint32Array, binMinutes: number): number[] {
  const width = binMinutes * 60;
  const out: number[] = [];
  for (let i = 0; i < hist.length; i++) {
    const b = Math.floor(i / width);
    if (hist[i]) {
      while (out.length <= b) out.push(0);
      out[b]! += hist[i]!;
    }
  }
  return out;
}

function quantileOfMinuteHist(hist: Uint32Array, n: number, q: number): number {
  if (n === 0) return 0;
  const target = Math.ceil(q * n);
  let seen = 0;
  for (let i = 0; i < hist.length; i++) {
    seen += hist[i]!;
    if (seen >= target) return i + 1;
  }
  return hist.length;
}
