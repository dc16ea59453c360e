import type { Migration, MigrationProvider } from 'kysely';
import * as m0001 from './0001_log.js';
import * as m0002 from './0002_rounds_identity.js';

/** Listed statically, as the console's are. */
export const SERVER_MIGRATIONS: Record<string, Migration> = {
  '0001_log': m0001,
  '0002_rounds_identity': m0002,
};

export const serverMigrationProvider: MigrationProvider = { getMigrations: async () => SERVER_MIGRATIONS };
