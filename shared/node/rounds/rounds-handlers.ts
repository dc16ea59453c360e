import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { RoundRow } from '../../api/schemas.js';
import { AppError } from '../../common/errors.js';
import { allowedActions, checkEdit, checkTransition, type LifecycleState } from '../../rounds/lifecycle.js';
import { changedFields, type RoundSpec } from '../../rounds/spec.js';
import { validateRound } from '../../rounds/validate.js';
import { appendAudit, auditBy } from '../kernel/audit-append.js';
import { specDigest } from '../chain/log-hash.js';
import type { SessionUser } from '../kernel/session-user.js';
import { requireUser, type HandlersFor } from '../kernel/call-context.js';
import type { Database } from '../db/schema.js';
import { soldByRound } from '../ledger/sales.js';
import { SERVER_USER_ID, serverRecord } from './server-record.js';
import { findRound, selectRoundsWithSpec, toRoundWithSpec, type RoundWithSpec } from './rounds-repo.js';
import { newCommandId } from '../kernel/command-ids.js';
import { enqueueCommand } from '../kernel/outbox.js';
import { toAuditEntry } from '../kernel/audit-entry.js';

/** Clerks see city-wide rounds and their own district's; everyone else sees all. */
function visibleTo(user: SessionUser, spec: RoundSpec): boolean {
  return user.role !== 'clerk' || spec.kind === 'city' || spec.districtCode === user.districtCode;
}

function rejectInvalid(spec: RoundSpec): ReturnType<typeof validateRound> {
  const validation = validateRound(spec);
  if (validation.errors.length > 0) {
    throw new AppError('validation_failed', 'errors.validation_failed', undefined, [...validation.errors, ...validation.warnings]);
  }
  return validation;
}

function lifecycleState(r: RoundWithSpec): LifecycleState {
  return {
    status: r.status,
    currentVersion: r.currentVersion,
    approvedVersion: r.approvedVersion,
    currentAuthorId: r.currentAuthorId,
    spec: r.spec,
    hasErrors: validateRound(r.spec).errors.length > 0,
    // Approved here, yet not the version in effect and the round back in draft: the server refused it.
    refusedByServer: r.currentApproved && r.status === 'draft' && r.approvedVersion !== r.currentVersion,
  };
}

async function loadForChange(db: Kysely<Database>, id: string, expectedVersion: number): Promise<RoundWithSpec> {
  const round = await findRound(db, id);
  if (!round) throw new AppError('not_found', 'errors.roundNotFound');
  // Optimistic concurrency: the caller acts on the version it saw, not a newer one.
  if (round.currentVersion !== expectedVersion) throw new AppError('conflict', 'errors.staleVersion', { current: round.currentVersion });
  return round;
}

/** Field → [before, after] for the audit trail. */
function diff(before: RoundSpec, after: RoundSpec): Record<string, [unknown, unknown]> {
  return Object.fromEntries(changedFields(before, after).map((f) => [f, [before[f], after[f]]]));
}

