import type { Kysely } from 'kysely';
import type { ErrorPayload } from '../../common/errors.js';
import type { Database } from '../db/schema.js';
import type { ServerStatus } from '../../sync/protocol.js';
import type { UserKeys } from '../secrets/user-keys.js';
import { hasConnectionToken } from './connection-token.js';
import type { SyncConnection } from './connection.js';
import { visibleOutbox, type OutboxViewer } from './outbox-scope.js';
import type { SyncRunning } from './sync-progress.js';
import { readSyncState } from './sync-state.js';
import { userToken } from './user-tokens.js';

export interface SyncStatus {
  configured: boolean;
  serverUrl: string | null;
  username: string | null;
  lastSeq: number;
  headSeq: number;
  lastAttemptAt: string | null;
  lastSuccessAt: string | null;
  lastError: ErrorPayload | null;
  chainStatus: 'unchecked' | 'ok' | 'mismatch';
  mismatchSeq: number | null;
  pendingOutbox: number;
  rejectedOutbox: number;
  /** The asking user's own server identity: whether their commands can go out, and why not when the last sign-in failed. */
  serverIdentity: { signedIn: boolean; error: ErrorPayload | null } | null;
  running: SyncRunning | null;
  /** Set while connected to a server whose record is the demo data set: every page says so. */
  demo: ServerStatus['demo'];
}

/** The sync state as `viewer` may see it: a clerk's pending and rejected counts are of their outbox only. */
export async function readSyncStatus(db: Kysely<Database>, keys: UserKeys, connection: SyncConnection, viewer?: OutboxViewer, running: SyncRunning | null = null, demo: ServerStatus['demo'] = null): Promise<SyncStatus> {
  const userId = viewer?.id;
  const s = await readSyncState(db);
  const counts = await db
    .selectFrom('outbox as o')
    .select(['o.state as state', (eb) => eb.fn.countAll<number>().as('n')])
    .where(visibleOutbox(viewer ?? { id: '', role: 'admin', districtCode: null }))
    .groupBy('o.state')
    .execute();
  const n = (state: string) => Number(counts.find((c) => c.state === state)?.n ?? 0);
  return {
    configured: !!s.server_url && (await hasConnectionToken(db)),
    serverUrl: s.server_url,
    username: s.username,
    lastSeq: s.last_seq,
    headSeq: Math.max(s.head_seq, s.last_seq),
    lastAttemptAt: s.last_attempt_at,
    lastSuccessAt: s.last_success_at,
    lastError: s.last_error ? (JSON.parse(s.last_error) as ErrorPayload) : null,
    chainStatus: s.chain_status,
    mismatchSeq: s.mismatch_seq,
    pendingOutbox: n('pending'),
    rejectedOutbox: n('rejected'),
    serverIdentity: userId ? { signedIn: (await userToken(db, keys, userId)) !== null, error: connection.signInError(userId) } : null,
    running,
    // A console disconnected from the demo server is no longer showing its record as current.
    demo: s.server_url && (await hasConnectionToken(db)) ? demo : null,
  };
}
