import { createHash, randomUUID } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { ExceptionRow, ReconcileDay, RESOLUTION_REASONS } from '../../api/reconcile-schemas.js';
import { AppError } from '../../common/errors.js';
import { formatWon } from '../../common/money.js';
import { translate } from '../../i18n/index.js';
import type { MatchResult } from '../../reconcile/match.js';
import { settlementProfileSchema, type SettlementProfile } from '../../reconcile/profile.js';
import type BetterSqlite3 from 'better-sqlite3';
import type { RowStager } from './stage-rows.js';
import { settlementCommand } from './settlement-command.js';
import { exceptionRef } from '../../sync/reconcile-wire.js';
import { appendAudit } from '../kernel/audit-append.js';
import { enqueueCommand } from '../kernel/outbox.js';
import type { Database, ReconcileExceptionsTable } from '../db/schema.js';

type Db = Kysely<Database>;

export async function listProfiles(db: Db): Promise<SettlementProfile[]> {
  const rows = await db.selectFrom('settlement_profiles').select('spec').orderBy('id').execute();
  return rows.map((r) => settlementProfileSchema.parse(JSON.parse(r.spec)));
}

export async function findProfile(db: Db, id: string): Promise<SettlementProfile> {
  const row = await db.selectFrom('settlement_profiles').select('spec').where('id', '=', id).executeTakeFirst();
  if (!row) throw new AppError('not_found', 'reconcile.profileNotFound', { id });
  return settlementProfileSchema.parse(JSON.parse(row.spec));
}

/** An instant as Seoul wall time for a message (`2026-03-10 09:41 KST`). */
const seoulStamp = (iso: string) => `${new Date(Date.parse(iso) + 9 * 3_600_000).toISOString().slice(0, 16).replace('T', ' ')} KST`;

export const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** A file with this content was imported before: say when and as what, and record nothing. */
export async function refuseReimport(db: Db, hash: string): Promise<void> {
  const prior = await db.selectFrom('settlement_imports').select(['file_name', 'imported_at']).where('sha256', '=', hash).executeTakeFirst();
  if (prior) throw new AppError('conflict', 'reconcile.alreadyImported', { fileName: prior.file_name, at: seoulStamp(prior.imported_at) });
}

/** An exception's difference in SQL, by the rule of `exceptionDifference` (shared/reconcile/adjustments.ts). */
const DIFFERENCE_SQL = sql<number>`case class when 'duplicate' then coalesce(file_amount, 0) else coalesce(file_amount, 0) - coalesce(ledger_amount, 0) end`;

/** One day and provider's money and lock (zeros for a day not imported). */
export async function dayRow(db: Db, day: string, provider: string): Promise<ReconcileDay> {
  return (await daySummaries(db, { day, provider }))[0]!;
}

export interface AdjustmentRow {
  id: number;
  exceptionId: number;
  amount: number;
  reason: string;
  text: string;
  by: string;
  at: string;
  /** Where the server's copy stands: the outbox state of its command (`local` for bookings never sent). */
  server: 'pending' | 'accepted' | 'rejected' | 'local';
}

/** A day's adjustments journal, in booking order, with the server's answer for each. */
export async function listAdjustments(db: Db, day: string, provider: string): Promise<AdjustmentRow[]> {
  const rows = await db
    .selectFrom('reconcile_adjustments as a')
    .leftJoin('outbox as o', 'o.command_id', 'a.command_id')
    .selectAll('a')
    .select('o.state')
    .where('a.day', '=', day)
    .where('a.provider', '=', provider)
    .orderBy('a.id')
    .execute();
  return rows.map((r) => ({ id: r.id, exceptionId: r.exception_id, amount: r.amount, reason: r.reason, text: r.text, by: r.by, at: r.at, server: (r.state ?? 'local') as AdjustmentRow['server'] }));
}

/**
 * Books an adjustment: the local journal row and, in the same transaction, the
 * `book_adjustment` command to the server in the author's name (the outbox).
 */
