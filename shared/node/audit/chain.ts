import { sql, type Kysely } from 'kysely';
import type { ChainCheck } from '../../api/schemas.js';
import type { Database } from '../db/schema.js';
import { auditHash, GENESIS_HASH } from '../kernel/audit-append.js';

/** Walks the whole log and recomputes every hash; reports the first row that does not match. */
export async function verifyAuditChain(db: Kysely<Database>, pageSize = 5_000, from: { seq: number; hash: string } | null = null): Promise<ChainCheck> {
  let prevHash = GENESIS_HASH;
  let expectedSeq = 1;
  let checked = 0;
  if (from) {
    // Continue from a point verified before, if it still stands: any rewrite up to there changed its hash.
    const at = await db.selectFrom('audit_log').select('hash').where('seq', '=', from.seq).executeTakeFirst();
    if (at?.hash === from.hash) {
      prevHash = from.hash;
      expectedSeq = from.seq + 1;
      checked = from.seq;
    }
  }
  for (;;) {
    const rows = await db
      .selectFrom('audit_log')
      .selectAll()
      .where('seq', '>=', expectedSeq)
      .orderBy('seq')
      .limit(pageSize)
      .execute();
    if (rows.length === 0) break;
    for (const row of rows) {
      const bad = (reason: string): ChainCheck => ({ ok: false, checked, headHash: null, firstBadSeq: row.seq, reason });
      if (row.seq !== expectedSeq) return { ...bad('missing entry'), firstBadSeq: expectedSeq };
      if (row.prev_hash !== prevHash) return bad('previous hash does not match');
      let details: Record<string, unknown>;
      try {
        details = JSON.parse(row.details) as Record<string, unknown>;
      } catch {
        return bad('details are not JSON');
      }
      const hash = auditHash(prevHash, row.seq, {
        at: row.at,
        actorId: row.actor_id,
        actorName: row.actor_name,
        action: row.action,
        entityType: row.entity_type,
        entityId: row.entity_id,
        details,
      });
      if (hash !== row.hash) return bad('content does not match its hash');
      prevHash = row.hash;
      expectedSeq = row.seq + 1;
      checked++;
    }
  }
  // A chain stays internally consistent when rows are cut from its end;
  // AUTOINCREMENT remembers the highest sequence ever handed out.
  const top = await sql<{ seq: number }>`select seq from sqlite_sequence where name = 'audit_log'`.execute(db);
  const highest = top.rows[0]?.seq ?? 0;
  if (highest > checked) {
    return { ok: false, checked, headHash: null, firstBadSeq: checked + 1, reason: 'entries missing from the end' };
  }
  return { ok: true, checked, headHash: checked > 0 ? prevHash : null, firstBadSeq: null, reason: null };
}
