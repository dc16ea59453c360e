import canonicalize from 'canonicalize';
import { createHash } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../db/schema.js';

export const GENESIS_HASH = '0'.repeat(64);

export interface AuditInput {
  at: string;
  actorId: string | null;
  actorName: string;
  action: string;
  entityType: string;
  entityId: string | null;
  details: Record<string, unknown>;
}

/**
 * SHA-256 over the previous hash and the canonical (RFC 8785) JSON of the
 * entry, including its sequence number so rows cannot be reordered.
 */
export function auditHash(prevHash: string, seq: number, entry: AuditInput): string {
  const body = canonicalize({
    seq,
    at: entry.at,
    actorId: entry.actorId,
    actorName: entry.actorName,
    action: entry.action,
    entityType: entry.entityType,
    entityId: entry.entityId,
    details: entry.details,
  });
  return createHash('sha256').update(prevHash).update('\n').update(body!).digest('hex');
}

/**
 * Appends one entry. Must run inside the transaction that makes the change it
 * records, so the log and the data can never disagree.
 */
export async function appendAudit(trx: Transaction<Database>, entry: AuditInput): Promise<{ seq: number; hash: string }> {
  const last = await trx.selectFrom('audit_log').select(['seq', 'hash']).orderBy('seq', 'desc').limit(1).executeTakeFirst();
  const seq = (last?.seq ?? 0) + 1;
  const prevHash = last?.hash ?? GENESIS_HASH;
  const hash = auditHash(prevHash, seq, entry);
  await trx
    .insertInto('audit_log')
    .values({
      seq,
      at: entry.at,
      actor_id: entry.actorId,
      actor_name: entry.actorName,
      action: entry.action,
      entity_type: entry.entityType,
      entity_id: entry.entityId,
      details: JSON.stringify(entry.details),
      prev_hash: prevHash,
      hash,
    })
    .execute();
  return { seq, hash };
}


/** Appends one entry in a transaction of its own, for events that change nothing else (a sign-in, a server answer). */
export async function recordAudit(db: Kysely<Database>, entry: AuditInput): Promise<void> {
  await db.transaction().execute((trx) => appendAudit(trx, entry));
}

/** An entry for what a person did, in their name (the console's session user, an administrator, whoever asked for a repair). */
export function auditBy(actor: { id: string; displayName: string }, at: string, what: Pick<AuditInput, 'action' | 'entityType' | 'entityId' | 'details'>): AuditInput {
  return { at, actorId: actor.id, actorName: actor.displayName, ...what };
}
