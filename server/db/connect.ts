import { Kysely, Migrator, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { ServerDatabase } from './schema.js';
import { serverMigrationProvider } from './migrations/index.js';

// bigint columns arrive as strings by default; our values are below 2^53, so read them as numbers.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));

export interface ServerDb {
  db: Kysely<ServerDatabase>;
  kind: 'postgres' | 'pglite';
  close(): Promise<void>;
}

/**
 * PostgreSQL at `url` when given; otherwise an embedded PGlite in `dataDir`,
 * so `npm run server` works on a machine without a database server.
 */
export async function connectServerDb(options: { url?: string | undefined; dataDir?: string | undefined }): Promise<ServerDb> {
  if (options.url) {
    const pool = new pg.Pool({ connectionString: options.url, max: 8 });
    const db = new Kysely<ServerDatabase>({ dialect: new PostgresDialect({ pool }) });
    return { db, kind: 'postgres', close: () => db.destroy() };
  }
  const { PGlite } = await import('@electric-sql/pglite');
  const { PGliteDialect } = await import('kysely-pglite-dialect');
  // int8 as a number, as with node-postgres above.
  const lite = new PGlite(options.dataDir ?? 'memory://', { parsers: { 20: (v: string) => Number(v) } });
  const db = new Kysely<ServerDatabase>({ dialect: new PGliteDialect(lite) });
  return { db, kind: 'pglite', close: () => db.destroy() };
}

export async function migrateServer(db: Kysely<ServerDatabase>): Promise<void> {
  const result = await new Migrator({ db, provider: serverMigrationProvider }).migrateToLatest();
  if (result.error) throw new Error(`server migration failed: ${result.error instanceof Error ? result.error.message : String(result.error)}`);
}
