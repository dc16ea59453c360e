import type BetterSqlite3 from 'better-sqlite3';
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { reopenOnRefusedBooking } from '../reconcile/refused-booking-hook.js';
import { catchUpReportFacts, reportFactsHook } from '../reports/report-facts.js';
import { emptySyncHooks, type LedgerWriteHook, type SyncHooks } from '../sync/sync-hooks.js';

/** What the capabilities derive from the synced log, in every transaction that writes it; also for tools and tests that apply pages directly. */
export const LEDGER_WRITE_HOOKS: readonly LedgerWriteHook[] = [reportFactsHook];

/**
 * The hooks every sync runs, in order: the report summaries with each page;
 * a refused booking reopening its reconciled day. The audit capability adds
 * its own (AuditService.register) once the sync connection it needs exists.
 */
export function syncHooks(db: Kysely<Database>): SyncHooks {
  const hooks = emptySyncHooks();
  hooks.ledgerWrites.push(...LEDGER_WRITE_HOOKS);
  hooks.onRefused.push(reopenOnRefusedBooking(db));
  return hooks;
}

/**
 * Work after the migrations, which import no capability: the report summaries
 * catch up with events synced before their tables existed (migration 0013).
 */
export function afterMigrate(sqlite: BetterSqlite3.Database): void {
  sqlite.transaction(() => catchUpReportFacts(sqlite))();
}
