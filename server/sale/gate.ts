import { randomUUID } from 'node:crypto';
import { Cluster, Redis } from 'ioredis';
import { SALE_UNIT } from '../../shared/common/money.js';
import type { RoundSpec } from '../../shared/rounds/spec.js';
import { meanPurchaseUnits } from '../../shared/rounds/sale-queue.js';
import { effectiveSettings, noSteering, type SaleControls } from '../../shared/rounds/steering.js';
import { simParamsFromRound } from '../../shared/simulation/params.js';
import { saleAsset } from './asset.js';
import { bucketKey, bucketKeys, bucketOf, bucketShare, monitorKeys, roundKey, roundKeys } from './keys.js';

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

/**
 * `admitted` and `cutq`: the round's admissions so far and removals from the
 * queue's tail, read in the same call as the rank; `fixed`: the rank can only
 * fall from now on (server/sale/poll-view.ts keeps such answers).
 */
export type PollAnswer = { status: 'waiting'; position: number; admitted: number; cutq: number; fixed: boolean } | { status: 'admitted'; expiresAt: number } | { status: 'bought' } | { status: 'refused'; key: string };

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

/** How often a purchase whose bucket ran short gathers leftovers and tries again before asking the buyer to retry. */
const GATHER_ATTEMPTS = 4;

/**
 * The sale's gate on Redis: two Redis Functions libraries
 * (server/sale/redis/sale.lua for the round's waiting room, bucket.lua for its
 * stock buckets) loaded with FUNCTION LOAD REPLACE on every primary and called
 * with FCALL, so each decision runs atomically in Redis whichever sale process
 * asks. The key layout (server/sale/keys.ts) works on one Redis and on Redis
 * Cluster alike.
 */
export class SaleGate {
  private constructor(
    readonly redis: Redis | Cluster,
    /** Stock buckets per round; one is enough on a single Redis, a few per primary on a cluster. */
    readonly buckets: number,
  ) {}

  /**
   * `commandTimeoutMs`: how long a call may take before the caller stops
   * waiting for it. A purchase whose call timed out may still have been taken
   * (Redis paused, the answer lost): the buy route treats it as unknown and
   * resolves it (purchaseOutcome), never as failed.
   * `cluster`: `url` names one node of a Redis Cluster; ioredis finds the rest
   * and routes each call to the primary holding its slot.
   */
  static async connect(url: string, buckets = 1, o: { commandTimeoutMs?: number; cluster?: boolean } = {}): Promise<SaleGate> {
    const options = { maxRetriesPerRequest: 2, commandTimeout: o.commandTimeoutMs ?? 2_000 };
    // Auto-pipelining: the calls every request in this event-loop turn makes go to Redis in one write (and
    // Redis reads them in one), instead of a socket write each — most of a sale process's cost under load.
    // Order on the connection is kept, so a purchase's outcome is still asked after the purchase itself.
    let redis: Redis | Cluster;
    if (o.cluster) {
      const u = new URL(url);
      redis = new Cluster([{ host: u.hostname, port: Number(u.port) }], { lazyConnect: true, enableAutoPipelining: true, redisOptions: options });
    } else redis = new Redis(url, { lazyConnect: true, enableAutoPipelining: true, ...options });
    await redis.connect();
    await loadSaleFunctions(redis);
    return new SaleGate(redis, buckets);
  }

  private fcall(name: string, roundId: string, args: (string | number)[], readOnly = false): Promise<unknown> {
    const keys = roundKeys(roundId);
    return this.redis.call(readOnly ? 'FCALL_RO' : 'FCALL', name, keys.length, ...keys, ...args.map(String));
  }

  private fcallBucket(name: string, roundId: string, bucket: number, args: (string | number)[], readOnly = false): Promise<unknown> {
    const keys = bucketKeys(roundId, bucket);
    return this.redis.call(readOnly ? 'FCALL_RO' : 'FCALL', name, keys.length, ...keys, ...args.map(String));
  }

  private each<T>(f: (bucket: number) => Promise<T>): Promise<T[]> {
    return Promise.all(Array.from({ length: this.buckets }, (_, i) => f(i)));
  }

