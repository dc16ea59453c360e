/** `npm run server`: the central server. */
import { argValue } from '../shared/node/paths.js';
import { buildServer } from './app.js';
import { createUser } from './auth/server-auth.js';
import { adminFromArgs } from './cli/admin.js';
import { feedRunningServer, parseFeedArg } from './cli/feed-client.js';
import { connectServerDb, migrateServer } from './db/connect.js';
import { attachSaleService } from './sale/sale-service.js';
import { loadSnapshotKey } from './log/snapshot-key.js';
import { loadDirectoryKey } from './directory/directory-key.js';
import { directoryKeys } from './directory/protect.js';
import { buildDemo } from './demo/build-demo.js';
import { resolve } from 'node:path';
import { closeServer } from './http/close.js';

/** Printed for --help: the same text a server host reads, whether it runs from the repository or from dist/server/main.cjs. */
const USAGE = `Issuance central server. PostgreSQL from DATABASE_URL, or an embedded PGlite
database in --data-dir (default ./.server-data, created 0700 and locked to this
process) so it runs on a machine with no database server.

  --port 8787          port (default 8787)
  --host 127.0.0.1     address to listen on; use 0.0.0.0 to serve the district offices
  --admin USER         create this administrator if the server has no users yet;
                       password from ISSUANCE_ADMIN_PASSWORD or asked on the terminal
  --feed ROUND:N       play N purchases into a published round of the RUNNING server
                       at --url (default http://127.0.0.1:8787), then exit; signs in
                       with ISSUANCE_SERVER_USER / ISSUANCE_SERVER_PASSWORD or asks
  --sale               also serve the sale (buyer page at /sale): the gate on Redis,
                       purchases copied into the log; a private redis-server is
                       started unless --redis URL is given
  --redis URL          the Redis every sale process shares (redis://host:port)
  --redis-cluster      --redis names one node of a Redis Cluster (ioredis finds the rest)
  --buckets N          stock buckets per round (default 1; on a cluster a few per primary);
                       every sale process of one sale must be given the same N
  --payment-tps N      payment stand-in: approvals per second (default 10000)
  --payment-latency MS payment stand-in: latency per approval (default 0)
  --payment-failure P  payment stand-in: share of approvals that fail, 0–1 (default 0)
                       SALE_SECRET (hex): ticket key shared by all sale processes
  --demo               fill a FRESH server with the demo data set first (a year of
                       real rounds, sales, uses, refunds; demo accounts printed
                       once) and mark it as demo data; refuses a server with data
  --scale S            demo size: small (default, about a minute), full (~1M
                       events) or a share of the real stock, e.g. 0.05
  --demo-out DIR       where the demo's settlement files go (default ./demo-settlement)
  --help               this text

The buyer directory's key comes from ISSUANCE_DIRECTORY_KEY (32 bytes, base64)
or from directory.key in --data-dir, made on first start; back it up apart
from the database: without it no name or number can be read or found.
`;

async function feed(argv: string[], value: string): Promise<void> {
  const { roundId, purchases } = parseFeedArg(value);
  const url = argValue(argv, 'url') ?? `http://127.0.0.1:${argValue(argv, 'port') ?? process.env.PORT ?? 8787}`;
  const started = Date.now();
  console.log(`Feeding ${purchases.toLocaleString('en-US')} purchases into round ${roundId} on ${url}…`);
  const r = await feedRunningServer({ url, roundId, purchases });
  console.log(`Played ${r.purchases.toLocaleString('en-US')} purchases and ${r.uses.toLocaleString('en-US')} uses in ${((Date.now() - started) / 1000).toFixed(1)} s; head ${r.head.seq}`);
}

