import { hostname } from 'node:os';
import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import type { ServerDatabase } from '../db/schema.js';
import { checkSale } from './check.js';
import { SaleGate } from './gate.js';
import { SaleLedgerWriter } from './ledger-writer.js';
import { registerMonitorRoute } from './monitor.js';
import { saleStaff } from './staff.js';
import { PaymentStandIn, type PaymentSettings } from './payment-stand-in.js';
import { startPrivateRedis, type PrivateRedis } from './private-redis.js';
import { newSaleSecret, registerSaleRoutes } from './routes.js';

export interface SaleServiceOptions {
  db: Kysely<ServerDatabase>;
  /** A Redis to share with other sale processes; none: a private redis-server for this process. */
  redisUrl?: string | undefined;
  /** `redisUrl` names one node of a Redis Cluster. */
  redisCluster?: boolean;
  /** Hex HMAC key shared by every process serving the sale; none: one for this process only. */
  secretHex?: string | undefined;
  buckets?: number;
  payment?: Partial<PaymentSettings>;
  log?: (m: string) => void;
}

/** The ledger writer's shortest step: see the loop below. */
const WRITER_PACE_MS = 100;

/**
 * Puts the sale on a server (`npm run server -- --sale`): the gate on Redis,
 * the buyer routes, a ledger writer copying every round's stream into the log,
 * and two routes for staff: the writer's lag and the Redis-vs-log check.
 */
export async function attachSaleService(app: FastifyInstance, o: SaleServiceOptions): Promise<{ redisUrl: string; close(): Promise<void> }> {
  const log = o.log ?? ((m: string) => console.log(m));
  let own: PrivateRedis | undefined;
  const url = o.redisUrl ?? (own = await startPrivateRedis()).url;
  const gate = await SaleGate.connect(url, o.buckets ?? 1, { cluster: o.redisCluster && !own });
  const writerRedis = gate.duplicate();
  const writer = new SaleLedgerWriter(o.db, writerRedis, `${hostname()}-${process.pid}`);
  const payment = new PaymentStandIn({ tps: 10_000, latencyMs: 0, failureRate: 0, ...o.payment });
  if (!o.secretHex) log('sale: ticket key made for this process only; give every sale process the same SALE_SECRET to serve one sale together');
  const secret = o.secretHex ? Buffer.from(o.secretHex, 'hex') : newSaleSecret();
  const routes = registerSaleRoutes(app, { db: o.db, gate, payment, secret });

  const staff = (authorization: string | undefined) => saleStaff(o.db, authorization);
  app.get('/api/sale/:roundId/check', async (req, reply) => {
    if (!(await staff(req.headers.authorization))) return reply.code(403).send({ error: { key: 'errors.forbidden', message: 'forbidden' } });
    const roundId = (req.params as { roundId: string }).roundId;
    return { ...(await checkSale(o.db, gate, roundId)), lag: await writer.lag(roundId) };
  });

  registerMonitorRoute(app, o.db, gate, writer);

  // Rounds on sale or just closed: a closed round's last purchases still have to reach the log.
  let running = true;
  const loop = (async () => {
    while (running) {
      try {
        const started = Date.now();
        const rounds = await o.db.selectFrom('server_rounds').select('round_id').where('status', 'in', ['on_sale', 'closed']).execute();
        let read = 0;
        for (const r of rounds) read += (await writer.step(r.round_id)).read;
        // A step costs about a dozen PostgreSQL queries and Redis calls whatever its batch holds: run back to back under
        // load it wrote a few purchases each, and PostgreSQL queries were the largest part of a sale process's CPU (profile, issue 19).
        // At most one step per WRITER_PACE_MS: batches grow with the load, the log trails the stream by about that much.
        await new Promise((res) => setTimeout(res, read === 0 ? 200 : Math.max(0, WRITER_PACE_MS - (Date.now() - started))));
      } catch (e) {
        // PostgreSQL or Redis away: the stream keeps the purchases; try again shortly.
        log(`sale: ledger writer waiting (${e instanceof Error ? e.message : String(e)})`);
        await new Promise((res) => setTimeout(res, 1_000));
      }
    }
  })();

  return {
    redisUrl: url,
    close: async () => {
      running = false;
      routes.stop();
      await loop;
      writerRedis.disconnect();
      await gate.close();
      await own?.stop();
    },
  };
}
