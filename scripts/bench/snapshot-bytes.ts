import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { performance } from 'node:perf_hooks';
import BetterSqlite3 from 'better-sqlite3';

/** One table or index of a snapshot file and the bytes its pages take. */
export interface ObjectBytes {
  name: string;
  bytes: number;
}

/**
 * Bytes per table and index of the snapshot the server serves to `token`'s
 * scope, largest first: the file is downloaded as a console would and read
 * with SQLite's own `dbstat` table (pages in use, per b-tree), so the figures
 * are the file's, not an estimate from row counts.
 */
export async function snapshotBytes(url: string, token: string): Promise<{ objects: ObjectBytes[]; rebuild: IndexRebuild }> {
  const dir = mkdtempSync(join(tmpdir(), 'ic-bench-snapshot-bytes-'));
  try {
    const res = await fetch(url + '/api/sync/snapshot', { headers: { authorization: `Bearer ${token}` } });
    if (!res.ok || !res.body) throw new Error(`snapshot: ${res.status}`);
    const file = join(dir, 'snapshot.sqlite');
    await pipeline(Readable.fromWeb(res.body as import('node:stream/web').ReadableStream<Uint8Array>), createWriteStream(file));
    const db = new BetterSqlite3(file);
    try {
      const objects = db.prepare('select name, sum(pgsize) as bytes from dbstat group by name order by bytes desc').all() as ObjectBytes[];
      return { objects, rebuild: rebuildIndexes(db, objects) };
    } finally {
      db.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The largest objects as one line: `name 12.3 MiB (41%)`, the rest summed. */
export function bytesLine(objects: ObjectBytes[], events: number, top = 8): string {
  const total = objects.reduce((s, o) => s + o.bytes, 0);
  const part = (name: string, bytes: number) => `${name} ${(bytes / 2 ** 20).toFixed(1)} MiB (${Math.round((bytes / total) * 100)}%, ${Math.round(bytes / events)} B/event)`;
  const shown = objects.slice(0, top).map((o) => part(o.name, o.bytes));
  const rest = objects.slice(top).reduce((s, o) => s + o.bytes, 0);
  if (rest > 0) shown.push(part(`${objects.length - top} others`, rest));
  return shown.join('; ');
}

/** The secondary indexes of the two bulk tables: their bytes in the file, and the time to build them again on it. */
export interface IndexRebuild {
  bytes: number;
  ms: number;
  count: number;
}

/**
 * Whether a snapshot should carry its secondary indexes or leave them to the
 * console to build after the install: drops each non-unique index of
 * ledger_events and lots on the downloaded copy and times building it again
 * (as bulk-indexes.ts would after an install), against the bytes it took.
 */
function rebuildIndexes(db: BetterSqlite3.Database, objects: ObjectBytes[]): IndexRebuild {
  const indexes = db
    .prepare("select name, sql from sqlite_master where type = 'index' and sql is not null and tbl_name in ('ledger_events', 'lots') and sql not like 'CREATE UNIQUE%'")
    .all() as { name: string; sql: string }[];
  const sizes = new Map(objects.map((o) => [o.name, o.bytes]));
  let ms = 0;
  for (const i of indexes) {
    db.exec(`drop index "${i.name}"`);
    const t = performance.now();
    db.exec(i.sql);
    ms += performance.now() - t;
  }
  return { bytes: indexes.reduce((n, i) => n + (sizes.get(i.name) ?? 0), 0), ms, count: indexes.length };
}
