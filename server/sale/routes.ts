import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import { DISTRICT_CODES } from '../../shared/common/districts.js';
import { basisPointsOf } from '../../shared/common/money.js';
import { formatSeoul, seoulMonthKey } from '../../shared/common/time.js';
import { translate } from '../../shared/i18n/index.js';
import { limitScope } from '../../shared/ledger/rules.js';
import { birthYearWindow } from '../../shared/rounds/sale-queue.js';
import { PAYMENT_METHODS, type RoundSpec } from '../../shared/rounds/spec.js';
import type { ServerDatabase } from '../db/schema.js';
import { saleControls } from '../log/sale-controls.js';
import { serverRound } from '../log/state.js';
import { saleAsset } from './asset.js';
import { SALE_LOT_PREFIX } from './check.js';
import { gateSettings, type BuyAnswer, type SaleGate } from './gate.js';
import { PaymentRefused, type PaymentStandIn } from './payment-stand-in.js';
import { sendJson, putInFront } from '../http/front-door.js';
import { POLL_ANSWER, pollRequestOf, pollSerializer } from './poll-front.js';
import { PollView, type QuickAnswer } from './poll-view.js';
import { sign, verify, type Ticket } from './signing.js';
import { standingBatcher } from './standing-batch.js';
import { TicketCache } from './ticket-cache.js';
import { waitBand } from './wait-band.js';

export interface SaleRoutesOptions {
  db: Kysely<ServerDatabase>;
  gate: SaleGate;
  payment: PaymentStandIn;
  /** HMAC key shared by every process serving the sale, so a ticket from one is good at another. */
  secret: Buffer;
  /** How often each process runs the gate's admission step. */
  admitEveryMs?: number;
  /** How often each process re-reads the published round and its steering (a change is in effect within this). */
  refreshEveryMs?: number;
  /** How often each process reads the counters it answers waiting buyers' polls from (PollView). */
  pollViewEveryMs?: number;
  /** false: every poll through Fastify (the tests compare the front door's answers with Fastify's); else putInFront. */
  pollsBeforeFastify?: boolean;
}

/** Refusals, by key, and the status they answer with. */
const STATUS: Record<string, number> = {
  'sale.identityForged': 401, 'sale.identityExpired': 401, 'sale.ticketForged': 401, 'sale.ticketExpired': 401,
  'sale.ticketReplayed': 409, 'sale.ticketSpent': 409, 'sale.notAdmitted': 403, 'sale.sessionExpired': 403, 'sale.notOpen': 403,
  'sale.closed': 410, 'sale.soldOut': 410, 'sale.stopped': 410, 'sale.cutOff': 410, 'sale.birthYearWindow': 403, 'sale.notOnSale': 404,
  'sale.denomination': 422, 'sale.monthlyLimit': 422, 'sale.holdingLimit': 422, 'sale.methodNotAllowed': 422,
  'sale.paymentFailed': 402, 'sale.paymentBusy': 503, 'sale.notTaken': 503,
};

/** A refusal the buyer page shows as it is: the message in Korean, the key for programs. */
function refusal(key: string, detail?: string) {
  const params = detail ? { detail } : undefined;
  return { error: { key, message: translate('ko', key, params), ...(params ? { params } : {}) } };
}

function refuse(reply: FastifyReply, key: string, detail?: string) {
  return reply.code(STATUS[key] ?? 400).send(refusal(key, detail));
}

/** Refusals without a detail as the text Fastify would send (JSON.stringify: no schema for 4xx), made once per key. */
const refusalTexts = new Map<string, string>();
function refusalText(key: string): string {
  let text = refusalTexts.get(key);
  if (text === undefined) refusalTexts.set(key, (text = JSON.stringify(refusal(key))));
  return text;
}

const TICKET_LIFETIME_MS = 12 * 3_600_000;
const IDENTITY_LIFETIME_MS = 10 * 60_000;
const ROUND_CACHE_MS = 1_000;
/** The 10 s slots of admissions the wait band is read from (five minutes). */
const OUTFLOW_SLOTS = 30;

