import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import type { ExceptionRow } from '../../api/reconcile-schemas.js';
import { migrateToLatest, openDatabase } from '../db/open.js';
import { bookAdjustment } from './reconcile-repo.js';
import { serverJournal } from './server-journal.js';
import { countersignBooking } from './adjustment-countersign.js';
import { dayRow } from './reconcile-repo.js';

const kim = { id: 'u-kim', username: 'kim', displayName: '김공무' };
const DAY = '2026-03-10';
const DIGEST = 'a'.repeat(64);
/** This console's clock when kim booked; the server's times below differ from it on purpose. */
const CONSOLE_AT = '2027-03-12T03:00:00.000Z';

async function dayWithExceptions() {
  const l = openDatabase(':memory:');
  await migrateToLatest(l.db);
  l.sqlite.prepare("insert into users (id, username, display_name, password_hash, role, created_at) values ('u-kim', 'kim', '김공무', 'x', 'official', ?)").run(CONSOLE_AT);
  l.sqlite
    .prepare("insert into settlement_imports (id, sha256, profile_id, provider, file_name, encoding, day, row_count, imported_by, imported_at) values ('i1', ?, 'hecto-pipe', 'toss', 'f', 'utf-8', ?, 2, 'kim', ?)")
    .run(DIGEST, DAY, CONSOLE_AT);
  const exc = l.sqlite.prepare("insert into reconcile_exceptions (import_id, provider, day, class, line, tid, file_amount, ledger_amount) values ('i1', 'toss', ?, 'amount_mismatch', ?, ?, ?, ?)");
  exc.run(DAY, 12, 'T-12', 51_000, 50_000);
  exc.run(DAY, 40, 'T-40', 90_000, 80_000);
  return l;
}
const row = (id: number, line: number, tid: string, fileAmount: number, ledgerAmount: number) =>
  ({ id, day: DAY, provider: 'toss', class: 'amount_mismatch', line, tid, eventId: null, fileAmount, ledgerAmount }) as ExceptionRow;
const booked = (seq: number, o: { by: string; at: string; ref: string; amount: number; countersignedBy?: string }) =>
  JSON.stringify({ type: 'adjustment_booked', eventId: `e${seq}`, day: DAY, provider: 'toss', fileDigest: DIGEST, exceptionRef: o.ref, amount: o.amount, reason: 'provider_error', text: '수수료 오류', by: o.by, ...(o.countersignedBy ? { countersignedBy: o.countersignedBy } : {}), at: o.at });

describe('the reconcile page’s journal, from the server', () => {
  it('lists the server’s bookings and lock with their author and the server’s time, then this console’s bookings still pending or refused', async () => {
    const l = await dayWithExceptions();
    await bookAdjustment(l.db, new Date(CONSOLE_AT), row(1, 12, 'T-12', 51_000, 50_000), { amount: 1_000, reason: 'provider_error', text: '수수료 오류', user: kim, at: CONSOLE_AT });
    await bookAdjustment(l.db, new Date(CONSOLE_AT), row(2, 40, 'T-40', 90_000, 80_000), { amount: 10_000, reason: 'provider_error', text: '큰 차액', user: kim, at: CONSOLE_AT });
    const [first, second] = await l.db.selectFrom('outbox').select('command_id').orderBy('created_at').orderBy('command_id').execute();
    // Only kim's first booking has been pending so far.
    let journal = await serverJournal(l.db, DAY, 'toss');
    expect(journal.map((j) => [j.source, j.amount, j.at])).toEqual([
      ['pending', 1_000, CONSOLE_AT],
      ['pending', 10_000, CONSOLE_AT],
    ]);
    expect(journal[0]).toMatchObject({ by: 'kim', byName: '김공무', exception: { ref: 'L12', class: 'amount_mismatch', line: 12, tid: 'T-12' }, seq: null });

    // The server accepted the first (its time, its sequence), refused the second; lee booked from another console and locked.
    const ids = [first!.command_id, second!.command_id];
    const firstIsSmall = (await l.db.selectFrom('reconcile_adjustments').select('amount').where('command_id', '=', ids[0]!).executeTakeFirstOrThrow()).amount === 1_000;
    const [small, big] = firstIsSmall ? ids : [ids[1]!, ids[0]!];
    await l.db.updateTable('outbox').set({ state: 'accepted', server_seq: 7 }).where('command_id', '=', small!).execute();
    await l.db.updateTable('outbox').set({ state: 'rejected', reason_key: 'settlement.needsCountersign', reason_params: JSON.stringify({ threshold: 5_000 }) }).where('command_id', '=', big!).execute();
    const journalRow = l.sqlite.prepare("insert into server_reconcile_journal (seq, event_id, type, day, provider, amount, by, at, payload, hash) values (?, ?, ?, ?, 'toss', ?, ?, ?, ?, 'h')");
    journalRow.run(7, 'e7', 'adjustment_booked', DAY, 1_000, 'kim', '2026-03-12T03:00:02.000Z', booked(7, { by: 'kim', at: '2026-03-12T03:00:02.000Z', ref: 'L12', amount: 1_000 }));
    journalRow.run(8, 'e8', 'adjustment_booked', DAY, 10_000, 'lee', '2026-03-12T03:05:00.000Z', booked(8, { by: 'lee', at: '2026-03-12T03:05:00.000Z', ref: 'L40', amount: 10_000, countersignedBy: 'park' }));
    journalRow.run(9, 'e9', 'reconcile_day_locked', DAY, null, 'lee', '2026-03-12T03:06:00.000Z', JSON.stringify({ type: 'reconcile_day_locked', eventId: 'e9', day: DAY, provider: 'toss', by: 'lee', at: '2026-03-12T03:06:00.000Z' }));
    // Another day's line is not this day's.
    journalRow.run(10, 'e10', 'reconcile_day_locked', '2026-03-11', null, 'lee', '2026-03-12T03:07:00.000Z', JSON.stringify({ type: 'reconcile_day_locked', eventId: 'e10', day: '2026-03-11', provider: 'toss', by: 'lee', at: '2026-03-12T03:07:00.000Z' }));

    journal = await serverJournal(l.db, DAY, 'toss');
    expect(journal.map((j) => [j.source, j.kind, j.seq, j.by, j.at, j.amount])).toEqual([
      ['server', 'booking', 7, 'kim', '2026-03-12T03:00:02.000Z', 1_000],
      ['server', 'booking', 8, 'lee', '2026-03-12T03:05:00.000Z', 10_000],
      ['server', 'lock', 9, 'lee', '2026-03-12T03:06:00.000Z', null],
      ['awaiting_second', 'booking', null, 'kim', CONSOLE_AT, 10_000],
    ]);
    expect(journal[1]).toMatchObject({ countersignedBy: 'park', byName: null, exception: { ref: 'L40', line: 40, tid: 'T-40' }, text: '수수료 오류' });
    expect(journal[3]!.refusal).toEqual({ key: 'settlement.needsCountersign', params: { threshold: 5_000 } });
    await l.close();
  });
});

