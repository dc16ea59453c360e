import { Migrator } from 'kysely';
import { afterEach, beforeEach, inject } from 'vitest';
import { connectServerDb, type ServerDb } from '../../server/db/connect.js';
import { serverMigrationProvider } from '../../server/db/migrations/index.js';
import { createDatabase } from './postgres.js';

/**
 * For a server migration's test: a fresh database of the run's PostgreSQL for each test, with the server's migrator
 * on it (nothing applied yet, so each test migrates to the step it checks) and the connection closed after it.
 */
export function useMigrationDb(): { readonly sdb: ServerDb; readonly migrator: Migrator } {
  const held = {} as { sdb: ServerDb; migrator: Migrator };
  beforeEach(async () => {
    held.sdb = await connectServerDb({ url: await createDatabase(inject('pgUrl')) });
    held.migrator = new Migrator({ db: held.sdb.db, provider: serverMigrationProvider });
  });
  afterEach(() => held.sdb.close());
  return held;
}
