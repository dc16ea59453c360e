import { join } from 'node:path';
import { SessionStore, SignInThrottle, type SessionPolicy } from '../auth/sessions.js';
import { migrateToLatest, openDatabase, type LedgerDb } from '../db/open.js';
import { JobRegistry } from '../jobs/job-registry.js';
import { InProcessSimRunner, WorkerSimRunner } from '../simulation/sim-runner.js';
import { SyncService } from '../sync/sync-service.js';
import type { BackendDeps } from './context.js';
import { createDispatcher, type DispatchOptions, type Invoke } from './dispatch.js';
import { handlers } from './handlers.js';

export const DATABASE_FILE = 'console.sqlite';

export interface BackendOptions extends DispatchOptions {
  /** Folder holding the SQLite ledger; ':memory:' for tests. */
  dataDir: string;
  now?: () => Date;
  sessionPolicy?: SessionPolicy;
  log?: BackendDeps['log'];
  /** The bundled simulation worker (dist/node/sim-worker.cjs); without it simulations run in the backend's own thread (tests). */
  simWorkerFile?: string;
}

export interface Backend {
  invoke: Invoke;
  deps: BackendDeps;
  ledger: LedgerDb;
  close(): Promise<void>;
}

/** Opens the ledger, brings its schema up to date and binds every handler. */
export async function createBackend(options: BackendOptions): Promise<Backend> {
  const file = options.dataDir === ':memory:' ? ':memory:' : join(options.dataDir, DATABASE_FILE);
  const ledger = openDatabase(file);
  await migrateToLatest(ledger.db);
  const now = options.now ?? (() => new Date());
  const ms = () => now().getTime();
  const log = options.log ?? ((message: string, extra?: unknown) => console.error(`[backend] ${message}`, extra ?? ''));
  const deps: BackendDeps = {
    db: ledger.db,
    now,
    sessions: new SessionStore(ms, options.sessionPolicy),
    throttle: new SignInThrottle(ms),
    jobs: new JobRegistry(now, log),
    simulations: options.simWorkerFile ? new WorkerSimRunner(options.simWorkerFile) : new InProcessSimRunner(),
    sync: new SyncService(ledger.db, ledger.sqlite, now),
    log,
  };
  // Verified at every start, not only on an administrator's click; the banner shows the outcome.
  void deps.sync.verifyAudit().catch((e: unknown) => log('audit verification failed', e));
  return {
    invoke: createDispatcher(deps, handlers, options),
    deps,
    ledger,
    close: () => ledger.close(),
  };
}
