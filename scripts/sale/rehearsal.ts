import { randomUUID } from 'node:crypto';
import type { SaleCheck } from '../../server/sale/check.js';
import { DISTRICT_CODES } from '../../shared/common/districts.js';
import type { RoundSpec } from '../../shared/rounds/spec.js';
import { simulate } from '../../shared/simulation/engine.js';
import type { SimParams } from '../../shared/simulation/params.js';
import type { SimResult } from '../../shared/simulation/result.js';
import { newStats, statsTable, type Endpoint, type EndpointStats } from './latency.js';
import { predictionParams } from './rehearsal-round.js';
import { SaleClient } from './sale-client.js';
import { planBuyers, type VirtualBuyer } from './virtual-buyers.js';

/** How a virtual buyer's visit ended. */
export const BUYER_OUTCOMES = ['bought', 'abandoned', 'expired', 'soldOut', 'closed', 'cut', 'paymentFailed', 'refused', 'noAnswer', 'unfinished'] as const;
export type BuyerOutcome = (typeof BUYER_OUTCOMES)[number];

/** The server's purchase check (`GET /api/sale/ROUND/check`) as it answers: the check and the writer's lag. */
export type ServerCheck = SaleCheck & { lag: number };

export interface RehearsalOptions {
  /** Sale processes serving the round (requests go round-robin). */
  urls: string[];
  roundId: string;
  /** The round as it was published (rehearsalRound), for the prediction and the limits. */
  round: RoundSpec;
  /** The scenario at the rehearsal's size (rehearsalScale). */
  scaled: SimParams;
  speed: number;
  /** Real milliseconds since the epoch at which the simulation clock reads 0 (opensAt − pre-opening ÷ speed). */
  startAt: number;
  /** Stop every buyer after this many real seconds. */
  maxSeconds: number;
  /** How often a waiting page polls, real milliseconds. */
  pollMs: number;
  /** The server's check, asked once the buyers are done (a staff token's HTTP call). */
  check: () => Promise<ServerCheck>;
  connectionsPerProcess?: number;
  log?: (line: string) => void;
}

export interface RehearsalReport {
  buyers: number;
  seconds: number;
  outcomes: Record<BuyerOutcome, number>;
  stats: Record<Endpoint, EndpointStats>;
  purchasesPerSecond: number;
  pollsPerSecond: number;
  /** Won bought, by what the buyers were told (one per distinct event id). */
  boughtFace: number;
  /** Minutes after opening in the scenario's time: the last purchase, when the stock ran out. */
  soldOutMinute: number | null;
  /** Waits of those who bought, from joining to admission, in the scenario's minutes. */
  waitP50Minutes: number;
  waitP90Minutes: number;
  expiries: number;
  check: ServerCheck;
  problems: string[];
  prediction: SimResult;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)));