  /**
   * Places the round's stock (once) and settings; a later published version
   * changes the settings only. Then every bucket is topped up to its share of
   * the stock placed so far (bucket_setup gives only what it was not given),
   * so a setup cut short by a crash is finished by the next one.
   */
  async setup(roundId: string, s: GateSettings): Promise<string> {
    const result = (await this.fcall('sale_setup', roundId, [
      s.stamp, s.stock, this.buckets, s.opensAt, s.closesAt, s.unit, s.monthLimit, s.holdLimit, s.perMinute, s.maxActive, s.timeoutMs, s.order,
      s.paused ? 1 : 0, s.stopped ? 1 : 0, s.added, s.cutoff ? 1 : 0, s.meanUnits, s.cutMargin,
    ])) as string;
    const [placed, buckets, unit] = (await this.redis.hmget(roundKey(roundId, 'cfg'), 'stock', 'buckets', 'unit')).map(Number) as [number, number, number];
    if (buckets !== this.buckets) throw new Error(`round ${roundId} was placed in ${buckets} stock buckets; this sale process was started with ${this.buckets}`);
    const units = Math.floor(placed / unit);
    await this.each((i) => this.fcallBucket('bucket_setup', roundId, i, [s.stamp, unit, s.monthLimit, s.holdLimit, bucketShare(i, buckets, units, unit)]));
    return result;
  }

  /** The stamp ("version.revision") of the settings the gate holds for the round, once every bucket holds it too; null before. */
  async settingsStamp(roundId: string): Promise<string | null> {
    const stamp = await this.redis.hget(roundKey(roundId, 'cfg'), 'version');
    const inBuckets = await this.each((i) => this.redis.hget(bucketKey(roundId, i, 'cfg'), 'version'));
    return inBuckets.every((v) => v === stamp) ? stamp : null;
  }

  /** The settings the gate holds now, as numbers where they are numbers (for the monitor and tests). */
  async settings(roundId: string): Promise<Record<string, string>> {
    return this.redis.hgetall(roundKey(roundId, 'cfg'));
  }

  /**
   * `base`: what the buyer already bought this month and holds, in the round's scope, before this round (from the log).
   * `windowOpensAt`: when the buyer's birth-year window opens (shared/rounds/sale-queue.ts), judged on Redis's clock.
   * The bases go to the buyer's bucket, also when the buyer joins again (a first join cut short before it did).
   */
  async join(roundId: string, buyerId: string, ticketId: string, base: { month: number; holding: number }, windowOpensAt = 0): Promise<{ status: string; ticketId: string }> {
    const [status, held] = (await this.fcall('sale_join', roundId, [buyerId, ticketId, Math.random(), base.month, base.holding, windowOpensAt])) as [string, string];
    if (status === 'joined' || status === 'existing') await this.fcallBucket('bucket_enroll', roundId, bucketOf(buyerId, this.buckets), [buyerId, base.month, base.holding]);
    return { status, ticketId: held };
  }

  async poll(roundId: string, buyerId: string, ticketId: string): Promise<PollAnswer> {
    const [status, n, admitted, cutq, fixed] = (await this.fcall('sale_poll', roundId, [buyerId, ticketId], true)) as [string, number, number, number, number];
    if (status === 'waiting') return { status, position: Number(n), admitted: Number(admitted), cutq: Number(cutq), fixed: fixed === 1 };
    if (status === 'admitted') return { status, expiresAt: Number(n) };
    if (status === 'bought') return { status };
    return { status: 'refused', key: status };
  }

  private admitter: Redis | Cluster | undefined;

  /**
   * The admission step, on a connection of its own: a tick waiting on Redis
   * (paused, busy) must not hold back the purchases behind it on the gate's
   * connection, whose outcome a timed-out buyer is resolved from.
   */
  admit(roundId: string): Promise<number> {
    this.admitter ??= this.duplicate();
    const keys = roundKeys(roundId);
    return this.admitter.call('FCALL', 'sale_admit', keys.length, ...keys) as Promise<number>;
  }

