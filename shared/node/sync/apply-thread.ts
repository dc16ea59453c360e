import type BetterSqlite3 from 'better-sqlite3';
import type { MessagePort } from 'node:worker_threads';
import { Worker } from 'node:worker_threads';
import { pathToFileURL } from 'node:url';
import { SyncApplier, type ChainPoint } from './apply.js';
import { parsePage } from './client.js';
import { SyncError } from './sync-error.js';
import type { LedgerWriteHook } from './sync-hooks.js';

/**
 * The sync applier in a thread of its own, with its own write connection to
 * the ledger (issue 21). The backend's thread then only reads during a pull:
 * in WAL mode its connection sees the last committed state, so a page can be
 * applied, parsed and all, in ONE transaction (the page-end work — payment
 * keys, summaries, commit — once a page, not once a slice) while the pages of
 * the UI are answered from the state before it, never from half of it.
 *
 * `file` is the worker's entry (the backend's apply-worker: it binds the
 * capabilities' ledger hooks, which sync may not import); `source` says it is
 * TypeScript, run from the repository (tests, benches) through tsx's loader;
 * `setup`, a module whose default export gets the worker's connection first
 * (a crash test installs its kill trigger there).
 */
export interface ApplyThreadSpec {
  file: string;
  source?: boolean;
  setup?: string;
}

/** A pull's start in the thread (ApplyThread.begin). */
export interface Begun {
  cursor: ChainPoint;
  setAside: boolean;
}

/** What the main thread asks of the applier's thread. */
type Ask = { op: 'begin' } | { op: 'defer'; remaining: number } | { op: 'page'; bytes: Uint8Array; after: number } | { op: 'restore' } | { op: 'close' };
type Request = Ask & { id: number };

type Reply = { id: number; value: unknown } | { id: number; error: { syncKey?: string; params?: Record<string, string | number>; message: string } };

/** The worker's side: answers requests on `port` with an applier over `sqlite` (its own connection) and `hooks`. */
export function serveApplies(port: MessagePort, sqlite: BetterSqlite3.Database, hooks: readonly LedgerWriteHook[]): void {
  let applier: SyncApplier | undefined;
  const current = () => (applier ??= new SyncApplier(sqlite, hooks));
  const decoder = new TextDecoder();
  port.on('message', (m: Request) => {
    try {
      let value: unknown;
      if (m.op === 'begin') {
        // Fresh for every pull: the main thread may have cut the log back (a repair) since the last one.
        applier = new SyncApplier(sqlite, hooks);
        value = { cursor: applier.cursor(), setAside: setAside(sqlite) } satisfies Begun;
      } else if (m.op === 'defer') value = current().deferIndexesFor(m.remaining);
      else if (m.op === 'restore') value = current().restoreIndexes();
      else if (m.op === 'close') value = void sqlite.close();
      else {
        const page = parsePage(decoder.decode(m.bytes), m.after);
        value = page.entries.length === 0 ? current().cursor() : current().applyPage(page.entries, page.head.seq, true);
      }
      port.postMessage({ id: m.id, value } satisfies Reply);
    } catch (e) {
      const error =
        e instanceof SyncError
          ? { syncKey: e.key, ...(e.params ? { params: e.params } : {}), message: e.message }
          : { message: e instanceof Error ? e.message : String(e) };
      port.postMessage({ id: m.id, error } satisfies Reply);
    }
  });
}

/** Whether indexes set aside by a catch-up wait to be built again (bulk-indexes.ts). */
function setAside(sqlite: BetterSqlite3.Database): boolean {
  if (!sqlite.prepare("select 1 from sqlite_master where name = 'deferred_indexes'").get()) return false;
  return sqlite.prepare('select 1 from deferred_indexes limit 1').get() !== undefined;
}

/** A module that loads tsx's loader, then the TypeScript entry (a worker started from the repository, not a bundle). */
function sourceBoot(file: string): string {
  return `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(pathToFileURL(file).href)}); })`;
}