/** Nearest-rank quantile of a few thousand waits (the latencies go through HdrHistogram). */
function quantile(sorted: number[], q: number): number {
  return sorted.length === 0 ? Number.NaN : sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

/**
 * Replays the simulator's buyers as virtual buyers over HTTP against the sale
 * service (identity → join → poll → buy), time compressed `speed` times:
 * each arrives when the simulator says, waits no longer than their patience,
 * fills in the page for their checkout time, buys their amount (retrying a
 * failed payment as often as the scenario allows), and an expired session
 * sends them back after the return delay if they return. Then the checks:
 * the server's Redis-vs-log check, nothing oversold, no buyer over the
 * limit, and what buyers were told equals what the server holds.
 */
export async function rehearse(o: RehearsalOptions): Promise<RehearsalReport> {
  const log = o.log ?? (() => {});
  const stats = newStats();
  const client = new SaleClient(o.urls, stats, o.connectionsPerProcess ?? 64);
  // The simulator's run of this very sale: its buyers are the ones replayed, its result the prediction.
  const asked = predictionParams(o.scaled, o.round, o.speed);
  const people = planBuyers(asked);
  const outcomes = Object.fromEntries(BUYER_OUTCOMES.map((k) => [k, 0])) as Record<BuyerOutcome, number>;
  const real = (simSeconds: number) => o.startAt + (simSeconds * 1000) / o.speed;
  const opensAtMs = Date.parse(o.round.opensAt);
  const deadline = Math.min(Date.now() + o.maxSeconds * 1000, Date.parse(o.round.closesAt) + 2_000);
  const step = o.round.denominations.reduce((a, b) => (b === 0 ? a : gcdOf(a, b)));
  const bought = new Map<string, { buyer: string; face: number }>();
  const waits: number[] = [];
  let lastPurchaseAt = 0;
  let soldOutSeen = false;
  let expiries = 0;
  const method = o.round.paymentMethods[0]!;
  const maxRetries = o.scaled.checkout.maxRetries;

  async function visit(b: VirtualBuyer): Promise<BuyerOutcome> {
    const buyerId = `rh-${o.roundId}-${b.n}`;
    await sleep(real(b.arriveAt) - Date.now());
    if (Date.now() >= deadline) return 'unfinished';
    const idAnswer = await client.identity(buyerId, DISTRICT_CODES[b.n % DISTRICT_CODES.length]!, 1950 + (b.n % 50));
    if (!idAnswer || idAnswer.status !== 200) return idAnswer ? 'refused' : 'noAnswer';
    const identity = idAnswer.body.identity as string;
    const joinedAt = Date.now();
    // Patience counts from the opening for those who came early, as in the simulator.
    const giveUpAt = Math.max(joinedAt, opensAtMs) + (b.patience * 1000) / o.speed;
    const refusal = (key: string | undefined): BuyerOutcome =>
      key === 'sale.soldOut' ? ((soldOutSeen = true), 'soldOut') : key === 'sale.closed' ? 'closed' : key === 'sale.cutOff' ? 'cut' : key === 'sale.sessionExpired' ? 'expired' : 'refused';
    let returned = false;
    for (;;) {
      const j = await client.join(o.roundId, identity);
      if (!j) return 'noAnswer';
      if (j.status !== 200) return refusal(j.body.error?.key);
      const ticket = j.body.ticket as string;
      let admittedAt = 0;
      while (!admittedAt) {
        if (Date.now() >= deadline) return 'unfinished';
        const s = await client.status(o.roundId, ticket);
        if (!s) return 'noAnswer';
        if (s.status !== 200) return refusal(s.body.error?.key);
        if (s.body.status === 'admitted') admittedAt = Date.now();
        else if (s.body.status === 'bought') return 'bought';
        else if (Date.now() >= giveUpAt) return 'abandoned';
        else await sleep(Math.min(o.pollMs, giveUpAt - Date.now() + 1));
      }
      if (!returned) waits.push(((admittedAt - Math.max(joinedAt, opensAtMs)) * o.speed) / 60_000);
      const face = Math.ceil((b.units * o.scaled.sale.unit) / step) * step;
      let failures = 0;
      const key = randomUUID().replace(/-/g, '');
      await sleep((b.checkout * 1000) / o.speed);
      for (;;) {
        if (Date.now() >= deadline) return 'unfinished';
        const r = await client.buy(o.roundId, ticket, face, key, method);
        if (!r) {
          // No answer is not "not bought": the purchase may have been taken. The same key again, as the buyer page does.
          await sleep(200);
          continue;
        }
        if (r.status === 200) {
          bought.set(r.body.eventId as string, { buyer: buyerId, face });
          lastPurchaseAt = Math.max(lastPurchaseAt, Date.now());
          return 'bought';
        }
        if (r.status === 202) continue; // outcome unknown: the same key again resolves it
        const k = r.body.error?.key;
        if (k === 'sale.paymentFailed' && failures++ < maxRetries) continue;
        if (k === 'sale.paymentFailed') return 'paymentFailed';
        if (k === 'sale.sessionExpired') {
          expiries++;
          if (b.returns && !returned) {
            returned = true;
            await sleep((o.scaled.returns.delayMinutes * 60_000) / o.speed);
            break; // back to the queue: the gate keeps one ticket per person, so it says what it holds for them
          }
          return 'expired';
        }
        return refusal(k);
      }
    }
  }

  const started = Date.now();
  log(`rehearsal: ${people.length} virtual buyers over ${((real(people.at(-1)?.arriveAt ?? 0) - Date.now()) / 1000).toFixed(1)} s`);
  const ends = await Promise.all(people.map((b) => visit(b).catch(() => 'noAnswer' as const)));
  for (const e of ends) outcomes[e]++;
  const seconds = (Date.now() - started) / 1000;
  await client.close();

  // The ledger writer copies the stream into the log within about a second: wait for its lag to reach 0.
  let check = await o.check();
  for (let i = 0; i < 100 && check.lag > 0; i++) {
    await sleep(100);
    check = await o.check();
  }
  check = await o.check();

  const problems = saleProblems(check, [...bought.values()], o.round.perPersonMonthlyLimit);
  const boughtFace = [...bought.values()].reduce((s, x) => s + x.face, 0);

  const prediction = simulate(asked);
  const sorted = [...waits].sort((a, b) => a - b);
  return {
    buyers: people.length,
    seconds,
    outcomes,
    stats,
    purchasesPerSecond: stats.buy.count / seconds,
    pollsPerSecond: stats.status.count / seconds,
    boughtFace,
    soldOutMinute: check.left === 0 || soldOutSeen ? ((lastPurchaseAt - opensAtMs) * o.speed) / 60_000 : null,
    waitP50Minutes: quantile(sorted, 0.5),
    waitP90Minutes: quantile(sorted, 0.9),
    expiries,
    check,
    problems,
    prediction,
  };
}

/**
 * What is wrong with a sale after the buyers are done: the server's own check
 * (sold + left = stock, per-buyer sums, Redis = log), the writer caught up,
 * nothing sold beyond the stock, each purchase a buyer was told of (one per
 * event id) held by the gate exactly once — a purchase the gate holds that no
 * buyer was told of, or one told and not held, shows as a difference of sums —
 * and no buyer over the per-person limit.
 */
export function saleProblems(check: ServerCheck, purchases: { buyer: string; face: number }[], limit: number): string[] {
  const problems = [...check.problems];
  if (!check.ok && problems.length === 0) problems.push('server check failed');
  if (check.lag !== 0) problems.push(`ledger writer lag ${check.lag} after the rehearsal`);
  if (check.soldRedis > check.stock) problems.push(`oversold: ${check.soldRedis} > stock ${check.stock}`);
  if (check.soldLog !== check.soldRedis) problems.push(`the log holds ${check.soldLog} won, Redis ${check.soldRedis}`);
  const told = purchases.reduce((s, x) => s + x.face, 0);
  if (told !== check.soldRedis) problems.push(`buyers were told ${told} won bought, the gate sold ${check.soldRedis}`);
  const perBuyer = new Map<string, number>();
  for (const x of purchases) perBuyer.set(x.buyer, (perBuyer.get(x.buyer) ?? 0) + x.face);
  for (const [buyer, face] of perBuyer) if (face > limit) problems.push(`${buyer} bought ${face} won, over the limit of ${limit}`);
  return problems;
}

function gcdOf(a: number, b: number): number {
  return b === 0 ? a : gcdOf(b, a % b);
}

const fmt = (n: number | null, digits = 1) => (n === null || Number.isNaN(n) ? '—' : n.toFixed(digits));

/** The report as printed: throughput and latency per endpoint, outcomes, the checks, and measured against predicted. */
export function reportText(r: RehearsalReport): string {
  const p = r.prediction;
  const o = r.outcomes;
  return [
    `buyers ${r.buyers} in ${r.seconds.toFixed(1)} s: purchases/s ${r.purchasesPerSecond.toFixed(1)}, polls/s ${r.pollsPerSecond.toFixed(1)}`,
    statsTable(r.stats, r.seconds),
    `outcomes: ${Object.entries(o).filter(([, n]) => n > 0).map(([k, n]) => `${k} ${n}`).join(', ')}`,
    `check: stock ${r.check.stock}, sold (Redis) ${r.check.soldRedis}, left ${r.check.left}, in the log ${r.check.soldLog}, told to buyers ${r.boughtFace}, writer lag ${r.check.lag}`,
    r.problems.length === 0 ? 'checks: no oversell, no limit exceeded, nothing lost or doubled (Redis = PostgreSQL = what buyers were told)' : `CHECKS FAILED:\n  ${r.problems.join('\n  ')}`,
    'measured vs simulator (scenario minutes):',
    `  buyers who bought   ${String(o.bought).padStart(8)}   predicted ${p.outcomes.bought}`,
    `  sell-out minute     ${fmt(r.soldOutMinute).padStart(8)}   predicted ${fmt(p.soldOutMinute)}`,
    `  wait p50 / p90      ${`${fmt(r.waitP50Minutes)} / ${fmt(r.waitP90Minutes)}`.padStart(8)}   predicted ${fmt(p.waitBuyers.p50Minutes)} / ${fmt(p.waitBuyers.p90Minutes)}`,
    `  gave up waiting     ${String(o.abandoned).padStart(8)}   predicted ${p.outcomes.abandoned}`,
    `  session expiries    ${String(r.expiries).padStart(8)}   predicted ${p.logouts} (the simulator keeps an admitted session alive; the sale counts it from admission)`,
    `  sold out/cut/closed ${String(o.soldOut + o.cut + o.closed).padStart(8)}   predicted ${p.outcomes.soldOut + p.outcomes.cut + p.outcomes.closed}`,
  ].join('\n');
}
