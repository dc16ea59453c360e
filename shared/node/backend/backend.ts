import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UploadStore } from '../uploads/upload-store.js';
import { SessionStore, SignInThrottle, type SessionPolicy } from '../auth/sessions.js';
import { migrateToLatest, openDatabase, type LedgerDb } from '../db/open.js';
import { warmBuyerLists } from '../reports/buyer-lists.js';
import { JobRegistry } from '../jobs/job-registry.js';
import { makePrivateDir } from '../paths.js';
import { UserKeys } from '../secrets/user-keys.js';
import { KEY_FILE, loadOrCreateKeyFile, randomDataKey, vaultFromKey } from '../secrets/vault.js';
import { InProcessSimRunner, WorkerSimRunner } from '../simulation/sim-runner.js';
import { SyncService } from '../sync/sync-service.js';
import type { ApplyThreadSpec } from '../sync/apply-thread.js';
import { AuditService } from '../audit/audit-service.js';
import type { BackendDeps } from './deps.js';
import { afterMigrate, syncHooks } from './hooks.js';
import { createDispatcher, type DispatchOptions, type Invoke } from './dispatch.js';
import { handlers } from './handlers.js';

export const DATABASE_FILE = 'console.sqlite';

export interface BackendOptions extends DispatchOptions {
  /** Folder holding the SQLite ledger; ':memory:' for tests. */
  dataDir: string;
  now?: () => Date;
  sessionPolicy?: SessionPolicy;
  log?: BackendDeps['log'];
  /**
   * The vault's data key (base64), from Electron's main process, which keeps it
   * with safeStorage. Without it the key is a 0600 file beside the database
   * (the web host) or, for ':memory:', random.
   */
  dataKey?: string;
  /** The bundled simulation worker (dist/node/sim-worker.cjs); without it simulations run in the backend's own thread (tests). */
  simWorkerFile?: string;
  /**
   * The sync applier's own thread (dist/node/apply-worker.cjs, or applyWorkerFromSource() from the repository):
   * with it a file-backed ledger is synced a page a transaction on a second connection while this thread
   * answers reads; without it (and always for ':memory:') pages are applied here in slices.
   */
  applyThread?: ApplyThreadSpec;
}

export interface Backend {
  invoke: Invoke;
  deps: BackendDeps;
  ledger: LedgerDb;
  close(): Promise<void>;
}

/** Where uploads wait for their import: the data folder's `uploads/` (the web host streams into the same), a temp folder for ':memory:'. */
export function uploadDir(dataDir: string): string {
  return dataDir === ':memory:' ? mkdtempSync(join(tmpdir(), 'console-uploads-')) : join(dataDir, 'uploads');
}

/** Opens the ledger, brings its schema up to date and binds every handler. */
export async function createBackend(options: BackendOptions): Promise<Backend> {
  const file = options.dataDir === ':memory:' ? ':memory:' : join(options.dataDir, DATABASE_FILE);
  const vault = vaultFromKey(
    options.dataKey !== undefined
      ? Buffer.from(options.dataKey, 'base64')
      : options.dataDir === ':memory:'
        ? randomDataKey()
        : (makePrivateDir(options.dataDir), loadOrCreateKeyFile(join(options.dataDir, KEY_FILE))),
  );
  const ledger = openDatabase(file, { vault });
  await migrateToLatest(ledger.db);
  afterMigrate(ledger.sqlite);
  // A migration may have rewritten a secret: old page images must not stay behind in the WAL.
  if (file !== ':memory:') ledger.sqlite.pragma('wal_checkpoint(TRUNCATE)');
  const now = options.now ?? (() => new Date());
  const ms = () => now().getTime();
  const log = options.log ?? ((message: string, extra?: unknown) => console.error(`[backend] ${message}`, extra ?? ''));
  // Uploads a crash or restart left behind are removed: an import names an upload of this run only.
  const uploads = new UploadStore(uploadDir(options.dataDir));
  uploads.clearLeftovers();
  const hooks = syncHooks(ledger.db);
  const userKeys = new UserKeys(vault);
  const sessions = new SessionStore(ms, options.sessionPolicy);
  // A user's key lives as long as one of their sessions does.
  userKeys.bindLiveness((userId) => sessions.hasLive(userId));
  const sync = new SyncService(ledger.db, ledger.sqlite, now, userKeys, hooks, options.applyThread);
  const audit = new AuditService(ledger.db, now, sync.connection, log);
  audit.register(hooks);
  const deps: BackendDeps = {
    db: ledger.db,
    sqlite: ledger.sqlite,
    now,
    sessions,
    throttle: new SignInThrottle(ms),
    jobs: new JobRegistry(now, log),
    simulations: options.simWorkerFile ? warmed(new WorkerSimRunner(options.simWorkerFile)) : new InProcessSimRunner(),
    sync,
    audit,
    vault,
    userKeys,
    uploads,
    log,
  };
  // Verified at every start, not only on an administrator's click; the banner shows the outcome.
  void audit.verifyInBackground();
  // The first report with distinct buyers should not wait for the buyer lists to be read.
  void warmBuyerLists(ledger.db).catch((e: unknown) => log('reading the report buyer lists failed', e));
  return {
    invoke: createDispatcher(deps, handlers, options),
    deps,
    ledger,
    close: async () => {
      await sync.close();
      await ledger.close();
      // A ':memory:' backend's uploads folder was its own temp folder.
      if (options.dataDir === ':memory:') rmSync(uploads.dir, { recursive: true, force: true });
    },
  };
}

/** The simulation threads, started and warmed in the background so the first study does not wait for them. */
function warmed(runner: WorkerSimRunner): WorkerSimRunner {
  void runner.warmUp();
  return runner;
}