/**
 * The main thread's side: started at the first pull, kept for the next, ended
 * with the backend. A thread that dies (or fails to start) fails the requests
 * waiting on it and is started again by the next pull.
 */
export class ApplyThread {
  private worker: Worker | undefined;
  private ready: Promise<void> | undefined;
  private nextId = 1;
  /** Set by end(): no thread is started again. */
  private ended = false;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();

  constructor(
    private readonly spec: ApplyThreadSpec,
    private readonly ledgerFile: string,
  ) {}

  private start(): Promise<void> {
    if (this.ended) return Promise.reject(new Error("the sync applier's thread was ended"));
    if (this.ready) return this.ready;
    const workerData = { ledgerFile: this.ledgerFile, setup: this.spec.setup };
    const worker = this.spec.source ? new Worker(sourceBoot(this.spec.file), { eval: true, workerData }) : new Worker(this.spec.file, { workerData });
    this.worker = worker;
    const fail = (why: string) => {
      if (this.worker === worker) {
        this.worker = undefined;
        this.ready = undefined;
      }
      for (const p of this.pending.values()) p.reject(new Error(why));
      this.pending.clear();
    };
    this.ready = new Promise<void>((resolve, reject) => {
      worker.on('message', (m: Reply | { ready: true } | { fatal: string }) => {
        if ('ready' in m) return resolve();
        if ('fatal' in m) return reject(new Error(`the sync applier's thread did not start: ${m.fatal}`));
        const p = this.pending.get(m.id);
        this.pending.delete(m.id);
        if (!p) return;
        if ('value' in m) return p.resolve(m.value);
        p.reject(m.error.syncKey !== undefined ? new SyncError(m.error.syncKey, m.error.params) : new Error(m.error.message));
      });
      worker.on('error', (e) => {
        reject(e);
        fail(`the sync applier's thread crashed: ${e.message}`);
      });
      worker.on('exit', (code) => {
        reject(new Error(`the sync applier's thread exited with code ${code}`));
        fail(`the sync applier's thread exited with code ${code}`);
      });
    });
    // Not left unobserved when it fails before anyone waits on it.
    this.ready.catch(() => undefined);
    return this.ready;
  }

  private async ask<T>(message: Ask, transfer: ArrayBuffer[] = []): Promise<T> {
    await this.start();
    const worker = this.worker!;
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      worker.postMessage({ ...message, id }, transfer);
    });
  }

  /**
   * Before a pull: a fresh applier in the thread; returns the cursor as the thread's connection reads it, and
   * whether indexes a catch-up set aside wait to be built again (its thread died before its end): the pull builds them.
   */
  begin(): Promise<Begun> {
    return this.ask({ op: 'begin' });
  }

  deferIndexesFor(remaining: number): Promise<number> {
    return this.ask({ op: 'defer', remaining });
  }

  /** Parses and applies one page (bytes as the server sent them, handed over, not copied) in one transaction; returns the new cursor. */
  applyPage(bytes: Uint8Array, after: number): Promise<ChainPoint> {
    const whole = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength;
    return this.ask({ op: 'page', bytes, after }, whole ? [bytes.buffer as ArrayBuffer] : []);
  }

  restoreIndexes(): Promise<number> {
    return this.ask({ op: 'restore' });
  }

  /** For good (the backend's close): a pull under way fails at its next page instead of starting a thread again. */
  async end(): Promise<void> {
    this.ended = true;
    await this.close();
  }

  /** Lets go of the ledger (before a snapshot is renamed in); the next request starts the thread again. */
  async close(): Promise<void> {
    const worker = this.worker;
    if (!worker) return;
    // The connection closed in its own thread first (its WAL left as SQLite leaves it), then the thread.
    await this.ask({ op: 'close' }).catch(() => undefined);
    this.worker = undefined;
    this.ready = undefined;
    await worker.terminate();
  }
}
