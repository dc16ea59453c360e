/**
 * `npm run server`: the central server. PostgreSQL from DATABASE_URL, or an
 * embedded PGlite database in --data-dir (default ./.server-data) so it runs
 * on a machine with no database server.
 *
 *   --port 8787          port (default 8787)
 *   --host 127.0.0.1     address to listen on; use 0.0.0.0 to serve the district offices
 *   --admin user:pass    create this administrator if the server has no users yet
 *   --feed ROUND:N       play N purchases into a published round, then exit
 */
import { translate } from '../shared/i18n/index.js';
import { MIN_PASSWORD_LENGTH, passwordProblem } from '../shared/node/auth/password-policy.js';
import { argValue } from '../shared/node/paths.js';
import { buildServer } from './app.js';
import { createUser } from './auth/server-auth.js';
import { connectServerDb, migrateServer } from './db/connect.js';
import { playSale } from './feed/sale-feed.js';

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const url = process.env.DATABASE_URL || undefined;
  const dataDir = argValue(argv, 'data-dir') ?? '.server-data';
  const sdb = await connectServerDb({ url, dataDir });
  await migrateServer(sdb.db);
  const where = sdb.kind === 'postgres' ? 'PostgreSQL (DATABASE_URL)' : `embedded PGlite in ${dataDir}`;

  const admin = argValue(argv, 'admin') ?? process.env.ISSUANCE_SERVER_ADMIN;
  if (admin) {
    const [username, password] = [admin.slice(0, admin.indexOf(':')), admin.slice(admin.indexOf(':') + 1)];
    const count = await sdb.db.selectFrom('users').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    if (Number(count.n) === 0) {
      if (!/^[a-z0-9._-]{3,32}$/.test(username) || password.length < 10) throw new Error('--admin needs user:password with a 3–32 character username and a password of 10 characters or more');
      const weak = passwordProblem(password, username);
      if (weak) throw new Error(`--admin: ${translate('en', weak, { min: MIN_PASSWORD_LENGTH })}`);
      await createUser(sdb.db, { username, displayName: username, password, role: 'admin', districtCode: null });
      console.log(`Created administrator ${username}`);
    }
  }

  const feed = argValue(argv, 'feed');
  if (feed) {
    const [roundId, n] = [feed.slice(0, feed.lastIndexOf(':')), Number(feed.slice(feed.lastIndexOf(':') + 1))];
    const started = Date.now();
    const r = await playSale(sdb.db, { roundId, purchases: n, seed: 1, usesShare: 0.3, fullLimitShare: 0.8, recordedBy: 'feed:cli' }, (done) => process.stdout.write(`\r${done.toLocaleString('en-US')} purchases`));
    console.log(`\nPlayed ${r.purchases.toLocaleString('en-US')} purchases and ${r.uses.toLocaleString('en-US')} uses in ${((Date.now() - started) / 1000).toFixed(1)} s; head ${r.head.seq}`);
    await sdb.close();
    return;
  }

  const port = Number(argValue(argv, 'port') ?? process.env.PORT ?? 8787);
  const host = argValue(argv, 'host') ?? '127.0.0.1';
  const app = await buildServer({ db: sdb.db });
  await app.listen({ port, host });
  const bound = app.server.address() as { port: number };
  console.log(`Issuance central server on ${where}`);
  console.log(`Listening at http://${host}:${bound.port}`);
  const stop = async () => {
    await app.close();
    await sdb.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
}

main().catch((e: unknown) => {
  console.error(`Issuance central server could not start: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
