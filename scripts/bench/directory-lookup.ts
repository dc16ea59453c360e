/**
 * The counter's lookup by mobile number against a central server whose buyer
 * directory holds `count` buyers: a throw-away PostgreSQL cluster, the real
 * server app on loopback, the directory filled as the sale feed fills it
 * (keyed hashes and sealed copies of generated identities). Used by
 * counter-bench.ts; buyer n is `member-n` of district `districtOf(n)`, as in its ledger.
 */
import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
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

/**
 * The directory's rows for `count` buyers, from `cacheDir` when an earlier run left them there (with the key
 * they were sealed under), else made now and left there: hashing and sealing 700,000 identities is the slow part.
 */
async function directoryRows(count: number, districtOf: (n: number) => string, cacheDir: string | null, take: (batch: Insertable<BuyerDirectoryTable>[]) => Promise<void>): Promise<{ key: Buffer; cached: boolean }> {
  const rowsFile = cacheDir && join(cacheDir, `directory-${count}-seed${DIRECTORY_SEED}.ndjson`);
  const keyFile = rowsFile && `${rowsFile}.key`;
  if (rowsFile && keyFile && existsSync(keyFile)) {
    let batch: Insertable<BuyerDirectoryTable>[] = [];
    for await (const line of createInterface({ input: createReadStream(rowsFile) })) {
      const [buyer_id, district_code, phone_hash, name_birth_hash, phone_sealed, name_sealed, birth_sealed, recorded_at] = JSON.parse(line) as string[];
      batch.push({ buyer_id: buyer_id!, district_code: district_code!, phone_hash: phone_hash!, name_birth_hash: name_birth_hash!, phone_sealed: phone_sealed!, name_sealed: name_sealed!, birth_sealed: birth_sealed!, recorded_at: new Date(recorded_at!) });
      if (batch.length === 5_000) {
        await take(batch);
        batch = [];
      }
    }
    if (batch.length) await take(batch);
    return { key: Buffer.from(readFileSync(keyFile, 'utf8').trim(), 'hex'), cached: true };
  }
  const key = randomBytes(32);
  const keys = directoryKeys(key);
  const at = new Date();
  if (cacheDir) mkdirSync(cacheDir, { recursive: true });
  const out = rowsFile ? createWriteStream(`${rowsFile}.partial`) : null;
  for (let n = 0; n < count; ) {
    const batch: Insertable<BuyerDirectoryTable>[] = [];
    for (; batch.length < 5_000 && n < count; n++) batch.push(directoryRow(keys, `member-${n}`, districtOf(n), demoIdentity(DIRECTORY_SEED, n), at));
    await take(batch);
    if (out) {
      const text = batch.map((r) => JSON.stringify([r.buyer_id, r.district_code, r.phone_hash, r.name_birth_hash, r.phone_sealed, r.name_sealed, r.birth_sealed, at.toISOString()])).join('\n') + '\n';
      if (!out.write(text)) await new Promise<void>((r) => out.once('drain', () => r()));
    }
  }
  if (out && rowsFile && keyFile) {
    await new Promise<void>((resolve, reject) => out.end((e?: Error | null) => (e ? reject(e) : resolve())));
    renameSync(`${rowsFile}.partial`, rowsFile);
    // The key last: its presence says the rows beside it are complete.
    writeFileSync(keyFile, key.toString('hex'), { mode: 0o600 });
  }
  return { key, cached: false };
}

export async function directoryServer(count: number, districtOf: (n: number) => string, users: { username: string; password: string; role: 'admin' | 'clerk'; districtCode: string | null }[], cacheDir: string | null = null) {
  const pg = await startPostgres();
  const sdb = await connectServerDb({ url: await pg.createDatabase('counter_bench') });
  await migrateServer(sdb.db);
  for (const u of users) await createUser(sdb.db, { ...u, displayName: u.username });
  const t = performance.now();
  const { key, cached } = await directoryRows(count, districtOf, cacheDir, async (batch) => {
    await sdb.db.insertInto('buyer_directory').values(batch).execute();
  });
  await sql`analyze buyer_directory`.execute(sdb.db);
  const fillMs = performance.now() - t;
  const app = await buildServer({ db: sdb.db, directoryKey: key, log: () => {} });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const url = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
  return {
    url,
    fillMs,
    cached,
    async close() {
      await app.close();
      await sdb.close();
      await pg.stop();
    },
  };
}
