import { Redis } from 'ioredis';
import { SALE_UNIT } from '../../shared/common/money.js';
import type { RoundSpec } from '../../shared/rounds/spec.js';
import { meanPurchaseUnits } from '../../shared/rounds/sale-queue.js';
import { effectiveSettings, noSteering, type SaleControls } from '../../shared/rounds/steering.js';
import { simParamsFromRound } from '../../shared/simulation/params.js';
import { saleAsset } from './asset.js';
import { bucketOf, monitorKeys, roundKeys } from './keys.js';

/** The approved settings the gate runs a round with, read from the round version the server published and the officials' steering on it. */
export interface GateSettings {
  /** "version.revision": the published version and the steering revision these settings come from. */
  stamp: string;
  /** Won left to sell when the sale starts: the round's amount and any stock added, less what the log already holds. */
  stock: number;
  opensAt: number;
  closesAt: number;
  /** Every purchase is a whole multiple of this (the denominations' common step, and the ledger's sale unit). */
  unit: number;
  monthLimit: number;
  holdLimit: number;
  perMinute: number;
  maxActive: number;
  timeoutMs: number;
  order: string;
  paused: boolean;
  stopped: boolean;
  /** Won added to the stock during the sale, in total: the gate adds what it has not added yet. */
  added: number;
  /** The round's stock cut-off: those waiting beyond what the stock can serve are told so (the simulator's rule, sale.lua cut_limit). */
  cutoff: boolean;
  /** Units an average purchase takes, and the margin the cut-off leaves, both as the round's rehearsal assumes. */
  meanUnits: number;
  cutMargin: number;
}

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));

export function gateSettings(version: number, spec: RoundSpec, soldFace: number, controls: SaleControls = noSteering(version)): GateSettings {
  const step = spec.denominations.reduce(gcd, 0) || SALE_UNIT;
  const room = effectiveSettings(spec, version, controls);
  const unit = (step / gcd(step, SALE_UNIT)) * SALE_UNIT;
  const assumed = simParamsFromRound(spec);
  return {
    stamp: `${version}.${controls.revision}`,
    stock: spec.totalAmount + controls.addedStock - soldFace,
    opensAt: Date.parse(spec.opensAt),
    closesAt: Date.parse(spec.closesAt),
    unit,
    monthLimit: spec.perPersonMonthlyLimit,
    holdLimit: spec.holdingLimit,
    perMinute: room.admissionPerMinute,
    maxActive: room.maxActiveSessions,
    timeoutMs: room.sessionTimeoutMinutes * 60_000,
    order: spec.waitingRoom.order ?? 'fifo',
    paused: controls.paused,
    stopped: controls.stopped,
    added: controls.addedStock,
    cutoff: spec.waitingRoom.stockCutoff ?? false,
    meanUnits: meanPurchaseUnits(Math.floor(spec.perPersonMonthlyLimit / unit), assumed.purchase.fullLimitShare),
    cutMargin: assumed.waitingRoom.cutoffMargin,
  };
}

export type PollAnswer = { status: 'waiting'; position: number } | { status: 'admitted'; expiresAt: number } | { status: 'bought' } | { status: 'refused'; key: string };

export type BuyAnswer = { status: 'ok' | 'duplicate'; eventId: string; at: number } | { status: 'refused'; key: string };

export interface PurchaseRequest {
  buyerId: string;
  ticketId: string;
  idempotencyKey: string;
  face: number;
  paid: number;
  eventId: string;
  lotId: string;
  districtCode: string;
  method: string;
  /** The provider's references as JSON, carried into the purchase event. */
  payment: string;
}

/**
 * The sale's gate on Redis: one Redis Functions library (server/sale/redis/sale.lua)
 * loaded with FUNCTION LOAD REPLACE and called with FCALL, so each decision
 * runs atomically in Redis whichever sale process asks.
 */
