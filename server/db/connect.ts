import { Kysely, Migrator, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { ServerDatabase } from './schema.js';
import { lockDataFolder } from './data-lock.js';
import { serverMigrationProvider } from './migrations/index.js';
import { ReopeningPGliteDialect } from './pglite-dialect.js';

// bigint columns arrive as strings by default; our values are below 2^53, so read them as numbers.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));

export interface ServerDb {
  db: Kysely<ServerDatabase>;
  kind: 'postgres' | 'pglite';
  close(): Promise<void>;
}

export interface ConnectOptions {
  url?: string | undefined;
  dataDir?: string | undefined;
  /** Where connection losses are reported; they are not fatal. */
  log?: (message: string, extra?: unknown) => void;
}

/**
 * PostgreSQL at `url` when given; otherwise an embedded PGlite in `dataDir`,
 * so `npm run server` works on a machine without a database server.
 *
 * Losing the database is a passing state, not a reason to exit: a dropped
 * connection (pg_terminate_backend, a restart, a full disk) is reported and
 * dropped from the pool, requests meanwhile fail fast with a connection error
 * the app answers with 503, and the pool connects again once the database is back.
 */
export async function connectServerDb(options: ConnectOptions): Promise<ServerDb> {
  const log = options.log ?? ((m: string, e?: unknown) => console.error(`[server] ${m}`, e instanceof Error ? e.message : (e ?? '')));
  if (options.url) {
    const pool = new pg.Pool({ connectionString: options.url, max: 8, connectionTimeoutMillis: 5_000 });
    // An idle client's socket error is emitted on the pool; unhandled, it would end the process.
    pool.on('error', (e) => log('database connection lost (it will reconnect)', e));
    // A checked-out client between two queries has no pool listener; its loss is reported by the query that then fails.
    pool.on('connect', (client) => client.on('error', () => {}));
    const db = new Kysely<ServerDatabase>({ dialect: new PostgresDialect({ pool }) });
    return { db, kind: 'postgres', close: () => db.destroy() };
  }
  const { PGlite } = await import('@electric-sql/pglite');
  const dataDir = options.dataDir;
  const lock = dataDir && !dataDir.startsWith('memory://') ? lockDataFolder(dataDir) : null;
  try {
    const open = async () => {
      // int8 as a number, as with node-postgres above.
      const lite = new PGlite(dataDir ?? 'memory://', { parsers: { 20: (v: string) => Number(v) } });
      await lite.waitReady;
      return lite;
    };
    const db = new Kysely<ServerDatabase>({ dialect: new ReopeningPGliteDialect(open, log) });
    return {
      db,
      kind: 'pglite',
      close: async () => {
        try {
          await db.destroy();
        } finally {
          lock?.release();
        }
      },
    };
  } catch (e) {
    lock?.release();
    throw e;
  }
}

export async function migrateServer(db: Kysely<ServerDatabase>): Promise<void> {
  const result = await new Migrator({ db, provider: serverMigrationProvider }).migrateToLatest();
  if (result.error) throw new Error(`server migration failed: ${result.error instanceof Error ? result.error.message : String(result.error)}`);
}