export async function bookAdjustment(
  trx: Db,
  queuedAt: Date,
  before: ExceptionRow,
  a: { amount: number; reason: (typeof RESOLUTION_REASONS)[number]; text: string; user: { id: string; username: string; displayName: string }; at: string },
): Promise<void> {
  const commandId = randomUUID();
  // The server knows the exception by its file's digest and its name in the file.
  const file = await trx
    .selectFrom('reconcile_exceptions as x')
    .innerJoin('settlement_imports as i', 'i.id', 'x.import_id')
    .select('i.sha256')
    .where('x.id', '=', before.id)
    .executeTakeFirstOrThrow();
  await trx
    .insertInto('reconcile_adjustments')
    .values({ exception_id: before.id, day: before.day, provider: before.provider, amount: a.amount, reason: a.reason, text: a.text, by: a.user.username, by_name: a.user.displayName, at: a.at, command_id: commandId })
    .execute();
  await enqueueCommand(
    trx,
    queuedAt,
    {
      type: 'book_adjustment',
      commandId,
      provider: before.provider,
      day: before.day,
      fileDigest: file.sha256,
      exceptionRef: exceptionRef(before),
      exception: { class: before.class, line: before.line, tid: before.tid, fileAmount: before.fileAmount, ledgerAmount: before.ledgerAmount },
      amount: a.amount,
      reason: a.reason,
      text: a.text,
    },
    a.user.id,
  );
}

/** Every imported day and provider, newest first. */
export async function listDays(db: Db): Promise<ReconcileDay[]> {
  return daySummaries(db);
}

/**
 * Days with their exception counts, differences, adjustments and lock, in four
 * queries whatever the number of days (a query per day kept the Reconcile page
 * waiting ~0.4 s with months of days, and the grid's first page behind it);
 * `only` narrows every query to one day and provider.
 */
async function daySummaries(db: Db, only?: { day: string; provider: string }): Promise<ReconcileDay[]> {
  const [days, counts, adjusted, locks, verdicts] = await Promise.all([
    only
      ? Promise.resolve([only])
      : db.selectFrom('settlement_imports').select(['day', 'provider']).distinct().orderBy('day', 'desc').orderBy('provider').execute(),
    db
      .selectFrom('reconcile_exceptions')
      .select((eb) => [
        'day',
        'provider',
        eb.fn.countAll<number>().as('n'),
        eb.fn.sum<number>(eb.case().when('resolved_at', 'is', null).then(1).else(0).end()).as('open'),
        eb.fn.sum<number>(DIFFERENCE_SQL).as('difference'),
      ])
      .$if(only !== undefined, (q) => q.where('day', '=', only!.day).where('provider', '=', only!.provider))
      .groupBy(['day', 'provider'])
      .execute(),
    // A booking the server rejected explains nothing: it stays in the journal and stops counting.
    db
      .selectFrom('reconcile_adjustments as a')
      .leftJoin('outbox as o', 'o.command_id', 'a.command_id')
      .select((eb) => ['a.day as day', 'a.provider as provider', eb.fn.sum<number>('a.amount').as('sum')])
      .where((eb) => eb.or([eb('o.state', 'is', null), eb('o.state', '!=', 'rejected')]))
      .$if(only !== undefined, (q) => q.where('a.day', '=', only!.day).where('a.provider', '=', only!.provider))
      .groupBy(['a.day', 'a.provider'])
      .execute(),
    db
      .selectFrom('reconcile_days')
      .select(['day', 'provider', 'locked_by', 'locked_at'])
      .$if(only !== undefined, (q) => q.where('day', '=', only!.day).where('provider', '=', only!.provider))
      .execute(),
    serverVerdicts(db, only),
  ]);
  const key = (r: { day: string; provider: string }) => `${r.day}\u0000${r.provider}`;
  const countOf = new Map(counts.map((c) => [key(c), c]));
  const adjustedOf = new Map(adjusted.map((a) => [key(a), Number(a.sum ?? 0)]));
  const lockOf = new Map(locks.map((l) => [key(l), l]));
  return days.map((d) => {
    const c = countOf.get(key(d));
    const l = lockOf.get(key(d));
    const difference = Number(c?.difference ?? 0);
    const adj = adjustedOf.get(key(d)) ?? 0;
    return {
      day: d.day, provider: d.provider, exceptions: Number(c?.n ?? 0), open: Number(c?.open ?? 0),
      difference, adjusted: adj, unexplained: difference - adj,
      lockedBy: l?.locked_by ?? null, lockedAt: l?.locked_at ?? null,
      server: verdicts.get(key(d)) ?? { lockedBy: null, lockedAt: null, pending: null, refused: null },
    };
  });
}

type Verdict = ReconcileDay['server'];

/**
 * Each day's standing on the server: the last lock or reopening in the synced
 * journal (the server's, the same on every console), and this console's last
 * request for the day with the outbox's answer to it when not yet accepted.
 */
