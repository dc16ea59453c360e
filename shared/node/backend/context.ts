import type BetterSqlite3 from 'better-sqlite3';
import type { Kysely } from 'kysely';
import type { Method, Output, ParsedInput } from '../../api/contract.js';
import type { Database } from '../db/schema.js';
import type { SessionStore, SessionUser, SignInThrottle } from '../auth/sessions.js';
import type { JobRegistry } from '../jobs/job-registry.js';
import type { Vault } from '../secrets/vault.js';
import type { SimRunner } from '../simulation/sim-runner.js';
import type { SyncService } from '../sync/sync-service.js';
import type { UploadStore } from '../uploads/upload-store.js';

/** What every handler can reach: the database, the clock and the session stores. */
export interface BackendDeps {
  db: Kysely<Database>;
  /** The same connection, for bulk reads that would cost an object per row through Kysely (reconciliation's ledger index). */
  sqlite: BetterSqlite3.Database;
  now: () => Date;
  sessions: SessionStore;
  throttle: SignInThrottle;
  jobs: JobRegistry;
  /** Runs simulations: worker threads in the app, the calling thread in tests. */
  simulations: SimRunner;
  sync: SyncService;
  /** Seals secrets kept at rest (server tokens): seal before writing, open after reading. */
  vault: Vault;
  /** Files uploaded for an import (the data folder's uploads/), read by upload id. */
  uploads: UploadStore;
  log: (message: string, extra?: unknown) => void;
}

export interface CallContext {
  deps: BackendDeps;
  /** Null only for public procedures called without a session. */
  user: SessionUser | null;
  sessionToken: string | undefined;
}

export type Handler<M extends Method> = (input: ParsedInput<M>, ctx: CallContext) => Promise<Output<M>>;

/** The handlers of every method whose name starts with `prefix.`. */
export type HandlersFor<Prefix extends string> = {
  [M in Method as M extends `${Prefix}.${string}` ? M : never]: Handler<M>;
};

export type HandlerMap = { [M in Method]: Handler<M> };

export function requireUser(ctx: CallContext): SessionUser {
  if (!ctx.user) throw new Error('handler reached without a user; the dispatcher checks access first');
  return ctx.user;
}
