import type { RoundStatus } from '../../../rounds/lifecycle.js';
import type { Instant } from './instant.js';

export interface RoundsTable {
  id: string;
  status: RoundStatus;
  current_version: number;
  approved_version: number | null;
  created_at: Instant;
  created_by: string;
  updated_at: Instant;
}

/** Immutable: a version row is never updated except to record its approval. */
export interface RoundVersionsTable {
  round_id: string;
  version: number;
  /** RoundSpec as JSON. */
  spec: string;
  /** JSON array of the top-level fields changed from the previous version. */
  changed: string;
  author_id: string;
  created_at: Instant;
  approved_by: string | null;
  approved_at: Instant | null;
}

export interface RoundSalesTable {
  round_id: string;
  sold_face: number;
  lot_count: number;
}

export interface RoundPublicationsTable {
  seq: number;
  event_id: string;
  round_id: string;
  version: number;
  published_by: string;
  payload: string;
  hash: string;
}

/** A server lifecycle event (scheduled, on sale, closed, settled), verbatim as chained. */
export interface RoundStatusesTable {
  seq: number;
  event_id: string;
  round_id: string;
  status: string;
  version: number;
  by: string;
  payload: string;
  hash: string;
}