async function serverVerdicts(db: Db, only?: { day: string; provider: string }): Promise<Map<string, Verdict>> {
  const where = only ? sql`and day = ${only.day} and provider = ${only.provider}` : sql``;
  // SQLite takes a bare column from the row that gives max(): the latest event or request per day.
  const [journal, asked] = await Promise.all([
    sql<{ day: string; provider: string; type: string; by: string; at: string; seq: number }>`
      select day, provider, type, by, at, max(seq) as seq from server_reconcile_journal
      where type in ('reconcile_day_locked', 'reconcile_day_reopened') ${where} group by day, provider`.execute(db),
    sql<{ day: string; provider: string; action: 'lock' | 'reopen'; state: string | null; reason_key: string | null; reason_params: string | null; id: number }>`
      select l.day, l.provider, l.action, o.state, o.reason_key, o.reason_params, max(l.id) as id from reconcile_day_log l
      left join outbox o on o.command_id = l.command_id
      where l.command_id is not null ${only ? sql`and l.day = ${only.day} and l.provider = ${only.provider}` : sql``} group by l.day, l.provider`.execute(db),
  ]);
  const out = new Map<string, Verdict>();
  const get = (d: string, p: string) => {
    const k = `${d}\u0000${p}`;
    if (!out.has(k)) out.set(k, { lockedBy: null, lockedAt: null, pending: null, refused: null });
    return out.get(k)!;
  };
  for (const j of journal.rows) {
    if (j.type === 'reconcile_day_locked') Object.assign(get(j.day, j.provider), { lockedBy: j.by, lockedAt: j.at });
  }
  for (const a of asked.rows) {
    if (a.state === 'pending') get(a.day, a.provider).pending = a.action;
    if (a.state === 'rejected') {
      get(a.day, a.provider).refused = { action: a.action, key: a.reason_key ?? 'reconcileServer.refusedNoReason', params: a.reason_params ? (JSON.parse(a.reason_params) as Record<string, string | number>) : {} };
    }
  }
  return out;
}

async function assertOpenDay(db: Db, day: string, provider: string): Promise<void> {
  const lock = await db.selectFrom('reconcile_days').select('locked_by').where('day', '=', day).where('provider', '=', provider).executeTakeFirst();
  if (lock?.locked_by) throw new AppError('conflict', 'reconcile.dayLocked');
}

export interface Actor {
  id: string;
  username: string;
  displayName: string;
}

/**
 * Records an analysed file: the import, its rows (from the stage, on disk) and
 * its exceptions, in one transaction with an audit entry. Rows and exceptions
 * go through prepared statements on the same connection, inside the Kysely
 * transaction (which holds the connection's lock): a million rows as Kysely
 * objects 500 at a time took minutes and ~1 GB. Any failure rolls all back.
 */
