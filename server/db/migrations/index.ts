import type { Migration, MigrationProvider } from 'kysely';
import * as m0001 from './0001_log.js';
import * as m0005 from './0005_sign_in_throttle.js';

/** Listed statically, as the console's are. */
export const SERVER_MIGRATIONS: Record<string, Migration> = {
  '0001_log': m0001,
  '0005_sign_in_throttle': m0005,
};

export const serverMigrationProvider: MigrationProvider = { getMigrations: async () => SERVER_MIGRATIONS };
