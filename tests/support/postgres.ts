import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { freePort } from '../../server/net/free-port.js';

/** Debian's PostgreSQL binaries (`apt-get install postgresql`), newest version first, or PG_BIN. */
function binDir(): string {
  if (process.env.PG_BIN) return process.env.PG_BIN;
  const root = '/usr/lib/postgresql';
  if (existsSync(root)) {
    const versions = readdirSync(root).filter((v) => existsSync(join(root, v, 'bin', 'postgres'))).sort((a, b) => Number(b) - Number(a));
    if (versions[0]) return join(root, versions[0], 'bin');
  }
  throw new Error('PostgreSQL not found: install Debian package postgresql (as .ci/run does) or set PG_BIN');
}


/** PostgreSQL refuses to run as root; as root, run its programs as the `postgres` system user. */
function asDbUser(cmd: string, args: string[]): [string, string[]] {
  return process.getuid?.() === 0 ? ['runuser', ['-u', 'postgres', '--', cmd, ...args]] : [cmd, args];
}

export interface TestPostgres {
  /** Admin connection URL to the `postgres` database. */
  url: string;
  port: number;
  createDatabase(name: string): Promise<string>;
  /** Stops the cluster but keeps its data, as an outage would; `resume()` starts it again on the same port. */
  halt(): Promise<void>;
  resume(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * A fresh database in the cluster behind `adminUrl` (a URL to its `postgres` database), or a copy of the database
 * `template` (no one may be connected to it); returns its URL.
 */
export async function createDatabase(adminUrl: string, name = `t_${randomUUID().replace(/-/g, '').slice(0, 16)}`, template?: string): Promise<string> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(`create database "${name}"${template ? ` template "${template}"` : ''}`);
  } finally {
    await client.end();
  }
  return adminUrl.replace(/\/postgres$/, `/${name}`);
}

/**
 * A throw-away PostgreSQL cluster in a temp folder on a free loopback port,
 * tuned for tests (no fsync). Stopped and deleted by `stop()`. With `keep`
 * (a bench's cache folder), the cluster lives there: made on the first start,
 * started again as it was on the next, and only stopped by `stop()`.
 */
export async function startPostgres(options: { keep?: string } = {}): Promise<TestPostgres> {
  const bin = binDir();
  const dir = options.keep ?? mkdtempSync(join(tmpdir(), 'ic-pg-'));
  mkdirSync(dir, { recursive: true });
  chmodSync(dir, 0o777);
  const data = join(dir, 'data');
  if (!existsSync(join(data, 'PG_VERSION'))) {
    const [initCmd, initArgs] = asDbUser(join(bin, 'initdb'), ['-D', data, '-U', 'test', '--auth=trust', '--no-sync', '-E', 'UTF8', '--locale=C']);
    const init = spawnSync(initCmd, initArgs, { encoding: 'utf8' });
    if (init.status !== 0) throw new Error(`initdb failed: ${init.stderr || init.stdout}`);
  }
  const port = await freePort();
  const url = `postgres://test@127.0.0.1:${port}/postgres`;
  let child: ChildProcess;
  /** Starts the postmaster on the cluster's folder and port, and waits until it answers. */
  const launch = async () => {
    const [pgCmd, pgArgs] = asDbUser(join(bin, 'postgres'), [
      '-D', data, '-p', String(port), '-k', dir, '-c', 'listen_addresses=127.0.0.1',
      '-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off', '-c', 'max_connections=200',
    ]);
    const started: ChildProcess = spawn(pgCmd, pgArgs, { stdio: ['ignore', 'ignore', 'pipe'] });
    child = started;
    let stderr = '';
    started.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
    for (let i = 0; ; i++) {
      const client = new pg.Client({ connectionString: url });
      try {
        await client.connect();
        await client.end();
        break;
      } catch {
        await client.end().catch(() => {});
        if (i > 100 || started.exitCode !== null) throw new Error(`postgres did not start: ${stderr}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  };
  /** Stops the postmaster (its data stays), as an outage or a restart would. */
  const halt = async (mode: 'fast' | 'immediate') => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    // runuser does not pass SIGINT on, so ask the server itself to stop.
    const [ctlCmd, ctlArgs] = asDbUser(join(bin, 'pg_ctl'), ['stop', '-D', data, '-m', mode, '-w', '-t', '20']);
    spawnSync(ctlCmd, ctlArgs, { stdio: 'ignore' });
    const killer = setTimeout(() => child.kill('SIGKILL'), 25_000);
    await exited;
    clearTimeout(killer);
  };
  await launch();
  return {
    url,
    port,
    createDatabase: (name) => createDatabase(url, name),
    halt: () => halt('fast'),
    resume: launch,
    async stop() {
      if (options.keep) return halt('fast');
      // Immediate: the data is thrown away.
      await halt('immediate');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** One query on its own connection: a test reading the server's database behind its back. */
export async function queryDb<T>(url: string, text: string, params: unknown[] = []): Promise<T[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query(text, params)).rows as T[];
  } finally {
    await c.end();
  }
}
