import BetterSqlite3 from 'better-sqlite3';
import { CompiledQuery, Kysely, Migrator, SqliteAdapter, SqliteDialect, SqliteDriver, type DatabaseConnection, type DialectAdapter, type Driver, type MigrationResultSet } from 'kysely';
import { closeSync, fsyncSync, openSync, renameSync } from 'node:fs';
import { dirname } from 'node:path';
import { makePrivateDir, makePrivateFile } from '../paths.js';
import type { Vault } from '../secrets/vault.js';
import { migrationProvider } from './migrations/index.js';
import type { Database } from './schema.js';
import { bindBlobFunctions } from './sql-functions.js';
import { CURRENT } from './connection-of.js';

/**
 * SQLite runs DDL inside transactions, but Kysely's adapter says it cannot,
 * so its migrator would leave a half-applied migration after a crash. Saying
 * so lets the migrator apply pending migrations and their records atomically.
 */
class TransactionalDdlSqliteAdapter extends SqliteAdapter {
  override get supportsTransactionalDdl(): boolean {
    return true;
  }
}

/**
 * Transactions take the write lock when they begin (BEGIN IMMEDIATE). The sync
 * applier writes on a connection of its own in its own thread (apply-thread.ts):
 * a deferred transaction here that read, then wanted to write after one of its
 * pages committed, failed at once with SQLITE_BUSY (its snapshot was stale,
 * which no busy wait can mend); one that asks for the lock first waits for the
 * page's commit instead, and then reads what it wrote.
 *
 * That wait is on the event loop, not in SQLite's busy handler: the handler
 * blocked this thread (every read of the UI with it) for the whole of its
 * busy_timeout and then failed the write with SQLITE_BUSY, while the thread
 * holds its lock for longer than that at the end of a large catch-up (the
 * indexes it set aside, 17 s at 1M events). A waiting write still goes in
 * between two pages (apply-thread.test).
 */
class ImmediateSqliteDriver extends SqliteDriver {
  constructor(
    settings: ConstructorParameters<typeof SqliteDriver>[0],
    private readonly handle: BetterSqlite3.Database,
  ) {
    super(settings);
  }

  /** A statement outside a transaction (a write in autocommit, or the transaction's BEGIN) waits for the lock as the BEGIN does. */
  override async acquireConnection(): Promise<DatabaseConnection> {
    const connection = await super.acquireConnection();
    const handle = this.handle;
    return {
      // A read takes no write lock (WAL): it goes straight on, without the pragmas around each try.
      executeQuery: (query) =>
        handle.inTransaction || READ.test(query.sql) ? connection.executeQuery(query) : waitingForLock(handle, () => connection.executeQuery(query)),
      streamQuery: (query, chunkSize) => connection.streamQuery(query, chunkSize),
    };
  }

  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }
}

const READ = /^\s*select\b/i;

/**
 * Runs `statement` (one, outside a transaction: refused whole when the lock is
 * taken) without SQLite's busy handler, whose wait would block this thread,
 * and tries again on the event loop until the lock is free or WRITE_WAIT_MS.
 */
async function waitingForLock<T>(handle: BetterSqlite3.Database, statement: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + WRITE_WAIT_MS;
  for (;;) {
    const busy = handle.pragma('busy_timeout', { simple: true }) as number;
    handle.pragma('busy_timeout = 0');
    try {
      return await statement();
    } catch (e) {
      if (!String((e as { code?: string }).code).startsWith('SQLITE_BUSY') || Date.now() >= deadline) throw e;
    } finally {
      handle.pragma(`busy_timeout = ${busy}`);
    }
    await new Promise((resolve) => setTimeout(resolve, WRITE_POLL_MS));
  }
}

/** How long a transaction or a write waits for another connection's write lock (the applier's thread, longest at the end of a large catch-up). */
const WRITE_WAIT_MS = 120_000;
const WRITE_POLL_MS = 10;

class ConsoleSqliteDialect extends SqliteDialect {
  constructor(private readonly settings: ConstructorParameters<typeof SqliteDialect>[0]) {
    super(settings);
  }

  override createAdapter(): DialectAdapter {
    return new TransactionalDdlSqliteAdapter();
  }

  override createDriver(): Driver {
    return new ImmediateSqliteDriver(this.settings, this.settings.database as BetterSqlite3.Database);
  }
}

export interface LedgerDb {
  db: Kysely<Database>;
  sqlite: BetterSqlite3.Database;
  close(): Promise<void>;
}

/** SQLite's companions of a database file; created with the database file's mode. */
const COMPANIONS = ['-wal', '-shm', '-journal'];

/**
 * Opens (creating if needed) the console's SQLite file, private to the user.
 * `:memory:` for tests. The vault is bound as the SQL function vault_seal, so
 * a migration can seal a secret column in place.
 */
