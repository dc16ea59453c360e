import { createPublicKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { mkdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import { afterMigrate, LEDGER_WRITE_HOOKS } from '../../shared/node/backend/hooks.js';
import { LATEST_MIGRATION } from '../../shared/node/db/migrations/index.js';
import type { PageEntry } from '../../shared/node/sync/apply.js';
import { parsePage } from '../../shared/node/sync/client.js';
import { buildSnapshotFile } from '../../shared/node/sync/snapshot-build.js';
import type { ReadScope } from '../../shared/common/read-scope.js';
import { manifestText, scopeKey, type SnapshotManifest } from '../../shared/sync/snapshot-wire.js';
import type { ServerDatabase } from '../db/schema.js';
import { pageLines } from './page-lines.js';

/** Events read from the log per query while building. */
const BUILD_PAGE = 10_000;

export interface ReadySnapshot {
  file: string;
  manifest: SnapshotManifest;
}

export interface SnapshotOptions {
  /** Where the built files live; one per scope is kept (the last), plus the one being built. */
  dir: string;
  /** A new build starts when the log has grown by at least this many events since the last one. */
  rebuildAfter?: number;
  /** The signing key (snapshot-key.ts: the data folder's, stable across restarts so consoles can pin it); without it, one for this process. */
  key?: KeyObject;
  /** Offer no snapshot, so every console replays the log (tests of the replay path itself). */
  off?: boolean;
  log?: (message: string, extra?: unknown) => void;
}

/**
 * The server's snapshots, one per read scope: a console ledger built from
 * exactly the events that scope's pages carry, up to a sequence. A request
 * gets the last one built while the next builds in the background (a build
 * is started when there is none, or when the log grew by `rebuildAfter`
 * since). One build at a time for the whole server: they share its CPU with
 * the sale. The manifest is signed at each answer with the server's key.
 */
export class SnapshotStore {
  private readonly ready = new Map<string, ReadySnapshot>();
  private readonly building = new Map<string, Promise<void>>();
  private queue: Promise<void> = Promise.resolve();
  private readonly key: { privateKey: KeyObject; publicKey: KeyObject };
  readonly publicKeyPem: string;
  private readonly rebuildAfter: number;
  /** The folder the files live in. */
  readonly dir: string;

  constructor(
    private readonly db: Kysely<ServerDatabase>,
    private readonly options: SnapshotOptions,
  ) {
    const privateKey = options.key ?? generateKeyPairSync('ed25519').privateKey;
    this.key = { privateKey, publicKey: createPublicKey(privateKey) };
    this.publicKeyPem = this.key.publicKey.export({ type: 'spki', format: 'pem' }).toString();
    this.rebuildAfter = options.rebuildAfter ?? 100_000;
    this.dir = options.dir;
    mkdirSync(options.dir, { recursive: true, mode: 0o700 });
  }

  /** The last snapshot of `scope`, starting a build when there is none or it is `rebuildAfter` behind `headSeq`. */
  current(scope: ReadScope, headSeq: number): ReadySnapshot | undefined {
    if (this.options.off) return undefined;
    const key = scopeKey(scope);
    const have = this.ready.get(key);
    if (headSeq > 0 && (!have || headSeq - have.manifest.seq >= this.rebuildAfter)) void this.rebuild(scope);
    return have;
  }

  /** Starts a build of `scope` at the log's head now (joining one under way); resolves when it is ready. */
  rebuild(scope: ReadScope): Promise<void> {
    const key = scopeKey(scope);
    const running = this.building.get(key);
    if (running) return running;
    const run = (this.queue = this.queue.then(() => this.build(scope)).catch((e) => this.options.log?.(`snapshot ${key} failed`, e)));
    const tracked = run.finally(() => this.building.delete(key));
    this.building.set(key, tracked);
    return tracked;
  }

  /** Resolves when no build is under way (tests, benches). */
  async idle(): Promise<void> {
    while (this.building.size > 0) await Promise.all([...this.building.values()]);
  }

  signature(manifest: SnapshotManifest): string {
    return sign(null, Buffer.from(manifestText(manifest)), this.key.privateKey).toString('base64');
  }

  private async build(scope: ReadScope): Promise<void> {
    const key = scopeKey(scope);
    const head = await this.db.selectFrom('log_head').select(['seq', 'hash']).where('id', '=', 1).executeTakeFirstOrThrow();
    const headSeq = Number(head.seq);
    if (headSeq === 0 || this.ready.get(key)?.manifest.seq === headSeq) return;
    const stem = join(this.options.dir, `${key.replace(':', '-')}-${headSeq}`);
    const part = `${stem}.building`;
    rmSync(part, { force: true });
    // The last file of this scope is the base of the next: only the events after it are applied.
    const base = this.ready.get(key);
    try {
      const built = await buildSnapshotFile(part, this.pages(scope, headSeq, head.hash, base?.manifest.seq ?? 0), headSeq, LEDGER_WRITE_HOOKS, afterMigrate, base?.file);
      if (built.seq !== headSeq || built.hash !== head.hash) throw new Error(`snapshot ${key} ended at ${built.seq}, not the head ${headSeq}`);
      const file = `${stem}.sqlite`;
      renameSync(part, file);
      const before = this.ready.get(key);
      this.ready.set(key, { file, manifest: { scope: key, seq: built.seq, headHash: built.hash, sha256: built.sha256, bytes: built.bytes, schema: LATEST_MIGRATION } });
      // A download of the previous file already open keeps reading it (the open descriptor outlives the name).
      if (before && before.file !== file) rmSync(before.file, { force: true });
    } finally {
      rmSync(part, { force: true });
      for (const c of ['-wal', '-shm', '-journal']) rmSync(part + c, { force: true });
    }
  }

  /** The log after `from` up to `headSeq` in the very lines and parser a console's pull uses. */
  private async *pages(scope: ReadScope, headSeq: number, headHash: string, from: number): AsyncIterable<PageEntry[]> {
    for (let after = from; after < headSeq; after += BUILD_PAGE) {
      const to = Math.min(headSeq, after + BUILD_PAGE);
      // Folded uses come as checkpoints, as to a console's pull (server/log/page-lines.ts).
      const lines = await pageLines(this.db, scope, { seq: headSeq, hash: headHash }, after, to, true);
      yield parsePage(lines.join('\n') + '\n', after).entries;
    }
  }
}
