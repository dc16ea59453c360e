import type { Kysely, Transaction } from 'kysely';
import type { JournalEntry } from '../../api/reconcile-schemas.js';
import { exceptionRef, type ReconcileEvent } from '../../sync/reconcile-wire.js';
import type { Database } from '../db/schema.js';
import { exceptionDifference } from '../../reconcile/adjustments.js';
import type { ExceptionClass } from '../../reconcile/match.js';

const differenceOf = (x: { class: ExceptionClass; file_amount: number | null; ledger_amount: number | null }) =>
  exceptionDifference({ class: x.class, fileAmount: x.file_amount, ledgerAmount: x.ledger_amount });

type Db = Kysely<Database> | Transaction<Database>;

/** The server's answer to a booking above the administrator's amount with no second official's countersign. */
export const NEEDS_SECOND = 'settlement.needsCountersign';

const KIND = { adjustment_booked: 'booking', reconcile_day_locked: 'lock', reconcile_day_reopened: 'reopen' } as const;

/**
 * A day's reconciliation journal as the server holds it — its bookings, locks
 * and reopenings as synced, each with the server's author and time — followed
 * by this console's bookings the server has not accepted yet (pending) or
 * refused. The server's lines are what counts; the console's own journal is
 * only its record of what it asked for.
 */
export async function serverJournal(db: Db, day: string, provider: string): Promise<JournalEntry[]> {
  const [events, local, exceptions, users] = await Promise.all([
    db.selectFrom('server_reconcile_journal').select(['seq', 'payload']).where('day', '=', day).where('provider', '=', provider).orderBy('seq').execute(),
    db
      .selectFrom('reconcile_adjustments as a')
      .innerJoin('outbox as o', 'o.command_id', 'a.command_id')
      .innerJoin('reconcile_exceptions as x', 'x.id', 'a.exception_id')
      .innerJoin('settlement_imports as i', 'i.id', 'x.import_id')
      .select(['a.command_id', 'a.amount', 'a.reason', 'a.text', 'a.by', 'a.at', 'a.countersigned_by', 'o.state', 'o.reason_key', 'o.reason_params', 'x.class', 'x.line', 'x.tid', 'x.event_id', 'x.file_amount', 'x.ledger_amount'])
      .where('a.day', '=', day)
      .where('a.provider', '=', provider)
      // Accepted bookings are the server's lines above; a refused one booked again after a countersign is that new booking.
      .where('o.state', 'in', ['pending', 'rejected'])
      .where((eb) => eb.not(eb.exists(eb.selectFrom('reconcile_adjustments as again').select('again.id').whereRef('again.countersign_of', '=', 'a.command_id'))))
      .orderBy('a.id')
      .execute(),
    db
      .selectFrom('reconcile_exceptions as x')
      .innerJoin('settlement_imports as i', 'i.id', 'x.import_id')
      .select(['i.sha256', 'x.class', 'x.line', 'x.tid', 'x.event_id', 'x.file_amount', 'x.ledger_amount'])
      .where('x.day', '=', day)
      .where('x.provider', '=', provider)
      .execute(),
    db.selectFrom('users').select(['username', 'display_name']).execute(),
  ]);
  const names = new Map(users.map((u) => [u.username, u.display_name]));
  const known = new Map(exceptions.map((x) => [`${x.sha256}|${exceptionRef({ line: x.line, eventId: x.event_id, tid: x.tid })}`, x]));

  const fromServer = events.map((row): JournalEntry => {
    const e = JSON.parse(row.payload) as ReconcileEvent;
    const booking = e.type === 'adjustment_booked' ? e : null;
    const x = booking ? known.get(`${booking.fileDigest}|${booking.exceptionRef}`) : undefined;
    return {
      source: 'server',
      commandId: null,
      kind: KIND[e.type],
      seq: row.seq,
      by: e.by,
      byName: names.get(e.by) ?? null,
      countersignedBy: booking?.countersignedBy ?? null,
      at: e.at,
      exception: booking ? { ref: booking.exceptionRef, class: x?.class ?? null, line: x?.line ?? null, tid: x?.tid ?? null, difference: x ? differenceOf(x) : null } : null,
      amount: booking?.amount ?? null,
      reason: booking ? booking.reason : e.type === 'reconcile_day_reopened' ? e.reason : null,
      text: booking?.text ?? null,
      refusal: null,
    };
  });
  const ours = local.map(
    (a): JournalEntry => ({
      source: a.state === 'pending' ? 'pending' : a.reason_key === NEEDS_SECOND ? 'awaiting_second' : 'refused',
      commandId: a.command_id,
      kind: 'booking',
      seq: null,
      by: a.by,
      byName: names.get(a.by) ?? null,
      countersignedBy: a.countersigned_by,
      at: a.at,
      exception: { ref: exceptionRef({ line: a.line, eventId: a.event_id, tid: a.tid }), class: a.class, line: a.line, tid: a.tid, difference: differenceOf(a) },
      amount: a.amount,
      reason: a.reason,
      text: a.text,
      refusal: a.state === 'rejected' && a.reason_key ? { key: a.reason_key, ...(a.reason_params ? { params: JSON.parse(a.reason_params) as Record<string, string | number> } : {}) } : null,
    }),
  );
  return [...fromServer, ...ours];
}
