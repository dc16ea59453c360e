import { randomBytes, type KeyObject } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import { z } from 'zod';
import { DISTRICT_CODES } from '../shared/common/districts.js';
import { ROLES } from '../shared/common/roles.js';
import { LOG_GENESIS } from '../shared/node/chain/log-hash.js';
import { commandSchema, MAX_CLOCK_SKEW_MS, MAX_PAGE, SAFE_ID, type RoundTotals, type ServerStatus } from '../shared/sync/protocol.js';
import { createUser, signIn, userForToken, type ServerUser } from './auth/server-auth.js';
import { SignInThrottle } from './auth/sign-in-throttle.js';
import { CommandIdReused, runCommand } from './commands/run-command.js';
import type { ServerDatabase } from './db/schema.js';
import { playSale, RoundNotOnSale, RoundNotPublished } from './feed/sale-feed.js';
import { errorBody, guardJsonDepth, HttpError, parseInput as parse, unavailableAnswer } from './http/errors.js';
import { readScope, totalsDistrict } from './log/read-scope.js';
import { pageLines } from './log/page-lines.js';
import { registerDirectoryRoutes } from './directory/directory-routes.js';
import { directoryKeys } from './directory/protect.js';
import { registerAuditRoutes } from './routes/audit.js';
import { registerPasswordRoutes } from './routes/password.js';
import { registerSettingsRoutes } from './routes/settings.js';
import { registerSnapshotRoutes } from './routes/snapshot.js';
import { SnapshotStore } from './log/snapshots.js';
import { registerUsersRoutes } from './routes/users.js';
import { registerCompactionRoutes } from './routes/compaction.js';

/** All an account whose password failed the policy at sign-in may reach until it changes it. */
const PASSWORD_CHANGE_STEP: ReadonlySet<string> = new Set(['/api/me', '/api/auth/sign-out', '/api/auth/change-password']);

export interface ServerOptions {
  db: Kysely<ServerDatabase>;
  now?: () => Date;
  log?: (message: string, extra?: unknown) => void;
  /**
   * The buyer directory's 32-byte master key (server/directory/directory-key.ts). `npm run server` always
   * passes the persistent one; without it (tests) a key for this process only is made.
   */
  directoryKey?: Buffer;
  /** The first-sync snapshots (server/log/snapshots.ts); without it, one in a fresh temporary folder. */
  snapshots?: SnapshotStore;
  /** Signs the snapshots when `snapshots` is not given (`npm run server`: the data folder's, server/log/snapshot-key.ts); without it, a key for this process. */
  snapshotKey?: KeyObject;
}

const signInSchema = z.object({ username: z.string().trim().toLowerCase().min(1).max(64), password: z.string().min(1).max(200) }).strict();
const userSchema = z
  .object({
    username: z.string().trim().toLowerCase().regex(/^[a-z0-9._-]{3,32}$/),
    displayName: z.string().trim().min(1).max(60),
    // Length and strength are the password policy's, checked in createUser with a reason.
    password: z.string().min(1).max(200),
    role: z.enum(ROLES),
    districtCode: z.enum(DISTRICT_CODES).nullable(),
  })
  .strict();
const feedSchema = z
  .object({
    roundId: z.string().regex(SAFE_ID),
    purchases: z.int().min(1).max(5_000_000),
    seed: z.int().min(0).default(1),
    usesShare: z.number().min(0).max(1).default(0.3),
    fullLimitShare: z.number().min(0).max(1).default(0.8),
  })
  .strict();

/**
 * The central server: the record of every event, the judge of every command,
 * and the source every console pulls from. One Fastify app over Kysely, the
 * same whether the database is PostgreSQL or the embedded PGlite.
 */