  /**
   * A purchase: the live session on the round's slot, then the purchase on
   * the buyer's bucket (stock, limits, idempotency key and stream in one
   * call), then the round's counters. A bucket short of the face while others
   * hold stock is given their leftovers and asked again: a buyer is refused
   * as sold out only when all buckets together hold less than the face.
   */
  async buy(roundId: string, p: PurchaseRequest, checked?: { sessionEndsAt: number; closesAt: number }): Promise<BuyAnswer> {
    // `checked`: the session was found live by a call just before (sale_poll, before the payment; issue 19: one call
    // fewer per purchase); its end and the round's close are judged again inside the purchase's own call.
    if (!checked) {
      const session = (await this.fcall('sale_session', roundId, [p.buyerId, p.ticketId], true)) as string;
      if (session !== 'ok') {
        // A finished purchase sent again: its own answer, whatever the session says now.
        const prior = await this.purchaseOutcome(roundId, p.buyerId, p.idempotencyKey);
        return prior ? { status: 'duplicate', ...prior } : { status: 'refused', key: session };
      }
    }
    const home = bucketOf(p.buyerId, this.buckets);
    const window = checked ? [checked.sessionEndsAt, checked.closesAt] : [];
    for (let attempt = 0; attempt < GATHER_ATTEMPTS; attempt++) {
      const [status, eventId, n, face] = (await this.fcallBucket('bucket_buy', roundId, home, [
        p.buyerId, p.idempotencyKey, p.face, p.eventId, p.lotId, p.districtCode, p.method, p.paid, p.payment, home, ...window,
      ])) as [string, string, number, number];
      if (status === 'ok' || status === 'duplicate') {
        await this.fcall('sale_bought', roundId, [p.buyerId, face, n]);
        return { status, eventId, at: Number(n) };
      }
      if (status !== 'short') return { status: 'refused', key: status };
      if ((await this.gather(roundId, home, p.face - Number(n))) > 0) continue;
      // The other buckets hold nothing, but stock another purchase has taken from one and not yet added to its own
      // (a move half done, or cut short by a stopped process) is still the round's: "sold out" only when the round
      // as a whole holds less than the face. Otherwise finish those moves and ask again.
      if ((await this.left(roundId)) < p.face) return { status: 'refused', key: 'sale.soldOut' };
      await this.settleMoves(roundId);
    }
    // Others took what was moved here each time: the buyer may send the same purchase again.
    return { status: 'refused', key: 'sale.notTaken' };
  }

  /**
   * Moves up to `need` won of leftovers from the other buckets into `home`:
   * each move is taken from its bucket under an id (bucket_give) and then
   * added to home (bucket_receive). Returns the won moved.
   */
  private async gather(roundId: string, home: number, need: number): Promise<number> {
    let moved = 0;
    for (let k = 1; k < this.buckets && moved < need; k++) {
      const from = (home + k) % this.buckets;
      const id = randomUUID();
      const given = Number(await this.fcallBucket('bucket_give', roundId, from, [id, home, need - moved]));
      if (given === 0) continue;
      await this.fcallBucket('bucket_receive', roundId, home, [id, given]);
      moved += given;
    }
    return moved;
  }

  /** Finishes every move whose second half never ran (a process stopped between give and receive). Returns how many it finished. */
  async settleMoves(roundId: string): Promise<number> {
    let finished = 0;
    for (let from = 0; from < this.buckets; from++) {
      const moves = await this.redis.hgetall(bucketKey(roundId, from, 'moves'));
      for (const [id, value] of Object.entries(moves)) {
        const [to, amount] = value.split(':').map(Number) as [number, number];
        finished += Number(await this.fcallBucket('bucket_receive', roundId, to, [id, amount]));
        // Received now or before (the receiving bucket keeps the id, so a second receive adds nothing): the record
        // has done its work, and the purchases that settle moves near the end of a sale read only what is open.
        await this.redis.hdel(bucketKey(roundId, from, 'moves'), id);
      }
    }
    return finished;
  }

  /**
   * What became of a purchase attempt (buyer, idempotency key): the event id
   * and time the gate recorded when it took the stock, or null when it took
   * none. Asked on the connection the purchase went out on (ioredis keeps one
   * per node, and the key is in the bucket's slot), so Redis answers it only
   * after it has run that purchase, if the purchase ever reached it. A
   * purchase found is also counted on the round (sale_bought changes nothing
   * the second time), in case the call that took it did not get that far.
   */
  async purchaseOutcome(roundId: string, buyerId: string, idempotencyKey: string): Promise<{ eventId: string; at: number } | null> {
    return this.recordTaken(roundId, buyerId, await this.takenUnder(roundId, buyerId, idempotencyKey));
  }

