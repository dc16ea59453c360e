import { AppError } from '../../common/errors.js';
import type { SaleMonitorView } from '../../api/sale-schemas.js';
import { sellOutForecast } from '../../rounds/sale-forecast.js';
import type { SaleChange } from '../../rounds/steering.js';
import type { SimResult } from '../../simulation/result.js';
import type { Command } from '../../sync/protocol.js';
import type { Database } from '../db/schema.js';
import { requireUser, type CallContext, type HandlersFor } from '../kernel/call-context.js';
import { newCommandId } from '../kernel/command-ids.js';
import { findRound } from '../rounds/rounds-repo.js';
import type { SyncClient } from '../sync/client.js';
import { SyncError } from '../sync/sync-error.js';
import { serverAccessProblemOf, userServerClient, type UserClientDeps } from '../sync/user-client.js';
import type { Kysely } from 'kysely';

/** A live sale is watched and steered on the server, never from this console's copy: each call asks it in the user's name. */
const SERVER_TIMEOUT_MS = 5_000;

async function withServer<T>(ctx: CallContext<UserClientDeps>, call: (client: SyncClient) => Promise<T>): Promise<T> {
  const user = requireUser(ctx);
  const client = await userServerClient(ctx.deps, user.id, SERVER_TIMEOUT_MS);
  if (typeof client === 'string') throw new AppError('conflict', `saleMonitor.needsServer_${client}`);
  try {
    return await call(client);
  } catch (e) {
    const problem = serverAccessProblemOf(e);
    if (problem) throw new AppError('conflict', `saleMonitor.needsServer_${problem}`);
    if (e instanceof SyncError && e.key === 'sync.forbidden') throw new AppError('forbidden', 'errors.forbidden');
    throw e;
  }
}

/** The newest stored simulation of the round's version on sale: the run its approval rests on. */
async function approvedRun(db: Kysely<Database>, roundId: string, version: number): Promise<SaleMonitorView['simulated']> {
  const row = await db
    .selectFrom('simulation_runs')
    .select(['id', 'label', 'result'])
    .where('round_id', '=', roundId)
    .where('round_version', '=', version)
    .where('parent_id', 'is', null)
    .orderBy('created_at', 'desc')
    .executeTakeFirst();
  if (!row) return null;
  const r = JSON.parse(row.result) as Omit<SimResult, 'params'>;
  return {
    runId: row.id,
    label: row.label,
    firstMinute: r.series.firstMinute,
    sold: r.series.sold,
    waitP50Minutes: r.waitBuyers.p50Minutes,
    waitP90Minutes: r.waitBuyers.p90Minutes,
    soldOutMinute: r.soldOutMinute,
  };
}

/** Sends a steering command now (a live sale is not steered from a queue) and says whether it applied or waits for a second official. */
async function steer(ctx: CallContext<UserClientDeps>, command: Command): Promise<{ status: 'applied' | 'proposed'; proposalId: string | null }> {
  const result = await withServer(ctx, (client) => client.push(command));
  if (result.status === 'rejected') throw new AppError('conflict', result.reason?.key ?? 'errors.conflict', result.reason?.params);
  return result.seq === null ? { status: 'proposed', proposalId: command.commandId } : { status: 'applied', proposalId: null };
}

export const saleHandlers: HandlersFor<'sale', UserClientDeps> = {
  'sale.monitor': async (input, ctx) => {
    const round = await findRound(ctx.deps.db, input.roundId);
    if (!round) throw new AppError('not_found', 'errors.not_found');
    const live = await withServer(ctx, (client) => client.saleMonitor(input.roundId));
    if (!live) throw new AppError('conflict', 'saleMonitor.notOnSale');
    const f = sellOutForecast({
      nowMs: Date.parse(live.at),
      opensAtMs: Date.parse(live.opensAt),
      closesAtMs: Date.parse(live.closesAt),
      left: live.left,
      soldPerMinute: live.perMinute.sold,
      firstMinute: live.perMinute.firstMinute,
    });
    return {
      roundName: round.spec.name,
      live,
      simulated: await approvedRun(ctx.deps.db, round.id, round.currentVersion),
      forecast: { wonPerMinute: f.wonPerMinute, soldOutAt: f.soldOutAtMs === null ? null : new Date(f.soldOutAtMs).toISOString(), afterClose: f.afterClose },
    };
  },
  'sale.steer': (input, ctx) =>
    steer(ctx, { type: 'steer_sale', commandId: newCommandId(), sentAt: ctx.deps.now().toISOString(), roundId: input.roundId, change: input.change as SaleChange }),
  'sale.approve': (input, ctx) =>
    steer(ctx, { type: 'approve_sale_change', commandId: newCommandId(), sentAt: ctx.deps.now().toISOString(), roundId: input.roundId, proposalId: input.proposalId }),
};