describe('a booking above the administrator’s amount, countersigned by another official', () => {
  const lee = { id: 'u-lee', username: 'lee', displayName: '이공무' };
  const LATER = new Date('2027-03-12T04:00:00.000Z');

  /** kim booked 10,000 on L40 (difference 90,000 − 80,000 = 10,000); the server held it back for a second official. */
  async function heldBack(reasonKey = 'settlement.needsCountersign') {
    const l = await dayWithExceptions();
    l.sqlite.prepare("insert into users (id, username, display_name, password_hash, role, created_at) values ('u-lee', 'lee', '이공무', 'x', 'official', ?)").run(CONSOLE_AT);
    await bookAdjustment(l.db, new Date(CONSOLE_AT), row(2, 40, 'T-40', 90_000, 80_000), { amount: 10_000, reason: 'provider_error', text: '큰 차액', user: kim, at: CONSOLE_AT });
    const { command_id: refused } = await l.db.selectFrom('outbox').select('command_id').executeTakeFirstOrThrow();
    await l.db.updateTable('outbox').set({ state: 'rejected', reason_key: reasonKey, reason_params: JSON.stringify({ threshold: 5_000 }) }).execute();
    return { l, refused };
  }
  const outbox = (l: Awaited<ReturnType<typeof dayWithExceptions>>) =>
    l.db.selectFrom('outbox').select(['type', 'created_by', 'state', 'payload']).where('state', '=', 'pending').orderBy(sql`rowid`).execute();

  it('shows “2인 승인 필요” with its working; the booker cannot countersign and nothing is queued', async () => {
    const { l, refused } = await heldBack();
    const [held] = await serverJournal(l.db, DAY, 'toss');
    expect(held).toMatchObject({ source: 'awaiting_second', commandId: refused, by: 'kim', amount: 10_000, exception: { ref: 'L40', class: 'amount_mismatch', difference: 10_000 } });
    await expect(countersignBooking(l.db, LATER, refused, kim)).rejects.toMatchObject({ code: 'forbidden', key: 'reconcileCountersign.selfCountersign' });
    expect(await outbox(l)).toEqual([]);
    await l.close();
  });

  it('queues lee’s countersign, then kim’s booking again under a new id; the day counts it and the refused one leaves the journal', async () => {
    const { l, refused } = await heldBack();
    // Before: 1,000 (L12) + 10,000 (L40) left unexplained; the refused booking counts for nothing.
    expect((await dayRow(l.db, DAY, 'toss')).unexplained).toBe(11_000);
    await countersignBooking(l.db, LATER, refused, lee);
    const [sign, book] = await outbox(l);
    const signed = JSON.parse(sign!.payload) as Record<string, unknown>;
    const again = JSON.parse(book!.payload) as Record<string, unknown>;
    expect([sign!.type, sign!.created_by, book!.type, book!.created_by]).toEqual(['countersign_adjustment', 'u-lee', 'book_adjustment', 'u-kim']);
    expect(signed).toMatchObject({ requestCommandId: again.commandId, requestedBy: 'kim', fileDigest: DIGEST, exceptionRef: 'L40', amount: 10_000 });
    expect(again.commandId).not.toBe(refused);
    expect(again).toMatchObject({ type: 'book_adjustment', fileDigest: DIGEST, exceptionRef: 'L40', amount: 10_000, day: DAY, provider: 'toss', text: '큰 차액' });
    // After: only L12's 1,000 is left.
    expect((await dayRow(l.db, DAY, 'toss')).unexplained).toBe(1_000);
    expect((await serverJournal(l.db, DAY, 'toss')).map((j) => [j.source, j.by, j.countersignedBy, j.amount])).toEqual([['pending', 'kim', 'lee', 10_000]]);
    // Countersigned once is enough: a second countersign finds nothing waiting.
    await expect(countersignBooking(l.db, LATER, refused, lee)).rejects.toMatchObject({ code: 'conflict', key: 'reconcileCountersign.notAwaiting' });
    await l.close();
  });

  it('refuses a booking the server refused for another reason', async () => {
    const { l, refused } = await heldBack('settlement.exceedsDifference');
    await expect(countersignBooking(l.db, LATER, refused, lee)).rejects.toMatchObject({ code: 'conflict', key: 'reconcileCountersign.notAwaiting' });
    expect(await outbox(l)).toEqual([]);
    await l.close();
  });
});
