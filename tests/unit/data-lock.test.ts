import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DataFolderLocked, lockDataFolder, LOCK_FILE } from '../../server/db/data-lock.js';

const base = mkdtempSync(join(tmpdir(), 'ic-lock-'));
afterAll(() => rmSync(base, { recursive: true, force: true }));

describe('the server data-folder lock', () => {
  it('creates the folder 0700 and tightens an existing one', () => {
    const fresh = join(base, 'fresh');
    lockDataFolder(fresh).release();
    expect(statSync(fresh).mode & 0o777).toBe(0o700);
    const loose = join(base, 'loose');
    mkdirSync(loose);
    chmodSync(loose, 0o755);
    lockDataFolder(loose).release();
    expect(statSync(loose).mode & 0o777).toBe(0o700);
  });

  it('refuses a shared temporary folder (sticky bit, as /tmp) and leaves its mode alone', () => {
    const shared = join(base, 'shared-tmp');
    mkdirSync(shared);
    chmodSync(shared, 0o1777);
    expect(() => lockDataFolder(shared)).toThrow(/임시 폴더/);
    expect(statSync(shared).mode & 0o7777).toBe(0o1777);
    // A folder inside it is the way out.
    lockDataFolder(join(shared, 'server')).release();
    expect(statSync(shared).mode & 0o7777).toBe(0o1777);
  });

  it('refuses while a live process holds it, and frees it on release', () => {
    const dir = join(base, 'held');
    const lock = lockDataFolder(dir);
    expect(JSON.parse(readFileSync(join(dir, LOCK_FILE), 'utf8'))).toMatchObject({ pid: process.pid });
    expect(() => lockDataFolder(dir)).toThrow(DataFolderLocked);
    lock.release();
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
    lockDataFolder(dir).release();
  });

  it('takes over a lock whose process is gone, but not one held on another host', () => {
    const dir = join(base, 'stale');
    mkdirSync(dir, { mode: 0o700 });
    const gone = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout;
    writeFileSync(join(dir, LOCK_FILE), JSON.stringify({ pid: Number(gone), host: hostname(), since: '2026-01-01T00:00:00.000Z' }));
    const lock = lockDataFolder(dir);
    expect(JSON.parse(readFileSync(join(dir, LOCK_FILE), 'utf8'))).toMatchObject({ pid: process.pid });
    lock.release();
    writeFileSync(join(dir, LOCK_FILE), JSON.stringify({ pid: Number(gone), host: 'another-host', since: '2026-01-01T00:00:00.000Z' }));
    expect(() => lockDataFolder(dir)).toThrow(/in use by another server process \(pid \d+ on another-host/);
  });
});
