import { createHash, createPublicKey, verify, type Hash, type KeyObject } from 'node:crypto';
import { closeSync, createReadStream, existsSync, fsync, openSync, readFileSync, renameSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import BetterSqlite3 from 'better-sqlite3';
import { readScope } from '../../common/read-scope.js';
import type { Role } from '../../common/roles.js';
import { manifestText, scopeKey, snapshotManifestSchema, SNAPSHOT_KEY_HEADER, SNAPSHOT_MANIFEST_HEADER, SNAPSHOT_SIGNATURE_HEADER, type SnapshotManifest } from '../../sync/snapshot-wire.js';
import { LATEST_MIGRATION } from '../db/migrations/index.js';
import type { JobContext } from '../jobs/job-registry.js';
import { SyncApplier, type ChainPoint } from './apply.js';
import type { SyncClient } from './client.js';
import { carryOwnTables, installSnapshotFile } from './snapshot-install.js';
import { copySnapshotTables, ledgerIsEmpty } from './snapshot-tables.js';
import { SyncError } from './sync-error.js';

/** Where a download goes beside the ledger, and the manifest it belongs to (so a stopped download resumes against the same file). */
export const partFiles = (ledgerFile: string) => ({ part: `${ledgerFile}.part`, manifest: `${ledgerFile}.part.json`, swap: `${ledgerFile}.swap` });

/** Removes a download and its manifest: a refused or finished snapshot leaves nothing behind. */
export function dropPart(ledgerFile: string): void {
  const f = partFiles(ledgerFile);
  for (const p of [f.part, f.manifest, f.swap]) for (const c of ['', '-journal', '-wal', '-shm']) rmSync(p + c, { force: true });
}

/** A public key's bytes (SPKI DER, base64): two PEM texts of one key compare equal. */
const keyId = (key: KeyObject) => key.export({ type: 'spki', format: 'der' }).toString('base64');

/**
 * The manifest from the reply's headers, its signature checked against the
 * key sent with it, and that key against the one this console pinned: the
 * first snapshot from a server pins its key (`pinned` null), any later one
 * must be signed by the same key.
 */
function signedManifest(res: Response, pinned: string | null): { manifest: SnapshotManifest; keyPem: string } {
  const header = (name: string) => res.headers.get(name) ?? '';
  let manifest: SnapshotManifest;
  try {
    manifest = snapshotManifestSchema.parse(JSON.parse(Buffer.from(header(SNAPSHOT_MANIFEST_HEADER), 'base64').toString('utf8')));
  } catch (e) {
    throw new SyncError('syncSnapshot.badManifest', { detail: e instanceof Error ? e.message.slice(0, 200) : String(e) });
  }
  let ok = false;
  let key: KeyObject | undefined;
  try {
    key = createPublicKey(Buffer.from(header(SNAPSHOT_KEY_HEADER), 'base64').toString('utf8'));
    ok = verify(null, Buffer.from(manifestText(manifest)), key, Buffer.from(header(SNAPSHOT_SIGNATURE_HEADER), 'base64'));
  } catch {
    ok = false;
  }
  if (!ok || !key) throw new SyncError('syncSnapshot.badSignature');
  if (pinned !== null && keyId(createPublicKey(pinned)) !== keyId(key)) throw new SyncError('syncSnapshot.otherKey');
  return { manifest, keyPem: key.export({ type: 'spki', format: 'pem' }).toString() };
}

/** The installed snapshot's cursor, and the server's head as it stood while the file was checked. */
export interface InstalledSnapshot extends ChainPoint {
  serverHeadSeq: number;
}

export interface SnapshotDeps {
  /** The ledger's own connection; the snapshot is attached to it and copied in one transaction. */
  sqlite: BetterSqlite3.Database;
  /** Runs `fn` holding the ledger's connection, so no other query interleaves with the install. */
  exclusive<T>(fn: () => T | Promise<T>): Promise<T>;
  /** The ledger's file (the download goes beside it). */
  ledgerFile: string;
  /** The server account this console syncs as: its read scope is the snapshot's. */
  serverUser: { role: Role; districtCode: string | null };
}

/**
 * First sync from the server's snapshot (the ledger holds no synced state):
 * downloads it with progress to `<ledger>.part` (resuming a stopped download
 * of the same file), checks the signed manifest, the file's size and SHA-256,
 * the chain inside the file and its head against the server's chain, then
 * carries the console's own tables into it and makes it the ledger by rename
 * (snapshot-install.ts; a ledger in memory, in tests, gets the tables copied
 * row by row instead). A ledger renamed reads through a new connection: what
 * was prepared on the old one must be prepared again (the caller's applier). Any failure removes the
 * download and keeps nothing. Null when there is nothing to do (a ledger with
 * data, no snapshot ready, a snapshot of another schema): the pull replays.
 */
export async function syncFromSnapshot(deps: SnapshotDeps, client: SyncClient, ctx: JobContext): Promise<InstalledSnapshot | null> {
  if (!(await deps.exclusive(() => ledgerIsEmpty(deps.sqlite)))) return null;
  const files = partFiles(deps.ledgerFile);
  // A swap file left by a stop during the carry is half-prepared: never resumed, never installed.
  for (const c of ['', '-journal']) rmSync(files.swap + c, { force: true });
  const stored = existsSync(files.part) && existsSync(files.manifest) ? (JSON.parse(readFileSync(files.manifest, 'utf8')) as SnapshotManifest) : null;
  const have = stored ? statSync(files.part).size : 0;
  // A part as long as its file (stopped between download and install) is fetched again: there is no range left to ask for.
  const resumeFrom = stored && have < stored.bytes ? have : 0;
  const etag = resumeFrom > 0 ? `"${stored!.sha256}"` : '';
  const res = await client.snapshot(resumeFrom > 0 ? { from: resumeFrom, etag } : undefined);
  if (!res) return null;
  let manifest: SnapshotManifest;
  try {
    const pinned = deps.sqlite.prepare('select snapshot_key from sync_state where id = 1').pluck().get() as string | null;
    let keyPem: string;
    ({ manifest, keyPem } = signedManifest(res, pinned));
    const mine = scopeKey(readScope(deps.serverUser));
    if (manifest.scope !== mine) throw new SyncError('syncSnapshot.otherScope', { scope: manifest.scope, mine });
    // First contact with this server's snapshots: its key is the one trusted from now on (carried through the swap).
    if (pinned === null) deps.sqlite.prepare('update sync_state set snapshot_key = ? where id = 1').run(keyPem);
  } catch (e) {
    await res.body?.cancel();
    dropPart(deps.ledgerFile);
    throw e;
  }
  if (manifest.schema !== LATEST_MIGRATION) {
    await res.body?.cancel();
    return null;
  }
  const appending = res.status === 206;
  if (!appending) writeFileSync(files.manifest, manifestText(manifest), { mode: 0o600 });
  // The file is hashed as it arrives (one pass over its bytes, no second read for the check); a resumed download first hashes the part it kept.
  const hash = createHash('sha256');
  if (appending) await hashInto(hash, files.part, resumeFrom);
  let received = appending ? resumeFrom : 0;
  // The body's chunks go straight to the hash and the file: no stream adapters (Readable.fromWeb, a Transform, a
  // write stream each queueing every chunk), whose bookkeeping cost more CPU than the hash itself at loopback speed;
  // each write reaches the part before the next chunk is read, so a stop keeps a part that ends on a whole chunk.
  // A cancelled or dropped download keeps its part, and the next sync asks for the rest (Range) of the same file.
  const fd = openSync(files.part, appending ? 'a' : 'w', 0o600);
  let shown = -1;
  try {
    for await (const chunk of (res.body ?? []) as AsyncIterable<Uint8Array>) {
      ctx.signal.throwIfAborted();
      hash.update(chunk);
      for (let off = 0; off < chunk.length; ) off += writeSync(fd, chunk, off);
      received += chunk.length;
      // Progress at each whole per mille, not each chunk.
      const share = Math.floor(1000 * Math.min(1, received / manifest.bytes));
      if (share !== shown) ctx.progress(0.02 + (0.6 * share) / 1000, 'syncSnapshot.phaseDownload');
      shown = share;
    }
  } finally {
    closeSync(fd);
  }
  // While the chain is walked (CPU), the file goes to disk (I/O) and the server is asked for its chain at the
  // snapshot's head: the rename that installs it must not name a file whose pages are not yet written, and
  // syncing 1.4 GB when the walk is done would add its seconds to the first sync's.
  let flushed: Promise<void> | undefined;
  let serverHead: Promise<ChainPoint> | undefined;
  // The server's head, asked meanwhile too: when it is the snapshot's, the pull after the install has nothing to
  // fetch, and the caller skips it (and the applier thread's start, most of a second at 1M in bench:sync).
  let serverTip: Promise<ChainPoint> | undefined;
  try {
    ctx.progress(0.63, 'syncSnapshot.phaseVerify');
    const got = { sha256: hash.digest('hex'), bytes: received };
    if (got.bytes !== manifest.bytes) throw new SyncError('syncSnapshot.sizeMismatch', { got: got.bytes, expected: manifest.bytes });
    if (got.sha256 !== manifest.sha256) throw new SyncError('syncSnapshot.digestMismatch');
    flushed = syncToDisk(files.part);
    serverHead = client.chainAt(manifest.seq);
    serverTip = client.head();
    checkSnapshotFile(files.part, manifest);
    if ((await serverHead).hash !== manifest.headHash) throw new SyncError('syncSnapshot.headMismatch', { seq: manifest.seq });
    await flushed;
    ctx.progress(0.7, 'syncSnapshot.phaseInstall');
    const serverHeadSeq = (await serverTip).seq;
    if (deps.sqlite.memory) return { ...(await deps.exclusive(() => install(deps.sqlite, files.part))), serverHeadSeq };
    // The verified file becomes the swap file: the console's own tables go into it, then it becomes the ledger.
    renameSync(files.part, files.swap);
    const point = await deps.exclusive(async () => {
      carryOwnTables(deps.sqlite, files.swap);
      return (await installSnapshotFile(deps.sqlite, files.swap)).point;
    });
    return { ...point, serverHeadSeq };
  } finally {
    // None is left running (nor its failure unobserved) when a check refused the file.
    await Promise.allSettled([flushed, serverHead, serverTip]);
    dropPart(deps.ledgerFile);
  }
}

/** Writes the file's pages to disk on libuv's threads, started now (not at the next turn of the event loop, which the walk holds). */
function syncToDisk(file: string): Promise<void> {
  const fd = openSync(file, 'r+');
  return new Promise((resolve, reject) =>
    fsync(fd, (err) => {
      closeSync(fd);
      if (err) reject(err);
      else resolve();
    }),
  );
}

/** Feeds the first `bytes` of `file` (a kept part of a download) into `hash`. */
async function hashInto(hash: Hash, file: string, bytes: number): Promise<void> {
  for await (const chunk of createReadStream(file, { end: bytes - 1 }) as AsyncIterable<Buffer>) hash.update(chunk);
}

/** The file's own cursor is the manifest's, and every event in it (or run of events held as one link) chains from the genesis to that head. */
export function checkSnapshotFile(file: string, manifest: Pick<SnapshotManifest, 'seq' | 'headHash'>): void {
  let snap: BetterSqlite3.Database;
  try {
    snap = new BetterSqlite3(file, { readonly: true, fileMustExist: true });
  } catch (e) {
    throw new SyncError('syncSnapshot.unreadable', { detail: e instanceof Error ? e.message : String(e) });
  }
  try {
    const cursor = new SyncApplier(snap, []).cursor();
    if (cursor.seq !== manifest.seq || cursor.hash !== manifest.headHash) throw new SyncError('syncSnapshot.otherSeq', { fileSeq: cursor.seq, seq: manifest.seq });
    const broken = new SyncApplier(snap, []).firstLocalBreak();
    if (broken !== null) throw new SyncError('syncSnapshot.brokenChain', { seq: broken });
  } catch (e) {
    if (e instanceof SyncError) throw e;
    throw new SyncError('syncSnapshot.unreadable', { detail: e instanceof Error ? e.message : String(e) });
  } finally {
    snap.close();
  }
}

function install(sqlite: BetterSqlite3.Database, file: string): ChainPoint {
  sqlite.prepare('attach database ? as snapshot').run(file);
  try {
    return copySnapshotTables(sqlite, 'snapshot');
  } finally {
    sqlite.exec('detach database snapshot');
  }
}
