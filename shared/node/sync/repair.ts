import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { appendAudit, auditBy } from '../kernel/audit-append.js';
import type { ChainPoint, SyncApplier } from './apply.js';
import type { SyncClient } from './client.js';
import type { Actor } from './connection.js';
import { localHashAt } from './pull.js';
import { SyncError } from './sync-error.js';

/**
 * Cuts the local copy back before `fromSeq` (see SyncApplier.truncateFrom);
 * the next pull fetches the range again. The audit entry saying what was cut
 * commits with the cut (the applier's own transaction nests as a savepoint).
 */
export async function cutBackFrom(db: Kysely<Database>, applier: SyncApplier, fromSeq: number, actor: Actor, now: () => Date): Promise<ChainPoint> {
  return db.transaction().execute(async (trx) => {
    const before = applier.cursor();
    const count = async (table: 'ledger_events' | 'round_publications') =>
      Number((await trx.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).where('seq', '>=', fromSeq).executeTakeFirstOrThrow()).n);
    const ledgerEvents = await count('ledger_events');
    const publications = await count('round_publications');
    const after = applier.truncateFrom(fromSeq);
    await appendAudit(trx, auditBy(actor, now().toISOString(), {
      action: 'server.repair',
      entityType: 'ledger',
      entityId: null,
      details: { fromSeq, ledgerEventsCut: ledgerEvents, publicationsCut: publications, lastSeqBefore: before.seq, lastHashBefore: before.hash, lastSeqAfter: after.seq },
    }));
    return after;
  });
}

/**
 * Finds the first sequence at which this copy and the server's disagree.
 * First the local chain is recomputed from the stored event texts, which
 * catches an event edited in the file; then the stored hashes are bisected
 * against the server's (the chain makes agreement monotone), which catches
 * a copy that followed a different history. Null when they agree.
 */
export async function firstDivergence(db: Kysely<Database>, applier: SyncApplier, client: SyncClient, signal?: AbortSignal): Promise<number | null> {
  const localBreak = applier.firstLocalBreak();
  const head = localBreak === null ? applier.cursor().seq : localBreak - 1;
  const agree = async (seq: number) => (await localHashAt(db, seq)) === (await client.chainAt(seq)).hash;
  if (head === 0 || (await agree(head))) return localBreak;
  let lo = 0;
  let hi = head;
  while (hi - lo > 1) {
    if (signal?.aborted) throw new SyncError('sync.cancelled');
    const mid = Math.floor((lo + hi) / 2);
    if (await agree(mid)) lo = mid;
    else hi = mid;
  }
  return hi;
}
