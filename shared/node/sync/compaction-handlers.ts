import { requireUser, type HandlersFor } from '../kernel/call-context.js';
import type { SyncDeps } from './sync-handlers.js';

/**
 * Folding settled uses is the server's act on the server's log (who, when and
 * which days are judged there, by its clock): the console only asks, in the
 * administrator's own server name, and shows what the server answered. After
 * a fold the next pull brings the `uses_folded` event like any other.
 */
export const compactionHandlers: HandlersFor<'compaction', SyncDeps> = {
  'compaction.folds': async (_input, ctx) => ({ folds: await ctx.deps.sync.accounts.asAdmin(requireUser(ctx).id, 'compaction', (server) => server.useFolds()) }),
  'compaction.fold': async (input, ctx) => ctx.deps.sync.accounts.asAdmin(requireUser(ctx).id, 'compaction', (server) => server.foldUses(input.olderThanDays)),
};
