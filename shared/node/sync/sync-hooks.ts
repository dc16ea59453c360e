import type BetterSqlite3 from 'better-sqlite3';
import type { Command } from '../../sync/protocol.js';
import type { SyncClient } from './client.js';

/**
 * State a capability above sync derives from the synced log (the report
 * summaries), kept inside the very transaction that changed the log: a page
 * and its summaries commit together or not at all.
 */
export interface LedgerWriteHook {
  /** After a page's events are written, before the cursor moves. */
  afterPage(sqlite: BetterSqlite3.Database): void;
  /** After a repair cut the log back and replayed what remains. */
  afterCut(sqlite: BetterSqlite3.Database): void;
  /** After a snapshot took the ledger's place (on the backend's thread; state derived from the old file, held in memory, is stale). */
  afterInstall(sqlite: BetterSqlite3.Database): void;
}

/**
 * Work the capabilities above sync hang on a sync, registered by the backend
 * registry so sync never imports them. Each list runs in order.
 */
export interface SyncHooks {
  ledgerWrites: LedgerWriteHook[];
  /** After the push, on the same connection, before the pull (the audit head is anchored). A throw stops the sync. */
  afterPush: ((client: SyncClient) => Promise<void>)[];
  /** After every sync or repair, whatever its outcome; a throw is the hook's own to report, never the sync's. */
  afterSync: (() => Promise<void>)[];
  /** A command the server refused, after sync has undone its own part (a round's status). */
  onRefused: ((command: Command, at: string) => Promise<void>)[];
}

export function emptySyncHooks(): SyncHooks {
  return { ledgerWrites: [], afterPush: [], afterSync: [], onRefused: [] };
}
