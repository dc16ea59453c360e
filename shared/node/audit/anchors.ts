import type { Kysely } from 'kysely';
import type { ErrorPayload } from '../../common/errors.js';
import type { AnchorCheck, VerifyResult } from '../../api/audit-schemas.js';
import type { Anchor } from '../../sync/audit-anchors.js';
import type { Database } from '../db/schema.js';
import type { SyncClient } from '../sync/client.js';
import { toErrorPayload } from '../kernel/error-payload.js';
import { SyncError } from '../sync/sync-error.js';
import { verifyAuditChain } from './chain.js';

export async function consoleId(db: Kysely<Database>): Promise<string> {
  return (await db.selectFrom('console_identity').select('console_id').where('id', '=', 1).executeTakeFirstOrThrow()).console_id;
}

/** The last entry of the audit log, or null while it is empty. */
export async function auditHead(db: Kysely<Database>): Promise<{ seq: number; hash: string } | null> {
  return (await db.selectFrom('audit_log').select(['seq', 'hash']).orderBy('seq', 'desc').limit(1).executeTakeFirst()) ?? null;
}

/**
 * Keeps the audit log honest against the server. The hash chain alone shows
 * an edit only to someone who does not recompute it; the server's anchors
 * (heads this console stated at earlier syncs, kept with the server's clock)
 * cannot be recomputed here, so a rewritten or shortened history no longer
 * matches them.
 */
export class AuditAnchors {
  private latest: VerifyResult | null = null;
  /** The head of the chain as last verified whole, in memory only: a restart verifies everything again. */
  private verifiedTo: { seq: number; hash: string } | null = null;
  /** The newest anchor that matched at the last check, likewise. */
  private matchedTo: Anchor | null = null;
  private started = 0;
  private stored = 0;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly now: () => Date,
  ) {}

  /** The last verification that finished, as the banner shows it. */
  get last(): VerifyResult | null {
    return this.latest;
  }

  /** States the audit head to the server. A refusal is a SyncError with the server's reason (anchor.backwards / anchor.hashDiffers). */
  async anchor(client: SyncClient): Promise<void> {
    const head = await auditHead(this.db);
    if (!head) return;
    await client.anchor({ consoleId: await consoleId(this.db), seq: head.seq, hash: head.hash });
  }

  /**
   * Recomputes the local chain, then compares the local hash at every seq the
   * server holds an anchor for. `client` is null when no server is connected.
   */
  async verify(client: SyncClient | null, options: { full?: boolean } = {}): Promise<VerifyResult> {
    const run = ++this.started;
    try {
      return this.keep(run, await this.check(client, options));
    } catch (e) {
      // An old "ok" must not stay on screen when the check could not run.
      this.verifiedTo = null;
      this.keep(run, couldNotVerify(toErrorPayload(e), this.now()));
      throw e;
    }
  }

  /** A slow check started earlier must not overwrite a newer answer. */
  private keep(run: number, result: VerifyResult): VerifyResult {
    if (run > this.stored) {
      this.stored = run;
      this.latest = result;
    }
    return result;
  }

  private async check(client: SyncClient | null, options: { full?: boolean }): Promise<VerifyResult> {
    const id = await consoleId(this.db);
    // After a sync only the entries since the last check are hashed again; at start and on request, all of them.
    const chain = await verifyAuditChain(this.db, undefined, options.full === false ? this.verifiedTo : null);
    this.verifiedTo = chain.ok && chain.headHash ? { seq: chain.checked, hash: chain.headHash } : null;
    const incremental = options.full === false;
    if (!incremental) this.matchedTo = null;
    const anchor = client ? await this.compare(client, id, incremental ? this.matchedTo : null) : notChecked('notConnected', null);
    const tampered = !chain.ok || anchor.state === 'mismatch' || anchor.state === 'missing';
    const verdict = tampered ? 'tampered' : anchor.state === 'matched' ? 'ok' : 'unverified';
    return { ok: verdict === 'ok', verdict, chain, anchor, consoleId: id, verifiedAt: this.now().toISOString(), error: null };
  }

  /**
   * Compares the local hash at the server's anchors, from `from` on (all of them when null). The chain links
   * every entry to all before it, so a rewrite up to an anchor that matched before changes the hash there:
   * after a sync it is enough to check that anchor again and the ones since; a full check reads them all.
   */
  private async compare(client: SyncClient, id: string, from: Anchor | null): Promise<AnchorCheck> {
    let checked = 0;
    let lastMatched: Anchor | null = null;
    let after = from ? from.seq - 1 : 0;
    try {
      for (;;) {
        const page = await client.anchors(id, after);
        const local = new Map<number, string>();
        if (page.anchors.length > 0) {
          const rows = await this.db
            .selectFrom('audit_log')
            .select(['seq', 'hash'])
            .where(
              'seq',
              'in',
              page.anchors.map((a) => a.seq),
            )
            .execute();
          for (const r of rows) local.set(r.seq, r.hash);
        }
        for (const a of page.anchors) {
          const ours = local.get(a.seq);
          if (ours === undefined) return { state: 'missing', checked, seq: a.seq, anchoredAt: a.receivedAt, error: null };
          if (ours !== a.hash) return { state: 'mismatch', checked, seq: a.seq, anchoredAt: a.receivedAt, error: null };
          checked++;
          lastMatched = a;
        }
        if (page.next === null) break;
        after = page.next;
      }
    } catch (e) {
      if (e instanceof SyncError || (e instanceof Error && (e.name === 'AbortError' || e.name === 'TimeoutError'))) {
        return notChecked('unreachable', e instanceof SyncError ? toErrorPayload(e) : toErrorPayload(new SyncError('sync.offline', { detail: e.message })));
      }
      throw e;
    }
    if (!lastMatched) return notChecked('none', null);
    this.matchedTo = lastMatched;
    return { state: 'matched', checked, seq: lastMatched.seq, anchoredAt: lastMatched.receivedAt, error: null };
  }
}

/** Nothing was checked: neither the chain nor the anchors count as seen. */
function couldNotVerify(error: ErrorPayload, at: Date): VerifyResult {
  const chain = { ok: false, checked: 0, headHash: null, firstBadSeq: null, reason: null };
  return { ok: false, verdict: 'failed', chain, anchor: notChecked('none', null), consoleId: '', verifiedAt: at.toISOString(), error };
}

function notChecked(state: 'notConnected' | 'unreachable' | 'none', error: AnchorCheck['error']): AnchorCheck {
  return { state, checked: 0, seq: null, anchoredAt: null, error };
}