export class SaleGate {
  private constructor(
    readonly redis: Redis,
    /** Stock buckets per round; the layout takes any N, one is enough on a single Redis. */
    readonly buckets: number,
  ) {}

  /**
   * `commandTimeoutMs`: how long a call may take before the caller stops
   * waiting for it. A purchase whose call timed out may still have been taken
   * (Redis paused, the answer lost): the buy route treats it as unknown and
   * resolves it (purchaseOutcome), never as failed.
   */
  static async connect(url: string, buckets = 1, o: { commandTimeoutMs?: number } = {}): Promise<SaleGate> {
    const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 2, commandTimeout: o.commandTimeoutMs ?? 2_000 });
    await redis.connect();
    await redis.call('FUNCTION', 'LOAD', 'REPLACE', saleAsset('sale.lua'));
    return new SaleGate(redis, buckets);
  }

  private fcall(name: string, roundId: string, args: (string | number)[], readOnly = false): Promise<unknown> {
    const keys = roundKeys(roundId, this.buckets);
    return this.redis.call(readOnly ? 'FCALL_RO' : 'FCALL', name, keys.length, ...keys, ...args.map(String));
  }

  /** Places the round's stock (once) and settings; a later published version changes the settings only. */
  async setup(roundId: string, s: GateSettings): Promise<string> {
    return (await this.fcall('sale_setup', roundId, [
      s.stamp, s.stock, this.buckets, s.opensAt, s.closesAt, s.unit, s.monthLimit, s.holdLimit, s.perMinute, s.maxActive, s.timeoutMs, s.order,
      s.paused ? 1 : 0, s.stopped ? 1 : 0, s.added, s.cutoff ? 1 : 0, s.meanUnits, s.cutMargin,
    ])) as string;
  }

  /** The stamp ("version.revision") of the settings the gate holds for the round; null before the first setup. */
  settingsStamp(roundId: string): Promise<string | null> {
    return this.redis.hget(roundKeys(roundId, 1)[0]!, 'version');
  }

  /** The settings the gate holds now, as numbers where they are numbers (for the monitor and tests). */
  async settings(roundId: string): Promise<Record<string, string>> {
    return this.redis.hgetall(roundKeys(roundId, 1)[0]!);
  }

  /**
   * `base`: what the buyer already bought this month and holds, in the round's scope, before this round (from the log).
   * `windowOpensAt`: when the buyer's birth-year window opens (shared/rounds/sale-queue.ts), judged on Redis's clock.
   */
  async join(roundId: string, buyerId: string, ticketId: string, base: { month: number; holding: number }, windowOpensAt = 0): Promise<{ status: string; ticketId: string }> {
    const [status, held] = (await this.fcall('sale_join', roundId, [buyerId, ticketId, Math.random(), base.month, base.holding, windowOpensAt])) as [string, string];
    return { status, ticketId: held };
  }

  async poll(roundId: string, buyerId: string, ticketId: string): Promise<PollAnswer> {
    const [status, n] = (await this.fcall('sale_poll', roundId, [buyerId, ticketId], true)) as [string, number];
    if (status === 'waiting') return { status, position: Number(n) };
    if (status === 'admitted') return { status, expiresAt: Number(n) };
    if (status === 'bought') return { status };
    return { status: 'refused', key: status };
  }

  admit(roundId: string): Promise<number> {
    return this.fcall('sale_admit', roundId, []) as Promise<number>;
  }

  async buy(roundId: string, p: PurchaseRequest): Promise<BuyAnswer> {
    const [status, eventId, at] = (await this.fcall('sale_buy', roundId, [
      p.buyerId, p.ticketId, p.idempotencyKey, p.face, p.eventId, p.lotId, p.districtCode, p.method, p.paid, p.payment, bucketOf(p.buyerId, this.buckets),
    ])) as [string, string, number];
    if (status === 'ok' || status === 'duplicate') return { status, eventId, at: Number(at) };
    return { status: 'refused', key: status };
  }

  /**
   * What became of a purchase attempt (buyer, idempotency key): the event id
   * and time the gate recorded when it took the stock, or null when it took
   * none. Asked on the connection the purchase went out on, so Redis answers
   * it only after it has run that purchase, if the purchase ever reached it.
   */
  async purchaseOutcome(roundId: string, buyerId: string, idempotencyKey: string): Promise<{ eventId: string; at: number } | null> {
    const prior = await this.redis.hget(roundKeys(roundId, 1)[7]!, `${buyerId}:${idempotencyKey}`);
    if (prior === null) return null;
    const [eventId, at] = prior.split('|') as [string, string];
    return { eventId, at: Number(at) };
  }

  /** The round's counters: sold, purchases, arrivals, admitted, expired, left, stock, waiting, active. */
  async counters(roundId: string): Promise<Record<string, number>> {
    const flat = (await this.fcall('sale_counters', roundId, [], true)) as string[];
    const out: Record<string, number> = {};
    for (let i = 0; i < flat.length; i += 2) out[flat[i]!] = Number(flat[i + 1]);
    return out;
  }

  /**
   * The live monitor's raw counters (sale.lua `tally`): the per-minute fields
   * from `fromMinute` to `toMinute` (epoch minutes), the purchases of one 10 s
   * slot, refusals, payment errors and the wait histogram. Reads named fields
   * only (HMGET), so the cost grows with the minutes shown, never with buyers.
   */
  async monitorCounters(roundId: string, fromMinute: number, toMinute: number, slot: number): Promise<{
    arrivals: number[]; admitted: number[]; sold: number[]; slotPurchases: number; refused: number; paymentErrors: number; waits: Map<number, number>;
  }> {
    const [mon, , waits] = monitorKeys(roundId) as [string, string, string];
    const minutes = Array.from({ length: Math.max(0, toMinute - fromMinute + 1) }, (_, i) => fromMinute + i);
    const fields = [...['a:', 'd:', 's:'].flatMap((p) => minutes.map((m) => p + m)), `p:${slot}`, 'refused', 'payErr'];
    const [values, hist] = await Promise.all([this.redis.hmget(mon, ...fields), this.redis.hgetall(waits)]);
    const num = (i: number) => Number(values[i] ?? 0);
    const k = minutes.length;
    return {
      arrivals: minutes.map((_, i) => num(i)),
      admitted: minutes.map((_, i) => num(k + i)),
      sold: minutes.map((_, i) => num(2 * k + i)),
      slotPurchases: num(3 * k),
      refused: num(3 * k + 1),
      paymentErrors: num(3 * k + 2),
      waits: new Map(Object.entries(hist).map(([edge, count]) => [Number(edge), Number(count)])),
    };
  }

  /** A payment the provider refused for this round: counted for the monitor, in the Redis every sale process shares. */
  async countPaymentError(roundId: string): Promise<void> {
    await this.redis.hincrby(monitorKeys(roundId)[0]!, 'payErr', 1);
  }

  /** Won bought in this round per buyer, as the gate counted it. */
  async boughtByBuyer(roundId: string): Promise<Map<string, number>> {
    const all = await this.redis.hgetall(roundKeys(roundId, 1)[5]!);
    return new Map(Object.entries(all).map(([k, v]) => [k, Number(v)]));
  }

  /** Admissions per 10 s over the last `slots` slots, oldest first (the outflow the wait band is read from). */
  async outflow(roundId: string, slots: number, nowMs: number): Promise<number[]> {
    const all = await this.redis.hgetall(roundKeys(roundId, 1)[10]!);
    const last = Math.floor(nowMs / 10_000);
    return Array.from({ length: slots }, (_, i) => Number(all[String(last - slots + 1 + i)] ?? 0));
  }

  close(): Promise<unknown> {
    return this.redis.quit();
  }
}