export async function buildServer(options: ServerOptions): Promise<FastifyInstance> {
  const { db } = options;
  const now = options.now ?? (() => new Date());
  const log = options.log ?? ((m: string, e?: unknown) => console.error(`[server] ${m}`, e ?? ''));
  const app = Fastify({ logger: false, bodyLimit: 16 * 1024 * 1024 });

  const throttle = new SignInThrottle(db);
  const directory = directoryKeys(options.directoryKey ?? randomBytes(32));
  guardJsonDepth(app);

  app.setErrorHandler(async (error: Error & { statusCode?: number }, _req, reply) => {
    if (error instanceof HttpError) {
      if (error.status === 429 && error.params?.seconds !== undefined) void reply.header('retry-after', String(error.params.seconds));
      return reply.code(error.status).send(errorBody(error.key, error.params));
    }
    // The database is away (connection lost, restarting, disk full): a passing state, said as such.
    const away = unavailableAnswer(error);
    if (away) {
      log(`database unavailable (${away.reason})`, error.message);
      return reply.code(away.status).headers(away.headers).send(away.body);
    }
    if (error.statusCode && error.statusCode < 500) {
      return reply.code(error.statusCode).send({ error: { key: 'errors.invalid_input', message: error.message } });
    }
    log('request failed', error);
    return reply.code(500).send({ error: { key: 'errors.internal', message: 'internal error' } });
  });

  async function authenticate(req: FastifyRequest): Promise<ServerUser> {
    const header = req.headers.authorization ?? '';
    const token = header.startsWith('Bearer ') ? header.slice(7) : '';
    const user = token ? await userForToken(db, token, now()) : null;
    if (!user) throw new HttpError(401, 'errors.unauthenticated');
    if (user.mustChangePassword && !PASSWORD_CHANGE_STEP.has(req.routeOptions.url ?? '')) throw new HttpError(403, 'passwordPolicy.changeRequired');
    return user;
  }

  function require(user: ServerUser, roles: readonly string[]): void {
    if (!roles.includes(user.role)) throw new HttpError(403, 'errors.forbidden');
  }

  async function head(): Promise<{ seq: number; hash: string }> {
    const r = await db.selectFrom('log_head').select(['seq', 'hash']).where('id', '=', 1).executeTakeFirstOrThrow();
    return { seq: Number(r.seq), hash: r.hash };
  }

  app.post('/api/auth/sign-in', async (req) => {
    const body = parse(signInSchema, req.body);
    // Counted before the hash, per (user, address), per user and per address: see sign-in-throttle.ts.
    const reservation = await throttle.reserve(body.username, req.ip, now());
    if (!reservation.ok) throw new HttpError(429, 'errors.rate_limited', { seconds: reservation.retryAfterSeconds });
    const result = await signIn(db, body.username, body.password, now());
    if (!result) throw new HttpError(401, 'errors.badCredentials');
    await throttle.succeeded(reservation);
    return result;
  });

  app.get('/api/me', async (req) => authenticate(req));

  /** What every console shows about this server: whether its record is the demo data set (migration 0020). */
  app.get('/api/status', async (req): Promise<ServerStatus> => {
    await authenticate(req);
    const demo = await db.selectFrom('demo_marker').select(['scale', 'created_at']).where('id', '=', 1).executeTakeFirst();
    return { demo: demo ? { scale: demo.scale, createdAt: new Date(demo.created_at).toISOString() } : null };
  });

  app.post('/api/users', async (req) => {
    require(await authenticate(req), ['admin']);
    const body = parse(userSchema, req.body);
    if ((body.role === 'clerk') !== (body.districtCode !== null)) throw new HttpError(400, body.role === 'clerk' ? 'errors.clerkNeedsDistrict' : 'errors.districtOnlyForClerk');
    const taken = await db.selectFrom('users').select('id').where('username', '=', body.username).executeTakeFirst();
    if (taken) throw new HttpError(409, 'errors.usernameTaken', { username: body.username });
    return createUser(db, body);
  });

  app.get('/api/head', async (req) => {
    await authenticate(req);
    return head();
  });

  /** The chain hash at a sequence number: two copies agree up to there iff these match. */
  app.get('/api/chain', async (req) => {
    await authenticate(req);
    const seq = parse(z.coerce.number().int().min(0), (req.query as Record<string, unknown>).seq);
    if (seq === 0) return { seq: 0, hash: LOG_GENESIS };
    const row = await db.selectFrom('events').select(['seq', 'hash']).where('seq', '=', String(seq)).executeTakeFirst();
    if (!row) throw new HttpError(404, 'sync.noSuchSeq', { seq });
    return { seq: Number(row.seq), hash: row.hash };
  });

  /**
   * Events after a sequence number, as NDJSON: a header line with the head,
   * then one line per event, `seq<TAB>hash<TAB>canonical event JSON`. The event
   * text is sent exactly as stored and hashed, so a console checks the chain on
   * the bytes it received. Reads are scoped (server/log/read-scope.ts): a lot
   * event the user may not read comes as `seq<TAB>hash<TAB>#<digest>`, the
   * SHA-256 of its canonical text, which is what the chain links, so the page
   * still chains to the head without a buyer id, lot id or amount in it.
   */
  app.get('/api/events', async (req: FastifyRequest, reply: FastifyReply) => {
    const scope = readScope(await authenticate(req));
    const q = req.query as Record<string, unknown>;
    const after = parse(z.coerce.number().int().min(0), q.after ?? 0);
    const limit = parse(z.coerce.number().int().min(1).max(MAX_PAGE), q.limit ?? 5_000);
    const h = await head();
    // The sequence has no gaps, so the page is an exact key range: the planner never sorts more than one page.
    // fold=1: folded uses as digests and their checkpoints (server/log/page-lines.ts).
    const lines = await pageLines(db, scope, h, after, Math.min(h.seq, after + limit), q.fold === '1');
    return reply.type('application/x-ndjson; charset=utf-8').send(lines.join('\n') + '\n');
  });

  app.post('/api/commands', async (req, reply) => {
    const user = await authenticate(req);
    const cmd = parse(commandSchema, req.body);
    const at = now();
    // A console whose clock is wrong is told so, and nothing is recorded: the same command goes again once the clock is right.
    if (Math.abs(Date.parse(cmd.sentAt) - at.getTime()) > MAX_CLOCK_SKEW_MS) {
      throw new HttpError(422, 'sync.clockSkew', { server: at.toISOString(), sent: new Date(cmd.sentAt).toISOString() });
    }
    try {
      return await runCommand(db, cmd, user, at);
    } catch (e) {
      if (e instanceof CommandIdReused) return reply.code(409).send({ error: { key: 'sync.commandIdReused', message: e.message } });
      throw e;
    }
  });

  /**
   * A round's totals, or one district's with `?district=`: aggregates, which
   * any role may read. A clerk's cover their own district only, whatever is
   * asked; the reply says which district it covers.
   */
  app.get('/api/rounds/:id/totals', async (req): Promise<RoundTotals> => {
    const scope = readScope(await authenticate(req));
    const roundId = parse(z.string().regex(SAFE_ID), (req.params as Record<string, unknown>).id);
    const asked = parse(z.enum(DISTRICT_CODES).nullable(), (req.query as Record<string, unknown>).district ?? null);
    const own = totalsDistrict(scope);
    if (own !== null && asked !== null && asked !== own) throw new HttpError(403, 'errors.forbidden');
    const district = own ?? asked;
    // Totals and the head read in one snapshot, so they describe the same point of the log.
    return db.transaction().execute(async (trx) => {
      await sql`set transaction isolation level repeatable read`.execute(trx);
      const h = await trx.selectFrom('log_head').select('seq').where('id', '=', 1).executeTakeFirstOrThrow();
      const r = await sql<{ purchases: number; face: number; paid: number; used: number; cancelled: number; refunded: number }>`
        select count(*) as purchases, coalesce(sum(face), 0) as face, coalesce(sum(paid), 0) as paid, coalesce(sum(used), 0) as used,
               count(*) filter (where status = 'cancelled') as cancelled, coalesce(sum(refunded), 0) as refunded
        from lots where round_id = ${roundId} and (${district}::text is null or district_code = ${district})`.execute(trx);
      const t = r.rows[0]!;
      return {
        roundId,
        ...(district !== null ? { districtCode: district } : {}),
        throughSeq: Number(h.seq),
        purchases: Number(t.purchases),
        faceSold: Number(t.face),
        paid: Number(t.paid),
        used: Number(t.used),
        cancelled: Number(t.cancelled),
        refundedAmount: Number(t.refunded),
      };
    });
  });

  /** Development and demos: play a sale into the log. */
  app.post('/api/feed/sale', async (req) => {
    const user = await authenticate(req);
    require(user, ['admin']);
    const body = parse(feedSchema, req.body);
    try {
      return await playSale(db, { ...body, recordedBy: `feed:${user.username}`, now, directory });
    } catch (e) {
      if (e instanceof RoundNotPublished) throw new HttpError(404, 'sync.roundNotPublished', { roundId: e.roundId });
      if (e instanceof RoundNotOnSale) throw new HttpError(409, e.key, e.params);
      throw e;
    }
  });

  registerAuditRoutes(app, { db, now, authenticate, parse, fail: (status, key, params) => new HttpError(status, key, params) });
  registerUsersRoutes(app, { db, now, authenticate, requireRole: require });
  registerCompactionRoutes(app, { db, now, authenticate, requireRole: require });
  registerSettingsRoutes(app, { db, authenticate });
  registerDirectoryRoutes(app, { db, now, keys: directory, authenticate });
  registerPasswordRoutes(app, { db, now, authenticate });
  let snapshots = options.snapshots;
  if (!snapshots) {
    // The snapshots are rebuilt from the log at will: a folder of this process's own, removed when it stops.
    const dir = mkdtempSync(join(tmpdir(), 'issuance-snapshots-'));
    const own = (snapshots = new SnapshotStore(db, { dir, log, key: options.snapshotKey }));
    app.addHook('onClose', async () => {
      await own.idle();
      rmSync(dir, { recursive: true, force: true });
    });
  }
  registerSnapshotRoutes(app, { db, snapshots, authenticate });

  return app;
}
