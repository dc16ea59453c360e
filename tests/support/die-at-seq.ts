import type BetterSqlite3 from 'better-sqlite3';

/**
 * Given to the sync applier's thread as its setup (apply-thread.ts): with DIE_AT_SEQ set, the
 * process SIGKILLs itself from inside the page transaction, right after inserting the event with
 * that sequence number, so the kill lands mid-write for certain.
 */
export default function dieAtSeq(sqlite: BetterSqlite3.Database): void {
  const dieAt = Number(process.env.DIE_AT_SEQ ?? 0);
  if (!(dieAt > 0)) return;
  sqlite.function('die', () => process.kill(process.pid, 'SIGKILL'));
  sqlite.exec(`create temp trigger die_mid_page after insert on ledger_events when new.seq = ${dieAt} begin select die(); end`);
}
