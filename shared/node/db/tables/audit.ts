import type { Generated } from 'kysely';
import type { Instant } from './instant.js';

/** Append-only; each row's hash covers the previous row's hash. */
export interface AuditLogTable {
  seq: Generated<number>;
  at: Instant;
  actor_id: string | null;
  actor_name: string;
  action: string;
  entity_type: string;
  entity_id: string | null;
  /** JSON object. */
  details: string;
  prev_hash: string;
  hash: string;
}

/** This console's id for audit anchoring: one row, made once. */
export interface ConsoleIdentityTable {
  id: number;
  console_id: string;
  created_at: string;
}
