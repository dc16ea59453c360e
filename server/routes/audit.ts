import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import { translate } from '../../shared/i18n/index.js';
import { ANCHOR_PAGE, anchorRequestSchema, consoleIdSchema, type AnchorConflictReason, type AnchorPage } from '../../shared/sync/audit-anchors.js';
import type { ServerUser } from '../auth/server-auth.js';
import type { ServerDatabase } from '../db/schema.js';

export interface AuditRouteDeps {
  db: Kysely<ServerDatabase>;
  now: () => Date;
  authenticate: (req: FastifyRequest) => Promise<ServerUser>;
  /** Validates with the app's 400 answer. */
  parse: <T>(schema: z.ZodType<T>, value: unknown) => T;
  /** An HTTP error with the app's error body. */
  fail: (status: number, key: string, params?: Record<string, string | number>) => Error;
}

type Judged =
  | { ok: true; seq: number; hash: string; receivedAt: Date; known: boolean }
  | { ok: false; reason: AnchorConflictReason; heldSeq: number; heldAt: Date };

/**
 * Audit anchors. Any signed-in console states its audit head here with every
 * sync; the server keeps each one with its own clock and refuses a head that
 * goes backwards or restates an anchored seq with another hash, keeping the
 * refusal for an administrator.
 */
export function registerAuditRoutes(app: FastifyInstance, deps: AuditRouteDeps): void {
  const { db, now, authenticate, parse, fail } = deps;

  app.post('/api/audit/anchors', async (req, reply) => {
    const user = await authenticate(req);
    const body = parse(anchorRequestSchema, req.body);
    const at = now();
    const judged = await db.transaction().execute(async (trx): Promise<Judged> => {
      await trx
        .insertInto('audit_consoles')
        .values({ console_id: body.consoleId, first_seen_at: at, first_user_id: user.id, last_seq: null, last_hash: null, last_at: null })
        .onConflict((oc) => oc.column('console_id').doNothing())
        .execute();
      // Serialises anchors of one console: the last seq read here is still the last when this one is written.
      const console = await trx.selectFrom('audit_consoles').selectAll().where('console_id', '=', body.consoleId).forUpdate().executeTakeFirstOrThrow();
      const held = await trx
        .selectFrom('audit_anchors')
        .select(['seq', 'hash', 'received_at'])
        .where('console_id', '=', body.consoleId)
        .where('seq', '=', body.seq)
        .executeTakeFirst();
      const last = console.last_seq === null ? null : Number(console.last_seq);
      let verdict: Judged;
      if (held && held.hash !== body.hash) verdict = { ok: false, reason: 'hashDiffers', heldSeq: Number(held.seq), heldAt: held.received_at };
      else if (last !== null && body.seq < last) verdict = { ok: false, reason: 'backwards', heldSeq: last, heldAt: console.last_at! };
      else if (held) verdict = { ok: true, seq: body.seq, hash: body.hash, receivedAt: held.received_at, known: true };
      else {
        await trx.insertInto('audit_anchors').values({ console_id: body.consoleId, seq: body.seq, hash: body.hash, received_at: at, user_id: user.id }).execute();
        await trx.updateTable('audit_consoles').set({ last_seq: body.seq, last_hash: body.hash, last_at: at }).where('console_id', '=', body.consoleId).execute();
        verdict = { ok: true, seq: body.seq, hash: body.hash, receivedAt: at, known: false };
      }
      if (!verdict.ok) {
        const heldHash = verdict.reason === 'hashDiffers' ? held!.hash : console.last_hash!;
        await trx
          .insertInto('audit_anchor_conflicts')
          .values({ console_id: body.consoleId, seq: body.seq, hash: body.hash, received_at: at, user_id: user.id, reason: verdict.reason, held_seq: verdict.heldSeq, held_hash: heldHash, held_at: verdict.heldAt })
          .execute();
      }
      return verdict;
    });
    if (!judged.ok) {
      const key = `anchor.${judged.reason}`;
      const params = { seq: body.seq, heldSeq: judged.heldSeq, anchoredAt: judged.heldAt.toISOString() };
      return reply.code(409).send({ error: { key, message: translate('en', key, params), params } });
    }
    return { consoleId: body.consoleId, seq: judged.seq, hash: judged.hash, receivedAt: judged.receivedAt.toISOString(), known: judged.known };
  });

  /**
   * A console's anchors, oldest first, a page at a time. Any signed-in user may
   * read them: a console connected with an official's account verifies itself
   * against them. Who sent each one is shown to administrators only.
   */
  app.get('/api/audit/anchors', async (req): Promise<AnchorPage> => {
    const user = await authenticate(req);
    const q = req.query as Record<string, unknown>;
    const consoleId = parse(consoleIdSchema, q.consoleId);
    const after = parse(z.coerce.number().int().min(0), q.after ?? 0);
    const limit = parse(z.coerce.number().int().min(1).max(ANCHOR_PAGE), q.limit ?? ANCHOR_PAGE);
    const rows = await db
      .selectFrom('audit_anchors as a')
      .innerJoin('users as u', 'u.id', 'a.user_id')
      .select(['a.console_id', 'a.seq', 'a.hash', 'a.received_at', 'u.username'])
      .where('a.console_id', '=', consoleId)
      .where('a.seq', '>', after)
      .orderBy('a.seq')
      .limit(limit + 1)
      .execute();
    const page = rows.slice(0, limit);
    return {
      anchors: page.map((r) => ({
        consoleId: r.console_id,
        seq: Number(r.seq),
        hash: r.hash,
        receivedAt: r.received_at.toISOString(),
        ...(user.role === 'admin' ? { username: r.username } : {}),
      })),
      next: rows.length > limit ? Number(page.at(-1)!.seq) : null,
    };
  });

  /** Every console that has anchored, and the anchors refused for it: an administrator's view. */
  app.get('/api/audit/consoles', async (req) => {
    const user = await authenticate(req);
    if (user.role !== 'admin') throw fail(403, 'errors.forbidden');
    const consoleId = parse(consoleIdSchema.optional(), (req.query as Record<string, unknown>).consoleId);
    let consoles = db.selectFrom('audit_consoles as c').innerJoin('users as u', 'u.id', 'c.first_user_id').select(['c.console_id', 'c.first_seen_at', 'u.username', 'c.last_seq', 'c.last_hash', 'c.last_at']);
    let conflicts = db
      .selectFrom('audit_anchor_conflicts as k')
      .innerJoin('users as u', 'u.id', 'k.user_id')
      .select(['k.console_id', 'k.seq', 'k.hash', 'k.received_at', 'u.username', 'k.reason', 'k.held_seq', 'k.held_hash', 'k.held_at'])
      .orderBy('k.id', 'desc')
      .limit(1_000);
    if (consoleId) {
      consoles = consoles.where('c.console_id', '=', consoleId);
      conflicts = conflicts.where('k.console_id', '=', consoleId);
    }
    return {
      consoles: (await consoles.orderBy('c.first_seen_at').execute()).map((c) => ({
        consoleId: c.console_id,
        firstSeenAt: c.first_seen_at.toISOString(),
        firstUsername: c.username,
        lastSeq: c.last_seq === null ? null : Number(c.last_seq),
        lastHash: c.last_hash,
        lastAnchoredAt: c.last_at?.toISOString() ?? null,
      })),
      conflicts: (await conflicts.execute()).map((k) => ({
        consoleId: k.console_id,
        seq: Number(k.seq),
        hash: k.hash,
        receivedAt: k.received_at.toISOString(),
        username: k.username,
        reason: k.reason,
        heldSeq: Number(k.held_seq),
        heldHash: k.held_hash,
        heldAt: k.held_at.toISOString(),
      })),
    };
  });
}
