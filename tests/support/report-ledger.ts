import type BetterSqlite3 from 'better-sqlite3';
import { basisPointsOf } from '../../shared/common/money.js';
import { DISTRICT_CODES } from '../../shared/common/districts.js';
import { quoteRefund, newLot } from '../../shared/ledger/rules.js';
import type { LedgerEvent, PurchaseEvent } from '../../shared/ledger/events.js';
import type { RoundSpec } from '../../shared/rounds/spec.js';
import type { SyncEvent } from '../../shared/sync/protocol.js';
import { canonicalEvent, chainHash, LOG_GENESIS } from '../../shared/node/chain/log-hash.js';
import { SyncApplier, type PageEntry } from '../../shared/node/sync/apply.js';
import { LEDGER_WRITE_HOOKS } from '../../shared/node/backend/hooks.js';
import { spec2022 } from './specs.js';

const FACES = [10_000, 50_000, 100_000, 200_000, 400_000];
const METHODS = ['bank_transfer', 'debit_card', 'credit_card'] as const;

/** A round every generated purchase fits: all three payment methods, stock for millions of lots. */
export function reportSpec(name = 'report round'): RoundSpec {
  return spec2022({ name, totalAmount: 5_000_000_000_000, paymentMethods: [...METHODS] });
}

/** mulberry32: the same seed, the same ledger. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface LedgerPlan {
  roundId: string;
  spec: RoundSpec;
  purchases: number;
  /** First purchase time (UTC); purchases spread over `days` Seoul days. */
  start: string;
  days: number;
  seed: number;
  /** Buyers are drawn from this many ids, so some buy more than once. */
  buyers?: number;
}

/**
 * A synthetic but rule-abiding ledger: purchases over several days in every
 * district, by every payment method and face, followed by uses, gifts,
 * cancellations of unused lots and refunds of mostly used bank-transfer lots,
 * each worked out with the ledger's own rules so the applier accepts it.
 */
export function* ledgerEvents(plan: LedgerPlan, publish = true): Generator<SyncEvent> {
  const r = rng(plan.seed);
  const { spec, roundId } = plan;
  if (publish) yield { type: 'round_published', eventId: `pub-${roundId}`, roundId, version: 1, spec, publishedBy: 'kim', at: plan.start };
  const span = plan.days * 86_400_000;
  const t0 = Date.parse(plan.start);
  const buyers = plan.buyers ?? Math.max(1, Math.floor(plan.purchases * 0.8));
  for (let i = 0; i < plan.purchases; i++) {
    const at = new Date(t0 + Math.floor((i / plan.purchases) * span) + Math.floor(r() * 1000)).toISOString();
    const face = FACES[Math.floor(r() * FACES.length)]!;
    const method = METHODS[Math.floor(r() * METHODS.length)]!;
    const lotId = `${roundId}-l${i}`;
    const p: PurchaseEvent = {
      type: 'purchase',
      eventId: `${roundId}-p${i}`,
      roundId,
      lotId,
      at,
      buyerId: `b${Math.floor(r() * buyers)}`,
      districtCode: DISTRICT_CODES[Math.floor(r() * DISTRICT_CODES.length)]!,
      face,
      paid: face - basisPointsOf(face, spec.discountBp),
      paymentMethod: method,
    };
    yield p;
    let lot = newLot(p, spec);
    const later = (min: number) => new Date(Date.parse(at) + min * 60_000).toISOString();
    const roll = r();
    if (roll < 0.05) {
      const q = quoteRefund(lot, spec, later(5));
      if (q.ok) yield { type: 'cancel', eventId: `${roundId}-c${i}`, roundId, lotId, at: later(5), amount: q.value.amount, by: 'clerk' } satisfies LedgerEvent;
    } else if (roll < 0.1 && method !== 'credit_card') {
      yield { type: 'gift', eventId: `${roundId}-g${i}`, roundId, lotId, at: later(3), toBuyerId: `gift-${roundId}-${i}` } satisfies LedgerEvent;
    } else if (roll < 0.45) {
      const amount = Math.max(1_000, Math.floor((face * (0.3 + r() * 0.6)) / 1_000) * 1_000);
      yield { type: 'use', eventId: `${roundId}-u${i}`, roundId, lotId, at: later(30), amount, merchantDistrict: null } satisfies LedgerEvent;
      lot = { ...lot, used: amount };
      if (r() < 0.3) {
        const q = quoteRefund(lot, spec, later(60));
        if (q.ok && q.value.kind === 'refund') yield { type: 'refund', eventId: `${roundId}-r${i}`, roundId, lotId, at: later(60), amount: q.value.amount, by: 'clerk' } satisfies LedgerEvent;
      }
    }
  }
}

/** Feeds events through the sync applier in pages, as a pull would. */
export class Feeder {
  private prev = { seq: 0, hash: LOG_GENESIS };
  private readonly applier: SyncApplier;
  constructor(sqlite: BetterSqlite3.Database) {
    this.applier = new SyncApplier(sqlite, LEDGER_WRITE_HOOKS);
    this.prev = this.applier.cursor();
  }

  feed(events: Iterable<SyncEvent>, pageSize = 5_000): number {
    let page: PageEntry[] = [];
    let n = 0;
    const flush = () => {
      if (page.length > 0) this.applier.applyPage(page, this.prev.seq);
      page = [];
    };
    for (const event of events) {
      const text = canonicalEvent(event);
      const seq = this.prev.seq + 1;
      this.prev = { seq, hash: chainHash(this.prev.hash, seq, text) };
      page.push({ seq, hash: this.prev.hash, text, event });
      n++;
      if (page.length === pageSize) flush();
    }
    flush();
    return n;
  }

  get applierForTests(): SyncApplier {
    return this.applier;
  }
}
