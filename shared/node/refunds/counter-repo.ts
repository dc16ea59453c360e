import { sql, type Kysely, type Transaction } from 'kysely';
import type { CounterLot, CounterRequestView, WorkingView } from '../../api/refund-schemas.js';
import type { RefundWorking } from '../../ledger/rules.js';
import type { RoundPublished } from '../../sync/protocol.js';
import type { SessionUser } from '../kernel/session-user.js';
import type { Database, LotsTable } from '../db/schema.js';

type Db = Kysely<Database> | Transaction<Database>;

/** The server's receipt number in its cancel or refund event, when the server numbered it. */
const SERVER_RECEIPT_NO = sql<string | null>`json_extract(e.payload, '$.receiptNo')`;

/** Clerks work on their own district only; everyone else city-wide. */
export function counterScope(user: SessionUser): string | null {
  return user.role === 'clerk' ? user.districtCode : null;
}

/** Round names for the lots shown, from the latest publication of each round. */
export async function roundNames(db: Db, roundIds: string[]): Promise<Map<string, string>> {
  const names = new Map<string, string>();
  for (const id of new Set(roundIds)) {
    const p = await db.selectFrom('round_publications').select('payload').where('round_id', '=', id).orderBy('version', 'desc').limit(1).executeTakeFirst();
    names.set(id, p ? (JSON.parse(p.payload) as RoundPublished).spec.name : id);
  }
  return names;
}

export function lotView(r: LotsTable, roundName: string): CounterLot {
  return {
    lotId: r.lot_id,
    roundId: r.round_id,
    roundName,
    buyerId: r.buyer_id,
    districtCode: r.district_code,
    face: r.face,
    paid: r.paid,
    used: r.used,
    usedBp: r.face > 0 ? Math.floor((r.used * 10_000) / r.face) : 0,
    remaining: r.status === 'active' ? r.face - r.used : 0,
    refunded: r.refunded,
    paymentMethod: r.payment_method,
    status: r.status,
    purchasedAt: r.purchased_at,
    expiresAt: r.expires_at,
  };
}

export function workingView(w: RefundWorking): WorkingView {
  const { outcome, ...figures } = w;
  return {
    ...figures,
    outcome: outcome.ok ? { ok: true, kind: outcome.value.kind, amount: outcome.value.amount } : { ok: false, key: outcome.key, ...(outcome.params ? { params: outcome.params } : {}) },
  };
}