const identitySchema = z.object({ buyerId: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/), districtCode: z.enum(DISTRICT_CODES), birthYear: z.int().min(1900).max(2100) }).strict();
const joinSchema = z.object({ identity: z.string().min(1).max(2_000) }).strict();
const buySchema = z
  .object({ ticket: z.string().min(1).max(2_000), idempotencyKey: z.string().regex(/^[A-Za-z0-9_-]{8,64}$/), face: z.int().min(1).max(100_000_000), method: z.enum(PAYMENT_METHODS) })
  .strict();
const roundIdSchema = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/);

/**
 * What join, poll and buy answer when they succeed, as JSON Schema: Fastify
 * compiles each into a serializer (fast-json-stringify) that writes these
 * fields and no others. Refusals (4xx) have no schema and go out as they are.
 */
const int = { type: 'integer' } as const;
const str = { type: 'string' } as const;
const JOIN_ANSWER = { response: { 200: { type: 'object', properties: { ticket: str, again: { type: 'boolean' } } } } };
const BUY_ANSWER = {
  response: {
    200: { type: 'object', properties: { status: str, eventId: str, at: str, face: int, duplicate: { type: 'boolean' } } },
    202: { type: 'object', properties: { status: str, eventId: str, message: str } },
  },
};

/**
 * The sale service's routes (`npm run server -- --sale`): identity stand-in,
 * join, poll and buy, and a small buyer page. Settings come only from the
 * round version the server published; requests choose nothing but the amount
 * and the payment method, both checked against it.
 */