async function fillDemo(db: Parameters<typeof buildDemo>[0], argv: string[], dataDir: string): Promise<void> {
  const scale = argValue(argv, 'scale') ?? 'small';
  const out = resolve(argValue(argv, 'demo-out') ?? 'demo-settlement');
  const started = Date.now();
  console.log(`Filling the demo data set (scale ${scale}); this is done once, on a fresh server…`);
  const { manifest, accounts, sampleBuyer } = await buildDemo(db, { scale, directory: directoryKeys(loadDirectoryKey(dataDir)), settlementDir: out, log: (l) => console.log(l) });
  const sum = (k: 'purchases' | 'uses' | 'cancels' | 'refunds') => manifest.rounds.reduce((a, r) => a + r[k], 0).toLocaleString('en-US');
  console.log(
    `Demo data: ${manifest.rounds.length} rounds, ${sum('purchases')} purchases, ${sum('uses')} uses, ${sum('cancels')} cancellations, ${sum('refunds')} refunds, ` +
      `${manifest.buyers.toLocaleString('en-US')} buyers in the directory, ${manifest.events.toLocaleString('en-US')} events in ${((Date.now() - started) / 1000).toFixed(0)} s`,
  );
  console.log(`Settlement files (${manifest.settlement.length}) in ${out}`);
  console.log('Demo accounts — the passwords are shown only now; note them:');
  for (const a of accounts) console.log(`  ${a.role.padEnd(8)} ${a.username.padEnd(15)} ${a.password}   ${a.displayName}`);
  if (sampleBuyer) {
    const p = sampleBuyer.phone;
    console.log(`A Mapo buyer to find at demo-clerk's counter (generated, not a person): ${sampleBuyer.name}, born ${sampleBuyer.birthDate}, ${p.slice(0, 3)}-${p.slice(3, 7)}-${p.slice(7)} (lot ${sampleBuyer.lotId}, refundable)`);
  }
}

/** A numeric option within [min, max], or nothing if absent; anything else stops the start with the option named. */
function numberArg<K extends string>(argv: string[], name: string, key: K, min: number, max: number): Partial<Record<K, number>> {
  const raw = argValue(argv, name);
  if (raw === undefined) return {};
  const n = Number(raw);
  if (!Number.isFinite(n) || n < min || n > max) throw new Error(`--${name} must be a number from ${min} to ${max}, not '${raw}'`);
  return { [key]: n } as Partial<Record<K, number>>;
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(USAGE);
    return;
  }
  // The feed talks to the running server; opening its folder from a second process would corrupt it.
  const feedArg = argValue(argv, 'feed');
  if (feedArg) {
    return feed(argv, feedArg).catch((e: unknown) => {
      console.error(`Feed failed: ${e instanceof Error ? e.message : String(e)}`);
      process.exit(1);
    });
  }

  const url = process.env.DATABASE_URL || undefined;
  const dataDir = argValue(argv, 'data-dir') ?? '.server-data';
  const adminArg = argValue(argv, 'admin') ?? process.env.ISSUANCE_SERVER_ADMIN;
  // Before the database opens: a refused --admin must not leave a half-started server.
  const admin = adminArg ? await adminFromArgs(adminArg) : null;

  const sdb = await connectServerDb({ url, dataDir });
  await migrateServer(sdb.db);
  const where = sdb.kind === 'postgres' ? 'PostgreSQL (DATABASE_URL)' : `embedded PGlite in ${dataDir}`;

  if (argv.includes('--demo')) await fillDemo(sdb.db, argv, dataDir);

  if (admin) {
    const count = await sdb.db.selectFrom('users').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    if (Number(count.n) === 0) {
      await createUser(sdb.db, { ...admin, displayName: admin.username, role: 'admin', districtCode: null });
      console.log(`Created administrator ${admin.username}`);
    }
  }

  const port = Number(argValue(argv, 'port') ?? process.env.PORT ?? 8787);
  const host = argValue(argv, 'host') ?? '127.0.0.1';
  const app = await buildServer({ db: sdb.db, directoryKey: loadDirectoryKey(dataDir), snapshotKey: loadSnapshotKey(dataDir) });
  const sale = argv.includes('--sale')
    ? await attachSaleService(app, {
        db: sdb.db,
        redisUrl: argValue(argv, 'redis'),
        redisCluster: argv.includes('--redis-cluster'),
        ...numberArg(argv, 'buckets', 'buckets', 1, 256),
        secretHex: process.env.SALE_SECRET,
        payment: {
          ...numberArg(argv, 'payment-tps', 'tps', 1, 1_000_000),
          ...numberArg(argv, 'payment-latency', 'latencyMs', 0, 60_000),
          ...numberArg(argv, 'payment-failure', 'failureRate', 0, 1),
        },
      })
    : null;
  await app.listen({ port, host });
  const bound = app.server.address() as { port: number };
  console.log(`Issuance central server on ${where}`);
  console.log(`Listening at http://${host}:${bound.port}`);
  if (sale) console.log(`Sale service on Redis ${sale.redisUrl}; buyer page at http://${host}:${bound.port}/sale`);
  const stop = async () => {
    await closeServer(app);
    await sale?.close();
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
