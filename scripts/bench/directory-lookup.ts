/**
 * The counter's lookup by mobile number against a central server whose buyer
 * directory holds `count` buyers: a throw-away PostgreSQL cluster, the real
 * server app on loopback, the directory filled as the sale feed fills it
 * (keyed hashes and sealed copies of generated identities). Used by
 * counter-bench.ts; buyer n is `member-n` of district `districtOf(n)`, as in its ledger.
 */
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { sql, type Insertable } from 'kysely';
import { buildServer } from '../../server/app.js';
import { createUser } from '../../server/auth/server-auth.js';
import { connectServerDb, migrateServer } from '../../server/db/connect.js';
import type { BuyerDirectoryTable } from '../../server/db/schema.js';
import { directoryRow } from '../../server/directory/directory-rows.js';
import { demoIdentity } from '../../server/directory/korean-names.js';
import { directoryKeys } from '../../server/directory/protect.js';
import { startPostgres } from '../../tests/support/postgres.js';

export const DIRECTORY_SEED = 18;

export async function directoryServer(count: number, districtOf: (n: number) => string, users: { username: string; password: string; role: 'admin' | 'clerk'; districtCode: string | null }[]) {
  const pg = await startPostgres();
  const sdb = await connectServerDb({ url: await pg.createDatabase('counter_bench') });
  await migrateServer(sdb.db);
  for (const u of users) await createUser(sdb.db, { ...u, displayName: u.username });
  const key = randomBytes(32);
  const keys = directoryKeys(key);
  const t = performance.now();
  const at = new Date();
  for (let n = 0; n < count; ) {
    const batch: Insertable<BuyerDirectoryTable>[] = [];
    for (; batch.length < 5_000 && n < count; n++) batch.push(directoryRow(keys, `member-${n}`, districtOf(n), demoIdentity(DIRECTORY_SEED, n), at));
    await sdb.db.insertInto('buyer_directory').values(batch).execute();
  }
  await sql`analyze buyer_directory`.execute(sdb.db);
  const fillMs = performance.now() - t;
  const app = await buildServer({ db: sdb.db, directoryKey: key, log: () => {} });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const url = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
  return {
    url,
    fillMs,
    async close() {
      await app.close();
      await sdb.close();
      await pg.stop();
    },
  };
}