export function registerSaleRoutes(app: FastifyInstance, o: SaleRoutesOptions): { stop(): void } {
  const { db, gate, payment, secret } = o;
  const rounds = new Map<string, { at: number; spec: RoundSpec; version: number; onSale: boolean }>();
  const outflows = new Map<string, { at: number; slots: number[] }>();

  /**
   * The round as published, its settings and the officials' steering placed in
   * the gate. Every process re-reads the rounds it serves each second (below),
   * so a change reaches the gate, which every process shares, within about a second.
   */
  async function refresh(roundId: string) {
    const r = await serverRound(db as never, roundId);
    if (!r) return undefined;
    const onSale = r.status === 'on_sale';
    if (onSale) {
      const controls = await saleControls(db, roundId, r.version);
      if ((await gate.settingsStamp(roundId)) !== `${r.version}.${controls.revision}`) {
        const sold = await db.selectFrom('round_sales').select('sold_face').where('round_id', '=', roundId).executeTakeFirst();
        await gate.setup(roundId, gateSettings(r.version, r.spec, Number(sold?.sold_face ?? 0), controls));
      }
    }
    const entry = { at: Date.now(), spec: r.spec, version: r.version, onSale };
    rounds.set(roundId, entry);
    return entry;
  }

  async function round(roundId: string) {
    const cached = rounds.get(roundId);
    if (cached && Date.now() - cached.at < ROUND_CACHE_MS) return cached;
    try {
      return await refresh(roundId);
    } catch (e) {
      // PostgreSQL away: the round as last read stands (the gate holds its settings), so purchases go on into the stream.
      if (cached) return cached;
      throw e;
    }
  }

  const ticker = setInterval(() => {
    for (const [roundId, r] of rounds) if (r.onSale) void gate.admit(roundId).catch(() => {});
  }, o.admitEveryMs ?? 200);
  ticker.unref();
  const refresher = setInterval(() => {
    for (const roundId of rounds.keys()) void refresh(roundId).catch(() => {});
  }, o.refreshEveryMs ?? ROUND_CACHE_MS);
  refresher.unref();

  async function outflow(roundId: string): Promise<number[]> {
    const cached = outflows.get(roundId);
    if (cached && Date.now() - cached.at < ROUND_CACHE_MS) return cached.slots;
    const slots = await gate.outflow(roundId, OUTFLOW_SLOTS, Date.now());
    outflows.set(roundId, { at: Date.now(), slots });
    return slots;
  }

  const tickets = new TicketCache(secret);
  const polls = new PollView((roundId) => gate.view(roundId, OUTFLOW_SLOTS), { everyMs: o.pollViewEveryMs ?? 100 });
  const standings = standingBatcher(db);

  /** The ticket if it is genuine, unexpired and of this round; else the refusal's key. */
  function checkTicket(roundId: string, token: string): { ticket: Ticket } | { refused: string } {
    const t = tickets.verify(token, Date.now());
    if (!t.ok) return { refused: t.key };
    if (t.value.roundId !== roundId) return { refused: 'sale.ticketReplayed' };
    return { ticket: t.value };
  }

  function ticketOf(reply: FastifyReply, roundId: string, token: string): Ticket | null {
    const t = checkTicket(roundId, token);
    if ('refused' in t) {
      void refuse(reply, t.refused);
      return null;
    }
    return t.ticket;
  }

  /**
   * What a poll can be answered now without waiting on anything: a refusal of
   * its ticket, the round's end or the waiting buyer's place from the counters
   * (PollView); else the checked ticket, for the gate. One function for the
   * Fastify route and the front door, so both answer alike.
   */
  function pollNow(roundId: string, token: string): { refused: string } | { waiting: Exclude<QuickAnswer, null | { status: 'refused' }> } | { ticket: Ticket } {
    const t = checkTicket(roundId, token);
    if ('refused' in t) return t;
    const quick = polls.answer(roundId, t.ticket.ticketId);
    if (quick?.status === 'refused') return { refused: quick.key };
    if (quick) return { waiting: quick };
    return t;
  }

  if (o.pollsBeforeFastify !== false) {
    // Fastify answers with 503 while it closes; the front door leaves every request to it from then on.
    let closing = false;
    app.addHook('preClose', async () => {
      closing = true;
    });
    // Only the polls answered now; a poll that needs the gate (an await) goes on to the route, which asks pollNow again:
    // the same answer (the ticket is cached, the counters have not moved in between) and one error handler for both.
    putInFront(app.server, (req, res) => {
      if (closing || req.method !== 'GET') return false;
      const p = pollRequestOf(req.url);
      if (!p) return false;
      let now: ReturnType<typeof pollNow>;
      try {
        now = pollNow(p.roundId, p.token);
      } catch {
        return false; // the route meets the same fault and answers it through Fastify's error handler
      }
      if ('ticket' in now) return false;
      if ('refused' in now) sendJson(res, STATUS[now.refused] ?? 400, refusalText(now.refused));
      else sendJson(res, 200, pollSerializer(now.waiting));
      return true;
    });
  }

  /** Purchases whose outcome this process could not learn in time, by buyer and idempotency key: their authorisations. */
  const unresolved = new Map<string, { eventId: string; tid: string }>();

  /**
   * A purchase call that did not answer in time: first the gate, asked on the
   * same connection (it answers only once it has run the purchase), then the
   * log the ledger writer fills. 'unknown' when neither can say yet.
   */
  async function resolvePurchase(roundId: string, buyerId: string, key: string, eventId: string): Promise<BuyAnswer | 'unknown'> {
    try {
      const taken = await gate.purchaseOutcome(roundId, buyerId, key);
      if (taken) return { status: taken.eventId === eventId ? 'ok' : 'duplicate', ...taken };
      return { status: 'refused', key: 'sale.notTaken' };
    } catch {
      const logged = await db.selectFrom('events').select('payload').where('event_id', '=', eventId).executeTakeFirst().catch(() => undefined);
      if (logged) return { status: 'ok', eventId, at: Date.parse((JSON.parse(logged.payload) as { at: string }).at) };
      return 'unknown';
    }
  }

  app.get('/sale', async (_req, reply) => reply.type('text/html; charset=utf-8').send(saleAsset('buyer-page.html')));
  // The console's Korean typeface, when installed: a browser without a Korean font would show boxes. Absent, the page falls back to system fonts.
  app.get('/sale/font.woff2', async (_req, reply) => {
    const here = typeof __dirname === 'string' ? __dirname : process.cwd();
    const font = join('node_modules', 'pretendard', 'dist', 'web', 'static', 'woff2-subset', 'Pretendard-Regular.subset.woff2');
    // From the repository (cwd) or beside dist/server (two folders up).
    const file = [join(process.cwd(), font), join(here, '..', '..', font)].find((f) => existsSync(f));
    if (!file) return reply.code(404).send();
    return reply.type('font/woff2').header('cache-control', 'public, max-age=86400').send(readFileSync(file));
  });

  /** Stand-in for the sale app's identity check: whoever asks is who they say (a real check verifies a mobile ID). */
  app.post('/sale/identity', async (req, reply) => {
    const p = identitySchema.safeParse(req.body);
    if (!p.success) return refuse(reply, 'sale.badRequest', p.error.issues.map((i) => i.path.join('.')).join(', '));
    return { identity: sign(secret, { kind: 'identity', exp: Date.now() + IDENTITY_LIFETIME_MS, ...p.data }) };
  });

  app.get('/sale/rounds/:roundId', async (req, reply) => {
    const roundId = roundIdSchema.safeParse((req.params as { roundId: string }).roundId);
    const r = roundId.success ? await round(roundId.data) : undefined;
    if (!r || !r.onSale) return refuse(reply, 'sale.notOnSale');
    const s = r.spec;
    return { roundId: roundId.data, name: s.name, denominations: s.denominations, perPersonLimit: s.perPersonMonthlyLimit, paymentMethods: s.paymentMethods, opensAt: s.opensAt, closesAt: s.closesAt };
  });

  app.post('/sale/rounds/:roundId/join', { schema: JOIN_ANSWER }, async (req, reply) => {
    const roundId = roundIdSchema.safeParse((req.params as { roundId: string }).roundId);
    const body = joinSchema.safeParse(req.body);
    if (!roundId.success || !body.success) return refuse(reply, 'sale.badRequest', 'identity');
    const id = verify<import('./signing.js').Identity>(secret, body.data.identity, 'identity', Date.now());
    if (!id.ok) return refuse(reply, id.key);
    const r = await round(roundId.data);
    if (!r || !r.onSale) return refuse(reply, 'sale.notOnSale');
    const who = id.value;
    const standing = await standings.load({ buyerId: who.buyerId, scope: limitScope(r.spec), month: seoulMonthKey(new Date().toISOString()) });
    const window = birthYearWindow(r.spec, who.birthYear).opensAtMs;
    const joined = await gate.join(roundId.data, who.buyerId, randomUUID(), { month: standing.monthFace, holding: standing.holding }, window);
    if (joined.status === 'sale.birthYearWindow') return refuse(reply, joined.status, formatSeoul(new Date(window).toISOString(), 'ko'));
    if (joined.status !== 'joined' && joined.status !== 'existing') return refuse(reply, joined.status);
    const ticket = sign(secret, { kind: 'ticket', exp: Date.now() + TICKET_LIFETIME_MS, roundId: roundId.data, buyerId: who.buyerId, districtCode: who.districtCode, birthYear: who.birthYear, ticketId: joined.ticketId });
    return { ticket, again: joined.status === 'existing' };
  });

  /**
   * A poll: a waiting buyer's is answered here from the rank the gate last gave
   * them and the round's admissions since (PollView: no call per poll); the
   * first poll, and any the counters cannot answer (their turn may have come),
   * is one read-only call to the gate.
   */
  app.get('/sale/rounds/:roundId/status', { schema: POLL_ANSWER }, async (req, reply) => {
    const roundId = (req.params as { roundId: string }).roundId;
    const token = (req.query as { ticket?: unknown }).ticket;
    if (typeof token !== 'string' || !roundIdSchema.safeParse(roundId).success) return refuse(reply, 'sale.badRequest', 'ticket');
    const now = pollNow(roundId, token);
    if ('refused' in now) return refuse(reply, now.refused);
    if ('waiting' in now) return now.waiting;
    const t = now.ticket;
    const a = await gate.poll(roundId, t.buyerId, t.ticketId);
    if (a.status === 'refused') return refuse(reply, a.key);
    if (a.status === 'waiting') {
      polls.kept(t.ticketId, { rank: a.position, admitted: a.admitted, cutq: a.cutq, fixed: a.fixed });
      // The band from the counters this process reads anyway; the outflow is asked only before their first read. A band
      // of null (too little measured yet) is an answer, not a reason to ask Redis again.
      const band = polls.band(roundId, a.position);
      return { status: 'waiting', position: a.position + 1, wait: band !== undefined ? band : waitBand(a.position, await outflow(roundId)) };
    }
    return a;
  });

  app.post('/sale/rounds/:roundId/buy', { schema: BUY_ANSWER }, async (req, reply) => {
    const roundId = (req.params as { roundId: string }).roundId;
    const body = buySchema.safeParse(req.body);
    if (!body.success || !roundIdSchema.safeParse(roundId).success) return refuse(reply, 'sale.badRequest', body.error?.issues.map((i) => i.path.join('.')).join(', ') ?? 'roundId');
    const t = ticketOf(reply, roundId, body.data.ticket);
    if (!t) return reply;
    const r = await round(roundId);
    if (!r || !r.onSale) return refuse(reply, 'sale.notOnSale');
    const spec = r.spec;
    if (!spec.paymentMethods.includes(body.data.method)) return refuse(reply, 'sale.methodNotAllowed');
    // Money moves only for a buyer the gate has admitted; a repeat of a finished purchase goes straight to the gate's answer.
    // The session and any purchase already taken under this key, asked together (one write to Redis, one answer).
    const [before, takenAs] = await Promise.all([gate.poll(roundId, t.buyerId, t.ticketId), gate.takenUnder(roundId, t.buyerId, body.data.idempotencyKey)]);
    if (before.status === 'waiting') return refuse(reply, 'sale.notAdmitted');
    if (before.status === 'refused') return refuse(reply, before.key);
    const eventId = `sale-${randomUUID()}`;
    const face = body.data.face;
    let ref = null;
    // A purchase sent again after an unknown outcome may have been taken meanwhile: then no new payment.
    const taken = before.status === 'admitted' ? await gate.recordTaken(roundId, t.buyerId, takenAs) : null;
    if (before.status === 'admitted' && !taken) {
      try {
        ref = await payment.authorize(body.data.method, eventId, Date.now());
      } catch (e) {
        if (e instanceof PaymentRefused) {
          await gate.countPaymentError(roundId).catch(() => {});
          return refuse(reply, e.key);
        }
        throw e;
      }
    }
    const attempt = `${t.buyerId}:${body.data.idempotencyKey}`;
    let answer: BuyAnswer | 'unknown';
    try {
      answer = await gate.buy(roundId, {
        buyerId: t.buyerId, ticketId: t.ticketId, idempotencyKey: body.data.idempotencyKey, face, paid: face - basisPointsOf(face, spec.discountBp),
        eventId, lotId: `${SALE_LOT_PREFIX}${randomUUID()}`, districtCode: t.districtCode, method: body.data.method, payment: JSON.stringify(ref ?? {}),
      }, before.status === 'admitted' && !taken ? { sessionEndsAt: before.expiresAt, closesAt: Date.parse(spec.closesAt) } : undefined);
    } catch {
      // No answer in time: the stock may have been taken and the money moved. Resolved from the gate or the log, never told failed.
      answer = await resolvePurchase(roundId, t.buyerId, body.data.idempotencyKey, eventId);
    }
    if (answer === 'unknown') {
      // The authorisation stays: a retry with the same key resolves it (voided then if the stock was never taken).
      if (ref) unresolved.set(attempt, { eventId, tid: ref.tid });
      return reply.code(202).send({ status: 'unknown', eventId, message: translate('ko', 'sale.outcomeUnknown') });
    }
    const stale = unresolved.get(attempt);
    if (stale) {
      unresolved.delete(attempt);
      if (answer.status === 'refused' || answer.eventId !== stale.eventId) payment.void(stale.tid);
    }
    if (answer.status === 'refused' || answer.eventId !== eventId) {
      // The gate took no stock for this authorisation (refused, or an earlier submit already bought): release it.
      if (ref) payment.void(ref.tid);
      if (answer.status === 'refused') return refuse(reply, answer.key);
    }
    return { status: 'bought', eventId: answer.eventId, at: new Date(answer.at).toISOString(), face, duplicate: answer.status === 'duplicate' };
  });

  return {
    stop: () => {
      clearInterval(ticker);
      clearInterval(refresher);
      polls.stop();
    },
  };
}

/** A fresh signing key for one process; several processes serving one sale are given the same one. */
export const newSaleSecret = () => randomBytes(32);