export const roundsHandlers: HandlersFor<'rounds'> = {
  'rounds.list': async (_input, ctx) => {
    const user = requireUser(ctx);
    const { db } = ctx.deps;
    const [rows, sold] = await Promise.all([selectRoundsWithSpec(db).orderBy('rounds.created_at', 'desc').execute(), soldByRound(db)]);
    const out: RoundRow[] = [];
    for (const row of rows) {
      const r = toRoundWithSpec(row);
      if (!visibleTo(user, r.spec)) continue;
      const s = sold.get(r.id) ?? 0;
      out.push({
        id: r.id,
        name: r.spec.name,
        status: r.status,
        kind: r.spec.kind,
        districtCode: r.spec.districtCode,
        opensAt: r.spec.opensAt,
        closesAt: r.spec.closesAt,
        totalAmount: r.spec.totalAmount,
        discountBp: r.spec.discountBp,
        perPersonMonthlyLimit: r.spec.perPersonMonthlyLimit,
        holdingLimit: r.spec.holdingLimit,
        sold: s,
        remaining: r.spec.totalAmount - s,
        currentVersion: r.currentVersion,
        approvedVersion: r.approvedVersion,
        updatedAt: r.updatedAt,
      });
    }
    return out;
  },

  'rounds.get': async (input, ctx) => {
    const user = requireUser(ctx);
    const { db, now } = ctx.deps;
    const round = await findRound(db, input.id);
    // Out-of-scope rounds are reported as missing, not forbidden, so ids do not leak.
    if (!round || !visibleTo(user, round.spec)) throw new AppError('not_found', 'errors.roundNotFound');
    const [versions, audit, sold, server] = await Promise.all([
      db
        .selectFrom('round_versions as v')
        .innerJoin('users as a', 'a.id', 'v.author_id')
        .leftJoin('users as ap', 'ap.id', 'v.approved_by')
        .select(['v.version', 'v.spec', 'v.changed', 'v.author_id', 'a.display_name as author_name', 'v.created_at', 'v.approved_by', 'ap.display_name as approver_name', 'v.approved_at'])
        .where('v.round_id', '=', round.id)
        .orderBy('v.version', 'desc')
        .execute(),
      db.selectFrom('audit_log').selectAll().where('entity_type', '=', 'round').where('entity_id', '=', round.id).orderBy('seq', 'desc').execute(),
      soldByRound(db, round.id),
      serverRecord(db, round.id),
    ]);
    const state = lifecycleState(round);
    const manager = user.role === 'admin' || user.role === 'official';
    return {
      id: round.id,
      status: round.status,
      currentVersion: round.currentVersion,
      approvedVersion: round.approvedVersion,
      createdAt: round.createdAt,
      spec: round.spec,
      validation: validateRound(round.spec),
      sold: sold.get(round.id) ?? 0,
      versions: versions.map((v) => {
        const row = {
          version: v.version,
          spec: JSON.parse(v.spec) as RoundSpec,
          authorId: v.author_id,
          authorName: v.author_name,
          createdAt: v.created_at,
          approvedBy: v.approved_by,
          approvedByName: v.approver_name,
          approvedAt: v.approved_at,
          changed: JSON.parse(v.changed) as string[],
        };
        const published = v.author_id === SERVER_USER_ID ? server.versions.get(v.version) : undefined;
        return published ? { ...row, authorName: published.proposedBy ?? '', approvedByName: published.approvedBy, approvedAt: published.at, fromServer: true } : row;
      }),
      allowedActions: allowedActions(state, user, now()),
      canEdit: manager && round.status !== 'closed' && round.status !== 'settled',
      audit: audit.map(toAuditEntry),
      serverSteps: server.steps,
    };
  },

  'rounds.create': async (input, ctx) => {
    const user = requireUser(ctx);
    const { db, now } = ctx.deps;
    const validation = rejectInvalid(input.spec);
    const id = randomUUID();
    const at = now().toISOString();
    await db.transaction().execute(async (trx) => {
      await trx
        .insertInto('rounds')
        .values({ id, status: 'draft', current_version: 1, approved_version: null, created_at: at, created_by: user.id, updated_at: at })
        .execute();
      await trx
        .insertInto('round_versions')
        .values({ round_id: id, version: 1, spec: JSON.stringify(input.spec), changed: '[]', author_id: user.id, created_at: at, approved_by: null, approved_at: null })
        .execute();
      await appendAudit(trx, {
        at,
        actorId: user.id,
        actorName: user.displayName,
        action: 'round.create',
        entityType: 'round',
        entityId: id,
        details: { version: 1, name: input.spec.name, warnings: validation.warnings.map((w) => w.code) },
      });
      // Every version goes to the server as its author's proposal; a second official's approval publishes it there.
      await enqueueCommand(trx, ctx.deps.now(), { type: 'propose_round', commandId: newCommandId(), roundId: id, version: 1, spec: input.spec }, user.id);
    });
    return { id, version: 1 };
  },

  'rounds.update': async (input, ctx) => {
    const user = requireUser(ctx);
    const { db, now } = ctx.deps;
    const validation = rejectInvalid(input.spec);
    const at = now();
    return db.transaction().execute(async (trx) => {
      const round = await loadForChange(trx, input.id, input.expectedVersion);
      const verdict = checkEdit(lifecycleState(round), input.spec, user, at);
      if (!verdict.ok) throw new AppError('rule_violation', verdict.key, verdict.params);
      const version = round.currentVersion + 1;
      const iso = at.toISOString();
      await trx
        .insertInto('round_versions')
        .values({
          round_id: round.id,
          version,
          spec: JSON.stringify(input.spec),
          changed: JSON.stringify(verdict.value.changed),
          author_id: user.id,
          created_at: iso,
          approved_by: null,
          approved_at: null,
        })
        .execute();
      await trx
        .updateTable('rounds')
        .set({ current_version: version, status: verdict.value.nextStatus, updated_at: iso })
        .where('id', '=', round.id)
        .execute();
      await appendAudit(trx, auditBy(user, iso, {
        action: 'round.update',
        entityType: 'round',
        entityId: round.id,
        details: {
          version,
          fromStatus: round.status,
          toStatus: verdict.value.nextStatus,
          changes: diff(round.spec, input.spec),
          warnings: validation.warnings.map((w) => w.code),
        },
      }));
      await enqueueCommand(trx, ctx.deps.now(), { type: 'propose_round', commandId: newCommandId(), roundId: round.id, version, spec: input.spec }, user.id);
      return { version, status: verdict.value.nextStatus };
    });
  },

  'rounds.transition': async (input, ctx) => {
    const user = requireUser(ctx);
    const { db, now } = ctx.deps;
    const at = now();
    return db.transaction().execute(async (trx) => {
      const round = await loadForChange(trx, input.id, input.expectedVersion);
      const verdict = checkTransition(lifecycleState(round), input.action, user, at);
      if (!verdict.ok) throw new AppError('rule_violation', verdict.key, verdict.params);
      const iso = at.toISOString();
      if (input.action === 'approve') {
        await trx
          .updateTable('round_versions')
          .set({ approved_by: user.id, approved_at: iso })
          .where('round_id', '=', round.id)
          .where('version', '=', round.currentVersion)
          .execute();
        // The approved version becomes the record on the server at the next sync, approved there by the same person.
        await enqueueCommand(trx, ctx.deps.now(), { type: 'publish_round', commandId: newCommandId(), roundId: round.id, version: round.currentVersion, specDigest: specDigest(round.spec) }, user.id);
      } else {
        // The server judges the move again by its own status and clock; its round_status event is what counts.
        await enqueueCommand(trx, ctx.deps.now(), { type: 'round_transition', commandId: newCommandId(), roundId: round.id, action: input.action }, user.id);
      }
      await trx
        .updateTable('rounds')
        .set({
          status: verdict.value,
          updated_at: iso,
          ...(input.action === 'approve' ? { approved_version: round.currentVersion } : {}),
        })
        .where('id', '=', round.id)
        .execute();
      await appendAudit(trx, auditBy(user, iso, {
        action: `round.${input.action}`,
        entityType: 'round',
        entityId: round.id,
        details: { version: round.currentVersion, fromStatus: round.status, toStatus: verdict.value },
      }));
      return { status: verdict.value };
    });
  },
};
