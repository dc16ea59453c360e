import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import type { SaleChange } from '../../shared/rounds/steering.js';
import type { SaleMonitor } from '../../shared/sync/sale-monitor-wire.js';
import type { SaleSteeredEvent } from '../../shared/sync/sale-wire.js';
import type { ServerDatabase } from '../db/schema.js';
import type { SaleGate } from './gate.js';
import type { SaleLedgerWriter } from './ledger-writer.js';
import { saleStaff } from './staff.js';

/** Minutes before the opening the series start at: early arrivals show as the queue forming. */
const LEAD_MINUTES = 10;
/** At most a day of minutes in one answer. */
const MAX_MINUTES = 24 * 60;

/**
 * The `q` quantile of a histogram of waits keyed by their bin's upper edge in
 * seconds (sale.lua wait_edge): the edge of the bin holding the ⌈q·n⌉-th wait.
 */
export function histogramQuantile(bins: Map<number, number>, q: number): number {
  const edges = [...bins.keys()].sort((a, b) => a - b);
  const total = edges.reduce((s, e) => s + bins.get(e)!, 0);
  if (total === 0) return 0;
  const target = Math.max(1, Math.ceil(q * total));
  let seen = 0;
  for (const e of edges) {
    seen += bins.get(e)!;
    if (seen >= target) return e;
  }
  return edges[edges.length - 1]!;
}

/**
 * The live monitor of a round's sale (`GET /api/sale/ROUND/monitor`): the
 * gate's counters, read by name (server/sale/gate.ts monitorCounters), the
 * ledger writer's lag and the steering from the log. Null when the gate has
 * not been given the round (not on sale on this server).
 */
export async function saleMonitor(db: Kysely<ServerDatabase>, gate: SaleGate, writer: SaleLedgerWriter, roundId: string): Promise<SaleMonitor | null> {
  const cfg = await gate.settings(roundId);
  if (!cfg.version) return null;
  // Redis's clock: the minutes the counters were filed under are its own.
  const [sec, usec] = await gate.redis.time();
  const now = Number(sec) * 1000 + Math.floor(Number(usec) / 1000);
  const opensAt = Number(cfg.opensAt);
  const closesAt = Number(cfg.closesAt);
  const openMinute = Math.floor(opensAt / 60_000);
  const first = openMinute - LEAD_MINUTES;
  const last = Math.min(first + MAX_MINUTES, Math.max(first, Math.floor(Math.min(now, closesAt) / 60_000)));
  // The last complete 10 s slot: the current one is still filling.
  const slot = Math.floor(now / 10_000) - 1;
  const [c, m, lag] = await Promise.all([gate.counters(roundId), gate.monitorCounters(roundId, first, last, slot), writer.lag(roundId)]);
  const samples = [...m.waits.values()].reduce((s, v) => s + v, 0);
  return {
    roundId,
    at: new Date(now).toISOString(),
    opensAt: new Date(opensAt).toISOString(),
    closesAt: new Date(closesAt).toISOString(),
    stock: c.stock ?? 0,
    left: c.left ?? 0,
    sold: c.sold ?? 0,
    purchases: c.purchases ?? 0,
    arrivals: c.arrivals ?? 0,
    admitted: c.admitted ?? 0,
    waiting: c.waiting ?? 0,
    active: c.active ?? 0,
    expired: c.expired ?? 0,
    refused: m.refused,
    paymentErrors: m.paymentErrors,
    purchasesPerSecond: m.slotPurchases / 10,
    perMinute: { firstMinute: first - openMinute, arrivals: m.arrivals, admitted: m.admitted, sold: m.sold },
    wait: samples > 0 ? { samples, p50Seconds: histogramQuantile(m.waits, 0.5), p90Seconds: histogramQuantile(m.waits, 0.9) } : null,
    writerLag: lag,
    paused: cfg.paused === '1',
    stopped: cfg.stopped === '1',
    soldOut: (c.soldout ?? 0) === 1,
    settings: { admissionPerMinute: Number(cfg.perMinute), maxActiveSessions: Number(cfg.maxActive), sessionTimeoutMinutes: Math.round(Number(cfg.timeoutMs) / 60_000) },
    ...(await steering(db, roundId)),
  };
}

/** The last applied change (its event in the log) and the proposals waiting for a second official. */
async function steering(db: Kysely<ServerDatabase>, roundId: string): Promise<Pick<SaleMonitor, 'lastChange' | 'proposals'>> {
  const last = await db
    .selectFrom('sale_controls as c')
    .innerJoin('events as e', 'e.seq', 'c.seq')
    .select('e.payload')
    .where('c.round_id', '=', roundId)
    .executeTakeFirst();
  const ev = last ? (JSON.parse(last.payload) as SaleSteeredEvent) : null;
  const open = await db
    .selectFrom('sale_change_proposals as p')
    .innerJoin('users as u', 'u.id', 'p.proposed_by')
    .select(['p.proposal_id', 'p.change', 'p.proposed_at', 'u.username'])
    .where('p.round_id', '=', roundId)
    .where('p.decided_seq', 'is', null)
    .orderBy('p.proposed_at')
    .execute();
  return {
    lastChange: ev ? { change: ev.change, by: ev.by, proposedBy: ev.proposedBy ?? null, at: ev.at } : null,
    proposals: open.map((p) => ({ proposalId: p.proposal_id, change: JSON.parse(p.change) as SaleChange, proposedBy: p.username, proposedAt: new Date(p.proposed_at).toISOString() })),
  };
}

/** `GET /api/sale/ROUND/monitor` for officials, administrators and analysts (a staff token); a clerk gets 403. */
export function registerMonitorRoute(app: FastifyInstance, db: Kysely<ServerDatabase>, gate: SaleGate, writer: SaleLedgerWriter): void {
  app.get('/api/sale/:roundId/monitor', async (req, reply) => {
    if (!(await saleStaff(db, req.headers.authorization))) return reply.code(403).send({ error: { key: 'errors.forbidden', message: 'forbidden' } });
    const roundId = (req.params as { roundId: string }).roundId;
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(roundId)) return reply.code(400).send({ error: { key: 'sale.badRequest', message: 'roundId' } });
    const m = await saleMonitor(db, gate, writer, roundId);
    return m ?? reply.code(404).send({ error: { key: 'sale.notOnSale', message: 'not on sale' } });
  });
}
