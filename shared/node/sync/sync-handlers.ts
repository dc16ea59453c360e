import type { Kysely, Selectable } from 'kysely';
import { AppError, type ErrorPayload } from '../../common/errors.js';
import type { OutboxItem } from '../../api/sync-schemas.js';
import type { QueuedCommand } from '../../sync/protocol.js';
import type { SessionUser } from '../kernel/session-user.js';
import { requireUser, type HandlersFor } from '../kernel/call-context.js';
import type { KernelDeps } from '../kernel/deps.js';
import type { SyncService } from './sync-service.js';
import { visibleOutbox } from './outbox-scope.js';
import type { Database, OutboxTable } from '../db/schema.js';

/** What the Sync page shows of a command, per type. */
function summaryOf(command: QueuedCommand): Record<string, string | number> {
  switch (command.type) {
    case 'propose_round':
      return { name: command.spec.name, version: command.version };
    case 'publish_round':
      return { version: command.version };
    case 'round_transition':
      return { action: command.action };
    case 'approve_refund':
      return { kind: command.kind, amount: command.amount, lotId: command.lotId };
    case 'countersign_refund':
      return { kind: command.kind, amount: command.amount, lotId: command.lotId, requestedBy: command.requestedBy };
    case 'set_refund_threshold':
      return { amount: command.amount ?? '-' };
    case 'book_adjustment':
      return { amount: command.amount, day: command.day, provider: command.provider };
    case 'close_day':
      return { district: command.districtCode, day: command.day };
    case 'reopen_day':
      return { district: command.districtCode, day: command.day };
    case 'countersign_adjustment':
      return { amount: command.amount, exception: command.exceptionRef };
    case 'record_settlement':
      return { day: command.day, provider: command.provider, exceptions: command.exceptions.length };
    case 'set_adjustment_threshold':
      return { amount: command.amount ?? '-' };
    case 'lock_reconcile_day':
    case 'reopen_reconcile_day':
      return { day: command.day, provider: command.provider };
    case 'steer_sale':
      return { roundId: command.roundId, change: command.change.kind };
    case 'approve_sale_change':
      return { roundId: command.roundId, proposalId: command.proposalId };
  }
}

function outboxItem(row: Selectable<OutboxTable> & { created_by_name: string }): OutboxItem {
  const command = JSON.parse(row.payload) as QueuedCommand;
  const summary = summaryOf(command);
  return {
    commandId: row.command_id,
    type: row.type,
    roundId: row.round_id,
    lotId: row.lot_id,
    createdAt: row.created_at,
    createdByName: row.created_by_name,
    state: row.state,
    attempts: row.attempts,
    nextAttemptAt: row.next_attempt_at,
    lastError: row.last_error ? (JSON.parse(row.last_error) as ErrorPayload) : null,
    reason: row.reason_key ? { key: row.reason_key, ...(row.reason_params ? { params: JSON.parse(row.reason_params) as Record<string, string | number> } : {}) } : null,
    serverSeq: row.server_seq,
    resolvedAt: row.resolved_at,
    summary,
  };
}

/**
 * Outbox rows with the name of who queued them, as the Sync page lists them.
 * A clerk sees the commands on their own district's lots and those they
 * queued themselves, nothing of another district.
 */
function outboxQuery(db: Kysely<Database>, user: SessionUser) {
  return db.selectFrom('outbox as o').innerJoin('users as u', 'u.id', 'o.created_by').selectAll('o').select('u.display_name as created_by_name').where(visibleOutbox(user));
}

export interface SyncDeps extends KernelDeps {
  sync: SyncService;
}

export const syncHandlers: HandlersFor<'sync', SyncDeps> = {
  'sync.status': async (_input, ctx) => ctx.deps.sync.status(ctx.user ?? undefined),
  'sync.connect': async (input, ctx) => ctx.deps.sync.connect(input.serverUrl, input.username, input.password, requireUser(ctx)),
  'sync.disconnect': async (_input, ctx) => ctx.deps.sync.disconnect(requireUser(ctx)),

  'sync.run': async (_input, ctx) => {
    const user = requireUser(ctx);
    // No refusal while a sync runs: the new job follows it (SyncService.run); during a repair it waits its turn.
    if (ctx.deps.sync.isBusy && !ctx.deps.sync.joinable) throw new AppError('conflict', 'sync.busy');
    return ctx.deps.jobs.start('sync', user.id, async (job) => {
      const r = await ctx.deps.sync.run(job);
      return { ...r };
    });
  },

  'sync.outbox': async (input, ctx) => {
    const rows = await outboxQuery(ctx.deps.db, requireUser(ctx))
      .orderBy('o.created_at', 'desc')
      .limit(input.limit)
      .execute();
    return rows.map(outboxItem);
  },

  'sync.retry': async (input, ctx) => {
    const { deps } = ctx;
    const user = requireUser(ctx);
    const row = await outboxQuery(deps.db, user).where('o.command_id', '=', input.commandId).executeTakeFirst();
    if (!row) throw new AppError('not_found', 'sync.commandNotFound');
    if (row.state === 'pending') {
      await deps.db.updateTable('outbox').set({ next_attempt_at: deps.now().toISOString() }).where('command_id', '=', input.commandId).execute();
    }
    const updated = await outboxQuery(deps.db, user)
      .where('o.command_id', '=', input.commandId)
      .executeTakeFirstOrThrow();
    return outboxItem(updated);
  },

  'sync.findDivergence': async (_input, { deps }) => ({ seq: await deps.sync.firstDivergence() }),

  'sync.repair': async (input, ctx) => {
    const user = requireUser(ctx);
    const { sync, jobs } = ctx.deps;
    if (sync.isBusy) throw new AppError('conflict', 'sync.busy');
    return jobs.start('sync', user.id, async (job) => ({ ...(await sync.repair(input.fromSeq, job, user)) }));
  },
};
