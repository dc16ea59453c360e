import { MIN_FOLD_AGE_DAYS } from '../../sync/fold-wire.js';
import { requireUser, type HandlersFor } from '../kernel/call-context.js';
import type { SyncDeps } from './sync-handlers.js';

/**
 * Folding settled uses is the server's act on the server's log (who, when and
 * which days are judged there, by its clock): the console only asks, in the
 * administrator's own server name, and shows what the server answered. After
 * a fold the next pull brings the `uses_folded` event like any other.
 */
export const compactionHandlers: HandlersFor<'compaction', SyncDeps> = {
  'compaction.folds': async (_input, ctx) => {
    const folds = await ctx.deps.sync.accounts.asAdmin(requireUser(ctx).id, 'compaction', (server) => server.useFolds());
    return { folds, minDays: MIN_FOLD_AGE_DAYS };
  },
  'compaction.fold': async (input, ctx) => {
    const admin = requireUser(ctx);
    return ctx.deps.sync.accounts.asAdmin(admin.id, 'compaction', (server) => server.foldUses(input.olderThanDays));
  },
};