  /** purchaseOutcome's first half: what the gate recorded under the key when it took the stock (null: nothing), as stored. */
  takenUnder(roundId: string, buyerId: string, idempotencyKey: string): Promise<string | null> {
    return this.redis.hget(bucketKey(roundId, bucketOf(buyerId, this.buckets), 'idem'), `${buyerId}:${idempotencyKey}`);
  }

  /** purchaseOutcome's second half: a purchase found taken (takenUnder) counted on the round, once, and its event id and time. */
  async recordTaken(roundId: string, buyerId: string, prior: string | null): Promise<{ eventId: string; at: number } | null> {
    if (prior === null) return null;
    const [eventId, at, face] = prior.split('|') as [string, string, string];
    await this.fcall('sale_bought', roundId, [buyerId, face, at]);
    return { eventId, at: Number(at) };
  }

  /** Every bucket's counters, summed: what they hold, sold, purchases, and `left` — held plus moving between them. */
  private async bucketTotals(roundId: string): Promise<{ sold: number; purchases: number; left: number }> {
    const per = (await this.each((i) => this.fcallBucket('bucket_counters', roundId, i, [], true))) as number[][];
    const sum = (k: number) => per.reduce((s, b) => s + Number(b[k]), 0);
    return { sold: sum(1), purchases: sum(2), left: sum(0) + sum(4) - sum(3) };
  }

  /** Won the round still holds, over all its buckets. */
  private async left(roundId: string): Promise<number> {
    return (await this.bucketTotals(roundId)).left;
  }

  /**
   * The round's counters: arrivals, admitted, expired, cut, waiting, active
   * from the round's slot; sold, purchases and left summed over the buckets,
   * where they are kept. Stock moving between buckets counts as left.
   */
  async counters(roundId: string): Promise<Record<string, number>> {
    const flat = (await this.fcall('sale_counters', roundId, [], true)) as string[];
    const out: Record<string, number> = {};
    for (let i = 0; i < flat.length; i += 2) out[flat[i]!] = Number(flat[i + 1]);
    if (flat.length === 0) return out;
    return { ...out, ...(await this.bucketTotals(roundId)) };
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
    const all = await this.each((i) => this.redis.hgetall(bucketKey(roundId, i, 'bought')));
    return new Map(all.flatMap((b) => Object.entries(b).map(([k, v]) => [k, Number(v)] as const)));
  }

  /**
   * What a sale process needs to answer the polls of a round's waiting buyers
   * itself, in one read-only call (sale.lua `view`): Redis's clock, admissions
   * so far, removals from the queue's tail, why the round sells no more (null
   * while it sells), and the admissions of the last `slots` 10 s slots, oldest first.
   */
  async view(roundId: string, slots: number): Promise<{ now: number; admitted: number; cutq: number; ended: string | null; outflow: number[] }> {
    const [now, admitted, cutq, ended, ...outflow] = (await this.fcall('sale_view', roundId, [slots], true)) as [number, number, number, string, ...number[]];
    return { now: Number(now), admitted: Number(admitted), cutq: Number(cutq), ended: ended === '' ? null : ended, outflow: outflow.map(Number) };
  }

  /** Admissions per 10 s over the last `slots` slots, oldest first (the outflow the wait band is read from). */
  async outflow(roundId: string, slots: number, nowMs: number): Promise<number[]> {
    const all = await this.redis.hgetall(roundKey(roundId, 'outflow'));
    const last = Math.floor(nowMs / 10_000);
    return Array.from({ length: slots }, (_, i) => Number(all[String(last - slots + 1 + i)] ?? 0));
  }

  /** Another connection to the same Redis or cluster (the ledger writer's own, so its reads never wait behind purchases). */
  duplicate(): Redis | Cluster {
    return this.redis instanceof Cluster ? this.redis.duplicate() : this.redis.duplicate();
  }

  close(): Promise<unknown> {
    this.admitter?.disconnect();
    return this.redis.quit();
  }
}

/** Loads the sale's function libraries on every primary (FUNCTION LOAD is per node, and any primary may hold a round's slot). */
export async function loadSaleFunctions(redis: Redis | Cluster): Promise<void> {
  const nodes = redis instanceof Cluster ? redis.nodes('master') : [redis];
  for (const node of nodes) for (const lib of ['sale.lua', 'bucket.lua']) await node.call('FUNCTION', 'LOAD', 'REPLACE', saleAsset(lib));
}
