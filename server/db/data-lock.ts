import { linkSync, readFileSync, renameSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { makePrivateDir } from '../../shared/node/paths.js';

/** The lock file inside the data folder; PGlite ignores files it does not know. */
export const LOCK_FILE = 'server.lock';

export class DataFolderLocked extends Error {
  constructor(
    readonly dataDir: string,
    readonly holder: { pid: number; host: string; since: string },
  ) {
    super(
      `the data folder ${dataDir} is in use by another server process (pid ${holder.pid} on ${holder.host}, since ${holder.since}). ` +
        'Two processes on one PGlite folder corrupt it, so this one stops without touching it. ' +
        'Stop the other server first, or talk to it: feed it with `npm run server -- --feed ROUND:N --url http://HOST:PORT`.',
    );
  }
}

export interface DataFolderLock {
  release(): void;
}

interface Holder {
  pid: number;
  host: string;
  since: string;
}

function readHolder(path: string): Holder | null {
  try {
    const h = JSON.parse(readFileSync(path, 'utf8')) as Partial<Holder>;
    return typeof h.pid === 'number' && typeof h.host === 'string' ? { pid: h.pid, host: h.host, since: String(h.since ?? '?') } : null;
  } catch {
    return null;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: the process exists but belongs to someone else.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Creates the data folder (0700: it holds every buyer's data and the account
 * hashes) and takes it for this process. The lock names the holding process;
 * a lock whose process is gone on this host (a crash, kill -9) is stale and
 * taken over, so a restart after a crash needs no manual cleanup. A pid lock
 * rather than a heartbeat: PGlite runs queries on the main thread and a long
 * one would starve a heartbeat timer.
 */
export function lockDataFolder(dataDir: string): DataFolderLock {
  const dir = resolve(dataDir);
  makePrivateDir(dir);
  const path = join(dir, LOCK_FILE);
  const mine: Holder = { pid: process.pid, host: hostname(), since: new Date().toISOString() };
  const draft = join(dir, `${LOCK_FILE}.${process.pid}`);
  writeFileSync(draft, JSON.stringify(mine), { mode: 0o600 });
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        // link() is atomic and fails if the lock exists: exactly one process wins.
        linkSync(draft, path);
        break;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 3) throw e;
      }
      const holder = readHolder(path);
      if (holder && (holder.host !== mine.host || alive(holder.pid))) throw new DataFolderLocked(dir, holder);
      // Stale (or unreadable half-written) lock: move it aside atomically, so of two
      // processes clearing it at once only one succeeds, then try again.
      try {
        renameSync(path, join(dir, `${LOCK_FILE}.stale.${process.pid}`));
        rmSync(join(dir, `${LOCK_FILE}.stale.${process.pid}`), { force: true });
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      }
    }
  } finally {
    rmSync(draft, { force: true });
  }
  let held = true;
  return {
    release() {
      if (!held) return;
      held = false;
      const holder = readHolder(path);
      if (holder?.pid === process.pid && holder.host === mine.host) unlinkSync(path);
    },
  };
}