export function openDatabase(file: string, options: { vault?: Vault } = {}): LedgerDb {
  if (file !== ':memory:') {
    makePrivateDir(dirname(file));
    // Made 0600 before SQLite creates it: SQLite gives its -wal and -shm files the same mode.
    closeSync(openSync(file, 'a', 0o600));
    for (const f of [file, ...COMPANIONS.map((c) => file + c)]) makePrivateFile(f);
  }
  let current = connect(file, options.vault);
  // A file-backed ledger is reached through a handle whose connection can be replaced with one on a new file
  // (replaceLedgerFile: a first sync's snapshot becomes the ledger by rename); in memory there is no file to replace.
  const sqlite =
    file === ':memory:'
      ? current
      : new Proxy(current, {
          get(_target, prop) {
            if (prop === CURRENT) return current;
            const value: unknown = Reflect.get(current, prop, current);
            return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(current) : value;
          },
          set: (_target, prop, value) => Reflect.set(current, prop, value, current),
        });
  if (sqlite !== current) {
    replacers.set(sqlite, (newFile) => {
      current.pragma('wal_checkpoint(TRUNCATE)');
      try {
        // Leaves no -wal or -shm of the old file for the new one to be read with.
        current.pragma('journal_mode = DELETE');
      } catch (e) {
        // Another connection has the file open: it would go on reading the old one, so no rename.
        if ((e as { code?: string }).code === 'SQLITE_BUSY') return false;
        throw e;
      }
      let renamed = false;
      try {
        // Until the close no other connection may open the file (a second console on the same folder): it would take
        // the old file back to WAL, and its -wal, named by the path, would be read into the new file after the rename.
        current.pragma('locking_mode = EXCLUSIVE');
        current.exec('begin exclusive; commit');
        syncFile(newFile);
        current.close();
        // The one step that switches: a kill before it leaves the old file, after it the new one, whole.
        renameSync(newFile, file);
        renamed = true;
      } catch (e) {
        // Refused by the system (Windows: a scanner or another program holding the ledger, EPERM/EBUSY): nothing switched.
        const code = (e as { code?: string }).code;
        if (code === 'EPERM' || code === 'EBUSY' || code === 'EACCES') return false;
        throw e;
      } finally {
        // Not renamed: the handle goes on with the old file, in WAL again, never on a closed connection.
        if (!renamed) {
          if (current.open) {
            current.pragma('locking_mode = NORMAL');
            current.pragma('journal_mode = WAL');
          } else current = connect(file, options.vault);
        }
      }
      syncDir(dirname(file));
      // Private to the user whatever mode the new file was made with.
      makePrivateFile(file);
      current = connect(file, options.vault);
      for (const c of COMPANIONS) makePrivateFile(file + c);
      return true;
    });
  }
  if (file !== ':memory:') for (const c of COMPANIONS) makePrivateFile(file + c);
  const db = new Kysely<Database>({ dialect: new ConsoleSqliteDialect({ database: sqlite }) });
  return {
    db,
    sqlite,
    close: async () => {
      await db.destroy();
      // Kysely closes the connection only if it ever ran a query: one used through `sqlite` alone stayed open.
      if (sqlite.open) sqlite.close();
    },
  };
}

/** A connection to the ledger file with the console's functions and settings. */
function connect(file: string, vault: Vault | undefined): BetterSqlite3.Database {
  const sqlite = new BetterSqlite3(file);
  sqlite.function('vault_seal', { deterministic: false }, (value: unknown) => {
    if (value === null) return null;
    if (!vault) throw new Error('vault_seal: no vault given to openDatabase');
    return vault.seal(String(value));
  });
  sqlite.function('vault_open', { deterministic: false }, (value: unknown) => {
    if (value === null) return null;
    if (!vault) throw new Error('vault_open: no vault given to openDatabase');
    return vault.open(String(value));
  });
  bindBlobFunctions(sqlite);
  // WAL lets the grid read while a sync or import writes.
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  // A sync commits a slice every ~80 ms, each rewriting the same hot leaves (the indexes' newest pages, the
  // summaries' cells, pay_keys); the default checkpoint every 1,000 pages copied each of them back to the file
  // after nearly every commit. Every 10,000 pages (40 MB of WAL) a leaf goes back once for many commits:
  // a steady sync writes 31 % fewer bytes and spends 11 % less CPU (apply-bench A/B, issue 21).
  sqlite.pragma('wal_autocheckpoint = 10000');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  return sqlite;
}

const replacers = new WeakMap<object, (file: string) => boolean>();

/**
 * Makes `newFile` (a complete database in rollback-journal mode: a verified
 * snapshot with the console's own tables carried in) the ledger of the handle
 * `sqlite` without copying a page: its connection is closed, `newFile`
 * (synced to disk first) is renamed over the ledger, and the handle goes on
 * through a new connection on it, with the same functions and settings. A
 * kill -9 at any point leaves the old file or the new one; a stop before the
 * rename also leaves `newFile`, which the caller discards. False (nothing
 * done) when the handle cannot: a ledger in memory, a plain connection,
 * another connection holding the file, or a rename the system refused. Statements prepared before are of the
 * closed connection: their holders prepare them again (connectionOf).
 */
export function replaceLedgerFile(sqlite: BetterSqlite3.Database, newFile: string): boolean {
  return replacers.get(sqlite)?.(newFile) ?? false;
}

function syncFile(file: string): void {
  const fd = openSync(file, 'r+');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** The rename itself made durable; a platform that cannot open a folder (Windows) orders it by itself. */
function syncDir(dir: string): void {
  let fd: number;
  try {
    fd = openSync(dir, 'r');
  } catch {
    return;
  }
  try {
    fsyncSync(fd);
  } catch {
    // Some file systems refuse fsync on a folder; the rename is then as durable as they make it.
  } finally {
    closeSync(fd);
  }
}

export function createMigrator(db: Kysely<any>): Migrator {
  return new Migrator({ db, provider: migrationProvider });
}

function check(result: MigrationResultSet): void {
  if (result.error) {
    const failed = result.results?.find((r) => r.status === 'Error');
    const cause = result.error instanceof Error ? result.error.message : String(result.error);
    throw new Error(`database migration ${failed?.migrationName ?? ''} failed: ${cause}`);
  }
}

export async function migrateToLatest(db: Kysely<any>): Promise<void> {
  check(await createMigrator(db).migrateToLatest());
}

export async function migrateTo(db: Kysely<any>, name: string): Promise<void> {
  check(await createMigrator(db).migrateTo(name));
}
