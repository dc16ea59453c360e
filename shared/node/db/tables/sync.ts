/** A console user's own server identity: their commands go out with this token. Read and written only through sync/user-tokens.ts. */
export interface ServerTokensTable {
  user_id: string;
  token: string;
  /** JSON of the server's user (id, username, role, district). */
  server_user: string;
  obtained_at: string;
}

export interface SyncRepairTable {
  id: number;
}

export interface SyncStateTable {
  id: number;
  server_url: string | null;
  username: string | null;
  /** Retired by 0021 (always null): the connection token lives in `connection_wraps`. */
  token: string | null;
  /** JSON of the server's answer to sign-in: who this console acts as. */
  server_user: string | null;
  last_seq: number;
  last_hash: string;
  head_seq: number;
  last_attempt_at: string | null;
  last_success_at: string | null;
  /** JSON ErrorPayload of the last failure, cleared by the next success. */
  last_error: string | null;
  chain_status: 'unchecked' | 'ok' | 'mismatch';
  mismatch_seq: number | null;
  /** The server's snapshot signing key (SPKI PEM) this console trusts, pinned at the first snapshot (0040); null before. */
  snapshot_key: string | null;
}

export interface OutboxTable {
  command_id: string;
  type: string;
  /** The command as sent (JSON). */
  payload: string;
  round_id: string | null;
  lot_id: string | null;
  created_at: string;
  created_by: string;
  state: 'pending' | 'accepted' | 'rejected';
  attempts: number;
  next_attempt_at: string;
  last_error: string | null;
  reason_key: string | null;
  reason_params: string | null;
  server_seq: number | null;
  resolved_at: string | null;
}

/** An index dropped for a large catch-up, with the statement that recreates it (0020). */
export interface DeferredIndexesTable {
  name: string;
  sql: string;
}

/** The connection account's token, sealed for one console user under their password-derived key (0021). Only through sync/connection-token.ts. */
export interface ConnectionWrapsTable {
  user_id: string;
  token: string;
}
