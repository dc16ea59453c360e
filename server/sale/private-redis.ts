import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../net/free-port.js';

/** Debian's redis-server (`apt-get install redis-server`, as .ci/run does), or REDIS_SERVER. */
const REDIS_BIN = process.env.REDIS_SERVER ?? '/usr/bin/redis-server';

export interface PrivateRedis {
  url: string;
  port: number;
  dir: string;
  /** kill -9 and start again on the same folder and port: what a power cut and restart look like to the AOF. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}


/**
 * A redis-server of our own in a temp folder on a free loopback port, for
 * `npm run server -- --sale` without `--redis URL` and for tests.
 *
 * Persistence: AOF with `appendfsync everysec`. Redis is the gate, not the
 * record: every purchase it accepts is also in the round's stream, which the
 * ledger writer copies into PostgreSQL within about a second. `always` would
 * fsync on every purchase and cap the gate at the disk's flush rate (a few
 * hundred per second on ordinary disks, below the 2,000/s goal); with
 * `everysec` a power cut loses at most the last second of acknowledged
 * purchases that the writer had not yet copied, and those buyers' payments
 * are in the provider's settlement file, which reconciliation matches
 * against the log. A process crash (not power) loses nothing: the AOF is in
 * the page cache.
 */
export async function startPrivateRedis(options: { dir?: string; port?: number; extraArgs?: string[] } = {}): Promise<PrivateRedis> {
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'ic-redis-'));
  const port = options.port ?? (await freePort());
  let child: ChildProcess | undefined;
  const launch = async () => {
    const started = spawn(
      REDIS_BIN,
      ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--appendonly', 'yes', '--appendfsync', 'everysec', '--save', '', '--protected-mode', 'yes', '--daemonize', 'no', ...(options.extraArgs ?? [])],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    await new Promise<void>((resolve, reject) => {
      const onData = (b: Buffer) => {
        out += b.toString();
        if (out.includes('Ready to accept connections')) resolve();
      };
      started.stdout!.on('data', onData);
      started.stderr!.on('data', onData);
      started.once('exit', (code) => reject(new Error(`redis-server exited (${code}): ${out.slice(-500)}`)));
      started.once('error', (e) => reject(new Error(`redis-server could not start (${REDIS_BIN}): ${e.message}; install Debian package redis-server`)));
    });
    started.stdout!.resume();
    started.stderr!.resume();
    child = started;
  };
  const kill = async (signal: NodeJS.Signals) => {
    const c = child;
    if (!c || c.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      c.once('exit', () => resolve());
      c.kill(signal);
    });
  };
  await launch();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    dir,
    restart: async () => {
      await kill('SIGKILL');
      await launch();
    },
    stop: async () => {
      await kill('SIGTERM');
      if (!options.dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}
