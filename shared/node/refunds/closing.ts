import { sql, type Kysely, type Transaction } from 'kysely';
import type { ClosingView, Tally } from '../../api/refund-schemas.js';
import { AppError } from '../../common/errors.js';
import { seoulDayRange } from '../../common/time.js';
import type { Database } from '../db/schema.js';

type Db = Kysely<Database> | Transaction<Database>;

/** The server's last `day_closing` event for the district's day, as pulled. */
export async function serverDay(db: Db, districtCode: string, day: string): Promise<{ closed: boolean; by: string; at: string; reason: string | null } | null> {
  const row = await db.selectFrom('day_closing_events').select(['closed', 'by', 'at', 'reason']).where('district_code', '=', districtCode).where('day', '=', day).orderBy('seq', 'desc').limit(1).executeTakeFirst();
  return row ? { closed: row.closed === 1, by: row.by, at: row.at, reason: row.reason } : null;
}

/**
 * Whether the district's day is closed here, and by whom. Two sources: this
 * console's own closings and reopenings (in effect at once, sent to the server
 * through the outbox) and the server's events (made on any console, pulled at
 * each sync). The latest act of either wins, so a day another console closed is
 * closed here after the next sync, and one this console reopened is open at once.
 */
export async function dayClosedBy(db: Db, districtCode: string, day: string): Promise<{ by: string; at: string } | null> {
  const local = await db
    .selectFrom('counter_closings as c')
    .innerJoin('users as u', 'u.id', 'c.closed_by')
    .select(['u.display_name', 'c.closed_at', 'c.reopened_at'])
    .where('c.district_code', '=', districtCode)
    .where('c.day', '=', day)
    .execute();
  const acts: { at: string; closed: boolean; by: string }[] = [];
  for (const c of local) {
    acts.push({ at: c.closed_at, closed: true, by: c.display_name });
    if (c.reopened_at) acts.push({ at: c.reopened_at, closed: false, by: '' });
  }
  const server = await serverDay(db, districtCode, day);
  if (server) acts.push({ at: server.at, closed: server.closed, by: server.by });
  const last = acts.sort((a, b) => a.at.localeCompare(b.at)).at(-1);
  return last?.closed ? { by: last.by, at: last.at } : null;
}

/** A closed day takes no new counter work until an official reopens it. */
export async function assertDayOpen(trx: Db, districtCode: string, day: string): Promise<void> {
  if (await dayClosedBy(trx, districtCode, day)) throw new AppError('conflict', 'refunds.dayClosed', { day });
}

const empty = (): Tally => ({ cancelCount: 0, cancelSum: 0, refundCount: 0, refundSum: 0 });
function add(t: Tally, kind: 'cancel' | 'refund', amount: number): void {
  if (kind === 'cancel') {
    t.cancelCount++;
    t.cancelSum += amount;
  } else {
    t.refundCount++;
    t.refundSum += amount;
  }
}

/**
 * The day's figures for one district. The counter side counts requests taken
 * that day and sent (not withdrawn, not waiting for a second person); the
 * server side counts the district's cancel and refund events the server
 * stamped that day, as pulled. Each lot that is on one side only, or with a
 * different amount, is listed.
 */
export async function closingFigures(db: Db, districtCode: string, day: string): Promise<ClosingView> {
  const { from, to } = seoulDayRange(day);
  const taken = await db
    .selectFrom('counter_requests as r')
    .innerJoin('users as u', 'u.id', 'r.clerk_id')
    .select(['r.lot_id', 'r.receipt_no', 'r.kind', 'r.amount', 'u.display_name'])
    .where('r.district_code', '=', districtCode)
    .where('r.state', '=', 'queued')
    .where('r.created_at', '>=', from)
    .where('r.created_at', '<', to)
    .execute();
  const accepted = await db
    .selectFrom('ledger_events')
    .select(['lot_id', 'type', 'amount', 'payload'])
    .where('district_code', '=', districtCode)
    // Written out, not bound: SQLite uses the partial index ledger_events_returns only for this literal condition.
    .where(sql<boolean>`type in ('cancel', 'refund')`)
    .where('occurred_at', '>=', from)
    .where('occurred_at', '<', to)
    .execute();
  const names = new Map((await db.selectFrom('users').select(['username', 'display_name']).execute()).map((u) => [u.username, u.display_name]));

  const rows = new Map<string, { counter: Tally; server: Tally }>();
  const row = (clerk: string) => {
    let r = rows.get(clerk);
    if (!r) rows.set(clerk, (r = { counter: empty(), server: empty() }));
    return r;
  };
  const total = { counter: empty(), server: empty() };
  for (const t of taken) {
    add(row(t.display_name).counter, t.kind, t.amount);
    add(total.counter, t.kind, t.amount);
  }
  const serverByLot = new Map<string, { kind: 'cancel' | 'refund'; amount: number; clerk: string }>();
  for (const e of accepted) {
    const by = (JSON.parse(e.payload) as { by?: string }).by;
    const clerk = by ? (names.get(by) ?? by) : '—';
    const kind = e.type as 'cancel' | 'refund';
    add(row(clerk).server, kind, e.amount);
    add(total.server, kind, e.amount);
    serverByLot.set(e.lot_id, { kind, amount: e.amount, clerk });
  }

  const differences: ClosingView['differences'] = [];
  const takenLots = new Set<string>();
  for (const t of taken) {
    takenLots.add(t.lot_id);
    const s = serverByLot.get(t.lot_id);
    if (!s) differences.push({ lotId: t.lot_id, receiptNo: t.receipt_no, clerk: t.display_name, kind: t.kind, counterAmount: t.amount, serverAmount: null, note: 'counter.diffNotAccepted' });
    else if (s.amount !== t.amount || s.kind !== t.kind) differences.push({ lotId: t.lot_id, receiptNo: t.receipt_no, clerk: t.display_name, kind: t.kind, counterAmount: t.amount, serverAmount: s.amount, note: 'counter.diffAmount' });
  }
  for (const [lotId, s] of serverByLot) {
    if (!takenLots.has(lotId)) differences.push({ lotId, receiptNo: null, clerk: s.clerk, kind: s.kind, counterAmount: null, serverAmount: s.amount, note: 'counter.diffNotTaken' });
  }

  const closings = await db
    .selectFrom('counter_closings as c')
    .innerJoin('users as u', 'u.id', 'c.closed_by')
    .leftJoin('users as o', 'o.id', 'c.reopened_by')
    .select(['u.display_name as closed_by', 'c.closed_at', 'c.reopened_at', 'c.reopen_reason', 'o.display_name as reopened_by'])
    .where('c.district_code', '=', districtCode)
    .where('c.day', '=', day)
    .orderBy('c.id')
    .execute();
  return {
    day,
    districtCode,
    rows: [...rows].sort(([a], [b]) => a.localeCompare(b)).map(([clerk, r]) => ({ clerk, ...r })),
    total,
    differences,
    closed: await dayClosedBy(db, districtCode, day),
    server: await serverView(db, districtCode, day),
    reopenings: closings
      .filter((c) => c.reopened_at !== null)
      .map((c) => ({ by: c.reopened_by ?? '', at: c.reopened_at!, reason: c.reopen_reason ?? '', closedBy: c.closed_by, closedAt: c.closed_at })),
  };
}

async function serverView(db: Db, districtCode: string, day: string): Promise<ClosingView['server']> {
  const s = await serverDay(db, districtCode, day);
  return s ? { closed: s.closed, by: s.by, at: s.at } : null;
}
