import type { Selectable } from 'kysely';
import type { AuditEntry } from '../../api/schemas.js';
import type { AuditLogTable } from '../db/schema.js';

/** An audit_log row as the contract shows it (the audit tab, a round's history). */
export function toAuditEntry(a: Selectable<AuditLogTable>): AuditEntry {
  return {
    seq: a.seq,
    at: a.at,
    actorId: a.actor_id,
    actorName: a.actor_name,
    action: a.action,
    entityType: a.entity_type,
    entityId: a.entity_id,
    details: JSON.parse(a.details) as Record<string, unknown>,
    hash: a.hash,
  };
}