/** Counter requests with their status: the counter's own state, the outbox's answer, and whether the ledger shows it yet. */
export async function requestViews(
  db: Db,
  filter: {
    districtCode?: string | null;
    commandId?: string;
    lotId?: string;
    fromAt?: string;
    toAt?: string;
    clerkId?: string;
    receiptNo?: string;
    /** Requests not yet finished, whatever their day, and any filed at or after this instant. */
    openOrSince?: string;
  },
): Promise<CounterRequestView[]> {
  let q = db
    .selectFrom('counter_requests as r')
    .innerJoin('users as c', 'c.id', 'r.clerk_id')
    .leftJoin('users as s', 's.id', 'r.countersigned_by')
    .leftJoin('outbox as o', 'o.command_id', 'r.command_id')
    .leftJoin('lots as l', 'l.lot_id', 'r.lot_id')
    // The event the server made of the request, which carries the server's receipt number.
    .leftJoin('ledger_events as e', 'e.seq', 'o.server_seq')
    .selectAll('r')
    .select(['c.display_name as clerk_name', 's.display_name as second_name', 'o.state as outbox_state', 'o.reason_key', 'o.reason_params', 'o.resolved_at', 'l.status as lot_status'])
    .select(SERVER_RECEIPT_NO.as('server_receipt_no'));
  if (filter.districtCode) q = q.where('r.district_code', '=', filter.districtCode);
  if (filter.commandId) q = q.where('r.command_id', '=', filter.commandId);
  if (filter.lotId) q = q.where('r.lot_id', '=', filter.lotId);
  // Either number finds the request: the buyer may hold the provisional slip or the server's.
  if (filter.receiptNo) {
    const no = filter.receiptNo;
    q = q.where((eb) => eb.or([eb('r.receipt_no', '=', no), eb(SERVER_RECEIPT_NO, '=', no)]));
  }
  if (filter.clerkId) q = q.where('r.clerk_id', '=', filter.clerkId);
  if (filter.fromAt) q = q.where('r.created_at', '>=', filter.fromAt);
  if (filter.toAt) q = q.where('r.created_at', '<', filter.toAt);
  if (filter.openOrSince) {
    const since = filter.openOrSince;
    // Unfinished, as the status below reads it: awaiting a second person, not yet answered, or accepted but not yet in the ledger.
    q = q.where((eb) =>
      eb.or([
        eb('r.created_at', '>=', since),
        eb('r.state', '=', 'awaiting_second'),
        eb.and([eb('r.state', '!=', 'withdrawn'), eb.or([eb('o.state', 'is', null), eb('o.state', '=', 'pending'), eb.and([eb('o.state', '=', 'accepted'), eb('l.status', '=', 'active')])])]),
      ]),
    );
  }
  const rows = await q.orderBy('r.created_at', 'desc').limit(2_000).execute();
  return rows.map((r) => {
    let status: CounterRequestView['status'];
    if (r.state === 'awaiting_second' || r.state === 'withdrawn') status = r.state;
    else if (r.outbox_state === 'rejected') status = 'rejected';
    else if (r.outbox_state === 'accepted') status = r.lot_status === 'active' ? 'sent' : 'accepted';
    else status = 'pending';
    return {
      commandId: r.command_id,
      receiptNo: r.server_receipt_no ?? r.receipt_no,
      // Receipts the server accepted before it numbered them keep the number they were given.
      receiptProvisional: r.server_receipt_no === null && r.outbox_state !== 'accepted',
      provisionalNo: r.receipt_no,
      lotId: r.lot_id,
      roundId: r.round_id,
      buyerId: r.buyer_id,
      districtCode: r.district_code,
      kind: r.kind,
      amount: r.amount,
      working: JSON.parse(r.working) as WorkingView,
      reasonCode: r.reason_code,
      reasonText: r.reason_text,
      accountMasked: r.account_masked,
      clerkId: r.clerk_id,
      clerkName: r.clerk_name,
      createdAt: r.created_at,
      status,
      serverReason: status === 'rejected' && r.reason_key ? { key: r.reason_key, ...(r.reason_params ? { params: JSON.parse(r.reason_params) as Record<string, string | number> } : {}) } : null,
      countersignedByName: r.second_name ?? null,
      resolvedAt: r.resolved_at ?? null,
    };
  });
}

/** The lot of a cancellation or refund the server numbered `receiptNo`, inside `districtCode` when given. */
export async function lotOfServerReceipt(db: Db, receiptNo: string, districtCode: string | null): Promise<string | null> {
  const row = await db
    .selectFrom('ledger_events')
    .select('lot_id')
    // Written out, not bound: SQLite uses the partial index ledger_events_returns only for this literal condition.
    .where(sql<boolean>`type in ('cancel', 'refund')`)
    .where(sql<string>`json_extract(payload, '$.receiptNo')`, '=', receiptNo)
    .$if(districtCode !== null, (q) => q.where('district_code', '=', districtCode!))
    .executeTakeFirst();
  return row?.lot_id ?? null;
}

/** Marks a number as the counter's own until the server gives its number (가번호: provisional). */
export const PROVISIONAL_PREFIX = '가-';

/**
 * The counter's provisional receipt number (가번호): district, this console, a
 * running number — no date, since only the server's clock dates a receipt. Once
 * the server accepts the request its own number (`{district}-{its Seoul day}-{n}`)
 * takes the place of this one on the screen and on every receipt printed after.
 */
export async function nextReceiptNo(db: Db, districtCode: string): Promise<string> {
  const consoleId = (await db.selectFrom('console_identity').select('console_id').where('id', '=', 1).executeTakeFirstOrThrow()).console_id;
  const prefix = `${PROVISIONAL_PREFIX}${districtCode}-${consoleId.slice(0, 4).toUpperCase()}-`;
  // Requests are never deleted (a withdrawn one keeps its number), so the count is the last number given.
  const { n } = await db.selectFrom('counter_requests').select((eb) => eb.fn.countAll<number>().as('n')).where('receipt_no', 'like', `${prefix}%`).executeTakeFirstOrThrow();
  return `${prefix}${String(Number(n) + 1).padStart(6, '0')}`;
}

/** `신한은행 110-123-456789` → `신한은행 ****6789`: enough for the buyer to recognise, too little to use. */
export function maskAccount(bank: string, digits: string): string {
  return `${bank} ${'*'.repeat(Math.max(4, digits.length - 4))}${digits.slice(-4)}`;
}
