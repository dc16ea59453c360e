import BetterSqlite3 from 'better-sqlite3';
import { Kysely, Migrator, SqliteAdapter, SqliteDialect, type DialectAdapter, type MigrationResultSet } from 'kysely';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { migrationProvider } from './migrations/index.js';
import type { Database } from './schema.js';

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

class ConsoleSqliteDialect extends SqliteDialect {
  override createAdapter(): DialectAdapter {
    return new TransactionalDdlSqliteAdapter();
  }
}

export interface LedgerDb {
  db: Kysely<Database>;
  sqlite: BetterSqlite3.Database;
  close(): Promise<void>;
}

/** Opens (creating if needed) the console's SQLite file. `:memory:` for tests. */
export function openDatabase(file: string): LedgerDb {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const sqlite = new BetterSqlite3(file);
  // WAL lets the grid read while a sync or import writes.
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  const db = new Kysely<Database>({ dialect: new ConsoleSqliteDialect({ database: sqlite }) });
  return {
    db,
    sqlite,
    close: async () => {
      await db.destroy();
    },
  };
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