export async function recordImport(
  db: Db,
  sqlite: BetterSqlite3.Database,
  a: { profile: SettlementProfile; fileName: string; hash: string; encoding: string; result: MatchResult; stage: RowStager; actor: Actor; at: string },
): Promise<string> {
  const id = randomUUID();
  await assertOpenDay(db, a.result.day, a.profile.provider);
  await db.transaction().execute(async (trx) => {
    // Checked again inside: two imports of one file at once record one.
    const prior = await trx.selectFrom('settlement_imports').select('id').where('sha256', '=', a.hash).executeTakeFirst();
    if (prior) throw new AppError('conflict', 'reconcile.alreadyImported', { fileName: a.fileName, at: seoulStamp(a.at) });
    await trx
      .insertInto('settlement_imports')
      .values({ id, sha256: a.hash, profile_id: a.profile.id, provider: a.profile.provider, file_name: a.fileName, encoding: a.encoding, day: a.result.day, row_count: a.stage.count, imported_by: a.actor.username, imported_at: a.at })
      .execute();
    const copied = a.stage.copyInto(sqlite, id);
    // The stage is the parse's own count; a difference means rows were lost on the way and nothing may be recorded.
    if (copied !== a.result.rows) throw new Error(`recordImport: staged ${copied} rows, parsed ${a.result.rows}`);
    const exc = sqlite.prepare(
      'insert into reconcile_exceptions (import_id, provider, day, class, line, tid, event_id, district_code, file_amount, ledger_amount, explained_by) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    );
    for (const e of a.result.exceptions) {
      exc.run(id, a.profile.provider, a.result.day, e.class, e.line, e.tid, e.eventId, e.districtCode, e.fileAmount, e.ledgerAmount, e.explainedBy);
    }
    // The server records the file too, so bookings on it are checked against figures it holds.
    await enqueueCommand(trx, new Date(a.at), settlementCommand(a.hash, a.profile.provider, a.result), a.actor.id);
    await appendAudit(trx, {
      at: a.at, actorId: a.actor.id, actorName: a.actor.displayName, action: 'reconcile.import', entityType: 'settlement_import', entityId: id,
      details: { fileName: a.fileName, sha256: a.hash, provider: a.profile.provider, day: a.result.day, rows: copied, matched: a.result.matched, exceptions: a.result.exceptions.length },
    });
  });
  return id;
}

/** Won booked on an exception so far, less bookings the server refused (the same rule as the day's total). */
const BOOKED_SQL = sql<number>`(select coalesce(sum(a.amount), 0) from reconcile_adjustments a left join outbox o on o.command_id = a.command_id
  where a.exception_id = reconcile_exceptions.id and (o.state is null or o.state != 'rejected'))`;

const toRow = (r: Omit<ReconcileExceptionsTable, 'id'> & { id: number; booked: number }): ExceptionRow => ({
  booked: Number(r.booked),
  id: r.id, day: r.day, provider: r.provider, class: r.class, line: r.line, tid: r.tid, eventId: r.event_id, districtCode: r.district_code,
  fileAmount: r.file_amount, ledgerAmount: r.ledger_amount, explainedBy: r.explained_by, assignee: r.assignee, note: r.note,
  resolution: r.resolution, resolutionText: r.resolution_text, adjustment: r.adjustment, resolvedBy: r.resolved_by, resolvedAt: r.resolved_at,
});

export interface ExceptionQuery {
  startRow: number;
  endRow: number;
  day?: string | null | undefined;
  provider?: string | null | undefined;
  districtCode?: string | null | undefined;
  class?: ReconcileExceptionsTable['class'] | null | undefined;
  status?: 'open' | 'resolved' | null | undefined;
}

/** One block of exceptions for the grid (infinite row model), filtered, with the total on the first block. */
export async function listExceptions(db: Db, q: ExceptionQuery): Promise<{ rows: ExceptionRow[]; lastRow: number | null }> {
  let query = db.selectFrom('reconcile_exceptions');
  if (q.day) query = query.where('day', '=', q.day);
  if (q.provider) query = query.where('provider', '=', q.provider);
  if (q.districtCode) query = query.where('district_code', '=', q.districtCode);
  if (q.class) query = query.where('class', '=', q.class);
  if (q.status === 'open') query = query.where('resolved_at', 'is', null);
  if (q.status === 'resolved') query = query.where('resolved_at', 'is not', null);
  const rows = await query.selectAll().select(BOOKED_SQL.as('booked')).orderBy('day', 'desc').orderBy('id').limit(q.endRow - q.startRow).offset(q.startRow).execute();
  let lastRow: number | null = null;
  if (rows.length < q.endRow - q.startRow) lastRow = q.startRow + rows.length;
  else if (q.startRow === 0) lastRow = Number((await query.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
  return { rows: rows.map(toRow), lastRow };
}

async function getException(db: Db, id: number): Promise<ExceptionRow> {
  const r = await db.selectFrom('reconcile_exceptions').selectAll().select(BOOKED_SQL.as('booked')).where('id', '=', id).executeTakeFirst();
  if (!r) throw new AppError('not_found', 'reconcile.notFound');
  return toRow(r);
}

/** Changes one exception of an unlocked day, with an audit entry, in one transaction. */
export async function updateException(
  db: Db,
  id: number,
  change: Partial<Pick<ReconcileExceptionsTable, 'assignee' | 'note' | 'resolution' | 'resolution_text' | 'adjustment' | 'resolved_by' | 'resolved_at'>>,
  actor: Actor,
  at: string,
  action: string,
  /** More to write in the same transaction (an adjustment booked with a resolution). */
  also?: (trx: Db, before: ExceptionRow) => Promise<void>,
  /** More to say in the audit entry than the change itself. */
  audited: Record<string, unknown> = {},
): Promise<ExceptionRow> {
  const before = await getException(db, id);
  await assertOpenDay(db, before.day, before.provider);
  await db.transaction().execute(async (trx) => {
    if (Object.keys(change).length > 0) await trx.updateTable('reconcile_exceptions').set(change).where('id', '=', id).execute();
    await also?.(trx, before);
    await appendAudit(trx, { at, actorId: actor.id, actorName: actor.displayName, action, entityType: 'reconcile_exception', entityId: String(id), details: { ...change, ...audited } });
  });
  return getException(db, id);
}

export async function lockDay(db: Db, day: string, provider: string, actor: Actor, at: string): Promise<ReconcileDay> {
  const now = await dayRow(db, day, provider);
  if (now.exceptions === 0 && !(await db.selectFrom('settlement_imports').select('id').where('day', '=', day).where('provider', '=', provider).executeTakeFirst())) {
    throw new AppError('not_found', 'reconcile.notFound');
  }
  if (now.lockedBy) throw new AppError('conflict', 'reconcile.dayLocked');
  if (now.open > 0) throw new AppError('rule_violation', 'reconcile.dayHasOpen', { count: now.open });
  // Every won of difference is either booked as an adjustment or the day stays open.
  if (now.unexplained !== 0) throw new AppError('rule_violation', 'reconcile.dayUnexplained', { amount: formatWon(now.unexplained) });
  await db.transaction().execute(async (trx) => {
    await trx
      .insertInto('reconcile_days')
      .values({ day, provider, locked_by: actor.username, locked_at: at })
      .onConflict((oc) => oc.columns(['day', 'provider']).doUpdateSet({ locked_by: actor.username, locked_at: at }))
      .execute();
    // The console's lock is a quote; the server locks only on its own figures, and its answer comes back by sync.
    const commandId = randomUUID();
    await enqueueCommand(trx, new Date(at), { type: 'lock_reconcile_day', commandId, day, provider }, actor.id);
    await trx.insertInto('reconcile_day_log').values({ day, provider, action: 'lock', by: actor.username, reason: null, at, command_id: commandId }).execute();
    await appendAudit(trx, { at, actorId: actor.id, actorName: actor.displayName, action: 'reconcile.lockDay', entityType: 'reconcile_day', entityId: `${day}/${provider}`, details: { day, provider } });
  });
  return dayRow(db, day, provider);
}

/**
 * The server refused a booking the day's lock counted on: the day no longer
 * balances, so it is open again, on the record, in the server's name.
 */
export async function reopenForRefusedBooking(db: Db, day: string, provider: string, commandId: string, at: string): Promise<boolean> {
  const now = await dayRow(db, day, provider);
  if (!now.lockedBy || now.unexplained === 0) return false;
  await reopenDay(db, day, provider, `서버가 조정 기록을 거부했습니다 (명령 ${commandId})`, SERVER, at, false);
  return true;
}

const SERVER: Actor = { id: 'server', username: 'server', displayName: '중앙 서버' };

/**
 * The server refused to lock a day this console locked: the console's lock
 * goes, on the record, in the server's name and with its reason in Korean.
 */
export async function reopenForRefusedLock(db: Db, day: string, provider: string, commandId: string, at: string): Promise<boolean> {
  const now = await dayRow(db, day, provider);
  if (!now.lockedBy) return false;
  const answer = await db.selectFrom('outbox').select(['reason_key', 'reason_params']).where('command_id', '=', commandId).executeTakeFirst();
  const why = translate('ko', answer?.reason_key ?? 'reconcileServer.refusedNoReason', answer?.reason_params ? JSON.parse(answer.reason_params) : {});
  await reopenDay(db, day, provider, translate('ko', 'reconcileServer.lockRefusedReason', { reason: why }), SERVER, at, false);
  return true;
}

export async function reopenDay(db: Db, day: string, provider: string, reason: string, actor: Actor, at: string, send = true): Promise<ReconcileDay> {
  const now = await dayRow(db, day, provider);
  if (!now.lockedBy) throw new AppError('conflict', 'reconcile.dayNotLocked');
  await db.transaction().execute(async (trx) => {
    await trx.updateTable('reconcile_days').set({ locked_by: null, locked_at: null }).where('day', '=', day).where('provider', '=', provider).execute();
    // A reopening in the server's name (its refusal came back) sends nothing: the server's day was never locked by it.
    let commandId: string | null = null;
    if (send) {
      commandId = randomUUID();
      await enqueueCommand(trx, new Date(at), { type: 'reopen_reconcile_day', commandId, day, provider, reason }, actor.id);
    }
    await trx.insertInto('reconcile_day_log').values({ day, provider, action: 'reopen', by: actor.username, reason, at, command_id: commandId }).execute();
    await appendAudit(trx, { at, actorId: actor.id, actorName: actor.displayName, action: 'reconcile.reopenDay', entityType: 'reconcile_day', entityId: `${day}/${provider}`, details: { day, provider, reason } });
  });
  return dayRow(db, day, provider);
}

/** Active officials and administrators: the people an exception may be assigned to. */
export async function listAssignees(db: Db): Promise<{ username: string; displayName: string; role: 'admin' | 'official' }[]> {
  const rows = await db
    .selectFrom('users')
    .select(['username', 'display_name', 'role'])
    .where('role', 'in', ['admin', 'official'])
    .where('disabled', '=', 0)
    .orderBy('display_name')
    .execute();
  return rows.map((r) => ({ username: r.username, displayName: r.display_name, role: r.role as 'admin' | 'official' }));
}
