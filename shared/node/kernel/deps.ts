import type BetterSqlite3 from 'better-sqlite3';
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import type { JobRegistry } from '../jobs/job-registry.js';
import type { UserKeys } from '../secrets/user-keys.js';
import type { Vault } from '../secrets/vault.js';
import type { UploadStore } from '../uploads/upload-store.js';
import type { SimRunner } from './sim-runner.js';

/**
 * What every handler can reach. A capability that needs a service another
 * capability owns (the sync service, the session stores) says so in its own
 * deps type, structurally, so the kernel never imports a capability.
 */
export interface KernelDeps {
  db: Kysely<Database>;
  /** The same connection, for bulk reads that would cost an object per row through Kysely (reconciliation's ledger index). */
  sqlite: BetterSqlite3.Database;
  now: () => Date;
  jobs: JobRegistry;
  /** Runs simulations: worker threads in the app, the calling thread in tests. */
  simulations: SimRunner;
  /** Seals secrets kept at rest (server tokens): seal before writing, open after reading. */
  vault: Vault;
  /** Keys from signed-in users' passwords, which their server tokens are sealed under (in memory only). */
  userKeys: UserKeys;
  /** Files uploaded for an import (the data folder's uploads/), read by upload id. */
  uploads: UploadStore;
  log: (message: string, extra?: unknown) => void;
}
