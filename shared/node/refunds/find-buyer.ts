import { AppError } from '../../common/errors.js';
import { lookupProblem } from '../../common/buyer-identity.js';
import type { FoundBuyer } from '../../api/refund-schemas.js';
import type { DirectoryMatch, DirectorySearch } from '../../sync/directory.js';
import { requireUser, type CallContext } from '../kernel/call-context.js';
import { SyncError } from '../sync/sync-error.js';
import { serverAccessProblemOf, userServerClient, type ServerAccessProblem, type UserClientDeps } from '../sync/user-client.js';
import { counterScope, lotView, roundNames } from './counter-repo.js';

/** Why a search by phone or name cannot run here: the directory is the server's, and the console keeps no copy. */
const needsServer = (reason: ServerAccessProblem): never => {
  throw new AppError('conflict', `directory.needsServer_${reason}`);
};

export type FindBuyerDeps = UserClientDeps;

/**
 * The counter's search by mobile number or name + birth date. Checked here
 * first (a typo gets its message without a round trip), then asked of the
 * server in the clerk's own name, which decides the district and records the
 * lookup with the reason. Only the buyer ids and masked values come back; the
 * lots shown are this console's own, so the working is the ledger's as for
 * any other search.
 */
export async function findBuyer(input: DirectorySearch, ctx: CallContext<FindBuyerDeps>): Promise<{ buyers: FoundBuyer[] }> {
  const user = requireUser(ctx);
  const { db } = ctx.deps;
  const problem = lookupProblem(input);
  if (problem) throw new AppError('invalid_input', problem.key, problem.params);
  const client = await userServerClient(ctx.deps, user.id, 10_000);
  if (typeof client === 'string') return needsServer(client);
  let matches: DirectoryMatch[];
  try {
    matches = await client.findBuyers({ ...input, reason: input.reason.trim() });
  } catch (e) {
    const problem = serverAccessProblemOf(e);
    if (problem) needsServer(problem);
    if (e instanceof SyncError && e.key === 'sync.forbidden') throw new AppError('forbidden', 'directory.clerksOnly');
    throw e;
  }
  const scope = counterScope(user);
  const ids = matches.map((m) => m.buyerId);
  let q = db.selectFrom('lots').selectAll().where('buyer_id', 'in', ids.length ? ids : ['']);
  if (scope !== null) q = q.where('district_code', '=', scope);
  const rows = await q.orderBy('purchased_at', 'desc').orderBy('lot_id').execute();
  const names = await roundNames(db, rows.map((r) => r.round_id));
  return {
    buyers: matches.map((m) => ({ ...m, lots: rows.filter((r) => r.buyer_id === m.buyerId).map((r) => lotView(r, names.get(r.round_id)!)) })),
  };
}
