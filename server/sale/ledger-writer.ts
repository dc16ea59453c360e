import type { Cluster, Redis } from 'ioredis';
import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import { seoulMonthKey } from '../../shared/common/time.js';
import type { PaymentRef, PurchaseEvent } from '../../shared/ledger/events.js';
import { limitScope, newLot } from '../../shared/ledger/rules.js';
import type { PaymentMethod } from '../../shared/rounds/spec.js';
import type { ServerDatabase } from '../db/schema.js';
import { lockHead, writeEvents } from '../log/append.js';
import { saleControls } from '../log/sale-controls.js';
import { insertLots, publishedSpec, type NewLot } from '../log/state.js';
import { roundKey, streamKey } from './keys.js';

const GROUP = 'ledger';

type Entry = [id: string, fields: string[]];

function purchaseOf(roundId: string, fields: string[]): PurchaseEvent {
  const f: Record<string, string> = {};
  for (let i = 0; i < fields.length; i += 2) f[fields[i]!] = fields[i + 1]!;
  return {
    type: 'purchase',
    eventId: f.eventId!,
    roundId,
    lotId: f.lotId!,
    // The gate's clock (Redis TIME) at the moment the stock was taken.
    at: new Date(Number(f.at)).toISOString(),
    buyerId: f.buyerId!,
    districtCode: f.district!,
    face: Number(f.face),
    paid: Number(f.paid),
    paymentMethod: f.method as PaymentMethod,
    payment: JSON.parse(f.payment!) as PaymentRef,
  };
}

/**
 * Copies a round's purchases from its Redis streams (one per stock bucket,
 * server/sale/keys.ts) into the PostgreSQL event log consoles sync, through a
 * consumer group on each: a batch is written in one
 * transaction and acknowledged (XACK) only after it commits, so a crash
 * re-delivers it; purchases already in the log (by event id) are skipped, so a
 * re-delivered batch writes nothing twice.
 */
export class SaleLedgerWriter {
  constructor(
    private readonly db: Kysely<ServerDatabase>,
    private readonly redis: Redis | Cluster,
    private readonly consumer: string,
    private readonly batch = 1_000,
    /**
     * Entries another consumer was given and has not acknowledged for this
     * long are taken over (XAUTOCLAIM): that writer's process died (kill -9)
     * between reading and committing, and nobody else would ever write them.
     */
    private readonly claimIdleMs = 5_000,
  ) {}

  /** The round's bucket streams: as many as the gate placed its stock in (none before the sale's setup). */
  private async streams(roundId: string): Promise<string[]> {
    const buckets = Number((await this.redis.hget(roundKey(roundId, 'cfg'), 'buckets')) ?? 0);
    const keys = Array.from({ length: buckets }, (_, i) => streamKey(roundId, i));
    for (const key of keys) {
      try {
        await this.redis.xgroup('CREATE', key, GROUP, '0', 'MKSTREAM');
      } catch (e) {
        if (!String(e).includes('BUSYGROUP')) throw e;
      }
    }
    return keys;
  }

  /**
   * One batch from each bucket's stream: first what this consumer was given
   * and never acknowledged (a crash between commit and XACK), then what a dead
   * consumer was given and never acknowledged, then new
   * entries; all written in one transaction, then acknowledged. Returns how
   * many entries it read and how many purchases it wrote to the log.
   */
  async step(roundId: string, blockMs = 0): Promise<{ read: number; written: number }> {
    const keys = await this.streams(roundId);
    const batches: [string, Entry[]][] = [];
    for (const key of keys) {
      let entries = await this.read(key, '0', 0);
      if (entries.length === 0) entries = await this.claim(key);
      if (entries.length === 0) entries = await this.read(key, '>', keys.length === 1 ? blockMs : 0);
      if (entries.length > 0) batches.push([key, entries]);
    }
    const all = batches.flatMap(([, entries]) => entries);
    if (all.length === 0) return { read: 0, written: 0 };
    const written = await this.write(roundId, all.map(([, f]) => purchaseOf(roundId, f)));
    for (const [key, entries] of batches) await this.redis.xack(key, GROUP, ...entries.map(([id]) => id));
    return { read: all.length, written };
  }

  private async claim(key: string): Promise<Entry[]> {
    const [, entries] = (await this.redis.call('XAUTOCLAIM', key, GROUP, this.consumer, this.claimIdleMs, '0-0', 'COUNT', this.batch)) as [string, (Entry | null)[]];
    // Entries trimmed from the stream meanwhile come back as null.
    return entries.filter((e): e is Entry => e !== null);
  }

  private async read(key: string, from: '0' | '>', blockMs: number): Promise<Entry[]> {
    const args: (string | number)[] = ['GROUP', GROUP, this.consumer, 'COUNT', this.batch];
    if (from === '>' && blockMs > 0) args.push('BLOCK', blockMs);
    const r = (await this.redis.call('XREADGROUP', ...args, 'STREAMS', key, from)) as [string, Entry[]][] | null;
    return r?.[0]?.[1] ?? [];
  }

  private async write(roundId: string, purchases: PurchaseEvent[]): Promise<number> {
    return this.db.transaction().execute(async (trx) => {
      const head = await lockHead(trx);
      const ids = purchases.map((p) => p.eventId);
      const present = await sql<{ event_id: string }>`select event_id from events where event_id = any(${ids}::text[])`.execute(trx);
      const seen = new Set(present.rows.map((r) => r.event_id));
      const fresh = purchases.filter((p) => !seen.has(p.eventId));
      if (fresh.length === 0) return 0;
      const published = await publishedSpec(trx, roundId);
      if (!published) throw new Error(`round ${roundId} has no published version; the sale's purchases cannot be recorded`);
      const spec = published.spec;
      const face = fresh.reduce((s, p) => s + p.face, 0);
      // The log's own check: the gate must never have sold more than the round holds.
      await sql`insert into round_sales (round_id, sold_face, lot_count) values (${roundId}, 0, 0) on conflict (round_id) do nothing`.execute(trx);
      const sold = await sql<{ sold_face: string }>`select sold_face from round_sales where round_id = ${roundId} for update`.execute(trx);
      // Stock officials added during the sale (two of them, server/commands/steer-sale.ts) counts as the round's.
      const added = (await saleControls(trx, roundId, published.version)).addedStock;
      if (Number(sold.rows[0]!.sold_face) + face > spec.totalAmount + added) throw new Error(`round ${roundId}: the stream holds more than the round's stock; nothing written`);
      await writeEvents(trx, head, fresh, 'sale', new Date());
      const scope = limitScope(spec);
      const lots: NewLot[] = fresh.map((p) => ({ lot: newLot(p, spec), scope, month: seoulMonthKey(p.at), payment: p.payment }));
      await insertLots(trx, lots);
      await sql`update round_sales set sold_face = sold_face + ${face}, lot_count = lot_count + ${fresh.length} where round_id = ${roundId}`.execute(trx);
      return fresh.length;
    });
  }

  /** Stream entries not yet written and acknowledged, over the round's bucket streams: the writer's lag. */
  async lag(roundId: string): Promise<number> {
    let lag = 0;
    for (const key of await this.streams(roundId)) {
      const groups = (await this.redis.call('XINFO', 'GROUPS', key)) as unknown[][];
      for (const g of groups) {
        const m = new Map<string, unknown>();
        for (let i = 0; i < g.length; i += 2) m.set(String(g[i]), g[i + 1]);
        if (m.get('name') === GROUP) lag += Number(m.get('lag') ?? 0) + Number(m.get('pending') ?? 0);
      }
    }
    return lag;
  }
}
